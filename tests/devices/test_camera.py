"""Camera worker: one read per appearance, real cv2.VideoCapture on files, failures reported."""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.events import BarcodeRead, DeviceStatus, Event
from kiosk.core.privacy import summary
from kiosk.devices import camera
from kiosk.devices.barcodes import CodePatterns, Decoded
from kiosk.devices.camera import (
    CameraError,
    CameraReader,
    CaptureSettings,
    Newest,
    ReadDebouncer,
    open_capture,
)
from simulators.camera import VirtualCamera, write_frames, write_video
from tests.hostile import HOSTILE, SECRETS

ITEM = BarcodeRead(text="EM0000100001", symbology="Code128", kind="item")


class Collector:
    def __init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.put(event)

    def next(self, kind: type[Event], timeout: float = 10.0) -> Event:
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            self.seen.append(event)
            if isinstance(event, kind):
                return event

    def drain(self) -> list[Event]:
        while not self.events.empty():
            self.seen.append(self.events.get_nowait())
        return self.seen


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


@pytest.fixture
def readers() -> Iterator[list[CameraReader]]:
    started: list[CameraReader] = []
    yield started
    for reader in started:
        reader.stop()
    assert not [t for t in threading.enumerate() if t.name.endswith("-reader")]


def test_debouncer_one_read_per_appearance() -> None:
    d: ReadDebouncer[str] = ReadDebouncer(forget_after_s=1.5)
    assert d.update(0.0, ["A"]) == ["A"]
    assert d.update(0.1, ["A", "A"]) == []
    assert d.update(1.0, []) == []
    assert d.update(1.5, ["A"]) == []  # absent 1.4 s only: the same appearance
    assert d.update(1.6, ["B", "A"]) == ["B"]
    assert d.update(3.2, ["A"]) == ["A"]  # absent 1.6 s: a new appearance
    assert d.update(3.2, ["B"]) == ["B"]


def test_debouncer_missed_frames_do_not_make_new_reads() -> None:
    d: ReadDebouncer[str] = ReadDebouncer(forget_after_s=1.5)
    reads = [d.update(t / 15, ["A"] if t % 3 else []) for t in range(60)]
    assert sum(len(r) for r in reads) == 1


@pytest.mark.timeout(60)
def test_one_read_per_appearance_from_the_virtual_camera(readers: list[CameraReader]) -> None:
    cam = VirtualCamera(width=640, height=480, fps=15, seed=3)
    reader = CameraReader(cam, CodePatterns(), clock=cam.clock)
    readers.append(reader)
    post = Collector()
    cam.show("EM0000100001", "Code128")
    reader.start(post)
    assert post.next(BarcodeRead) == ITEM
    decoded = reader.frames_decoded
    wait_until(lambda: reader.frames_decoded >= decoded + 8)  # still in view
    cam.remove()
    gone = cam.frames
    wait_until(lambda: cam.frames >= gone + 30)  # 2 s of frame time without it
    cam.show("EM0000100001", "Code128")
    assert post.next(BarcodeRead) == ITEM
    decoded = reader.frames_decoded
    wait_until(lambda: reader.frames_decoded >= decoded + 5)
    reader.stop()
    assert [e for e in post.drain() if isinstance(e, BarcodeRead)] == [ITEM, ITEM]


@pytest.mark.timeout(60)
def test_reset_reads_a_code_still_in_view_again(readers: list[CameraReader]) -> None:
    cam = VirtualCamera(width=640, height=480, fps=15, seed=4)
    reader = CameraReader(cam, CodePatterns(), clock=cam.clock)
    readers.append(reader)
    post = Collector()
    cam.show("EM0000100001", "Code128")
    reader.start(post)
    assert post.next(BarcodeRead) == ITEM
    decoded = reader.frames_decoded
    wait_until(lambda: reader.frames_decoded >= decoded + 5)
    assert [e for e in post.drain() if isinstance(e, BarcodeRead)] == [ITEM]  # one read while in view
    reader.reset()  # a visit ended: the next patron shows the same book
    assert post.next(BarcodeRead) == ITEM


