"""Barcode camera: a worker thread that reads frames, decodes them and posts each code once."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import cv2
import numpy as np

from kiosk.core.errors import DeviceError
from kiosk.core.events import DeviceStatus, Event, ScanTrouble
from kiosk.core.ports import Post
from kiosk.core.privacy import shown_code, summary
from kiosk.devices import looks
from kiosk.devices.barcodes import (
    DEFAULT,
    CodePatterns,
    Decoded,
    FrameMemory,
    admit,
    decode,
    read_frame,
    rejection,
)

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

# A live camera that stops delivering for this many reads in a row is lost, not hiccuping.
_FAILED_READS = 5
_BACKOFF_FIRST_S = 0.5
_BACKOFF_MAX_S = 10.0
# A frame's decoding should be done before the next frame of a 30 fps camera is due (33 ms),
# with a little to spare for the rest of the worker's loop.
FRAME_DEADLINE_S = 0.030
# How many of the latest frames a reader keeps figures of (diagnostics: frame rate, decode rate).
RECENT_FRAMES = 60


class CameraError(DeviceError):
    """The camera cannot be opened or stopped delivering frames; the text says what to check."""


class FrameSource(Protocol):
    """What CameraReader reads: cv2.VideoCapture qualifies, and so does the virtual camera."""

    def read(self) -> tuple[bool, np.ndarray | None]: ...

    def release(self) -> None: ...


def load_gray(path: str) -> np.ndarray | None:
    """A still image as gray pixels, or None when OpenCV cannot read it."""
    if not os.path.isfile(path):
        return None
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    return None if image is None or image.size == 0 else image


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """`gray` turned about its centre by `degrees` (OpenCV's sense), canvas grown to fit,
    white around: the frame pipeline's third look at a linear label (barcodes.read_frame)."""
    h, w = gray.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(turn[0, 0]), abs(turn[0, 1])
    nw, nh = int(w * c + h * s + 1), int(w * s + h * c + 1)
    turn[0, 2] += nw / 2 - w / 2
    turn[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(gray, turn, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)


def decode_frame(
    frame: np.ndarray,
    formats: Iterable[str] = DEFAULT,
    number: int | None = None,
    memory: FrameMemory | None = None,
) -> list[Decoded]:
    """One camera frame through the pipeline, as the worker does it. With the frame's
    `number`, only one of the image steps runs, a different one each frame: a code held up
    stays for many frames, so each step still gets its turn within a few frames while no
    frame takes all their time. OpenCV's gray conversion is several times faster than the
    pipeline's own."""
    start = time.perf_counter()
    if frame.ndim == 3 and frame.shape[2] == 3:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if number is None:
        return decode(frame, formats)
    return read_frame(frame, formats, deadline=start + FRAME_DEADLINE_S, memory=memory, rotate=rotate)


def _is_device(source: str) -> bool:
    # A node under /dev: /dev/video0, or a name udev gives it (deploy/udev: /dev/kiosk-camera).
    return source.isdigit() or source.startswith("/dev/")


@dataclass(frozen=True)
class CaptureSettings:
    """What to ask of a live camera. `focus` and `exposure` (driver units, V4L2: focus
    0-255, exposure in 100 µs steps) switch auto-focus / auto-exposure off when given: a
    counter camera at a fixed distance reads better without hunting."""

    width: int = 1280
    height: int = 720
    fps: int = 30
    focus: int | None = None
    exposure: int | None = None


def open_capture(
    source: str,
    width: int = 1280,
    height: int = 720,
    fps: int = 30,
    settings: CaptureSettings | None = None,
) -> cv2.VideoCapture:
    """Open a camera ("0", "1", "/dev/video0"), a video file or an image sequence
    ("file:frames/%04d.png"). Raises CameraError saying what to check when it will not open."""
    cs = settings or CaptureSettings(width, height, fps)
    path = source.removeprefix("file:")
    if _is_device(path):
        index_or_path: int | str = int(path) if path.isdigit() else path
        cap = cv2.VideoCapture(index_or_path, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise CameraError(
                f"camera {source}: cannot open; check the USB cable, that the "
                f"device exists and that no other program is using it"
            )
        # V4L2 negotiates in this order: the format decides which sizes exist, the size
        # which rates; only MJPG gets 1280x720 at 30 fps over USB 2 (YUYV manages ~10).
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, cs.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, cs.height)
        cap.set(cv2.CAP_PROP_FPS, cs.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if cs.focus is not None:
            cap.set(cv2.CAP_PROP_AUTOFOCUS, 0)
            cap.set(cv2.CAP_PROP_FOCUS, cs.focus)
        if cs.exposure is not None:
            cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1)  # V4L2: 1 = manual, 3 = aperture priority
            cap.set(cv2.CAP_PROP_EXPOSURE, cs.exposure)
        return cap
    folder = os.path.dirname(path) or "."
    if "%" in path:
        if not os.path.isdir(folder):
            raise CameraError(f"camera {source}: folder {folder} does not exist")
    elif not os.path.isfile(path):
        raise CameraError(f"camera {source}: file {path} does not exist")
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        cap.release()
        raise CameraError(
            f"camera {source}: cannot read it as a video or image sequence; "
            f"check the file format and the frame numbering"
        )
    return cap


def delivered(cap: cv2.VideoCapture) -> dict[str, object]:
    """What the camera actually agreed to: drivers silently fall back (YUYV, 640x480, 5 fps)."""
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    fourcc = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)) if code > 0 else ""
    return {
        "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        "fps": round(float(cap.get(cv2.CAP_PROP_FPS)), 2),
        "fourcc": fourcc.strip("\x00"),
    }


