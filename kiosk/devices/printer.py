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
from kiosk.core.receipt import PrintLine, Receipt, layout
from kiosk.devices.escpos import (
    FLOW_CONTROLS,
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


@dataclass(frozen=True)
class PrinterUrl:
    """A printer URL taken apart: what pyserial opens, and our own options."""

    device: str  # for pyserial: a device path, socket://host:port, rfc2217://, loop://
    baud: int
    flow_control: str  # "none", "rtscts" or "xonxoff"


def parse_printer_url(url: str, default_baud: int = 19200, default_flow: str = "none") -> PrinterUrl:
    """`/dev/ttyUSB0?baud=9600&flow=rtscts` -> PrinterUrl("/dev/ttyUSB0", 9600, "rtscts").
    pyserial takes no options on a device path, so ours (baud, flow) are taken out; other
    options (socket://...?logging=debug) stay for pyserial."""
    if not url or not url.strip():
        raise ConfigError(
            "printer url is empty: expected e.g. /dev/ttyUSB0?baud=19200 or socket://192.168.0.50:9100"
        )
    base, _, query = url.strip().partition("?")
    baud, flow = default_baud, default_flow
    rest: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "baud":
            if not value.isdigit() or int(value) <= 0:
                raise ConfigError(f"printer url {url!r}: baud must be a positive integer, got {value!r}")
            baud = int(value)
        elif key == "flow":
            if value not in FLOW_CONTROLS:
                raise ConfigError(f"printer url {url!r}: flow must be one of {', '.join(FLOW_CONTROLS)}")
            flow = value
        else:
            rest.append((key, value))
    return PrinterUrl(base + "?" + urlencode(rest) if rest else base, baud, flow)


def split_printer_url(url: str, default_baud: int = 19200) -> tuple[str, int]:
    """`/dev/ttyUSB0?baud=9600` -> ("/dev/ttyUSB0", 9600) (see parse_printer_url)."""
    parsed = parse_printer_url(url, default_baud)
    return parsed.device, parsed.baud


# What a technician should do about each condition the printer reports.
ADVICE = {
    "unreachable": "check the cable (or network), the printer's power and the device URL in the config",
    "no_answer": "check power, the cable and that the baud rate in the URL matches the printer's setting",
    "paper_out": "load a new roll of thermal paper and close the cover",
    "near_end": "the roll is nearly finished: load a new one soon",
    "cover_open": "close the printer cover firmly until it clicks",
    "cutter_error": "open the cover, clear the paper jammed at the cutter, close the cover",
    "error": "switch the printer off and on; if the error stays, call service",
    "offline": "press the printer's feed/online button or check its error LED",
    "stalled": "the printer held the line (flow control) without printing: check paper, cover and "
    "that the flow control in the config matches the printer's setting",
}


@dataclass(frozen=True)
class _Status:
    online: bool | None  # None: the printer did not answer
    paper: str = "unknown"  # "ok", "near_end", "out", "unknown"
    cover_open: bool | None = None
    error: bool | None = None
    cutter_error: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "paper": self.paper,
            "cover_open": self.cover_open,
            "error": self.error,
            "cutter_error": self.cutter_error,
        }


