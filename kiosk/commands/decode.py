"""`kiosk decode FILE... [--json]`: read the codes in still images through the camera's pipeline."""

from __future__ import annotations

import argparse
import json
import sys
import time

HELP = "decode barcodes in image files (technicians, benchmarks)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Decode still images with the same pipeline as the barcode camera and print one line "
        "per file: the codes read, or nothing. Exit 0 when every file could be read as an image "
        "(whether or not it held a code), 2 when some could not."
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="image files (PNG, JPEG, WebP...)")
    parser.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per line: {"file", "results": [{"symbology", "text"}], "ms"}',
    )


def main(args: argparse.Namespace) -> int:
    from kiosk.devices.barcodes import decode
    from kiosk.devices.camera import load_gray

    status = 0
    for path in args.files:
        gray = load_gray(path)
        if gray is None:
            status = 2
            message = "not an image OpenCV can read (check the path and the file format)"
            if args.json:
                print(
                    json.dumps(
                        {"file": path, "results": [], "ms": None, "error": message}, ensure_ascii=False
                    )
                )
            else:
                print(f"{path}: error: {message}", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        found = decode(gray)
        ms = round((time.perf_counter() - t0) * 1000, 2)
        results = [{"symbology": d.symbology, "text": d.text} for d in found]
        if args.json:
            # ASCII only: a code may hold bidi or C1 controls meant for the terminal.
            print(json.dumps({"file": path, "results": results, "ms": ms}))
        else:
            codes = "  ".join(f"{d.symbology} {d.text!r}" for d in found) or "no code"
            print(f"{path}: {codes}  ({ms:.1f} ms)")
    sys.stdout.flush()
    return status