class Newest:
    """A live camera read on its own thread, keeping only the latest frame: read() returns
    a frame newer than the one it returned last, so a slow decode never works through a
    queue of stale frames (the driver's buffer holds several, and not every backend honours
    BUFFERSIZE=1). `dropped` counts the frames nobody looked at."""

    def __init__(self, source: FrameSource, timeout_s: float = 2.0) -> None:
        self._source = source
        self._timeout_s = timeout_s
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._taken = 0
        self._ok = True
        self._stop = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._grab, name="camera-grabber", daemon=True)
        self._thread.start()

    def _grab(self) -> None:
        while not self._stop:
            ok, frame = self._source.read()
            with self._cond:
                if ok and frame is not None:
                    if self._seq > self._taken:
                        self.dropped += 1
                    self._frame, self._seq, self._ok = frame, self._seq + 1, True
                else:
                    self._ok = False
                self._cond.notify_all()
            if not ok:
                time.sleep(0.02)  # a failing camera: do not spin

    def read(self) -> tuple[bool, np.ndarray | None]:
        with self._cond:
            fresh = self._cond.wait_for(lambda: self._seq > self._taken or not self._ok, self._timeout_s)
            if not fresh or self._seq <= self._taken:
                return False, None
            self._taken = self._seq
            return True, self._frame

    def release(self) -> None:
        self._stop = True
        self._thread.join(timeout=2.0)
        self._source.release()


def _discard(event: Event) -> None:
    pass


class ReadDebouncer(Generic[K]):
    """Turns per-frame sightings into appearances: a code seen in consecutive frames is one
    read; seen again after `forget_after_s` without it, it is a new read. Pure: the caller
    passes the time."""

    def __init__(self, forget_after_s: float = 1.5) -> None:
        self.forget_after_s = forget_after_s
        self._last_seen: dict[K, float] = {}

    def update(self, now: float, seen: Iterable[K]) -> list[K]:
        """Record the codes seen at `now`; return those that begin a new appearance."""
        new = []
        for key in dict.fromkeys(seen):
            last = self._last_seen.get(key)
            if last is None or now - last >= self.forget_after_s:
                new.append(key)
            self._last_seen[key] = now
        stale = [k for k, t in self._last_seen.items() if now - t >= self.forget_after_s]
        for key in stale:
            del self._last_seen[key]
        return new


class FrameVotes:
    """Holds back a reading the decoders are not sure of (Decoded.sure False: one decoder on
    a transformed view, or a few rows of a tilted label) until another of the last `window`
    frames read it too: a code held up stays for many frames, a misread rarely repeats."""

    def __init__(self, window: int = 2) -> None:
        self._recent: deque[frozenset[Decoded]] = deque(maxlen=window)

    def update(self, found: list[Decoded]) -> list[Decoded]:
        out = [d for d in found if d.sure or any(d in seen for seen in self._recent)]
        self._recent.append(frozenset(found))
        return out