@pytest.mark.timeout(60)
def test_png_sequence_through_opencv(tmp_path: Path, readers: list[CameraReader]) -> None:
    codes: list[str | tuple[str, str]] = [
        "EM0000100001",
        ("EM0000100002", "Code39"),
        "EM0000100001",
        ("CHAEKIEUM:29123456781234", "QRCode"),
    ]
    pattern = write_frames(tmp_path, codes, n_per_code=4, gap=25)
    frames = itertools.count()
    reader = CameraReader(open_capture(pattern), CodePatterns(), clock=lambda: next(frames) / 15)
    readers.append(reader)
    post = Collector()
    reader.start(post)
    got = [post.next(BarcodeRead) for _ in range(4)]
    assert got == [
        ITEM,
        BarcodeRead(text="EM0000100002", symbology="Code39", kind="item"),
        ITEM,
        BarcodeRead(text="29123456781234", symbology="QRCode", kind="member"),
    ]


@pytest.mark.timeout(60)
def test_file_source_ends_quietly(tmp_path: Path, readers: list[CameraReader]) -> None:
    write_frames(tmp_path, ["EM0000100001"], n_per_code=3, gap=1)
    reader = CameraReader(f"file:{tmp_path}/%04d.png", CodePatterns())
    readers.append(reader)
    post = Collector()
    reader.start(post)
    assert post.next(BarcodeRead) == ITEM
    wait_until(lambda: not [t for t in threading.enumerate() if t.name == "camera-reader"])
    assert reader.frames_decoded == 5
    assert not [e for e in post.drain() if isinstance(e, DeviceStatus)]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("source", ["file:/nonexistent/frames/%04d.png", "/no/such/video.mp4"])
def test_missing_source_is_reported_and_stop_is_prompt(source: str, readers: list[CameraReader]) -> None:
    reader = CameraReader(source, CodePatterns(), name="counter-camera")
    readers.append(reader)
    post = Collector()
    reader.start(post)
    status = post.next(DeviceStatus)
    assert isinstance(status, DeviceStatus)
    assert status.device == "counter-camera" and not status.ok
    assert source in status.detail and "does not exist" in status.detail
    reader.stop()
    assert not [t for t in threading.enumerate() if t.name == "counter-camera-reader"]


def test_open_capture_explains_what_to_check(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="does not exist"):
        open_capture(str(tmp_path / "missing.mp4"))
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(CameraError, match="check the file format"):
        open_capture(str(tmp_path / "junk.mp4"))


class FlakySource:
    """A camera that delivers nothing, then frames: a replugged USB camera."""

    def __init__(self, dead_reads: int) -> None:
        self.dead_reads = dead_reads
        self.released = False

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.dead_reads > 0:
            self.dead_reads -= 1
            return False, None
        return True, np.full((120, 160, 3), 128, np.uint8)

    def release(self) -> None:
        self.released = True


@pytest.mark.timeout(30)
def test_lost_frames_reported_then_recovery(readers: list[CameraReader]) -> None:
    source = FlakySource(dead_reads=6)
    reader = CameraReader(source, CodePatterns())
    readers.append(reader)
    post = Collector()
    reader.start(post)
    lost = post.next(DeviceStatus)
    assert isinstance(lost, DeviceStatus) and not lost.ok and "no frames" in lost.detail
    back = post.next(DeviceStatus)
    assert isinstance(back, DeviceStatus) and back.ok
    reader.stop()
    assert source.released


def test_post_failures_do_not_kill_the_worker(readers: list[CameraReader]) -> None:
    cam = VirtualCamera(width=640, height=480, seed=5)
    cam.show("EM0000100001")
    calls: list[Event] = []

    def bad_post(event: Event) -> None:
        calls.append(event)
        raise RuntimeError("queue closed")

    reader = CameraReader(cam, CodePatterns(), clock=cam.clock)
    readers.append(reader)
    reader.start(bad_post)
    wait_until(lambda: len(calls) == 1)
    cam.remove()
    gone = cam.frames
    wait_until(lambda: cam.frames >= gone + 30)
    cam.show("EM0000100001")
    wait_until(lambda: len(calls) == 2)


