"""The kiosk window: renders a View and turns touches and keypad presses into Pressed events.

A new View of the screen already shown updates it in place: the control buttons stay (their
text and enabled state follow the view) and so does every list row whose Line is unchanged;
only new or changed rows are made. Another screen is built afresh."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
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
from kiosk.core.model import Language
from kiosk.core.views import View
from kiosk.ui.theme import FONT_FAMILY, Theme
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.focus import move_focus
from kiosk.ui.widgets.keypad import ERASE, Keypad
from kiosk.ui.widgets.line_row import STATUS_ICON as STATUS_ICON
from kiosk.ui.widgets.line_row import LineList, discard, label
from kiosk.ui.widgets.pictogram import CardTapPictogram

# Controls shown as the main, full-width action; the rest share the row below.
PRIMARY = ("finish", "finish_return", "ok", "extend", "agree")
HEADER = ("lang.ko", "lang.en")
SECONDARY_PER_ROW = 3
# Offered even while the kiosk is busy with the library.
ALWAYS_ENABLED = ("call_staff",)

# What has keypad focus: ("control", id), ("line", position, detail) or ("key", control).
FocusKey = tuple[object, ...]

# A hardware keyboard's or PIN pad's keys (main row and numeric keypad alike) that type into
# a screen's fields: they post what the on-screen keypad's keys post.
TYPING_KEYS: dict[int, str] = {
    **{Qt.Key.Key_0 + n: f"key.{n}" for n in range(10)},
    Qt.Key.Key_Backspace: ERASE,
}


def _clear(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            discard(widget)
        elif inner is not None:
            _clear(inner)


def _placement(control: str) -> str:
    if control in HEADER:
        return "header"
    return "primary" if control in PRIMARY else "secondary"


class KioskWindow(QWidget):
    def __init__(self, theme: Theme, library_name: str, post: Callable[[Event], None]) -> None:
        super().__init__()
        self.theme = theme
        self.post = post
        self.view: View | None = None
        self.rendered: list[Callable[[View], None]] = []
        # A busy screen on the same screen is drawn only when the answer takes longer than
        # this: a quick library never flashes "working" (0: drawn at once).
        self.busy_delay_ms = 0
        self._deferred: View | None = None
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.timeout.connect(self._show_deferred)
        # What the screen shown was built from: what its list area shows besides the list
        # (language, pictogram, hint, empty-list text) and the buttons' layout (control and
        # placement, in order).
        self._body_key: tuple[object, ...] | None = None
        self._controls_key: tuple[tuple[tuple[str, str], ...], Language] | None = None
        self._buttons: dict[str, KioskButton] = {}
        # The value labels of the fields shown, in order (updated in place as the patron types).
        self._field_values: list[QLabel] = []
        # The on-screen keypad, while the view has fields.
        self.keypad: Keypad | None = None
        # Focus the keypad had on a control or row that went disabled (busy), and where Qt
        # moved it then: given back when that control is enabled again, unless moved since.
        self._focus_held: tuple[FocusKey, FocusKey | None] | None = None
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
        self.library = label(library_name, "library")
        header.addWidget(self.library, 1)
        self.header_controls = QHBoxLayout()
        self.header_controls.setSpacing(m(theme.GAP_MM))
        header.addLayout(self.header_controls)
        root.addLayout(header)

        self.title = label(name="title", wrap=True)
        self.message = label(name="message", wrap=True)
        self.countdown = label(name="countdown", wrap=True)
        for widget in (self.title, self.message, self.countdown):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            root.addWidget(widget)

        # The list area: what a screen shows above its list (the idle pictogram, "no books
        # yet", keypad fields), the keypad while there are fields, the list's rows, and a
        # stretch below them.
        self.body = QVBoxLayout()
        self.body.setSpacing(m(3))
        self.intro = QVBoxLayout()
        self.intro.setSpacing(m(3))
        self.body.addLayout(self.intro)
        self.lines = LineList(theme, self._press)
        self.body.addWidget(self.lines)
        self.body.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.body)
        # Growing with the list repaints only the area added, not every row on screen.
        holder.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
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

    def show_view(self, view: View, *, rebuild: bool = False) -> None:
        """Show `view`; `rebuild` makes every row and button afresh even on the same screen.
        With `busy_delay_ms`, a busy view of the screen already shown waits that long: the
        answer usually comes first and replaces it, so nothing flashes."""
        self._busy_timer.stop()
        self._deferred = None
        shown = self.view
        if (
            self.busy_delay_ms
            and view.busy
            and not rebuild
            and shown is not None
            and not shown.busy
            and shown.screen == view.screen
            and shown.language == view.language
        ):
            self._deferred = view
            self._busy_timer.start(self.busy_delay_ms)
            return
        self._render(view, rebuild)

    def _show_deferred(self) -> None:
        view, self._deferred = self._deferred, None
        if view is not None:
            self._render(view, False)

    def _render(self, view: View, rebuild: bool) -> None:
        previous = self.view
        same_screen = not rebuild and previous is not None and previous.screen == view.screen
        wanted = self._focus_wanted()
        self.view = view
        _set_text(self.title, self.t(view.title))
        message = self.t(view.message, **view.args()) if view.message else ""
        _set_text(self.message, message)
        if self.message.accessibleName() != message:
            self.message.setAccessibleName(message)
        if view.countdown is not None:
            _set_text(self.countdown, self.t("notice.countdown", seconds=view.countdown))
            self.countdown.show()
        elif self.countdown.text():
            self.countdown.clear()
            self.countdown.hide()
        else:
            self.countdown.hide()
        made = (
            self._render_body(view, same_screen)
            + self._render_keypad(view, same_screen)
            + self._render_controls(view, same_screen)
        )
        if made:
            self._order_focus(view)
        self._place_focus(same_screen, wanted)
        # Widgets added to a visible window are shown only at the next event loop turn;
        # show them now so a grab right after render (screenshots, tests) sees them.
        explicit = Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        for widget in made:
            for child in (widget, *widget.findChildren(QWidget)):
                if child.isHidden() and not child.testAttribute(explicit):
                    child.show()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        if made:
            # The list's own layout, and the scroll area sizing it to its content, run now
            # rather than at the next turn, for the same reason.
            self.body.activate()
            QCoreApplication.sendPostedEvents(self.list_area.viewport(), QEvent.Type.LayoutRequest)
        for callback in self.rendered:
            callback(view)

    def _render_body(self, view: View, same_screen: bool) -> list[QWidget]:
        made: list[QWidget] = []
        empty = view.empty if not view.lines else ""
        # A keypad field shows what was typed (a secret one as dots, never the digits); a
        # secret or private one is told (accessible name, so spoken) by how many characters.
        fields = tuple(
            (field.label, field.secret or field.private, field.shown(), len(field.value))
            for field in view.inputs
        )
        key = (view.language, view.pictogram, view.hint, empty, fields)
        if same_screen and self._body_key is not None and _typed_only(key, self._body_key):
            # Only what was typed changed: the fields' value labels show it, nothing is rebuilt.
            self._body_key = key
            for value, (name, masked, shown, count) in zip(self._field_values, fields, strict=True):
                self._show_value(value, name, shown, count if masked else None)
        elif not same_screen or key != self._body_key:
            self._body_key = key
            self._field_values = []
            _clear(self.intro)
            self.lines.clear()
            p = self.theme.palette
            if view.pictogram == "card_tap":
                pict = CardTapPictogram(p.text, p.primary, self.theme.mm(90))
                self.intro.addWidget(pict, 0, Qt.AlignmentFlag.AlignHCenter)
                made.append(pict)
            if view.hint:
                hint = label(self.t(view.hint), "message", wrap=True)
                hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.intro.addWidget(hint)
                made.append(hint)
            if empty:
                nothing = label(self.t(empty), wrap=True)
                self.intro.addWidget(nothing)
                made.append(nothing)
            for name, masked, shown, count in fields:
                caption = label(self.t(name), "message", wrap=True)
                value = label(name="input")
                self._show_value(value, name, shown, count if masked else None)
                self.intro.addWidget(caption)
                self.intro.addWidget(value)
                self._field_values.append(value)
                made += [caption, value]
        return made + self.lines.show_lines(view.lines, view.language, enabled=not view.busy)

    def _show_value(self, value: QLabel, name: str, shown: str, count: int | None) -> None:
        """A field's value as shown (a secret one as dots) and told: as shown, or with
        `count` (a secret or private field) by how many characters, never which."""
        _set_text(value, shown or " ")
        told = shown if count is None else self.t("input.entered", count=count)
        said = f"{self.t(name)}: {told}"
        if value.accessibleName() != said:
            value.setAccessibleName(said)

    def _render_keypad(self, view: View, same_screen: bool) -> list[QWidget]:
        """The keypad under the fields while the view has any; kept (the same widget) across
        views of the same screen, its keys disabled while busy."""
        made: list[QWidget] = []
        if self.keypad is not None and not (view.inputs and same_screen):
            discard(self.keypad)
            self.keypad = None
        if view.inputs and self.keypad is None:
            self.keypad = Keypad(self.theme, self._press)
            # Directly under the fields (the intro), above any rows of the list.
            below_fields = self.body.indexOf(self.lines)
            self.body.insertWidget(below_fields, self.keypad, 0, Qt.AlignmentFlag.AlignHCenter)
            made.append(self.keypad)
        if self.keypad is not None:
            self.keypad.show_state(view.language, enabled=not view.busy)
        return made

    def _button(self, control: str, placement: str) -> KioskButton:
        button = KioskButton()
        button.setObjectName("primary" if placement == "primary" else "control")
        button.setProperty("control", control)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        horizontal = QSizePolicy.Policy.Minimum if placement == "header" else QSizePolicy.Policy.Expanding
        button.setSizePolicy(horizontal, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda: self.post(Pressed(control=control)))
        return button

    def _shown_controls(self, view: View) -> tuple[tuple[str, str], ...]:
        """The controls to show, with their placement: the other language's button only."""
        return tuple(
            (control, _placement(control))
            for control in view.controls
            if control != f"lang.{view.language.value}"
        )

    def _fitting_per_row(self, buttons: list[KioskButton], captions: list[str]) -> int:
        """How many buttons a row holds with every caption whole (at most SECONDARY_PER_ROW)."""
        if not buttons:
            return SECONDARY_PER_ROW
        # The buttons' font as the stylesheet sets it (they are not in the window yet).
        font = QFont(FONT_FAMILY)
        font.setPixelSize(self.theme.text_mm(self.theme.TEXT_MM))
        metrics = QFontMetrics(font)
        root = self.layout()
        margins = root.contentsMargins() if root is not None else None
        available = self.width() - (margins.left() + margins.right() if margins is not None else 0)
        gap, padding = self.theme.mm(self.theme.GAP_MM), self.theme.mm(8)
        for per_row in range(SECONDARY_PER_ROW, 1, -1):
            width = (available - gap * (per_row - 1)) / per_row
            if all(metrics.horizontalAdvance(caption) + padding <= width for caption in captions):
                return per_row
        return 1

    def _render_controls(self, view: View, same_screen: bool) -> list[QWidget]:
        shown = self._shown_controls(view)
        made: list[QWidget] = []
        # The language is in the key: captions of another length may need other rows.
        if not same_screen or (shown, view.language) != self._controls_key:
            self._controls_key = (shown, view.language)
            _clear(self.header_controls)
            _clear(self.controls)
            self._buttons = {}
            secondary: list[KioskButton] = []
            for control, placement in shown:
                button = self._button(control, placement)
                self._buttons[control] = button
                made.append(button)
                if placement == "header":
                    self.header_controls.addWidget(button)
                elif placement == "primary":
                    self.controls.addWidget(button)
                else:
                    secondary.append(button)
            # The rest share rows below, at most SECONDARY_PER_ROW to a row (fewer when their
            # captions would not fit whole), rows evenly filled.
            captions = [
                self.t(f"control.{control}") for control, placement in shown if placement == "secondary"
            ]
            rows = max(1, -(-len(secondary) // self._fitting_per_row(secondary, captions)))
            per_row = max(1, -(-len(secondary) // rows))
            for start in range(0, max(1, len(secondary)), per_row):
                row = QHBoxLayout()
                row.setSpacing(self.theme.mm(self.theme.GAP_MM))
                for button in secondary[start : start + per_row]:
                    row.addWidget(button)
                self.controls.addLayout(row)
        enabled = not view.busy
        for control, placement in shown:
            button = self._buttons[control]
            caption = self.t(f"control.{control}")
            if button.text() != caption:
                button.setText(caption)
                button.setAccessibleName(caption)
            # The language button stays usable; call staff is always offered.
            button.setEnabled(enabled or placement == "header" or control in ALWAYS_ENABLED)
        return made

    # ------------------------------------------------------------------ keypad

    def _focus_order(self, view: View) -> list[QWidget]:
        """Controls in the view's order, the keypad's keys and then the list's touchable rows
        before the first control below the list."""
        order: list[QWidget] = []
        rows: list[QWidget] = [*self._keypad_keys(), *self.lines.touchable()]
        for control, placement in self._shown_controls(view):
            if placement != "header":
                order += rows
                rows = []
            order.append(self._buttons[control])
        return order + rows

    def _order_focus(self, view: View) -> None:
        order = self._focus_order(view)
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)

    def _keypad_keys(self) -> list[QWidget]:
        return list(self.keypad.ordered_keys()) if self.keypad is not None else []

    def _focus_key(self) -> FocusKey | None:
        focused = self.focusWidget()
        if focused is None:
            return None
        control = focused.property("control")
        if control and self.keypad is not None and self.keypad.key(control) is focused:
            return ("key", control)
        for key in self.lines.row_keys():
            if self.lines.row(key) is focused:
                return ("line", *key)
        if control and self._buttons.get(control) is focused:
            return ("control", control)
        return None

    def _widget(self, key: FocusKey) -> QWidget | None:
        if key[0] == "line":
            _, i, detail = key
            return self.lines.row((i, detail)) if isinstance(i, int) and isinstance(detail, str) else None
        if key[0] == "key":
            return self.keypad.key(str(key[1])) if self.keypad is not None else None
        return self._buttons.get(str(key[1]))

    def _focus_wanted(self) -> FocusKey | None:
        """Where the keypad's focus is, or was before a busy screen disabled it."""
        now = self._focus_key()
        held, self._focus_held = self._focus_held, None
        if held is not None and held[1] == now:
            return held[0]
        return now

    def _place_focus(self, same_screen: bool, wanted: FocusKey | None) -> None:
        # On the same screen the focus stays where the keypad put it (a row just toggled is
        # a new widget in the same place); a new screen starts at its first control, also
        # with fields (the on-screen keys are just before it: a PIN pad's digits type from
        # anywhere and its Enter then confirms), at the first key when it has no control.
        widget = self._widget(wanted) if same_screen and wanted is not None else None
        if widget is not None:
            if widget.isEnabled():
                if not widget.hasFocus():
                    widget.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                assert wanted is not None
                self._focus_held = (wanted, self._focus_key())
            return
        first: QWidget | None = next((b for c, b in self._buttons.items() if _placement(c) != "header"), None)
        if first is None and self.keypad is not None:
            first = self.keypad.ordered_keys()[0]
        if first is not None and first.isEnabled():
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def buttons(self) -> dict[str, QPushButton]:
        """The control buttons now on screen, by control id."""
        return dict(self._buttons)

    def _press(self, control: str) -> None:
        self.post(Pressed(control=control))

    def _typing(self) -> bool:
        """Whether the screen shown takes typing now: it has fields and is not busy."""
        return self.view is not None and bool(self.view.inputs) and not self.view.busy

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        typed = TYPING_KEYS.get(key) if self._typing() else None
        if typed is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            # A digit or Backspace on a hardware keypad: what the on-screen key posts (a key
            # held down types once). Which key it was is neither logged nor kept.
            if not event.isAutoRepeat():
                self.post(Pressed(control=typed))
            event.accept()
        # A keypad's arrows move focus through the controls in order.
        elif not move_focus(self, key):
            super().keyPressEvent(event)


def _typed_only(key: tuple[object, ...], before: tuple[object, ...]) -> bool:
    """Whether two body keys differ only in what was typed into the same fields."""
    *rest, fields = key
    *rest_before, fields_before = before
    assert isinstance(fields, tuple) and isinstance(fields_before, tuple)
    return rest == rest_before and [f[:2] for f in fields] == [f[:2] for f in fields_before]


def _set_text(widget: QLabel, content: str) -> None:
    # Setting the same text again still makes the label ask for a new layout.
    if widget.text() != content:
        widget.setText(content)
