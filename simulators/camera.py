"""Virtual barcode camera: frames of a book counter with a code held up to it, like cv2.VideoCapture."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from simulators.camera_render import (
    FORMATS,
    HARD,
    MILD,
    WORN,
    Conditions,
    Placed,
    background,
    expose,
    label,
    paste,
    place,
    sensor_noise,
)

__all__ = [
    "HARD",
    "MILD",
    "UNSEEN",
    "UNSEEN_2",
    "Conditions",
    "VirtualCamera",
    "seed_codes",
    "write_frames",
    "write_video",
]

MEMBER_QR_PREFIX = "CHAEKIEUM:"

# Scenes the decoder was never tuned on: a darker counter, a shakier hand (more blur and
# noise), labels held at up to 40 degrees, less perspective. The benchmark shows them with
# other codes and another seed than the hard scenes.
UNSEEN = Conditions(light=0.5, noise=7.0, blur=1.7, glare=True, tilt_deg=40.0, perspective=0.05)
# A second set of scenes no change was tuned on, made after the frame path was tuned on the
# UNSEEN conditions with other seeds and codes (the benchmark's "dim" scenes): a little
# brighter, noisier, blurrier, more perspective.
UNSEEN_2 = Conditions(light=0.55, noise=8.0, blur=1.9, glare=True, tilt_deg=40.0, perspective=0.08)


def seed_codes() -> list[tuple[str, str]]:
    """Codes the seeded library knows, as (text, symbology): the demo items' registration
    numbers (Code 128 and Code 39 labels), their books' ISBNs (one with a Korean 5-digit
    add-on) and mobile-card QR codes of seeded patrons."""
    # Imported here: the camera itself needs nothing of the library simulator.
    from simulators.ils.seed import CHAEKIEUM_PATRON_ID, DEMO_ITEMS, DEMO_PATRON_ID, items

    isbns = {r.item_id: r.isbn for r in items()}
    codes = [(i, "Code128") for i in DEMO_ITEMS[:3]] + [(i, "Code39") for i in DEMO_ITEMS[3:]]
    codes += [(isbns[i], "EAN13") for i in DEMO_ITEMS[:2]]
    codes.append((isbns[DEMO_ITEMS[2]] + "03810", "EAN13"))  # add-on: general readers, literature
    codes += [(MEMBER_QR_PREFIX + p, "QRCode") for p in (DEMO_PATRON_ID, CHAEKIEUM_PATRON_ID)]
    return codes


class VirtualCamera:
    """A frame source like cv2.VideoCapture: `read() -> (True, BGR uint8 frame)`, `release()`.

    `show(text, symbology)` holds a code in front of it until `remove()`. Each appearance gets
    its own pose within `conditions` (place, rotation, perspective, blur, glare, light) and
    each frame a little hand shake and sensor noise, all drawn from `seed`: the same calls
    give the same frames. With `realtime=True`, read() paces frames at `fps`; otherwise it
    returns at once and `clock()` gives the frame time (frames read / fps) for
    deterministic debouncing. Thread-safe: the demo panel calls show() while the camera
    worker reads.
    """

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 15,
        seed: int = 0,
        realtime: bool = False,
        conditions: Conditions = MILD,
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
        self._placed: Placed | None = None
        self._released = False
        self._gone = False
        self._frozen: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._t0: float | None = None
        rng = np.random.default_rng([seed, 0])
        self._background = background(rng, width, height)
        self.conditions = conditions
        self._noise = sensor_noise(np.random.default_rng([seed, 3]), width, height, conditions)

    @property
    def showing(self) -> str | None:
        """The text of the code in view, or None."""
        with self._lock:
            return self._shown[0] if self._shown else None

    def set_conditions(self, conditions: Conditions) -> None:
        """Change the light, blur, glare...; applies from the next show()."""
        noise = sensor_noise(np.random.default_rng([self.seed, 3]), self.width, self.height, conditions)
        with self._lock:
            self.conditions, self._noise = conditions, noise

    def show(self, text: str, symbology: str = "Code128") -> None:
        """Hold a code in view. Raises ValueError for an unknown symbology or a text that
        symbology cannot carry."""
        if symbology not in FORMATS and symbology != WORN:
            known = ", ".join((*FORMATS, WORN))
            raise ValueError(f"unknown symbology {symbology!r}; known: {known}")
        with self._lock:
            self._appearance += 1
            rng = np.random.default_rng([self.seed, 1, self._appearance])
            image = label(text, symbology, rng)
            self._placed = place(image, rng, self.width, self.height, self.conditions)
            self._shown = (text, symbology)

    def remove(self) -> None:
        with self._lock:
            self._shown = None
            self._placed = None

    def go_away(self, gone: bool = True) -> None:
        """Unplugged (or its cable loose): read() fails, as cv2's does, until it is back."""
        with self._lock:
            self._gone = gone

    def freeze(self, frozen: bool = True) -> None:
        """A stuck sensor: read() keeps returning the last frame it delivered, whatever is
        held up to it, until unfrozen."""
        with self._lock:
            self._frozen = (self._last if self._last is not None else self._background) if frozen else None

    def clock(self) -> float:
        """Frame time in seconds: frames read so far / fps."""
        return self.frames / self.fps

    def isOpened(self) -> bool:  # noqa: N802 - the cv2.VideoCapture name
        return not self._released

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self._released:
            return False, None
        if self.realtime:
            self._pace()
        with self._lock:
            placed, n, cond, noise = self._placed, self.frames, self.conditions, self._noise
            gone, frozen = self._gone, self._frozen
            self.frames += 1
        if gone:
            return False, None
        if frozen is not None:
            return True, frozen.copy()
        rng = np.random.default_rng([self.seed, 2, n])
        frame = self._background.copy()
        if placed is not None:
            paste(frame, placed, rng)
        frame = expose(frame, rng, cond, noise[n % len(noise)])
        self._last = frame
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


def _script(
    cam: VirtualCamera, codes: Iterable[str | tuple[str, str]], n_per_code: int, gap: int
) -> Iterable[np.ndarray]:
    def frames(count: int) -> Iterable[np.ndarray]:
        for _ in range(count):
            _, frame = cam.read()
            assert frame is not None
            yield frame

    yield from frames(gap)
    for code in codes:
        text, symbology = (code, "Code128") if isinstance(code, str) else code
        cam.show(text, symbology)
        yield from frames(n_per_code)
        cam.remove()
        yield from frames(gap)


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
    for index, frame in enumerate(_script(cam, codes, n_per_code, n_per_code if gap is None else gap)):
        cv2.imwrite(str(out / f"{index:04d}.png"), frame)
    return str(out / "%04d.png")


def write_video(
    path: str | Path,
    codes: Iterable[str | tuple[str, str]],
    n_per_code: int,
    gap: int | None = None,
    camera: VirtualCamera | None = None,
) -> str:
    """The same script as write_frames, as a Motion-JPEG AVI at the camera's frame rate
    (what a USB camera sends). Returns the path."""
    cam = camera or VirtualCamera(width=640, height=480)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), cam.fps, (cam.width, cam.height))
    if not writer.isOpened():
        raise OSError(f"cannot write a video to {path}")
    try:
        for frame in _script(cam, codes, n_per_code, n_per_code if gap is None else gap):
            writer.write(frame)
    finally:
        writer.release()
    return str(path)
