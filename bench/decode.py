"""Barcode decoding benchmark: the kiosk pipeline against zxing-cpp and pyzbar alone.

Run: .venv/bin/python bench/decode.py [--frames N]
Reads shared/data/barcodes/zxing-cpp-samples (scored leniently as its README says) and
times the pipeline on 1280x720 virtual-camera frames.
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

from kiosk.devices.barcodes import Decoded, decode
from simulators.camera import VirtualCamera

SAMPLES = Path("/work/shared/data/barcodes/zxing-cpp-samples")
SETS = {
    "ean13": ("EAN13",),
    "ean13+addon": ("EAN13",),
    "code128": ("Code128",),
    "code39": ("Code39",),
    "codabar": ("Codabar",),
    "qrcode": ("QRCode",),
    "none": ("EAN13", "Code128", "Code39", "Codabar", "QRCode"),
}
_ZX = {
    "EAN13": zxingcpp.BarcodeFormat.EAN13,
    "Code128": zxingcpp.BarcodeFormat.Code128,
    "Code39": zxingcpp.BarcodeFormat.Code39Std,
    "Codabar": zxingcpp.BarcodeFormat.Codabar,
    "QRCode": zxingcpp.BarcodeFormat.QRCode,
}
_ZB = {
    "EAN13": pyzbar.ZBarSymbol.EAN13,
    "Code128": pyzbar.ZBarSymbol.CODE128,
    "Code39": pyzbar.ZBarSymbol.CODE39,
    "Codabar": pyzbar.ZBarSymbol.CODABAR,
    "QRCode": pyzbar.ZBarSymbol.QRCODE,
}

Reader = Callable[[np.ndarray, tuple[str, ...]], list[str]]


def zxing_alone(gray: np.ndarray, formats: tuple[str, ...]) -> list[str]:
    found = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats([_ZX[f] for f in formats]),
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return [b.text for b in found]


def pyzbar_alone(gray: np.ndarray, formats: tuple[str, ...]) -> list[str]:
    found = pyzbar.decode(gray, symbols=[_ZB[f] for f in formats])
    return [d.data.decode("utf-8", "replace") for d in found]


def pipeline(gray: np.ndarray, formats: tuple[str, ...]) -> list[str]:
    return [d.text for d in decode(gray, formats)]


def _lenient(text: str) -> str:
    return text.strip().strip("*").strip()


def matches(symbology: str, expected: str, got: str) -> bool:
    e, g = _lenient(expected), _lenient(got)
    if symbology == "codabar":
        e, g = e[1:-1], g[1:-1]
    if symbology.startswith("ean13") and (len(e) == 13) != (len(g) == 13):
        return e[:13] == g[:13]
    return e == g


def _unescape(text: str) -> str:
    table = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
    return re.sub(r"\\([nrt\\])", lambda m: table[m.group(1)], text)


def score(readers: dict[str, Reader]) -> None:
    rows = list(csv.DictReader((SAMPLES / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
    print(f"{'set':12} {'n':>4}  " + "  ".join(f"{name:>28}" for name in readers))
    for symbology, formats in SETS.items():
        chosen = [r for r in rows if r["symbology"] == symbology]
        reads = dict.fromkeys(readers, 0)
        misreads = dict.fromkeys(readers, 0)
        ms: dict[str, list[float]] = {name: [] for name in readers}
        for row in chosen:
            gray = cv2.imread(str(SAMPLES / row["image"]), cv2.IMREAD_GRAYSCALE)
            if gray is None:  # a 1x1 webp OpenCV will not load: nothing to read anyway
                continue
            expected = _unescape(row["expected"])
            for name, reader in readers.items():
                t0 = time.perf_counter()
                got = reader(gray, formats)
                ms[name].append((time.perf_counter() - t0) * 1000)
                if symbology != "none" and any(matches(symbology, expected, g) for g in got):
                    reads[name] += 1
                elif got:
                    misreads[name] += 1
        cells = [
            f"{reads[n]:3} read {misreads[n]:2} misread {statistics.median(ms[n]):6.2f} ms" for n in readers
        ]
        print(f"{symbology:12} {len(chosen):4}  " + "  ".join(f"{c:>28}" for c in cells))


def frame_time(frames: int) -> None:
    cam = VirtualCamera(width=1280, height=720, seed=1)
    times: dict[str, list[float]] = {"empty": [], "Code128": [], "QRCode": []}
    for label, text, sym in (
        ("empty", None, ""),
        ("Code128", "EM0000100001", "Code128"),
        ("QRCode", "CHAEKIEUM:29123456781234", "QRCode"),
    ):
        if text is None:
            cam.remove()
        else:
            cam.show(text, sym)
        hits = 0
        for _ in range(frames):
            _, frame = cam.read()
            assert frame is not None
            t0 = time.perf_counter()
            found: list[Decoded] = decode(frame)
            times[label].append((time.perf_counter() - t0) * 1000)
            hits += any(d.text == text for d in found)
        print(
            f"1280x720 {label:8} median {statistics.median(times[label]):6.1f} ms/frame,"
            f" read in {hits}/{frames} frames"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=30)
    args = parser.parse_args()
    score({"pipeline": pipeline, "zxing-cpp alone": zxing_alone, "pyzbar alone": pyzbar_alone})
    frame_time(args.frames)


if __name__ == "__main__":
    main()