class CountingSource:
    """A live camera delivering numbered frames as fast as it can: frame n is all n % 256."""

    def __init__(self) -> None:
        self.n = 0
        self.released = False

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(0.002)
        self.n += 1
        return True, np.full((8, 8), self.n % 256, np.uint8)

    def release(self) -> None:
        self.released = True


@pytest.mark.timeout(30)
def test_newest_frame_skips_stale_ones_behind_a_slow_decode() -> None:
    source = CountingSource()
    newest = Newest(source)
    try:
        got = []
        for _ in range(5):
            ok, frame = newest.read()
            assert ok and frame is not None
            got.append(int(frame[0, 0]))
            time.sleep(0.05)  # a slow decode: the camera delivers ~20 frames meanwhile
        assert got == sorted(got) and len(set(got)) == 5  # never the same frame twice, never older
        ok, frame = newest.read()
        assert ok and frame is not None
        assert int(frame[0, 0]) >= got[-1] + 5  # the latest, not the next in a queue
        assert newest.dropped > 0
    finally:
        newest.release()
    assert source.released
    assert not [t for t in threading.enumerate() if t.name == "camera-grabber"]


@pytest.mark.timeout(60)
def test_camera_that_appears_later_is_reopened_with_back_off(
    tmp_path: Path, readers: list[CameraReader]
) -> None:
    folder = tmp_path / "later"
    reader = CameraReader(f"file:{folder}/%04d.png", CodePatterns(), name="counter-camera")
    readers.append(reader)
    post = Collector()
    reader.start(post)
    lost = post.next(DeviceStatus)
    assert isinstance(lost, DeviceStatus) and not lost.ok and "does not exist" in lost.detail
    write_frames(folder, ["EM0000100001"], n_per_code=3, gap=1)  # plugged in
    back = post.next(DeviceStatus)
    assert isinstance(back, DeviceStatus) and back.ok and back.device == "counter-camera"
    assert post.next(BarcodeRead) == ITEM
    reader.stop()
    events = post.drain()
    assert [e for e in events if isinstance(e, BarcodeRead)] == [ITEM]  # nothing doubled
    assert sum(isinstance(e, DeviceStatus) and not e.ok for e in events) == 1  # reported once


def test_capture_settings_default_to_720p30() -> None:
    cs = CaptureSettings()
    assert (cs.width, cs.height, cs.fps, cs.focus, cs.exposure) == (1280, 720, 30, None, None)


@pytest.mark.timeout(60)
def test_video_file_through_opencv(tmp_path: Path, readers: list[CameraReader]) -> None:
    path = write_video(
        tmp_path / "counter.avi", ["EM0000100001", ("CHAEKIEUM:04A1B2C3D4E5F6", "QRCode")], 4, gap=20
    )
    frames = itertools.count()
    reader = CameraReader(open_capture(path), CodePatterns(), clock=lambda: next(frames) / 15)
    readers.append(reader)
    post = Collector()
    reader.start(post)
    assert post.next(BarcodeRead) == ITEM
    assert post.next(BarcodeRead) == BarcodeRead(text="04A1B2C3D4E5F6", symbology="QRCode", kind="member")


