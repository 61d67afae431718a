"""Long receipts on a slow line: images go as bands, each write gets its time on the line,
and a receipt with a QR code prints whole at 9600 baud."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import serial
import zxingcpp
from PIL import Image

import kiosk.devices.printer as printer_module
from kiosk.core.receipt import PrintLine
from kiosk.devices.escpos import PROFILES, RASTER, encode_receipt, encode_receipt_parts, transfer_seconds
from kiosk.devices.printer import SerialReceiptPrinter
from simulators.printer import VirtualPrinter

URL = "https://lib.seoul.go.kr/mylibrary"
QR_RECEIPT = [
    PrintLine("CHAEKIEUM", "bold", "center"),
    PrintLine(URL, "qr", "center"),
    PrintLine(style="feed"),
    PrintLine(style="cut"),
]
STATUS_QUERY = re.compile(rb"\x10\x04[\x01-\x04]")


class LineTimedPort:
    """A serial port that buffers almost nothing, as a UART does: a write lasts the bytes'
    time on the line at the port's baud rate, and fails when that is longer than the port's
    write timeout (pyserial's loop:// models a line the same way). A pty would instead take
    ~20 KB at once and hide a write longer than the timeout."""

    writes: list[tuple[int, float | None]]

    def write(self, data: bytes) -> int | None:
        self.writes.append((len(data), self.write_timeout))  # type: ignore[attr-defined]
        if self.write_timeout is not None and transfer_seconds(len(data), self.baudrate) > self.write_timeout:  # type: ignore[attr-defined]
            raise serial.SerialTimeoutException("Write timeout")
        return super().write(data)  # type: ignore[misc]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, float | None]]:
    """Make the kiosk's printer ports line-timed; the list of (bytes, write timeout) written."""
    log: list[tuple[int, float | None]] = []
    real = serial.serial_for_url

    def open_line_timed(*args: Any, **kwargs: Any) -> serial.SerialBase:
        port = real(*args, **kwargs)
        port.__class__ = type("LineTimed", (LineTimedPort, type(port)), {})
        port.writes = log  # type: ignore[attr-defined]
        return port

    monkeypatch.setattr(printer_module.serial, "serial_for_url", open_line_timed)
    return log


@pytest.fixture
def line9600(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter.for_profile(PROFILES["raster-80"], baud=9600, out_dir=tmp_path) as printer:
        yield printer


def commands_between_status_queries(received: bytes) -> list[bytes]:
    return [run for run in STATUS_QUERY.split(received) if run]


@pytest.mark.timeout(60)
def test_raster_qr_receipt_prints_whole_at_9600_baud_within_the_write_timeout(
    line9600: VirtualPrinter, writes: list[tuple[int, float | None]]
) -> None:
    raster = PROFILES["raster-80"]
    printer = SerialReceiptPrinter(f"{line9600.url}?baud=9600", raster)  # 10 s write timeout
    try:
        outcome = printer.print_lines(QR_RECEIPT)
    finally:
        printer.close()
    assert outcome.ok, outcome.detail
    png = line9600.wait_for_receipt(timeout=10)
    with Image.open(png) as page:
        assert [r.text for r in zxingcpp.read_barcodes(page)] == [URL]
    sent = line9600.received_bytes
    assert STATUS_QUERY.sub(b"", sent) == encode_receipt(QR_RECEIPT, raster)
    # Between two status queries, never more than a chunk: about a second at 9600 baud.
    longest = max(map(len, commands_between_status_queries(sent)))
    assert longest <= printer.chunk_size and transfer_seconds(longest, 9600) < 1.1
    assert all(timeout is not None and transfer_seconds(n, 9600) < timeout for n, timeout in writes)


@pytest.mark.timeout(30)
def test_the_write_timeout_stretches_with_the_bytes_at_the_baud_rate(
    line9600: VirtualPrinter, writes: list[tuple[int, float | None]]
) -> None:
    ko80 = PROFILES["generic-80-ko"]
    lines = [PrintLine(f"EM00001234{i:02d}  2026-03-17") for i in range(40)] + [PrintLine(style="cut")]
    assert 1000 < len(encode_receipt(lines, ko80)) < 1400  # a chunk takes over a second at 9600
    # Half a second for the printer to hold the line, on top of each write's own line time.
    printer = SerialReceiptPrinter(f"{line9600.url}?baud=9600", ko80, write_timeout=0.5, chunk_size=2048)
    try:
        outcome = printer.print_lines(lines)
    finally:
        printer.close()
    assert outcome.ok, outcome.detail
    assert line9600.wait_for_receipt(timeout=10).exists()
    receipt_writes = [(n, t) for n, t in writes if n > 3]
    assert receipt_writes and all(
        t == pytest.approx(0.5 + transfer_seconds(n, 9600), abs=0.2) for n, t in receipt_writes
    )


def test_write_allowance_is_the_timeout_plus_the_line_time() -> None:
    serial_printer = SerialReceiptPrinter("/dev/ttyUSB0?baud=9600", write_timeout=10)
    assert serial_printer.write_allowance(9600) == pytest.approx(20.0)
    assert serial_printer.write_allowance(0) == pytest.approx(10.0)
    # A network printer takes bytes at the network's pace: only the timeout.
    assert SerialReceiptPrinter("socket://10.0.0.5:9100", write_timeout=10).write_allowance(9600) == 10.0


def test_chunks_longer_than_the_write_timeout_alone_get_their_line_time(
    tmp_path: Path, writes: list[tuple[int, float | None]]
) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path) as vp:
        # 19200 baud, chunks up to 4 KB: up to 2.1 s on the line, with a 0.1 s write timeout.
        printer = SerialReceiptPrinter(vp.url, PROFILES["raster-80"], write_timeout=0.1, chunk_size=4096)
        try:
            assert printer.print_lines(QR_RECEIPT).ok
        finally:
            printer.close()
        assert vp.wait_for_receipt(timeout=5).exists()
    assert max(n for n, _ in writes) > 2048
    assert all(t is not None and t >= transfer_seconds(n, 19200) for n, t in writes)


def dots(command: bytes) -> np.ndarray:
    """The dots of one GS v 0 command."""
    width, rows = int.from_bytes(command[4:6], "little"), int.from_bytes(command[6:8], "little")
    body = np.frombuffer(command[8 : 8 + width * rows], np.uint8).reshape(rows, width)
    return np.unpackbits(body, axis=1)


@pytest.mark.parametrize("band_bytes", [64, 512, 1024, 4096])
def test_a_raster_qr_code_goes_as_bands_that_stack_to_the_whole_image(band_bytes: int) -> None:
    raster = PROFILES["raster-80"]
    line = [PrintLine(URL, "qr", "center")]
    whole = encode_receipt_parts(line, raster, band_bytes=10**6)[1:]
    bands = encode_receipt_parts(line, raster, band_bytes=band_bytes)[1:]
    assert len(whole) == 1 and len(whole[0]) > 9000  # ~10 s at 9600 baud in one command
    width = int.from_bytes(whole[0][4:6], "little")
    assert all(b.startswith(RASTER + b"\x00") for b in bands)
    # Each band as many whole dot rows as fit (at least one), the line feed after the last.
    assert all(len(b.rstrip(b"\n")) <= max(band_bytes, 8 + width) for b in bands)
    assert len(bands) == -(-dots(whole[0]).shape[0] // max(1, (band_bytes - 8) // width))
    assert np.array_equal(np.vstack([dots(b) for b in bands]), dots(whole[0]))
    assert bands[-1].endswith(b"\n") and whole[0].endswith(b"\n")


def test_profiles_with_native_qr_send_tens_of_bytes_the_others_an_image() -> None:
    assert [n for n, p in PROFILES.items() if p.qr_native] == [
        "generic-80-ko",
        "generic-58-ko",
        "raster-80-qr",
    ]
    for name, profile in PROFILES.items():
        qr = b"".join(encode_receipt_parts([PrintLine(URL, "qr", "center")], profile)[1:])
        if profile.qr_native:
            assert b"\x1d(k" in qr and len(qr) < 100 and RASTER not in qr, name
        else:
            assert b"\x1d(k" not in qr and qr.count(RASTER) > 1, name
