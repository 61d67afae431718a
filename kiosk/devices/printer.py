"""Receipt printer over pyserial (serial port, pty or socket://): prints receipts, reads status."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import serial

from kiosk.core.errors import ConfigError, KioskError
from kiosk.core.model import PrintOutcome
from kiosk.core.receipt import Receipt, layout
from kiosk.devices.escpos import (
    PROFILES,
    STATUS_ERROR_CAUSE,
    STATUS_OFFLINE_CAUSE,
    STATUS_PAPER,
    STATUS_PRINTER,
    PrinterProfile,
    encode_receipt_parts,
    parse_status,
    status_query,
    transfer_seconds,
)

log = logging.getLogger(__name__)


def split_printer_url(url: str, default_baud: int = 19200) -> tuple[str, int]:
    """`/dev/ttyUSB0?baud=9600` -> ("/dev/ttyUSB0", 9600). pyserial takes no options on a
    device path, so our own `baud` option is taken out; other options (socket://...?logging=)
    stay for pyserial."""
    if not url or not url.strip():
        raise ConfigError(
            "printer url is empty: expected e.g. /dev/ttyUSB0?baud=19200 or socket://192.168.0.50:9100"
        )
    base, _, query = url.strip().partition("?")
    baud = default_baud
    rest: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key != "baud":
            rest.append((key, value))
            continue
        if not value.isdigit() or int(value) <= 0:
            raise ConfigError(f"printer url {url!r}: baud must be a positive integer, got {value!r}")
        baud = int(value)
    return (base + "?" + urlencode(rest) if rest else base), baud


@dataclass(frozen=True)
class _Status:
    online: bool | None  # None: the printer did not answer
    paper: str = "unknown"  # "ok", "near_end", "out", "unknown"
    cover_open: bool | None = None
    error: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "paper": self.paper,
            "cover_open": self.cover_open,
            "error": self.error,
        }


class SerialReceiptPrinter:
    """ReceiptPrinter over any pyserial URL. Blocks while printing; call it from a worker
    thread. Printer faults come back as PrintOutcome, never as exceptions."""

    def __init__(
        self,
        url: str,
        profile: PrinterProfile = PROFILES["generic-80-ko"],
        status_timeout: float = 0.3,
        write_timeout: float = 10.0,
        chunk_size: int = 1024,
        baud: int = 19200,
    ) -> None:
        self.url = url
        self.profile = profile
        self.status_timeout = status_timeout
        self.write_timeout = write_timeout
        self.chunk_size = max(64, chunk_size)
        self._device_url, self.baud = split_printer_url(url, baud)
        # A network printer's pace is unknown: wait for its reply up to the write timeout.
        self._paced = not self._device_url.startswith("socket://")
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()
        try:
            serial.serial_for_url(self._device_url, do_not_open=True)  # checks the scheme only
        except ValueError as e:
            raise ConfigError(f"printer url {url!r}: {e}") from e

    # --- public API ---

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        try:
            parts = encode_receipt_parts(layout(receipt, self.profile.cells), self.profile)
        except (KioskError, ValueError) as e:
            return PrintOutcome(
                False,
                "printer.failed",
                f"cannot prepare the receipt for the printer on {self.url}: {e}",
            )
        with self._lock:
            try:
                outcome = self._print(parts)
            except serial.SerialTimeoutException:
                self._drop()
                outcome = PrintOutcome(
                    False,
                    "printer.offline",
                    f"printer on {self.url} stopped taking data "
                    f"(write timed out after {self.write_timeout} s)",
                )
            except (serial.SerialException, OSError, ValueError) as e:
                self._drop()
                outcome = PrintOutcome(False, "printer.offline", f"printer on {self.url} is unreachable: {e}")
        log.info("receipt on %s: ok=%s %s", self.url, outcome.ok, outcome.detail)
        return outcome

    def status(self) -> dict[str, Any]:
        """{"url", "online" (bool or None = no answer), "paper" ("ok", "near_end", "out",
        "unknown"), "cover_open", "error" (bool or None), "detail" (for a technician)}."""
        with self._lock:
            try:
                self._open()
                st = self._check(self.status_timeout)
            except (serial.SerialException, OSError, ValueError) as e:
                self._drop()
                return {
                    "url": self.url,
                    **_Status(None).as_dict(),
                    "detail": f"printer on {self.url} is unreachable: {e}",
                }
        refusal = self._refusal(st)
        detail = refusal.detail if refusal else self._note(st)
        return {"url": self.url, **st.as_dict(), "detail": detail}

    def close(self) -> None:
        with self._lock:
            self._drop()

    # --- printing ---

    def _print(self, parts: list[bytes]) -> PrintOutcome:
        port = self._open()
        st = self._check(self.status_timeout)
        refusal = self._refusal(st)
        if refusal:
            return refusal
        sent = 0
        for chunk in self._chunks(parts):
            port.write(chunk)
            sent += len(chunk)
            # The reply to a status query comes after the printer has taken in the chunk:
            # it paces us, and a fault in mid-receipt stops the rest.
            st = self._check(self._drain_wait(len(chunk)))
            refusal = self._refusal(st, during=True)
            if refusal:
                log.warning("printer on %s failed after %d bytes", self.url, sent)
                return refusal
        return PrintOutcome(True, detail=self._note(st))

    def _chunks(self, parts: list[bytes]) -> Iterator[bytes]:
        """Whole commands grouped up to chunk_size; never splits a command (an image's data
        must not be interrupted by a status query)."""
        buf = bytearray()
        for part in parts:
            if buf and len(buf) + len(part) > self.chunk_size:
                yield bytes(buf)
                buf.clear()
            buf += part
        if buf:
            yield bytes(buf)

    def _drain_wait(self, n_bytes: int) -> float:
        if not self._paced:
            return self.write_timeout
        return transfer_seconds(n_bytes, self.baud) * 1.5 + self.status_timeout

    # --- status ---

    def _ask(self, n: int, wait: float) -> int | None:
        """The status byte for DLE EOT n, or None when no valid reply came within `wait`."""
        port = self._open()
        port.reset_input_buffer()  # a late reply to an earlier query must not be taken as this one
        port.write(status_query(n))
        deadline = time.monotonic() + wait
        while True:
            got = port.read(1)
            if got and parse_status(n, got[0])["known"]:
                return got[0]
            if time.monotonic() >= deadline:
                return None

    def _check(self, first_wait: float) -> _Status:
        first = self._ask(STATUS_PRINTER, first_wait)
        if first is None:
            self._drop()  # reopen next time: the adapter may have been replugged
            return _Status(None)
        printer = parse_status(STATUS_PRINTER, first)
        paper = parse_status(STATUS_PAPER, self._ask(STATUS_PAPER, self.status_timeout))
        cause = parse_status(STATUS_OFFLINE_CAUSE, self._ask(STATUS_OFFLINE_CAUSE, self.status_timeout))
        if not paper["known"]:
            paper_state = "unknown"
        elif paper["paper_out"]:
            paper_state = "out"
        else:
            paper_state = "near_end" if paper["paper_near_end"] else "ok"
        error = cause.get("error")
        if error:
            detail = parse_status(STATUS_ERROR_CAUSE, self._ask(STATUS_ERROR_CAUSE, self.status_timeout))
            error = any(
                detail.get(k)
                for k in (
                    "cutter_error",
                    "unrecoverable_error",
                    "auto_recoverable_error",
                    "recoverable_error",
                )
            )
        return _Status(
            online=not printer["offline"],
            paper=paper_state,
            cover_open=cause.get("cover_open"),
            error=error or False,
        )

    def _refusal(self, st: _Status, during: bool = False) -> PrintOutcome | None:
        """The failed outcome `st` calls for, or None when printing may go on."""
        where = f"printer on {self.url}"
        when = " in mid-receipt" if during else ""
        if st.online is None:
            return PrintOutcome(
                False,
                "printer.offline",
                f"{where} does not answer status queries{when} "
                "(check power, cable and the port/baud in the config)",
            )
        if st.paper == "out":
            return PrintOutcome(False, "printer.paper_out", f"{where} reports paper out{when}")
        if st.cover_open:
            return PrintOutcome(False, "printer.failed", f"{where} reports its cover open{when}")
        if st.error:
            return PrintOutcome(
                False,
                "printer.failed",
                f"{where} reports an error{when} (cutter jam or head fault)",
            )
        if not st.online:
            return PrintOutcome(False, "printer.offline", f"{where} reports offline{when}")
        return None

    def _note(self, st: _Status) -> str:
        if st.paper == "near_end":
            return f"printer on {self.url} reports paper near end"
        return ""

    # --- port ---

    def _open(self) -> serial.SerialBase:
        if self._port is None:
            self._port = serial.serial_for_url(
                self._device_url,
                baudrate=self.baud,
                timeout=min(self.status_timeout, 0.1),
                write_timeout=self.write_timeout,
            )
        return self._port

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                log.debug("closing printer port %s failed", self.url, exc_info=True)
