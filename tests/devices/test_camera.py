"""Camera worker: one read per appearance, real cv2.VideoCapture on files, failures reported."""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.core.events import BarcodeRead, DeviceStatus, Event
from kiosk.devices.barcodes import CodePatterns
from kiosk.devices.camera import CameraError, CameraReader, ReadDebouncer, open_capture
from simulators.camera import VirtualCamera, write_frames

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
