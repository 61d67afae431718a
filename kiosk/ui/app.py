"""Qt application set-up: fonts, the window, and the pump that drives the runtime."""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk.ui.theme import FONT_FAMILY


def ensure_app(headless: bool) -> QApplication:
    """The one QApplication; offscreen when there is no display."""
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if FONT_FAMILY not in QFontDatabase.families():
        raise RuntimeError(
            f"font {FONT_FAMILY!r} is missing: Hangul cannot be shown. "
            "Install it: apt-get install fonts-noto-cjk"
        )
    app.setFont(QFont(FONT_FAMILY))
    return app


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
