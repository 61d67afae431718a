"""The kiosk window: renders a View and turns touches and keypad presses into Pressed events."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.events import Event, Pressed
from kiosk.core.messages import text
from kiosk.core.views import Line, View
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.pictogram import CardTapPictogram

# Controls shown as the main, full-width action; the rest share the row below.
PRIMARY = ("finish", "finish_return", "ok", "extend")
HEADER = ("lang.ko", "lang.en")
STATUS_ICON = {"ok": "✔", "refused": "✖", "unconfirmed": "?", "info": "ℹ"}


class KioskButton(QPushButton):
    """A control that a keypad's Enter activates like a touch."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            self.click()
        else:
            super().keyPressEvent(event)


def _clear(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            # Hidden first, explicitly: a widget added to the visible window has a show queued
            # for the next event loop turn, and once unparented that show would open it as a
            # top-level window of its own until its deletion (when two screens are rendered
            # in one turn).
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif inner is not None:
            _clear(inner)


def _label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class KioskWindow(QWidget):
    def __init__(self, theme: Theme, library_name: str, post: Callable[[Event], None]) -> None:
        super().__init__()
        self.theme = theme
        self.post = post
        self.view: View | None = None
        self.rendered: list[Callable[[View], None]] = []
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(theme.stylesheet())
        self.setWindowTitle(library_name)

        m = theme.mm
        root = QVBoxLayout(self)
        # The window is the panel: its size comes from the display settings, never from what
        # a screen holds. By default a top-level layout sets the window's minimum size from
        # its content, so every screen change whose content differs would resize the window's
        # constraints and make the platform propagate size hints (the offscreen platform
        # warns each time). Overflowing content scrolls in the list area instead.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(m(8), m(6), m(8), m(8))
        root.setSpacing(m(theme.GAP_MM))

        header = QHBoxLayout()
        self.library = _label(library_name, "library")
        header.addWidget(self.library, 1)
        self.header_controls = QHBoxLayout()
        self.header_controls.setSpacing(m(theme.GAP_MM))
        header.addLayout(self.header_controls)
        root.addLayout(header)

        self.title = _label(name="title", wrap=True)
        self.message = _label(name="message", wrap=True)
        self.countdown = _label(name="countdown", wrap=True)
        for label in (self.title, self.message, self.countdown):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            root.addWidget(label)

        self.body = QVBoxLayout()
        self.body.setSpacing(m(3))
        holder = QWidget()
        holder.setLayout(self.body)
        self.list_area = QScrollArea()
        self.list_area.setWidgetResizable(True)
        self.list_area.setWidget(holder)
        self.list_area.setFrameShape(QFrame.Shape.NoFrame)
        # A finger drags the list (single touch, no scroll wheel on a kiosk).
        QScroller.grabGesture(self.list_area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        root.addWidget(self.list_area, 1)

        self.controls = QVBoxLayout()
        self.controls.setSpacing(m(theme.GAP_MM))
        root.addLayout(self.controls)

    # ------------------------------------------------------------------ rendering

    def t(self, msg_id: str, **args: object) -> str:
        assert self.view is not None
        return text(msg_id, self.view.language, **args)

    def show_view(self, view: View) -> None:
        self.view = view
        self.title.setText(self.t(view.title))
        message = self.t(view.message, **view.args()) if view.message else ""
        if view.busy and view.screen == "borrow":
            message = self.t("working.checkout")
        self.message.setText(message)
        self.message.setAccessibleName(message)
        if view.countdown is not None:
            self.countdown.setText(self.t("notice.countdown", seconds=view.countdown))
            self.countdown.show()
        else:
            self.countdown.clear()
            self.countdown.hide()
        self._render_body(view)
        self._render_controls(view)
        # Widgets added to a visible window are shown only at the next event loop turn;
        # show them now so a grab right after render (screenshots, tests) sees them.
        for child in self.findChildren(QWidget):
            if (
                child.isHidden()
                and child is not self.countdown
                and not child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
            ):
                child.show()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        for callback in self.rendered:
            callback(view)

    def _render_body(self, view: View) -> None:
        _clear(self.body)
        p = self.theme.palette
        if view.screen == "idle":
            pict = CardTapPictogram(p.text, p.primary, self.theme.mm(90))
            self.body.addWidget(pict, 0, Qt.AlignmentFlag.AlignHCenter)
            hint = _label(self.t("idle.hint"), "message", wrap=True)
            hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(hint)
        elif view.screen == "borrow" and not view.lines:
            self.body.addWidget(_label(self.t("borrow.empty"), wrap=True))
        for line in view.lines:
            self.body.addWidget(self._line(line))
        self.body.addStretch(1)

    def _line(self, line: Line) -> QFrame:
        frame = QFrame()
        frame.setObjectName("line")
        row = QHBoxLayout(frame)
        m = self.theme.mm
        row.setContentsMargins(m(3), m(2), m(3), m(2))
        row.setSpacing(m(3))
        icon = _label(STATUS_ICON.get(line.status, ""), f"line_{line.status}")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        column = QVBoxLayout()
        if line.text:
            column.addWidget(_label(line.text, wrap=True))
        note = self.t(line.note, **dict(line.note_args)) if line.note else ""
        status_text = " · ".join(x for x in (line.detail, note) if x)
        if status_text:
            column.addWidget(_label(status_text, f"line_{line.status}", wrap=True))
        row.addLayout(column, 1)
        frame.setAccessibleName(" ".join(x for x in (line.text, status_text) if x))
        return frame

    def _button(self, control: str, primary: bool) -> QPushButton:
        button = KioskButton(self.t(f"control.{control}"))
        button.setObjectName("primary" if primary else "control")
        button.setProperty("control", control)
        button.setAccessibleName(self.t(f"control.{control}"))
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda: self.post(Pressed(control=control)))
        return button

    def _render_controls(self, view: View) -> None:
        _clear(self.header_controls)
        _clear(self.controls)
        enabled = not view.busy
        secondary = QHBoxLayout()
        secondary.setSpacing(self.theme.mm(self.theme.GAP_MM))
        first: QPushButton | None = None
        for control in view.controls:
            if control in HEADER:
                if control == f"lang.{view.language.value}":
                    continue
                button = self._button(control, False)
                button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
                self.header_controls.addWidget(button)
                continue
            button = self._button(control, control in PRIMARY)
            button.setEnabled(enabled or control in ("call_staff",))
            if control in PRIMARY:
                self.controls.addWidget(button)
            else:
                secondary.addWidget(button)
            first = first or button
        self.controls.addLayout(secondary)
        if first is not None and first.isEnabled():
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ keypad

    def buttons(self) -> dict[str, QPushButton]:
        """The control buttons now on screen, by control id."""
        return {b.property("control"): b for b in self.findChildren(QPushButton) if b.property("control")}

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # A keypad's arrows move focus through the controls in order.
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.focusNextChild()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.focusPreviousChild()
        else:
            super().keyPressEvent(event)
