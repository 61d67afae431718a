"""The barcode camera: resolution and frame rate delivered, decode rate, sharpness and brightness
of what it sees, and a picture of its last frame with what was decoded on it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from kiosk.config import Settings
from kiosk.core.privacy import shown_code, summary
from kiosk.devices import looks
from kiosk.devices.barcodes import CodePatterns, Decoded, rejection, to_event
from kiosk.devices.camera import (
    CameraError,
    CameraReader,
    CaptureSettings,
    decode_frame,
    delivered,
    open_capture,
)
from kiosk.diagnostics import Check, Findings, Live

# Frames measured by default (a second at 30 fps).
FRAMES = 30
# How long to wait for them from a running camera.
WAIT_S = 5.0
# A running camera whose last frame is older than this has stopped delivering.
STALE_S = 3.0
# Variance of the Laplacian of the gray frame: below this the picture is soft (out of focus,
# a dirty lens); sensor noise alone keeps a sharp camera well above it.
SHARPNESS_WARNING = 15.0
# Mean gray level (0-255) outside this range: too dark or washed out to read labels well.
BRIGHTNESS_RANGE = (40.0, 220.0)
# A live camera delivering less than this share of the rate asked of it.
FPS_SHARE_WARNING = 0.6

ADVICE_CABLE = "check the camera's USB cable and power, and that no other program uses it (unplug, plug in)"
ADVICE_FOCUS = "clean the lens and check the focus ([camera] focus; -1 = auto)"
ADVICE_DARK = "check the light over the counter and [camera] exposure (-1 = auto)"
ADVICE_RATE = (
    "a USB 2 port or a YUYV-only camera gives less: use a USB 3 port or lower [camera] width/height/fps"
)
SIM_ADVICE = (
    "'sim' is the virtual camera inside the running kiosk: check it from the technician screen, or "
    "set [camera] source to recorded frames (file:frames/%04d.png) or a video file"
)


def capture_settings(settings: Settings) -> CaptureSettings:
    cam = settings.camera
    return CaptureSettings(
        width=cam.width,
        height=cam.height,
        fps=cam.fps,
        focus=None if cam.focus < 0 else cam.focus,
        exposure=None if cam.exposure < 0 else cam.exposure,
    )


def patterns(settings: Settings) -> CodePatterns:
    return CodePatterns(item=settings.camera.item_pattern, member=settings.camera.member_pattern)


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian (4-neighbour): how much fine detail the frame holds."""
    g = gray.astype(np.float32)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3 and frame.shape[2] >= 3:  # BGR, as OpenCV delivers it
        return frame[..., 0] * 0.114 + frame[..., 1] * 0.587 + frame[..., 2] * 0.299
    return frame


def shown(decoded: Decoded, settings: Settings) -> str:
    """What a technician may see of a decoded code: a book's number, a card masked, else only
    its length and fingerprint (it may be another patron's card with its PIN)."""
    if rejection(decoded, patterns(settings)) is None:
        event = to_event(decoded, patterns(settings))
        return f"{event.kind} {shown_code(event.kind, event.text)}"
    return f"refused {summary(decoded.text)}"


def preview(frame: np.ndarray, labels: list[str], out: Path) -> Path:
    """Write `frame` as a PNG with the regions that look like barcodes boxed and what was
    decoded written over it."""
    rgb = frame[..., 2::-1] if frame.ndim == 3 else np.stack([frame] * 3, axis=-1)
    image = Image.fromarray(np.ascontiguousarray(rgb.astype(np.uint8)))
    draw = ImageDraw.Draw(image)
    for region in looks.found_regions(to_gray(frame).astype(np.uint8), False):
        x0, y0, x1, y1 = (int(v) for v in region.box)
        draw.rectangle((x0, y0, x1, y1), outline=(0, 220, 0) if labels else (255, 160, 0), width=3)
    lines = labels or ["no code decoded"]
    draw.rectangle((0, 0, image.width, 14 * len(lines) + 6), fill=(0, 0, 0))
    for n, text in enumerate(lines):
        draw.text((6, 3 + 14 * n), text, fill=(255, 255, 255))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, "PNG")
    return out


def check(
    settings: Settings,
    live: Live | None = None,
    *,
    frames: int = FRAMES,
    preview_path: Path | str | None = None,
    **_options: Any,
) -> Check:
    """Frame size and rate, decode rate, sharpness and brightness over `frames` frames: the
    running kiosk's (live.camera), else read here from [camera] source. With `preview_path`,
    the last frame with its decode overlay goes there as a PNG."""
    found = Findings("camera")
    if live is not None and live.camera is not None:
        measured = _from_reader(found, live.camera, frames)
        source = live.camera.label
        device = False
    else:
        source = settings.camera.source
        found.evidence["source"] = source
        if source == "sim":
            return found.simulated("virtual camera", SIM_ADVICE)
        measured = _from_source(found, settings, source, frames)
        device = source.isdigit() or source.startswith("/dev/video")
    if measured is None:
        return found.check("")
    frame, decoded = measured
    _judge(found, settings, frame, device)
    labels = [shown(d, settings) for d in decoded]
    found.evidence["last_frame_codes"] = labels
    if preview_path:
        found.evidence["preview"] = str(preview(frame, labels, Path(preview_path)))
    e = found.evidence
    return found.check(
        f"camera {source}: {e['frame_size']} at {e['fps_measured']} fps, codes in {e['decode_rate']:.0%} "
        f"of frames, sharpness {e['sharpness']:.0f}, brightness {e['brightness']:.0f}"
    )


