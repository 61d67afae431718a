"""The kiosk window: renders a View and turns touches and keypad presses into Pressed events.

A new View of the screen already shown updates it in place: the control buttons stay (their
text and enabled state follow the view) and so does every list row whose Line is unchanged;
only new or changed rows are made. Another screen is built afresh.

Under every screen the accessibility strip (kiosk/ui/strip.py) zooms the text to 200 %, turns
the high-contrast theme on, lays the screen out low on the panel (within 400-1,220 mm of the
floor), and shows the voice controls; the window keeps these itself (they are presentation, not
the visit's) and passes the voice controls to `presentation`, the app's handlers. The screen is
a page that scrolls when it is taller than the panel (zoomed, low): at 100 % it fits and only the
list scrolls."""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
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
from kiosk.core.views import View
from kiosk.ui.keys import BACK_CONTROLS, PRESENTATION, KeyMap
from kiosk.ui.strip import ZOOM, AccessStrip, Presentation, body_metrics, room
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.captions import fit, pack
from kiosk.ui.widgets.focus import reveal
from kiosk.ui.widgets.keypad import ERASE, Keypad
from kiosk.ui.widgets.line_row import STATUS_ICON as STATUS_ICON
from kiosk.ui.widgets.line_row import LineList, LineRow, discard, label
from kiosk.ui.widgets.pictogram import CardTapPictogram
from kiosk.ui.widgets.text_label import TextLabel

log = logging.getLogger(__name__)