class TroubleWatch:
    """A label that will not read: bars seen in view for `after_s` with no read posts one
    ScanTrouble; a read, or `forget_s` with no bars in view, starts afresh. Pure: the caller
    passes the time and what it saw (None for a frame it did not look at)."""

    def __init__(self, after_s: float = 2.0, forget_s: float = 1.5) -> None:
        self.after_s, self.forget_s = after_s, forget_s
        self._since: float | None = None
        self._last_bars = 0.0
        self._told = False

    def update(self, now: float, read: bool, bars: bool | None) -> bool:
        """True once when the trouble begins."""
        if read:
            self._since, self._told = None, False
            return False
        if bars:
            self._last_bars = now
            if self._since is None:
                self._since = now
        elif bars is False and self._since is not None and now - self._last_bars >= self.forget_s:
            self._since, self._told = None, False
        if self._since is not None and not self._told and now - self._since >= self.after_s:
            self._told = True
            return True
        return False


# Bars that look like a label held up to the camera (not a patterned background): a region
# whose gradients agree on one direction, at least this share of the frame.
TROUBLE_COHERENCE = 0.5
TROUBLE_AREA = 0.05
# Frames between two looks for an unread label (it costs about 3 ms a look).
TROUBLE_EVERY = 5


def label_in_view(gray: np.ndarray) -> bool:
    """Whether a barcode-like label fills part of the frame (read or not)."""
    h, w = gray.shape[:2]
    for region in looks.found_regions(gray, True):
        x0, y0, x1, y1 = region.box
        if (region.coherence or 0.0) >= TROUBLE_COHERENCE and (x1 - x0) * (y1 - y0) >= TROUBLE_AREA * h * w:
            return True
    return False