@pytest.mark.timeout(120)
def test_hostile_codes_never_reach_a_flow_nor_the_log(
    readers: list[CameraReader], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.devices.camera")
    cam = VirtualCamera(width=960, height=540, fps=15, seed=7)
    reader = CameraReader(cam, CodePatterns(), clock=cam.clock)
    readers.append(reader)
    post = Collector()
    reader.start(post)
    for n, (text, symbology, _) in enumerate(HOSTILE, 1):
        cam.show(text, symbology)
        wait_until(lambda n=n: sum(reader.rejected.values()) >= n, timeout=20)
        cam.remove()
    cam.show("EM0000100001", "Code128")
    assert post.next(BarcodeRead) == ITEM  # the camera still reads books
    reader.stop()
    assert [e for e in post.drain() if isinstance(e, BarcodeRead)] == [ITEM]
    assert reader.rejected == Counter(reason for *_, reason in HOSTILE)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for text, symbology, reason in HOSTILE:
        assert f"ignored a {symbology} read ({reason}): {summary(text)}" in logged
    for secret in SECRETS:
        assert secret not in logged
    assert max(len(line) for line in logged.splitlines()) < 200


def test_empty_blank_and_control_reads_are_counted_not_posted(
    readers: list[CameraReader], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.devices.camera")
    reads = [
        Decoded("Code39", ""),
        Decoded("Code39", " "),
        Decoded("QRCode", "\x1b[2J"),
        Decoded("Code128", "EM0000100001"),
    ]
    monkeypatch.setattr(camera, "decode_frame", lambda frame, formats, number, memory: reads)
    reader = CameraReader(FlakySource(dead_reads=0), CodePatterns(), clock=itertools.count().__next__)
    readers.append(reader)
    post = Collector()
    reader.start(post)
    assert post.next(BarcodeRead) == ITEM
    wait_until(lambda: reader.frames_decoded >= 3)
    reader.stop()
    assert [e for e in post.drain() if isinstance(e, BarcodeRead)] == [ITEM]
    # One appearance each, held in view: counted once, not once a frame.
    assert reader.rejected == Counter({"empty": 1, "blank": 1, "control": 1})
    assert "\x1b" not in caplog.text and "(control): 4 chars, sha256:" in caplog.text


def test_trouble_watch_tells_once_per_unread_label() -> None:
    from kiosk.devices.camera import TroubleWatch

    w = TroubleWatch(after_s=2.0, forget_s=1.5)
    told = [w.update(t / 10, read=False, bars=True if t % 5 == 0 else None) for t in range(0, 60)]
    assert told.count(True) == 1 and told.index(True) == 20  # at 2.0 s, once
    assert not w.update(6.0, read=True, bars=None)  # a read starts afresh
    assert not any(w.update(6.1 + t / 10, read=False, bars=False) for t in range(40))  # nothing in view


class WornLabel:
    """Frames of a label whose bars no decoder can read (a worn or torn label): random bar
    widths on white, held a little differently each frame, on a plain counter."""

    def __init__(self, with_label: bool = True) -> None:
        self.frames = 0
        self.with_label = with_label
        rng = np.random.default_rng(7)
        widths = rng.integers(2, 9, size=80)
        bars = np.concatenate([np.full(w, 0 if i % 2 == 0 else 255, np.uint8) for i, w in enumerate(widths)])
        self.label = np.tile(bars, (160, 1))

    def clock(self) -> float:
        return self.frames / 15

    def read(self) -> tuple[bool, np.ndarray | None]:
        frame = np.full((720, 1280, 3), 150, np.uint8)
        if self.with_label:
            x, y = 300 + self.frames % 7, 250
            label = cv2.cvtColor(self.label[:, :600], cv2.COLOR_GRAY2BGR)
            frame[y : y + label.shape[0], x : x + label.shape[1]] = label
        self.frames += 1
        return True, frame

    def release(self) -> None:
        pass


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", ["worn", "readable", "empty", "virtual-worn"])
def test_a_label_in_view_that_will_not_read_is_told(readers: list[CameraReader], case: str) -> None:
    """Through the worker: a label whose bars cannot be read posts ScanTrouble once after 2 s
    of frame time; a readable label (the virtual camera's) or an empty view never."""
    from kiosk.core.events import ScanTrouble

    source: WornLabel | VirtualCamera
    if case in ("readable", "virtual-worn"):
        # The virtual camera's own label, or its worn one (scripted visits show it).
        source = VirtualCamera(width=1280, height=720, fps=15, seed=2)
        source.show("EM0000100001", "Code128" if case == "readable" else "Worn")
    else:
        source = WornLabel(with_label=case == "worn")
    reader = CameraReader(source, CodePatterns(), clock=source.clock)
    readers.append(reader)
    post = Collector()
    reader.start(post)
    wait_until(lambda: reader.frames_decoded >= 60, timeout=50)  # 4 s of frame time
    reader.stop()
    events = post.drain()
    assert sum(isinstance(e, ScanTrouble) for e in events) == (1 if "worn" in case else 0), events
    assert any(isinstance(e, BarcodeRead) for e in events) == (case == "readable")
