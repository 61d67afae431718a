"""Virtual barcode camera: rendered frames of a book counter with a code held up to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

_F = zxingcpp.BarcodeFormat
FORMATS = {
    "Code128": _F.Code128,
    "Code39": _F.Code39Std,
    "EAN13": _F.EAN13,
    "Codabar": _F.Codabar,
    "QRCode": _F.QRCode,
}
# Book-cover colours (BGR): the clutter a counter camera sees around a label.
_PALETTE = [
    (40, 60, 170),
    (150, 90, 30),
    (60, 140, 60),
    (30, 170, 220),
    (120, 40, 110),
    (200, 200, 190),
    (50, 50, 50),
    (90, 130, 200),
    (170, 150, 120),
    (20, 90, 140),
]
_WORDS = [
    "NOVEL",
    "HISTORY",
    "SEOUL",
    "POEMS",
    "LIBRARY",
    "2026",
    "VOL. 3",
    "SCIENCE",
    "KOREA",
    "CHILDREN",
    "ESSAYS",
    "ART",
]


class VirtualCamera:
    """A frame source like cv2.VideoCapture: `read() -> (True, BGR uint8 frame)`, `release()`.

    `show(text, symbology)` holds a code in front of it until `remove()`. Each appearance gets
    its own pose (place, rotation, perspective, blur, lighting) and each frame a little hand
    shake and sensor noise, all drawn from `seed`: the same calls give the same frames.
    With `realtime=True`, read() paces frames at `fps`; otherwise it returns at once and
    `clock()` gives the frame time (frames read / fps) for deterministic debouncing.
    """

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 15,
        seed: int = 0,
        realtime: bool = False,
    ) -> None:
        if width < 160 or height < 120 or fps <= 0:
            raise ValueError(
                f"virtual camera needs at least 160x120 at fps > 0, got {width}x{height} at {fps}"
            )
        self.width, self.height, self.fps, self.seed = width, height, fps, seed
        self.realtime = realtime
        self.frames = 0
        self._lock = threading.Lock()
        self._shown: tuple[str, str] | None = None
        self._appearance = 0
        self._label: _Placed | None = None
        self._released = False
        self._t0: float | None = None
        rng = np.random.default_rng([seed, 0])
        self._background = _background(rng, width, height)
        self._noise = [rng.integers(0, 7, (height, width, 3), dtype=np.uint8) for _ in range(4)]

    @property
    def showing(self) -> str | None:
        """The text of the code in view, or None."""
        with self._lock:
            return self._shown[0] if self._shown else None

    def show(self, text: str, symbology: str = "Code128") -> None:
        """Hold a code in view. Raises ValueError for an unknown symbology or a text that
        symbology cannot carry."""
        if symbology not in FORMATS:
            raise ValueError(f"unknown symbology {symbology!r}; known: {', '.join(FORMATS)}")
        with self._lock:
            self._appearance += 1
            rng = np.random.default_rng([self.seed, 1, self._appearance])
            label = _label(text, symbology, rng)
            self._label = _place(label, rng, self.width, self.height)
            self._shown = (text, symbology)

    def remove(self) -> None:
        with self._lock:
            self._shown = None
            self._label = None

    def clock(self) -> float:
        """Frame time in seconds: frames read so far / fps."""
        return self.frames / self.fps

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self._released:
            return False, None
        if self.realtime:
            self._pace()
        with self._lock:
            placed, n = self._label, self.frames
            self.frames += 1
        rng = np.random.default_rng([self.seed, 2, n])
        frame = self._background.copy()
        if placed is not None:
            _paste(frame, placed, rng)
        gain = 1.0 + rng.uniform(-0.04, 0.04)
        frame = cv2.convertScaleAbs(frame, alpha=gain)
        frame = cv2.add(frame, self._noise[n % 4])
        frame = cv2.subtract(frame, self._noise[(n + 1) % 4])
        return True, frame

    def release(self) -> None:
        self._released = True

    def _pace(self) -> None:
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        due = self._t0 + self.frames / self.fps
        if due > now:
            time.sleep(due - now)


class _Placed:
    """A label with its pose for one appearance."""

    def __init__(
        self,
        image: np.ndarray,
        corners: np.ndarray,
        blur: float,
        light: float,
        gradient: np.ndarray,
    ) -> None:
        self.image, self.corners, self.blur, self.light = image, corners, blur, light
        self.gradient = gradient


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    base = _PALETTE[int(rng.integers(len(_PALETTE)))]
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = base
    for _ in range(14):  # book covers lying around
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        x, y = int(rng.integers(-width // 8, width)), int(rng.integers(-height // 8, height))
        w, h = (
            int(rng.integers(width // 8, width // 3)),
            int(rng.integers(height // 6, height // 2)),
        )
        cv2.rectangle(frame, (x, y), (x + w, y + h), color, -1)
    for _ in range(10):
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        center = (int(rng.integers(width)), int(rng.integers(height)))
        axes = (int(rng.integers(10, width // 10)), int(rng.integers(10, height // 10)))
        cv2.ellipse(frame, center, axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
    for _ in range(16):
        color = _PALETTE[int(rng.integers(len(_PALETTE)))]
        org = (int(rng.integers(width)), int(rng.integers(height)))
        cv2.putText(
            frame,
            str(rng.choice(_WORDS)),
            org,
            cv2.FONT_HERSHEY_SIMPLEX,
            float(rng.uniform(0.6, 2.2)),
            color,
            int(rng.integers(1, 4)),
            cv2.LINE_AA,
        )
    return cv2.GaussianBlur(frame, (0, 0), 1.2)


def _label(text: str, symbology: str, rng: np.random.Generator) -> np.ndarray:
    """The code on its carrier: a white sticker for linear codes, a phone screen for QR."""
    content = text
    if symbology == "EAN13" and len(text) in (15, 18):
        # The add-on after a space, as zxing-cpp's writer takes it.
        content = f"{text[:13]} {text[13:]}"
    try:
        code = zxingcpp.create_barcode(content, FORMATS[symbology])
    except ValueError as e:
        raise ValueError(f"cannot render {symbology} {text!r}: {e}") from e
    if symbology == "QRCode":
        qr = np.asarray(zxingcpp.write_barcode_to_image(code, scale=7))
        return _phone(qr)
    module = int(rng.integers(3, 5))
    bars = np.asarray(zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=True))
    bars = bars[bars.shape[0] // 2 : bars.shape[0] // 2 + 1]  # one row: the modules
    bars = cv2.resize(bars, (bars.shape[1] * module, 44 * module), interpolation=cv2.INTER_NEAREST)
    h, w = bars.shape
    label = np.full((h + 40 + 16 * module, w + 8 * module), 255, np.uint8)
    top, left = 20, 4 * module
    label[top : top + h, left : left + w] = bars
    cv2.putText(
        label,
        text,
        (left + 10 * module, top + h + 10 * module),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.35 * module,
        0,
        max(1, module // 2),
        cv2.LINE_AA,
    )
    return cv2.cvtColor(label, cv2.COLOR_GRAY2BGR)


def _phone(qr: np.ndarray) -> np.ndarray:
    h, w = qr.shape
    pad = 24
    phone = np.full((h + 6 * pad, w + 2 * pad, 3), 25, np.uint8)  # bezel
    phone[2 * pad : 2 * pad + h + 2 * pad // 3, pad // 2 : -pad // 2] = 245  # screen
    screen = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    phone[2 * pad + pad // 3 : 2 * pad + pad // 3 + h, pad : pad + w] = screen
    cv2.putText(
        phone,
        "CHAEKIEUM",
        (pad, pad + 8),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.8,
        (230, 200, 120),
        2,
        cv2.LINE_AA,
    )
    return phone


def _place(label: np.ndarray, rng: np.random.Generator, width: int, height: int) -> _Placed:
    h, w = label.shape[:2]
    fit = min(0.8 * width / w, 0.8 * height / h, 1.3)
    scale = fit * rng.uniform(0.75, 1.0)
    sw, sh = w * scale, h * scale
    angle = np.deg2rad(rng.uniform(-12, 12))
    cx = rng.uniform(sw / 2 + 20, width - sw / 2 - 20) if width - sw > 40 else width / 2
    cy = rng.uniform(sh / 2 + 20, height - sh / 2 - 20) if height - sh > 40 else height / 2
    square = np.array([[-sw / 2, -sh / 2], [sw / 2, -sh / 2], [sw / 2, sh / 2], [-sw / 2, sh / 2]])
    square += rng.uniform(-0.04, 0.04, (4, 2)) * [sw, sh]  # mild perspective
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = square @ rot.T + [cx, cy]
    gx = np.linspace(rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.15), width, dtype=np.float32)
    return _Placed(
        label,
        corners.astype(np.float32),
        float(rng.uniform(0.4, 1.0)),
        float(rng.uniform(0.8, 1.05)),
        gx,
    )


def _paste(frame: np.ndarray, placed: _Placed, rng: np.random.Generator) -> None:
    h, w = placed.image.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    shake = rng.uniform(-2, 2, 2).astype(np.float32)  # hand shake
    m = cv2.getPerspectiveTransform(src, placed.corners + shake)
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(placed.image, m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size)
    x0, y0 = np.maximum(placed.corners.min(axis=0).astype(int) - 8, 0)
    x1, y1 = placed.corners.max(axis=0).astype(int) + 8
    roi = (slice(y0, y1), slice(x0, x1))
    lit = warped[roi].astype(np.float32) * placed.light * placed.gradient[None, x0:x1, None]
    patch = cv2.GaussianBlur(np.clip(lit, 0, 255).astype(np.uint8), (0, 0), placed.blur)
    sel = mask[roi] > 127
    frame[roi][sel] = patch[sel]


def write_frames(
    directory: str | Path,
    codes: Iterable[str | tuple[str, str]],
    n_per_code: int,
    gap: int | None = None,
    camera: VirtualCamera | None = None,
) -> str:
    """Write PNG frames: `gap` frames with no code, then `n_per_code` frames of each code
    (text, or (text, symbology); Code 128 by default) followed by `gap` empty frames.
    Returns the printf pattern ("dir/%04d.png") that cv2.VideoCapture reads back."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    cam = camera or VirtualCamera(width=640, height=480)
    gap = n_per_code if gap is None else gap
    index = 0

    def write(count: int) -> None:
        nonlocal index
        for _ in range(count):
            _, frame = cam.read()
            assert frame is not None
            cv2.imwrite(str(out / f"{index:04d}.png"), frame)
            index += 1

    write(gap)
    for code in codes:
        text, symbology = (code, "Code128") if isinstance(code, str) else code
        cam.show(text, symbology)
        write(n_per_code)
        cam.remove()
        write(gap)
    return str(out / "%04d.png")
