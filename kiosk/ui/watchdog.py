"""Feeds the service manager's watchdog from the Qt main thread, so a frozen screen is restarted.

The pings come from a QTimer on the GUI thread, which also runs the visit's runtime: when that
thread is stuck (a slot that never returns, a deadlock, a wedged paint), the pings stop and
systemd kills and restarts the kiosk after WatchdogSec. A ping from any other thread would
keep a frozen screen alive."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer

from kiosk.core.notify import Notifier


class UiWatchdog(QObject):
    """READY=1 with the first screen shown, WATCHDOG=1 every `interval_s` (None: the service
    has no watchdog, no pings), a STATUS= line when the screen changes, STOPPING=1 at exit."""

    def __init__(self, notifier: Notifier, interval_s: float | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.ready = False
        self.pings = 0
        self._screen = ""
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._ping)
        if interval_s is not None:
            self._timer.start(max(1, round(interval_s * 1000)))

    def _ping(self) -> None:
        if self.notifier.watchdog():
            self.pings += 1

    def screen_shown(self, screen: str) -> None:
        """A screen is on: the first one makes the kiosk ready; later ones are only a status."""
        if not self.ready:
            self.ready = True
            self._screen = screen
            self.notifier.ready(f"serving patrons: screen {screen}")
        elif screen != self._screen:
            self._screen = screen
            self.notifier.status(f"serving patrons: screen {screen}")

    def stopping(self) -> None:
        self._timer.stop()
        self.notifier.stopping("stopping")
        self.notifier.close()
