"""Runs the runtime's pump on the Qt main thread: worker threads wake it through a queued signal."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal


class Pumpable(Protocol):
    def pump(self) -> int: ...

    def next_timer_in(self) -> float | None: ...


class QtPump(QObject):
    """Connect `runtime.wakeup = pump.wake` and every post from any thread leads to one
    `runtime.pump()` on the GUI thread; the runtime's timers are served by a single QTimer."""

    _woken = Signal()

    def __init__(self, runtime: Pumpable, parent: QObject | None = None) -> None:
        # Parented to the window: when it goes, queued wake-ups to it are dropped by Qt.
        super().__init__(parent)
        self.runtime = runtime
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._pump)
        self._woken.connect(self._pump, Qt.ConnectionType.QueuedConnection)

    def wake(self) -> None:
        self._woken.emit()

    def _pump(self) -> None:
        self.runtime.pump()
        nxt = self.runtime.next_timer_in()
        if nxt is None:
            self._timer.stop()
        else:
            self._timer.start(max(1, int(nxt * 1000) + 1))
