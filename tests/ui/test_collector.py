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
