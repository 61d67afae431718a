"""The kiosk's push button: a keypad's Enter activates it like a touch; its focus ring has two colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.ui.theme import FocusRing
from kiosk.ui.widgets.focus import paint_inner_ring, reveal, routed


class KioskButton(QPushButton):
    """A control that a keypad's Enter activates like a touch. With `ring` (the theme's), the
    focus ring's inner ring is drawn inside the stylesheet's focus border."""

    def __init__(self, parent: QWidget | None = None, ring: FocusRing | None = None) -> None:
        super().__init__(parent)
        self.ring = ring

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if routed(self, event):
            event.accept()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            self.click()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        paint_inner_ring(self, self.ring)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        # On a zoomed or low page the controls scroll too: the one with focus is seen.
        reveal(self)
