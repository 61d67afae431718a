"""Cyclic garbage is collected on the Qt main thread while the kiosk window lives, never on the
worker thread that happened to allocate (where deleting Qt objects can crash the process)."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject

from kiosk.ui.collector import MainThreadCollector


class Cycle:
    """Garbage only the cyclic collector can free; says on which thread it was freed."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.freed_on.append(threading.current_thread().name)


@pytest.fixture
def collector(qapp):
    gc.collect()
    enabled = gc.isenabled()
    parent = QObject()
    made = MainThreadCollector(parent, interval_ms=20)
    yield made
    made.stop()
    parent.deleteLater()
    assert gc.isenabled() == enabled  # given back as it was


CYCLES = 2000


def make_garbage_on_a_worker() -> None:
    def work() -> None:
        # Enough to cross the youngest generation's threshold (700) a few times over.
        for _ in range(CYCLES):
            Cycle()

    worker = threading.Thread(target=work, name="library-worker")
    worker.start()
    worker.join()


def test_garbage_made_on_a_worker_is_freed_on_the_main_thread(collector, qtbot):
    Cycle.freed_on.clear()
    make_garbage_on_a_worker()
    assert Cycle.freed_on == []  # the worker collected nothing
    qtbot.waitUntil(lambda: len(Cycle.freed_on) == CYCLES, timeout=5000)
    # Freed on the main thread (by this collector, or another window's left by an earlier test).
    assert set(Cycle.freed_on) == {threading.main_thread().name}


def test_collection_is_given_back_when_the_collector_goes(qapp):
    from PySide6.QtCore import QCoreApplication, QEvent

    before = gc.isenabled()
    gc.enable()  # as a kiosk starts (another window's collector may be left by an earlier test)
    try:
        parent = QObject()
        MainThreadCollector(parent)
        assert not gc.isenabled()
        parent.deleteLater()
        del parent
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert gc.isenabled()
    finally:
        (gc.enable if before else gc.disable)()


def test_the_kiosks_window_is_deleted_at_stop_never_left_to_the_collector(qapp):
    """A kiosk window is in a reference cycle (its children keep its bound methods; the runtime
    keeps its handlers): left alive in C++, only the cyclic collector would free it, clearing
    its wrappers in an order of its own, which deleted a layout twice (a segmentation fault in
    gc.collect() after tests/runtime/test_voice.py). Stopping the kiosk deletes the window's
    Qt objects, parent first; the collector finds wrappers that hold nothing."""
    import shiboken6

    from kiosk import config
    from kiosk.app import attach_ui, build

    gc.collect()
    kiosk = build(config.defaults())
    try:
        window = attach_ui(kiosk, headless=True)
        children = window.findChildren(QObject)
        assert children and shiboken6.isValid(window)
    finally:
        kiosk.stop()
    assert kiosk.window is None
    assert not shiboken6.isValid(window)
    assert not any(shiboken6.isValid(child) for child in children)
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        alive = [type(o).__name__ for o in gc.garbage if isinstance(o, QObject) and shiboken6.isValid(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert alive == []  # nothing alive in C++ for the collector to tear down
    gc.collect()


def test_dispose_deletes_a_tree_at_once_and_twice_is_harmless(qapp):
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from kiosk.ui.collector import dispose

    top = QWidget()
    layout = QVBoxLayout(top)
    inner = QWidget()
    layout.addWidget(inner)
    timer = QTimer(inner)
    dispose(top)
    assert not any(shiboken6.isValid(o) for o in (top, layout, inner, timer))
    dispose(top)  # already gone: nothing to do
