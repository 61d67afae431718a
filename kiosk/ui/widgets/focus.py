"""Keypad focus shared by every focusable widget of a screen: the arrows move through the focus
order, and a widget that takes focus is scrolled into view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget

FORWARD = (Qt.Key.Key_Down, Qt.Key.Key_Right)
BACK = (Qt.Key.Key_Up, Qt.Key.Key_Left)


def move_focus(widget: QWidget, key: int) -> bool:
    """An arrow moves the focus on through the order (rather than scrolling a list or moving
    within a grid); True when `key` was an arrow."""
    if key in FORWARD:
        widget.focusNextPrevChild(True)
    elif key in BACK:
        widget.focusNextPrevChild(False)
    else:
        return False
    return True


def reveal(widget: QWidget) -> None:
    """Scroll the list area holding `widget` so that it is seen."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
