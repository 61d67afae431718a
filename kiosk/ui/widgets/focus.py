"""Keypad focus shared by every focusable widget of a screen: the arrows move through the focus
order, a widget that takes focus is scrolled into view, and the focus ring is drawn in two colours."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QWidget

from kiosk.ui.theme import FocusRing

FORWARD = (Qt.Key.Key_Down, Qt.Key.Key_Right)
BACK = (Qt.Key.Key_Up, Qt.Key.Key_Left)


def routed(widget: QWidget, event: QKeyEvent) -> bool:
    """Whether the window's keypad routing (KioskWindow.route_key: the configured keys) took
    `event`; a widget asks before its own handling, so a list scrolling or a button's own keys
    never get in the way."""
    route = getattr(widget.window(), "route_key", None)
    return bool(route is not None and route(event, widget))


def move_focus(widget: QWidget, key: int) -> bool:
    """An arrow moves the focus on through the order (rather than scrolling a list or moving
    within a grid); True when `key` was an arrow. (The kiosk window routes its configured
    keypad before this: see kiosk/ui/keys.py.)"""
    if key in FORWARD:
        widget.focusNextPrevChild(True)
    elif key in BACK:
        widget.focusNextPrevChild(False)
    else:
        return False
    return True


def reveal(widget: QWidget) -> None:
    """Scroll every scrolling area holding `widget` (the list, and the page when zoomed or
    low) so that it is seen, innermost first."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 0, 0)
        parent = parent.parentWidget()


def paint_inner_ring(widget: QWidget, ring: FocusRing | None, radius: int | None = None) -> None:
    """The focus ring's inner ring, inside the stylesheet's focus border: in the colour that
    stands out where the focus colour does not (a dark fill, a light one)."""
    if ring is None or not widget.hasFocus():
        return
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(ring.colour), ring.inner))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset = ring.outer + ring.inner / 2
    rect = QRectF(widget.rect()).adjusted(inset, inset, -inset, -inset)
    corner = max(0.0, (ring.radius if radius is None else radius) - inset)
    painter.drawRoundedRect(rect, corner, corner)
    painter.end()
