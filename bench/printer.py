"""Receipt printing: the sample receipt's bytes and time at 9600 and 115200 baud, beside the line's limit."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import serial

from kiosk.commands.receipt import sample_receipt
from kiosk.core.receipt import layout
from kiosk.devices.escpos import INIT, PROFILES, encode_receipt, transfer_seconds
from kiosk.devices.printer import SerialReceiptPrinter
from simulators.printer import VirtualPrinter

MODES = (("double-byte", "generic-80-ko"), ("raster", "raster-80"), ("raster+qr", "raster-80-qr"))
BAUDS = (9600, 115200)
STATUS_QUERY = re.compile(rb"\x10\x04[\x01-\x04]")


def _raw(data: bytes, baud: int, out: Path) -> float:
    """Baseline: the bytes written straight to the paced pty, until the printer cuts."""
    with VirtualPrinter(baud=baud, out_dir=out) as vp:
        port = serial.serial_for_url(vp.url, timeout=1, write_timeout=600)
        try:
            t0 = time.monotonic()
            port.write(data)
            vp.wait_for_receipt(timeout=600)
            return time.monotonic() - t0
        finally:
            port.close()


def _kiosk(profile_name: str, baud: int, out: Path) -> tuple[float, float, float, int, float]:
    """The kiosk's way (status first and between chunks): total, to the first byte on the wire,
    to the receipt's first byte (after the status round trip), the longest run of bytes sent
    without a status query between, and the write timeout the printer gave such a write."""
    profile = PROFILES[profile_name]
    with VirtualPrinter.for_profile(profile, baud=baud, out_dir=out) as vp:
        printer = SerialReceiptPrinter(f"{vp.url}?baud={baud}", profile)
        try:
            t0 = time.monotonic()
            outcome = printer.print_receipt(sample_receipt())
            total = time.monotonic() - t0
        finally:
            printer.close()
        if not outcome.ok:
            raise RuntimeError(outcome.detail)
        start = vp.received_bytes.index(INIT)
        first_data = next(t for t, before in reversed(vp.arrivals) if before <= start)
        longest = max(map(len, STATUS_QUERY.split(vp.received_bytes)))
        return total, vp.arrivals[0][0] - t0, first_data - t0, longest, printer.write_allowance(longest)


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-printer-") as tmp:
        for mode, name in MODES:
            profile = PROFILES[name]
            data = encode_receipt(layout(sample_receipt(), profile.cells), profile)
            for baud in BAUDS:
                out = Path(tmp) / f"{name}-{baud}"
                limit = transfer_seconds(len(data), baud)
                raw = _raw(data, baud, out / "raw")
                total, first, first_data, longest, allowed = _kiosk(name, baud, out / "kiosk")
                rows.append((mode, baud, len(data), limit, raw, total, first, first_data, longest, allowed))
                print(f"  measured {mode} at {baud} baud", flush=True)
    head = ("mode", "baud", "bytes", "limit s", "raw s", "print s", "print/limit", "print/raw", "1st byte ms")
    print(f"{head[0]:<12}{head[1]:>7}{head[2]:>8}" + "".join(f"{h:>12}" for h in head[3:]))
    for mode, baud, size, limit, raw, total, first, *_ in rows:
        print(
            f"{mode:<12}{baud:>7}{size:>8}{limit:>12.2f}{raw:>12.2f}{total:>12.2f}"
            f"{total / limit:>11.2f}x{total / raw:>11.2f}x{first * 1000:>12.1f}"
        )
    print("limit = bytes x 10 / baud (8N1); raw = the same bytes written straight to the paced pty;")
    print("print = SerialReceiptPrinter.print_receipt (status query first and after each 1 KB chunk);")
    print("1st byte = from print_receipt() to the first byte (a DLE EOT) read off the virtual line.")
    for mode, baud, *_, first_data, _, _ in rows:
        print(
            f"  {mode} at {baud}: first receipt byte (after the status round trip) {first_data * 1000:.1f} ms"
        )
    print("Longest write (bytes between two status queries), its time on the line, and the write")
    print("timeout the printer gave it (write_timeout + line time); a write past it fails:")
    for mode, baud, *_, longest, allowed in rows:
        line = transfer_seconds(longest, baud)
        print(
            f"  {mode} at {baud}: {longest} bytes, {line:.2f} s on the line, allowed {allowed:.2f} s "
            f"({line / allowed:.2f}x)"
        )


if __name__ == "__main__":
    main()
