"""`kiosk diag camera`: open the barcode camera, measure what it delivers, and show what it reads."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.config import Settings
from kiosk.core.privacy import shown_code, summary
from kiosk.devices.barcodes import CodePatterns, rejection, to_event
from kiosk.devices.camera import CameraError, CaptureSettings, decode_frame, delivered, open_capture
from kiosk.diagnostics import Check

HELP = "barcode camera: resolution and frame rate delivered, decode time, codes seen"
SIM_ADVICE = (
    "'sim' is the virtual camera inside the running kiosk (the demo panel drives it). To test the "
    "pipeline on recorded frames run `kiosk diag camera --source file:frames/%04d.png` or a video file"
)


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Open the camera as the kiosk does (MJPG, size, rate, fixed focus/exposure when configured), "
        "read frames for a few seconds, decode each, and report the resolution and frame rate actually "
        "delivered, frames decoded, decode time, every code the kiosk would take (a mobile card's number "
        "masked) and every code it would refuse, with the reason, by length and fingerprint only. Exit 0 "
        "when frames arrived, 1 when the camera cannot be opened or delivers nothing, with what to check."
    )
    config_arg(parser)
    parser.add_argument(
        "--source", default=None, help="camera (default: [camera] source): 0, /dev/video0, file:..."
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to read (default 5)")
    parser.add_argument("--json", action="store_true", help="one JSON object with the figures")


def capture_settings(settings: Settings) -> CaptureSettings:
    """The [camera] capture keys, where the configuration has them."""
    cam = settings.camera

    def get(key: str, default: Any) -> Any:
        value = getattr(cam, key, default)
        return None if value in (None, -1) else value

    return CaptureSettings(
        width=get("width", 1280),
        height=get("height", 720),
        fps=get("fps", 30),
        focus=get("focus", None),
        exposure=get("exposure", None),
    )


def patterns(settings: Settings) -> CodePatterns:
    return CodePatterns(item=settings.camera.item_pattern, member=settings.camera.member_pattern)


def measure(source: str, settings: Settings, seconds: float) -> dict[str, Any]:
    """Read and decode for `seconds`. Raises CameraError when the camera will not open."""
    cap = open_capture(source, settings=capture_settings(settings))
    try:
        report: dict[str, Any] = {"source": source, "asked": vars(capture_settings(settings))}
        report["delivered"] = delivered(cap)
        frames, ms = 0, []
        seen: dict[tuple[str, str, str], int] = {}
        refused: dict[tuple[str, str, str], int] = {}
        shape = None
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            shape = frame.shape
            d0 = time.perf_counter()
            found = decode_frame(frame, number=frames)
            ms.append((time.perf_counter() - d0) * 1000)
            frames += 1
            for code in found:
                # What a camera is shown may be another patron's card with its PIN or a
                # terminal attack: the report, printed or shown, is a log too.
                reason = rejection(code, patterns(settings))
                if reason is None:
                    event = to_event(code, patterns(settings))
                    key = (event.kind, event.symbology, shown_code(event.kind, event.text))
                    seen[key] = seen.get(key, 0) + 1
                else:
                    key = (reason, code.symbology, summary(code.text))
                    refused[key] = refused.get(key, 0) + 1
        elapsed = time.monotonic() - t0
        report["frames"] = frames
        report["frame_size"] = f"{shape[1]}x{shape[0]}" if shape else None
        report["fps_measured"] = round(frames / elapsed, 1) if elapsed > 0 else 0.0
        report["decode_ms_median"] = round(statistics.median(ms), 1) if ms else None
        report["decode_ms_p95"] = round(sorted(ms)[int(0.95 * (len(ms) - 1))], 1) if ms else None
        report["codes"] = [
            {"kind": k, "symbology": s, "text": t, "frames": n} for (k, s, t), n in seen.items()
        ]
        report["refused"] = [
            {"reason": r, "symbology": s, "text": t, "frames": n} for (r, s, t), n in refused.items()
        ]
        return report
    finally:
        cap.release()


def main(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    source = args.source or settings.camera.source
    if source == "sim":
        print(SIM_ADVICE, file=sys.stderr)
        return 2
    try:
        report = measure(source, settings, args.seconds)
    except CameraError as e:
        _say(args, {"source": source, "ok": False, "detail": str(e)}, f"FAIL {e}")
        return 1
    report["ok"] = report["frames"] > 0
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        d = report["delivered"]
        print(
            f"camera {source}: {report['frame_size']} frames, driver says {d['width']}x{d['height']} "
            f"{d['fourcc'] or '-'} at {d['fps']} fps"
        )
        print(
            f"read {report['frames']} frames in {args.seconds:.0f} s ({report['fps_measured']} fps), "
            f"decode median {report['decode_ms_median']} ms, p95 {report['decode_ms_p95']} ms"
        )
        for code in report["codes"]:
            print(f"  {code['kind']:7} {code['symbology']:8} {code['text']}  in {code['frames']} frames")
        for code in report["refused"]:
            print(
                f"  refused {code['symbology']:8} ({code['reason']}) <{code['text']}>  "
                f"in {code['frames']} frames"
            )
        if not report["ok"]:
            print("FAIL no frames: check the cable, the camera's power and that no other program uses it")
    return 0 if report["ok"] else 1


def _say(args: argparse.Namespace, record: dict[str, Any], line: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else line)


def check(settings: Settings) -> Check:
    """Open the configured camera and read for a second."""
    source = settings.camera.source
    if source == "sim":
        return Check("camera", True, "virtual camera (simulator) in use", {"source": source})
    try:
        report = measure(source, settings, 1.0)
    except CameraError as e:
        return Check("camera", False, str(e), {"source": source})
    if report["frames"] == 0:
        return Check(
            "camera",
            False,
            f"camera {source} delivers no frames: check the cable and the camera's power",
            report,
        )
    return Check(
        "camera",
        True,
        f"camera {source}: {report['frame_size']} at {report['fps_measured']} fps, "
        f"decode {report['decode_ms_median']} ms",
        report,
    )