def _from_reader(
    found: Findings, reader: CameraReader, frames: int
) -> tuple[np.ndarray, list[Decoded]] | None:
    """The running reader's own figures: nothing is opened."""
    found.evidence["source"] = reader.label
    status = reader.status
    if status is not None and not status.ok:
        found.fail(status.detail.partition("; ")[0], ADVICE_CABLE)
        return None
    want = min(max(2, frames), reader.recent.maxlen or frames)
    deadline = time.monotonic() + WAIT_S
    while len(reader.recent) < want and time.monotonic() < deadline:
        time.sleep(0.05)
    recent = list(reader.recent)
    frame, decoded = reader.last_frame, list(reader.last_found)
    age = time.monotonic() - recent[-1][0] if recent else None
    found.evidence["last_frame_age_s"] = None if age is None else round(age, 2)
    if frame is None or age is None or age > STALE_S:
        said = "no frame yet" if age is None else f"no frame for {age:.0f} s"
        found.fail(f"camera {found.evidence['source']}: {said}", ADVICE_CABLE)
        return None
    span = recent[-1][0] - recent[0][0]
    found.evidence.update(
        {
            "frames_measured": len(recent),
            "frame_size": f"{frame.shape[1]}x{frame.shape[0]}",
            "fps_measured": round((len(recent) - 1) / span, 1) if span > 0 else 0.0,
            "decode_rate": round(sum(1 for _, n in recent if n) / len(recent), 3),
            "frames_decoded": reader.frames_decoded,
        }
    )
    return frame, decoded


def _from_source(
    found: Findings, settings: Settings, source: str, frames: int
) -> tuple[np.ndarray, list[Decoded]] | None:
    """Open the camera as the kiosk does, read and decode `frames` frames, release it."""
    asked = capture_settings(settings)
    try:
        cap = open_capture(source, settings=asked)
    except CameraError as exc:
        found.fail(str(exc).partition("; ")[0], ADVICE_CABLE)
        return None
    try:
        found.evidence["asked"] = vars(asked)
        found.evidence["driver_says"] = delivered(cap)
        times: list[float] = []
        hits = 0
        frame: np.ndarray | None = None
        decoded: list[Decoded] = []
        for n in range(max(2, frames)):
            ok, image = cap.read()
            if not ok or image is None:
                break
            times.append(time.perf_counter())
            frame, decoded = image, decode_frame(image, number=n)
            hits += bool(decoded)
    finally:
        cap.release()
    if frame is None:
        found.fail(f"camera {source} delivers no frames", ADVICE_CABLE)
        return None
    span = times[-1] - times[0]
    found.evidence.update(
        {
            "frames_measured": len(times),
            "frame_size": f"{frame.shape[1]}x{frame.shape[0]}",
            "fps_measured": round((len(times) - 1) / span, 1) if span > 0 else 0.0,
            "decode_rate": round(hits / len(times), 3),
        }
    )
    return frame, decoded


def _judge(found: Findings, settings: Settings, frame: np.ndarray, device: bool) -> None:
    gray = to_gray(frame)
    sharp, bright = sharpness(gray), float(gray.mean())
    found.evidence["sharpness"] = round(sharp, 1)
    found.evidence["brightness"] = round(bright, 1)
    if sharp < SHARPNESS_WARNING:
        found.warn(f"the picture is soft (sharpness {sharp:.0f} < {SHARPNESS_WARNING:.0f})", ADVICE_FOCUS)
    low, high = BRIGHTNESS_RANGE
    if bright < low:
        found.warn(f"the picture is too dark (brightness {bright:.0f} < {low:.0f})", ADVICE_DARK)
    elif bright > high:
        found.warn(f"the picture is washed out (brightness {bright:.0f} > {high:.0f})", ADVICE_DARK)
    if not device:  # files and simulators deliver what they hold: only a camera is asked
        return
    cam = settings.camera
    width, height = (int(v) for v in found.evidence["frame_size"].split("x"))
    if (width, height) != (cam.width, cam.height):
        found.warn(
            f"the camera delivers {width}x{height}, not the {cam.width}x{cam.height} asked", ADVICE_RATE
        )
    if found.evidence["fps_measured"] < FPS_SHARE_WARNING * cam.fps:
        found.warn(
            f"the camera delivers {found.evidence['fps_measured']} fps, not the {cam.fps} asked", ADVICE_RATE
        )
