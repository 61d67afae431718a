"""`kiosk run`: the kiosk with the devices and library in the configuration."""

from __future__ import annotations

import argparse
import signal

from kiosk.commands import config_arg, load_settings

HELP = "run the kiosk full screen with the configured devices"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = "Run the kiosk with the devices and library in --config."
    config_arg(parser)


def main(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.ui.app import has_display

    settings = load_settings(args.config)
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=not has_display())
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        assert app is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.quit())
        # Python runs signal handlers only between bytecodes: wake it while Qt waits.
        wake = QTimer()
        wake.start(200)
        wake.timeout.connect(lambda: None)
        if settings.display.fullscreen:
            window.showFullScreen()
        else:
            window.show()
        kiosk.runtime.start()
        return int(app.exec())
    finally:
        kiosk.stop()
