"""Runs the runtime's pump on the Qt main thread: worker threads wake it with a posted event.

No Python-side `Signal.emit()` per event: PySide6 6.12.0 drops a reference to `True` on every
one, and the runtime posts about 18 events per visit (see kiosk/ui/binding.py). A wake-up is a
plain QEvent posted to the pump object; wake-ups that arrive while one is already queued are
folded into it, so a burst of device events costs one cross-thread call."""

from __future__ import annotations

import threading
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from kiosk.ui.binding import RefcountGuard

_WAKE = QEvent.Type(QEvent.registerEventType())


class Pumpable(Protocol):
    def pump(self) -> int: ...

    def next_timer_in(self) -> float | None: ...


class QtPump(QObject):
    """Connect `runtime.wakeup = pump.wake` and every post from any thread leads to a
    `runtime.pump()` on the GUI thread; the runtime's timers are served by a single QTimer.

    `guard` (kiosk.ui.binding) tops up the singletons' reference counts after each pump when
    the installed binding is known to leak them."""

    def __init__(
        self, runtime: Pumpable, parent: QObject | None = None, guard: RefcountGuard | None = None
    ) -> None:
        # Parented to the window: when it goes, events posted to it are dropped by Qt.
        super().__init__(parent)
        self.runtime = runtime
        self.guard = guard
        self.wakes = 0  # wake-up events actually posted (folded ones are not counted)
        self._queued = False
        self._lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._pump)

    def wake(self) -> None:
        """Thread-safe: make sure a pump runs soon on the GUI thread."""
        with self._lock:
            if self._queued:
                return
            self._queued = True
            self.wakes += 1
        QCoreApplication.postEvent(self, QEvent(_WAKE))

    def event(self, event: QEvent) -> bool:
        if event.type() == _WAKE:
            with self._lock:
                # Cleared before pumping: a post made while the pump runs wakes it again.
                self._queued = False
            self._pump()
            return True
        return super().event(event)

    def _pump(self) -> None:
        self.runtime.pump()
        nxt = self.runtime.next_timer_in()
        if nxt is None:
            self._timer.stop()
        else:
            self._timer.start(max(1, int(nxt * 1000) + 1))
        if self.guard is not None:
            self.guard.top_up()