class CameraReader:
    """Device worker (kiosk.core.ports.Device) for the barcode camera.

    Posts BarcodeRead once per appearance of a code the patterns admit (codes.admit), and
    DeviceStatus(ok=False) with what to check when the camera cannot be opened or stops
    delivering (ok=True once it works again). A read admit() refuses is only counted in
    `rejected` (by reason) and logged at debug level by its length and fingerprint: what a
    code holds may be a patron's card and PIN, or an attack on the terminal reading the log.

    A string source is (re)opened with back-off; a FrameSource object is used as given. The
    reader owns the source and releases it on stop(). A video file or image sequence ends
    quietly at its last frame, or starts over with `loop=True`.
    """

    def __init__(
        self,
        source: FrameSource | str,
        patterns: CodePatterns,
        name: str = "camera",
        forget_after_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
        loop: bool = False,
        formats: Iterable[str] = DEFAULT,
        capture: CaptureSettings = CaptureSettings(),
    ) -> None:
        self.name = name
        self.capture = capture
        self.frames_decoded = 0
        self.rejected: Counter[str] = Counter()
        self._source = source
        self._label = source if isinstance(source, str) else type(source).__name__
        self._patterns = patterns
        self._clock = clock
        self._loop = loop
        self._formats = frozenset(formats)
        self._forget_after_s = forget_after_s
        self._debouncer: ReadDebouncer[Decoded] = ReadDebouncer(forget_after_s)
        self._votes = FrameVotes()
        self._memory = FrameMemory()
        self._reset = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._post: Post = _discard
        self._failing = False
        self._trouble = TroubleWatch()
        # For diagnostics, read-only: the last DeviceStatus posted (None: none yet, the camera
        # has not failed), the last frame and what it decoded to, and (monotonic time, codes
        # decoded) for each of the latest frames.
        self.status: DeviceStatus | None = None
        self.last_frame: np.ndarray | None = None
        self.last_found: list[Decoded] = []
        self.recent: deque[tuple[float, int]] = deque(maxlen=RECENT_FRAMES)

    @property
    def label(self) -> str:
        """The source as a technician knows it (a device, a file, or the simulator's class)."""
        return self._label

    def start(self, post: Post) -> None:
        if self._thread is not None:
            raise CameraError(f"camera {self._label}: already started")
        self._post = post
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Forget what was seen (thread-safe): at a visit's end, so the next patron's book reads
        even if it is the one just shown."""
        self._reset.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            # A V4L2 read can block for seconds on a dying camera: never hang the kiosk on it.
            if self._thread.is_alive():
                log.warning("camera %s: reader thread did not stop in time", self._label)
            self._thread = None

    # --- worker thread -------------------------------------------------------------------

    def _run(self) -> None:
        cap: FrameSource | None = None if isinstance(self._source, str) else self._source
        backoff = _BACKOFF_FIRST_S
        misses = 0
        delivered = False
        try:
            while not self._stop.is_set():
                if cap is None:
                    cap = self._open()
                    if cap is None:
                        self._stop.wait(backoff)
                        backoff = min(2 * backoff, _BACKOFF_MAX_S)
                        continue
                    delivered = False
                ok, frame = cap.read()
                if ok and frame is not None:
                    misses, backoff, delivered = 0, _BACKOFF_FIRST_S, True
                    self._healthy()
                    self._handle(frame)
                    continue
                if self._is_file and delivered:  # end of the recording
                    if not self._loop:
                        log.info("camera %s: end of file", self._label)
                        break
                    cap.release()
                    cap = None
                    continue
                misses += 1
                if misses < _FAILED_READS and not self._is_file:
                    self._stop.wait(0.05)
                    continue
                self._fail(
                    f"camera {self._label}: no frames for {misses} reads; check the "
                    f"cable and the camera's power (unplug and plug in again)"
                )
                misses = 0
                if isinstance(self._source, str):
                    cap.release()
                    cap = None
                self._stop.wait(backoff)
                backoff = min(2 * backoff, _BACKOFF_MAX_S)
        except Exception:  # the worker must never die silently
            log.exception("camera %s: reader failed", self._label)
            self._fail(
                f"camera {self._label}: reader stopped after an internal error; "
                f"see the log and restart the kiosk"
            )
        finally:
            if cap is not None:
                cap.release()

    @property
    def _is_file(self) -> bool:
        return isinstance(self._source, str) and not _is_device(self._source.removeprefix("file:"))

    def _open(self) -> FrameSource | None:
        assert isinstance(self._source, str)
        try:
            cap = open_capture(self._source, settings=self.capture)
            if _is_device(self._source.removeprefix("file:")):
                log.info("camera %s: delivering %s", self._label, delivered(cap))
                return Newest(cap)
            return cap
        except CameraError as e:
            self._fail(str(e))
            return None

    def _handle(self, frame: np.ndarray) -> None:
        if self._reset.is_set():
            self._reset.clear()
            self._debouncer = ReadDebouncer(self._forget_after_s)
            self._votes = FrameVotes()
            self._memory = FrameMemory()
        found = self._votes.update(decode_frame(frame, self._formats, self.frames_decoded, self._memory))
        self.frames_decoded += 1
        self.last_frame, self.last_found = frame, found
        self.recent.append((time.monotonic(), len(found)))
        now = self._clock()
        bars: bool | None = None
        if not found and self.frames_decoded % TROUBLE_EVERY == 0:
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
            bars = label_in_view(gray)
        if self._trouble.update(now, bool(found), bars):
            log.info("camera %s: a label in view has not read for %.0f s", self._label, self._trouble.after_s)
            self._emit(ScanTrouble())
        for decoded in self._debouncer.update(now, found):
            event = admit(decoded, self._patterns)
            if event is None:
                reason = rejection(decoded, self._patterns) or "pattern"
                self.rejected[reason] += 1
                log.debug(
                    "camera %s: ignored a %s read (%s): %s",
                    self._label,
                    decoded.symbology,
                    reason,
                    summary(decoded.text),
                )
                continue
            log.info(
                "camera %s: %s %s %s",
                self._label,
                event.kind,
                event.symbology,
                shown_code(event.kind, event.text),
            )
            self._emit(event)

    def _fail(self, detail: str) -> None:
        if not self._failing:
            log.warning("%s", detail)
            self._failing = True
            self.status = DeviceStatus(device=self.name, ok=False, detail=detail)
            self._emit(self.status)

    def _healthy(self) -> None:
        if self._failing:
            self._failing = False
            log.info("camera %s: delivering frames again", self._label)
            self.status = DeviceStatus(device=self.name, ok=True, detail=f"camera {self._label}")
            self._emit(self.status)

    def _emit(self, event: Event) -> None:
        try:
            self._post(event)
        except Exception:
            log.exception("camera %s: posting %s failed", self._label, type(event).__name__)
