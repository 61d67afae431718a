"""Qt application set-up: fonts, the window, and the pump that drives the runtime."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk.core.errors import ConfigError
from kiosk.ui.keys import KeyMap
from kiosk.ui.theme import FONT_FAMILY
from kiosk.ui.window import KioskWindow


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


# Qt platforms that draw on the panel themselves, without X11 or a Wayland compositor
# (deploy/systemd/eglfs.conf).
PANEL_PLATFORMS = ("eglfs", "linuxfb", "vkkhrdisplay")


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or platform in PANEL_PLATFORMS


def set_up_access(
    window: KioskWindow, keypad: Mapping[str, Sequence[str]], mount_bottom_mm: float, source: str
) -> None:
    """The physical keypad's keys (the [keypad] section) and the panel's height above the floor
    (low position); a key Qt does not know is a ConfigError naming it."""
    try:
        window.keys = KeyMap.from_names(keypad)
    except ValueError as exc:
        raise ConfigError(f"{source}: [keypad] {exc}") from None
    window.mount_bottom_mm = mount_bottom_mm
