"""The order in which a keypad's arrows visit a window's widgets (Qt's focus chain)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def focus_chain(window: QWidget, names: dict[int, str]) -> list[str]:
    """The named widgets (by id) in focus order, those that take focus only."""
    order: list[str] = []
    widget = window.nextInFocusChain()
    while widget is not window:
        if id(widget) in names and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            order.append(names[id(widget)])
        widget = widget.nextInFocusChain()
    return order