# Controls shown as the main, full-width action; the rest share the row below.
PRIMARY = ("finish", "finish_return", "ok", "extend", "agree")
HEADER = ("lang.ko", "lang.en")
SECONDARY_PER_ROW = 3
# Offered even while the kiosk is busy with the library.
ALWAYS_ENABLED = ("call_staff",)
# Low position: every control and all essential information within this height above the
# floor (millimetres; KS X 9211 as summarised in design.md).
LOW_BAND_MM = (400.0, 1220.0)
# The bottom edge of the panel above the floor when the app does not say ([display]).
MOUNT_BOTTOM_MM = 850.0
# The list area keeps room for a row or so when the page is full (then the page scrolls).
LIST_MIN_MM = 40.0

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
    def __init__(
        self,
        theme: Theme,
        library_name: str,
        post: Callable[[Event], None],
        keys: KeyMap | None = None,
        mount_bottom_mm: float = MOUNT_BOTTOM_MM,
    ) -> None:
        super().__init__()
        # The theme the configuration sets; `theme` is it as presented now (zoom, contrast).
        self.base_theme = theme
        self.theme = theme
        self.post = post
        self.keys = keys or KeyMap.default()
        # Height of the panel's bottom edge above the floor (low position is computed from it).
        self.mount_bottom_mm = mount_bottom_mm
        # The app's handlers of the voice controls ("voice.repeat", ...): the strip offers those
        # it finds here, and a press calls the handler (never the visit's flow).
        self.presentation: dict[str, Callable[[], None]] = {}
        self.mode = self._first_mode()
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
        self._controls_key: tuple[object, ...] | None = None
        self._buttons: dict[str, KioskButton] = {}
        # Each button's caption as shown (broken onto lines when zoomed).
        self._shown_captions: dict[str, str] = {}
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
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        # Low position: the panel above 1,220 mm (and below 400 mm) is left empty.
        self.top_space = QWidget()
        self.bottom_space = QWidget()
        for space in (self.top_space, self.bottom_space):
            space.setFixedHeight(0)
        # The page: everything of a screen, scrolled when taller than the panel.
        self.page = QScrollArea()
        self.page.setObjectName("page")
        self.page.setWidgetResizable(True)
        self.page.setFrameShape(QFrame.Shape.NoFrame)
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QScroller.grabGesture(self.page.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        sheet = QWidget()
        sheet.setObjectName("sheet")
        self.column = QVBoxLayout(sheet)
        self.column.setContentsMargins(m(8), m(6), m(8), m(8))
        self.column.setSpacing(m(theme.GAP_MM))
        self.page.setWidget(sheet)
        root.addWidget(self.top_space)
        root.addWidget(self.page, 1)
        root.addWidget(self.bottom_space)

        header = QHBoxLayout()
        self.library = label(library_name, "library", wrap=True)
        header.addWidget(self.library, 1)
        self.header_controls = QHBoxLayout()
        self.header_controls.setSpacing(m(theme.GAP_MM))
        header.addLayout(self.header_controls)
        self.column.addLayout(header)

        self.title = label(name="title", wrap=True)
        self.message = label(name="message", wrap=True)
        self.countdown = label(name="countdown", wrap=True)
        for widget in (self.title, self.message, self.countdown):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            self.column.addWidget(widget)

        # The list area: what a screen shows above its list (the idle pictogram, "no books
        # yet", keypad fields), the keypad while there are fields, the list's rows, and a
        # stretch below them. Zoomed, it is part of the page (one scroll for everything).
        self.body = QVBoxLayout()
        self.body.setSpacing(m(3))
        self.intro = QVBoxLayout()
        self.intro.setSpacing(m(3))
        self.body.addLayout(self.intro)
        self.lines = LineList(theme, self._press)
        self.body.addWidget(self.lines)
        self.body.addStretch(1)
        self.holder = QWidget()
        self.holder.setLayout(self.body)
        # Growing with the list repaints only the area added, not every row on screen.
        self.holder.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.list_area = QScrollArea()
        self.list_area.setWidgetResizable(True)
        self.list_area.setWidget(self.holder)
        self.list_area.setFrameShape(QFrame.Shape.NoFrame)
        self.list_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_area.setMinimumHeight(m(LIST_MIN_MM))
        # A finger drags the list (single touch, no scroll wheel on a kiosk).
        QScroller.grabGesture(self.list_area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.column.addWidget(self.list_area, 1)

        self.controls = QVBoxLayout()
        self.controls.setSpacing(m(theme.GAP_MM))
        self.column.addLayout(self.controls)
        self.strip = AccessStrip(self.present)
        self.column.addWidget(self.strip)

    def _first_mode(self) -> Presentation:
        """The presentation a visit starts with: the configured theme's."""
        return Presentation(high_contrast=self.base_theme.high_contrast)

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
            _set_text(self.countdown, "")
            self.countdown.hide()
        else:
            self.countdown.hide()
        made = (
            self._render_body(view, same_screen)
            + self._render_keypad(view, same_screen)
            + self._render_controls(view, same_screen)
        )
        made += self._render_strip(view)
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
        self._settle(bool(made))
        for callback in self.rendered:
            callback(view)

    def _settle(self, made: bool) -> None:
        """Lay the screen out now rather than at the next event loop turn (a grab right after
        a render sees the screen as drawn)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.column.activate()
        if made:
            # The list's own layout, and the scroll areas sizing to their content.
            self.body.activate()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

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
                pict = CardTapPictogram(p.text, p.primary, self.theme.zoomed_mm(90))
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
        # Zoomed, a long number is broken onto a second line rather than cut.
        inside = 2 * (self.theme.mm(2) + self.theme.mm(0.5))
        _set_text(
            value, fit(shown or " ", body_metrics(self.theme, bold=True), self._content_width() - inside)
        )
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
            self.keypad.show_state(view.language, enabled=not view.busy, width=self._content_width())
        return made

    def _button(self, control: str, placement: str) -> KioskButton:
        button = KioskButton(ring=self.theme.focus_ring())
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

    def _scrolls(self) -> bool:
        """Whether the page may be taller than the panel (zoomed, or low): then it has a
        scroll bar. At 100 % every screen fits."""
        return self.theme.zoom > 1.0 or self.mode.low_position

    def _content_width(self) -> int:
        """The page's width for a screen's content: inside its margins, beside the scroll bar
        when it may have one."""
        margins = self.column.contentsMargins()
        scroll_bar = self.theme.mm(12) if self._scrolls() else 0  # the stylesheet's width
        return max(0, self.width() - margins.left() - margins.right() - scroll_bar)

    def _render_controls(self, view: View, same_screen: bool) -> list[QWidget]:
        shown = self._shown_controls(view)
        made: list[QWidget] = []
        # The language is in the key: captions of another length may need other rows.
        key = (shown, view.language, self.theme, self._content_width())
        if not same_screen or key != self._controls_key:
            self._controls_key = key
            _clear(self.header_controls)
            _clear(self.controls)
            self._buttons = {}
            self._shown_captions = {}
            secondary: list[KioskButton] = []
            available, gap = self._content_width(), self.theme.mm(self.theme.GAP_MM)
            for control, placement in shown:
                button = self._button(control, placement)
                self._buttons[control] = button
                made.append(button)
                if placement == "header":
                    self.header_controls.addWidget(button)
                elif placement == "primary":
                    self.controls.addWidget(button)
                    self._fit_caption(control, available, bold=True)
                else:
                    secondary.append(button)
            # The rest share rows below, at most SECONDARY_PER_ROW to a row and only as far as
            # their captions fit whole; a caption wider than the page (zoomed) is broken onto
            # lines, never cut.
            ids = [control for control, placement in shown if placement == "secondary"]
            metrics, extra = body_metrics(self.theme), room(self.theme)
            widths = [metrics.horizontalAdvance(self.t(f"control.{c}")) + extra for c in ids]
            start = 0
            for size in pack(widths, available, gap, SECONDARY_PER_ROW) or [0]:
                row = QHBoxLayout()
                row.setSpacing(gap)
                for i in range(start, start + size):
                    row.addWidget(secondary[i])
                    self._fit_caption(ids[i], available if size == 1 else widths[i])
                start += size
                self.controls.addLayout(row)
        enabled = not view.busy
        for control, placement in shown:
            button = self._buttons[control]
            caption = self.t(f"control.{control}")
            fitted = self._shown_captions.get(control, caption)
            if button.text() != fitted:
                button.setText(fitted)
            if button.accessibleName() != caption:
                button.setAccessibleName(caption)
            # The language button stays usable; call staff is always offered.
            button.setEnabled(enabled or placement == "header" or control in ALWAYS_ENABLED)
        return made

    def _fit_caption(self, control: str, width: int, bold: bool = False) -> None:
        caption = self.t(f"control.{control}")
        self._shown_captions[control] = fit(caption, body_metrics(self.theme, bold), width - room(self.theme))

    def _render_strip(self, view: View) -> list[QWidget]:
        handled = [control for control, handler in self.presentation.items() if callable(handler)]
        return list(
            self.strip.show_state(self.theme, view.language, self.mode, handled, self._content_width())
        )

    # ------------------------------------------------------------------ keypad

    def _focus_order(self, view: View) -> list[QWidget]:
        """As the screen reads, top to bottom: the header's language button, the keypad's keys
        and the list's touchable rows, the controls in the view's order, the strip last."""
        shown = self._shown_controls(view)
        header = [self._buttons[c] for c, placement in shown if placement == "header"]
        below = [self._buttons[c] for c, placement in shown if placement != "header"]
        rows: list[QWidget] = [*self._keypad_keys(), *self.lines.touchable()]
        return [*header, *rows, *below, *self.strip.buttons().values()]

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

    def route_key(self, event: QKeyEvent, target: QWidget | None = None) -> bool:
        """A physical keypad's key, wherever the focus is (widgets of the window pass their
        keys here first, as `target`): digits and Backspace type, the configured keys move the
        focus, press the target (else what has focus), go back or use the strip. True when
        the key was the kiosk's."""
        key = event.key()
        typed = TYPING_KEYS.get(key) if self._typing() else None
        if typed is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            # A digit or Backspace on a hardware keypad: what the on-screen key posts (a key
            # held down types once). Which key it was is neither logged nor kept.
            if not event.isAutoRepeat():
                self.post(Pressed(control=typed))
            return True
        action = self.keys.action(key)
        if action is None:
            return False
        if action in ("next", "previous"):
            self.focusNextPrevChild(action == "next")
        elif event.isAutoRepeat():
            pass  # a key held down presses once
        elif action == "enter":
            self._activate(target if target is not None and target is not self else self.focusWidget())
        elif action == "back":
            self._back()
        else:
            self.present(PRESENTATION[action])
        return True

    def _activate(self, widget: QWidget | None) -> None:
        if isinstance(widget, QAbstractButton):
            if widget.isEnabled():
                widget.click()
        elif isinstance(widget, LineRow):
            widget.activate()

    def _back(self) -> None:
        """The Back key: the screen's own way back (back, cancel typing) or else start over,
        whichever the view offers first; nothing while it is not enabled."""
        offered = self.view.controls if self.view is not None else ()
        for control in BACK_CONTROLS:
            if control in offered:
                button = self._buttons.get(control)
                if button is not None and button.isEnabled():
                    button.click()
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.route_key(event):
            event.accept()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ presentation

    def present(self, control: str) -> None:
        """A control of the accessibility strip: zoom, contrast and low position change the
        screen in place; "voice" shows or hides the voice controls; a voice control goes to
        the app's handler in `presentation`."""
        if control.startswith("voice."):
            handler = self.presentation.get(control)
            if handler is None:
                log.warning("no handler for %s", control)
            else:
                handler()
            return
        self._set_mode(self.mode.toggled(control), keep=control)

    def _arrange(self) -> None:
        """Zoomed or low, the list area's content is part of the page (one scroll for the whole
        screen, which is taller than the room it has); at 100 % it scrolls on its own between
        the message and the controls."""
        zoomed = self._scrolls()
        if zoomed and self.list_area.widget() is self.holder:
            self.list_area.takeWidget()
            self.list_area.hide()
            self.column.insertWidget(self.column.indexOf(self.list_area), self.holder, 1)
            self.holder.show()
        elif not zoomed and self.list_area.widget() is not self.holder:
            self.column.removeWidget(self.holder)
            self.list_area.setWidget(self.holder)
            self.list_area.show()

    def band(self) -> tuple[int, int]:
        """The window's rows (top, bottom: pixels from its top) within 400-1,220 mm of the
        floor, from the panel's mounting height; the whole window when it all is."""
        height, per_mm = self.height(), self.theme.px_per_mm
        low, high = LOW_BAND_MM
        top = height - (high - self.mount_bottom_mm) * per_mm
        bottom = height - (low - self.mount_bottom_mm) * per_mm
        return max(0, math.ceil(top)), min(height, math.floor(bottom))

    def _place_band(self) -> None:
        top, bottom = self.band() if self.mode.low_position else (0, self.height())
        if self.top_space.height() != top or self.bottom_space.height() != self.height() - bottom:
            self.top_space.setFixedHeight(top)
            self.bottom_space.setFixedHeight(self.height() - bottom)
            layout = self.layout()
            if layout is not None:
                layout.activate()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_band()
        if self.view is not None and event.oldSize().width() != event.size().width():
            # Captions and rows are fitted to the width.
            self._render(self.view, False)

    def reset_presentation(self) -> None:
        """Back to the configured presentation (a visit ended: the next patron starts afresh)."""
        self._set_mode(self._first_mode())

    def _set_mode(self, mode: Presentation, keep: str = "") -> None:
        if mode == self.mode:
            return
        before, self.mode = self.mode, mode
        base = self.base_theme
        theme = base.with_(
            zoom=max(base.zoom, ZOOM) if mode.zoom else base.zoom, high_contrast=mode.high_contrast
        )
        restyled = theme != self.theme
        if restyled:
            self.theme = theme
            self.lines.theme = theme
            self.setStyleSheet(theme.stylesheet())
            self._arrange()
        if mode.low_position != before.low_position:
            self._place_band()
            self._arrange()
        bar = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if self._scrolls() else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.page.setVerticalScrollBarPolicy(bar)
        if self.view is not None:
            self._render(self.view, restyled)
        # The strip's button just pressed keeps the focus (a keypad's patron stays there).
        button = self.strip.buttons().get(keep)
        if button is not None:
            button.setFocus(Qt.FocusReason.OtherFocusReason)
            reveal(button)


def _typed_only(key: tuple[object, ...], before: tuple[object, ...]) -> bool:
    """Whether two body keys differ only in what was typed into the same fields."""
    *rest, fields = key
    *rest_before, fields_before = before
    assert isinstance(fields, tuple) and isinstance(fields_before, tuple)
    return rest == rest_before and [f[:2] for f in fields] == [f[:2] for f in fields_before]


def _set_text(widget: QLabel, content: str) -> None:
    # Setting the same text again still makes the label ask for a new layout.
    if isinstance(widget, TextLabel):
        if widget.whole() != content:
            widget.set_whole(content)
    elif widget.text() != content:
        widget.setText(content)
