"""The start-up check of the Qt binding, the guard for a leaking one, and the pump's wake-ups."""

from __future__ import annotations

import ctypes
import sys
import threading

from kiosk.ui import binding
from kiosk.ui.bridge import QtPump


def _drop(obj: object, n: int) -> None:
    ref = ctypes.py_object(obj)
    for _ in range(n):
        ctypes.pythonapi.Py_DecRef(ref)


def test_the_installed_binding_keeps_reference_counts(qapp):
    health = binding.check()
    assert not health.defective, health.describe()
    assert "steady" in health.describe()


def test_a_leaking_binding_is_reported_with_the_fix():
    health = binding.BindingHealth("6.12.0", {"None": -200, "True": -200, "False": 0})
    assert health.defective
    text = health.describe()
    assert "6.12.0" in text and "True -200" in text and "<6.12" in text


def test_the_guard_gives_back_what_a_leak_took():
    guard = binding.RefcountGuard()
    before = sys.getrefcount(True)
    _drop(True, 50)  # what 50 leaking emits would do
    assert sys.getrefcount(True) <= before - 45
    assert guard.top_up() >= 45
    assert sys.getrefcount(True) >= before - 2
    assert guard.restored >= 45


def test_no_guard_when_the_binding_is_sound(qapp):
    assert binding.guard_if_needed() is None


class _Runtime:
    def __init__(self) -> None:
        self.pumps = 0

    def pump(self) -> int:
        self.pumps += 1
        return 0

    def next_timer_in(self) -> float | None:
        return None


def test_wakes_from_other_threads_pump_on_the_gui_thread_and_fold_together(qapp, qtbot):
    runtime = _Runtime()
    pump = QtPump(runtime)
    threads = [threading.Thread(target=lambda: [pump.wake() for _ in range(500)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qtbot.waitUntil(lambda: runtime.pumps >= 1, timeout=5000)
    qapp.processEvents()
    # 2,000 wake-ups while nothing pumped: folded into one queued event.
    assert pump.wakes == 1
    assert runtime.pumps == 1
    pump.wake()
    qtbot.waitUntil(lambda: runtime.pumps == 2, timeout=5000)
    assert pump.wakes == 2