class SerialReceiptPrinter:
    """ReceiptPrinter over any pyserial URL. Blocks while printing; call it from a worker
    thread. Printer faults come back as PrintOutcome, never as exceptions.

    write_timeout is how long the printer may hold the line (flow control, a full buffer)
    beyond a write's own time at the baud rate; chunk_size bounds each write, and an image
    is sent as bands no longer than a chunk, with a status query after each chunk."""

    def __init__(
        self,
        url: str,
        profile: PrinterProfile = PROFILES["generic-80-ko"],
        status_timeout: float = 0.3,
        write_timeout: float = 10.0,
        chunk_size: int = 1024,
        baud: int | None = None,
    ) -> None:
        self.url = url
        self.profile = profile
        self.status_timeout = status_timeout
        self.write_timeout = write_timeout
        self.chunk_size = max(64, chunk_size)
        parsed = parse_printer_url(url, baud or profile.baud, profile.flow_control)
        self._device_url, self.baud, self.flow_control = parsed.device, parsed.baud, parsed.flow_control
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
            lines = layout(receipt, self.profile.cells)
        except (KioskError, ValueError) as e:
            return self._unprintable(e)
        return self.print_lines(lines)

    def print_lines(self, lines: list[PrintLine]) -> PrintOutcome:
        """Print laid-out lines (a receipt, a test page): the outcome, never an exception."""
        try:
            parts = encode_receipt_parts(lines, self.profile, band_bytes=self.chunk_size)
        except (KioskError, ValueError) as e:
            return self._unprintable(e)
        with self._lock:
            try:
                outcome = self._print(parts)
            except serial.SerialTimeoutException:
                waited = self._port.write_timeout if self._port is not None else self.write_timeout
                outcome = self._why_stalled() or PrintOutcome(
                    False,
                    "printer.offline",
                    f"printer on {self.url} stopped taking data "
                    f"(write timed out after {waited:.1f} s, flow control {self.flow_control}): "
                    + ADVICE["stalled"],
                )
                self._drop()
            except (serial.SerialException, OSError, ValueError) as e:
                self._drop()
                outcome = PrintOutcome(
                    False,
                    "printer.offline",
                    f"printer on {self.url} is unreachable ({e}): " + ADVICE["unreachable"],
                )
        log.info("receipt on %s: ok=%s %s", self.url, outcome.ok, outcome.detail)
        return outcome

    def _why_stalled(self) -> PrintOutcome | None:
        """After XOFF held us past the write timeout, ask the printer why: ESC/POS printers take
        DLE EOT even with a full buffer. Turning XON/XOFF off restarts our stopped output (the
        kernel's TCOON would not undo an XOFF); the port is reopened afterwards anyway."""
        if self.flow_control != "xonxoff" or self._port is None:
            return None
        try:
            self._port.xonxoff = False
            return self._refusal(self._check(self.status_timeout), during=True)
        except (serial.SerialException, OSError, ValueError):
            log.debug("no status from the stalled printer on %s", self.url, exc_info=True)
            return None

    def _unprintable(self, e: Exception) -> PrintOutcome:
        return PrintOutcome(
            False, "printer.failed", f"cannot prepare the receipt for the printer on {self.url}: {e}"
        )

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
                    "detail": f"printer on {self.url} is unreachable ({e}): " + ADVICE["unreachable"],
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
        chunks = list(self._chunks(parts))
        # A write may take its line time, plus the time the printer may hold the line.
        allowed = self.write_allowance(max(map(len, chunks), default=0))
        if port.write_timeout != allowed:
            port.write_timeout = allowed
        sent = 0
        for chunk in chunks:
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
        must not be interrupted by a status query: images come as bands no longer than a
        chunk, see encode_receipt_parts)."""
        buf = bytearray()
        for part in parts:
            if buf and len(buf) + len(part) > self.chunk_size:
                yield bytes(buf)
                buf.clear()
            buf += part
        if buf:
            yield bytes(buf)

    def write_allowance(self, n_bytes: int) -> float:
        """Seconds a write of `n_bytes` may take before it counts as stalled: write_timeout
        (what the printer may hold the line for) on top of the bytes' time on the line."""
        line = transfer_seconds(n_bytes, self.baud) if self._paced else 0.0
        return round(self.write_timeout + line, 3)

    def _drain_wait(self, n_bytes: int) -> float:
        if not self._paced:
            return self.write_timeout
        return transfer_seconds(n_bytes, self.baud) * 1.5 + self.status_timeout

    # --- status ---

    def _ask(self, n: int, wait: float) -> int | None:
        """The status byte for DLE EOT n, or None when no valid reply came within `wait`."""
        port = self._open()
        # A late reply to an earlier query must not be taken as this one. Read it away rather
        # than flush: a flush may also drop an XOFF the kernel has not acted on yet.
        while port.in_waiting:
            port.read(port.in_waiting)
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
        cutter: bool | None = False if error is not None else None
        if error:
            detail = parse_status(STATUS_ERROR_CAUSE, self._ask(STATUS_ERROR_CAUSE, self.status_timeout))
            cutter = detail.get("cutter_error")
        return _Status(
            online=not printer["offline"],
            paper=paper_state,
            cover_open=cause.get("cover_open"),
            error=bool(error),
            cutter_error=cutter,
        )

    def _refusal(self, st: _Status, during: bool = False) -> PrintOutcome | None:
        """The failed outcome `st` calls for, or None when printing may go on."""
        where = f"printer on {self.url}"
        when = " in mid-receipt" if during else ""
        if st.online is None:
            return PrintOutcome(
                False,
                "printer.offline",
                f"{where} does not answer status queries{when}: " + ADVICE["no_answer"],
            )
        if st.paper == "out":
            return PrintOutcome(
                False, "printer.paper_out", f"{where} reports paper out{when}: " + ADVICE["paper_out"]
            )
        if st.cover_open:
            return PrintOutcome(
                False, "printer.failed", f"{where} reports its cover open{when}: " + ADVICE["cover_open"]
            )
        if st.cutter_error:
            return PrintOutcome(
                False, "printer.failed", f"{where} reports a cutter error{when}: " + ADVICE["cutter_error"]
            )
        if st.error:
            return PrintOutcome(
                False, "printer.failed", f"{where} reports an error{when}: " + ADVICE["error"]
            )
        if not st.online:
            return PrintOutcome(
                False, "printer.offline", f"{where} reports offline{when}: " + ADVICE["offline"]
            )
        return None

    def _note(self, st: _Status) -> str:
        if st.paper == "near_end":
            return f"printer on {self.url} reports paper near end: " + ADVICE["near_end"]
        return ""

    # --- port ---

    def _open(self) -> serial.SerialBase:
        if self._port is None:
            self._port = serial.serial_for_url(
                self._device_url,
                baudrate=self.baud,
                timeout=min(self.status_timeout, 0.1),
                write_timeout=self.write_timeout,
                rtscts=self.flow_control == "rtscts",
                xonxoff=self.flow_control == "xonxoff",
            )
        return self._port

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                log.debug("closing printer port %s failed", self.url, exc_info=True)
