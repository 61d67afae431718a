"""`kiosk run`: the kiosk with the devices and library in the configuration."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING

from kiosk.commands import config_arg, load_settings

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from kiosk.app import Kiosk
    from kiosk.core.views import View
    from kiosk.ui.watchdog import UiWatchdog

HELP = "run the kiosk full screen with the configured devices"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run the kiosk with the devices and library in --config: full screen, frameless and locked "
        "(close requests and context menus ignored); leaving is the technician's (exit 75: restart, "
        "0: quit)."
    )
    config_arg(parser)
    parser.add_argument("--windowed", action="store_true",
                        help="a normal window that can be closed (development only)")  # fmt: skip


def main(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.ui.app import has_display

    settings = load_settings(args.config)
    kiosk = build(settings)
    watchdog: UiWatchdog | None = None
    try:
        window = attach_ui(kiosk, headless=not has_display())
        watchdog = _feed_watchdog(kiosk, window)
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        assert app is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.exit(0))  # exit, not quit: the locked window refuses to close
        # Python runs signal handlers only between bytecodes: wake it while Qt waits.
        wake = QTimer()
        wake.start(200)
        wake.timeout.connect(lambda: None)
        if args.windowed:
            window.show()
        else:
            window.lock_down(full_screen=True)
        if kiosk.technician is not None:
            # The technician leaves (or restarts) the kiosk: the only way out of the lock.
            def leave(code: int) -> None:
                window.unlock()
                app.exit(code)

            kiosk.technician.leave = leave
        kiosk.runtime.start()
        return int(app.exec())
    finally:
        if watchdog is not None:
            watchdog.stopping()
        kiosk.stop()


def _feed_watchdog(kiosk: Kiosk, window: QObject) -> UiWatchdog | None:
    """Under systemd ($NOTIFY_SOCKET): READY=1 with the first screen, WATCHDOG=1 from the Qt
    main thread (deploy/systemd/chaekieum-kiosk.service); None without a service manager."""
    from kiosk.core.notify import Notifier, watchdog_interval_s
    from kiosk.ui.watchdog import UiWatchdog

    notifier = Notifier.from_environment()
    if notifier is None:
        return None
    notifier.status("starting")
    watchdog = UiWatchdog(notifier, watchdog_interval_s(), parent=window)
    show = kiosk.runtime.show

    def show_and_tell(view: View) -> None:
        show(view)
        watchdog.screen_shown(view.screen)

    kiosk.runtime.show = show_and_tell
    return watchdog
