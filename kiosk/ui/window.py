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
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QWidget

from kiosk.core.events import Event, Pressed
from kiosk.core.messages import text
from kiosk.core.views import View
from kiosk.ui.controls import ControlButtons, clear, placement, shown_controls
from kiosk.ui.frame import LOW_BAND_MM as LOW_BAND_MM
from kiosk.ui.frame import MOUNT_BOTTOM_MM, ScreenFrame
from kiosk.ui.keys import BACK_CONTROLS, PRESENTATION, KeyMap
from kiosk.ui.strip import ZOOM, Presentation, body_metrics
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.captions import fit
from kiosk.ui.widgets.focus import reveal
from kiosk.ui.widgets.keypad import ERASE, Keypad
from kiosk.ui.widgets.line_row import STATUS_ICON as STATUS_ICON
from kiosk.ui.widgets.line_row import LineRow, discard, label
from kiosk.ui.widgets.pictogram import CardTapPictogram
from kiosk.ui.widgets.text_label import TextLabel, plain

log = logging.getLogger(__name__)
# The technician's hidden gesture: this many taps on the library's name within this long.
GESTURE_TAPS, GESTURE_S = 5, 3.0

# What has keypad focus: ("control", id), ("line", position, detail) or ("key", control).
FocusKey = tuple[object, ...]

# A hardware keyboard's or PIN pad's keys (main row and numeric keypad alike) that type into
# a screen's fields: they post what the on-screen keypad's keys post.
TYPING_KEYS: dict[int, str] = {
    **{Qt.Key.Key_0 + n: f"key.{n}" for n in range(10)},
    Qt.Key.Key_Backspace: ERASE,
}


class KioskWindow(ScreenFrame):
    def __init__(
        self,
        theme: Theme,
        library_name: str,
        post: Callable[[Event], None],
        keys: KeyMap | None = None,
        mount_bottom_mm: float = MOUNT_BOTTOM_MM,
    ) -> None:
        super().__init__(theme, library_name, self._press, self.present, mount_bottom_mm)
        # The theme the configuration sets; `theme` is it as presented now (zoom, contrast).
        self.base_theme = theme
        self.post = post
        self.locked = False
        self._name_taps: list[float] = []
        self.keys = keys or KeyMap.default()
        # The app's handlers of the voice controls ("voice.repeat", ...): the strip offers those
        # it finds here, and a press calls the handler (never the visit's flow).
        self.presentation: dict[str, Callable[[], None]] = {}
        self.view: View | None = None
        self.rendered: list[Callable[[View], None]] = []
        # A busy screen on the same screen is drawn only when the answer takes longer than
        # this: a quick library never flashes "working" (0: drawn at once).
        self.busy_delay_ms = 0
        self._deferred: View | None = None
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.timeout.connect(self._show_deferred)
        # What the list area was built from: what it shows besides the list (language,
        # pictogram, hint, empty-list text, fields).
        self._body_key: tuple[object, ...] | None = None
        self._controls = ControlButtons(self.header_controls, self.controls, self._press)
        # The value labels of the fields shown, in order (updated in place as the patron types).
        self._field_values: list[QLabel] = []
        # The on-screen keypad, while the view has fields.
        self.keypad: Keypad | None = None
        # Focus the keypad had on a control or row that went disabled (busy), and where Qt
        # moved it then: given back when that control is enabled again, unless moved since.
        self._focus_held: tuple[FocusKey, FocusKey | None] | None = None

    @property
    def _buttons(self) -> dict[str, QPushButton]:
        return dict(self._controls.buttons)

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
        # Widgets added to a visible window are shown only at the next event loop turn;
        # show them now so a grab right after render (screenshots, tests) sees them, and so
        # that the focus placed below holds (a hidden widget takes none, and a window made
        # active would then start at the first of its focus chain).
        explicit = Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        for widget in made:
            for child in (widget, *widget.findChildren(QWidget)):
                if child.isHidden() and not child.testAttribute(explicit):
                    child.show()
        self._place_focus(same_screen, wanted)
        self.settle(bool(made))
        if same_screen and self.lines.newest is not None:
            # A book added or answered on the screen in use: its row scrolled into view.
            area = self.page if self.scrolls() else self.list_area
            area.ensureWidgetVisible(self.lines.newest, 0, self.theme.mm(3))
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
            clear(self.intro)
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
            value, fit(shown or " ", body_metrics(self.theme, bold=True), self.content_width() - inside)
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
            self.keypad.show_state(view.language, enabled=not view.busy, width=self.content_width())
        return made

    def _render_controls(self, view: View, same_screen: bool) -> list[QWidget]:
        made = self._controls.show(view, self.theme, self.content_width(), same_screen)
        header = [b for c, b in self._controls.buttons.items() if placement(c) == "header"]
        name = body_metrics(self.theme, bold=True).horizontalAdvance(plain(self.library))
        self.fit_header(list(header), name)
        return made

    def _render_strip(self, view: View) -> list[QWidget]:
        handled = [control for control, handler in self.presentation.items() if callable(handler)]
        width = self.content_width()
        return list(self.strip.show_state(self.theme, view.language, self.mode, handled, width))

    # ------------------------------------------------------------------ keypad

    def _focus_order(self, view: View) -> list[QWidget]:
        """As the screen reads, top to bottom: the header's language button, the keypad's keys
        and the list's touchable rows, the controls in the view's order, the strip last."""
        shown, buttons = shown_controls(view), self._controls.buttons
        header = [buttons[c] for c, where in shown if where == "header"]
        below = [buttons[c] for c, where in shown if where != "header"]
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
        first: QWidget | None = next((b for c, b in self._buttons.items() if placement(c) != "header"), None)
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
            if not event.isAutoRepeat():
                # The patron is there: as a touch beside the controls, it gives more time.
                self.post(Pressed(control="touch"))
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

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        # A touch anywhere beside the controls (text, the list's background) is still the
        # patron at the kiosk: it gives more time. One on a row or a control is that control's.
        widget = self.childAt(event.position().toPoint())
        if widget is self.library or (widget is not None and self.library.isAncestorOf(widget)):
            self._tap_library_name()
        while widget is not None and widget is not self:
            if widget.property("control") or isinstance(widget, LineRow):
                break
            widget = widget.parentWidget()
        else:
            self.post(Pressed(control="touch"))
        super().mousePressEvent(event)

    def _tap_library_name(self) -> None:
        """The hidden gesture: GESTURE_TAPS taps on the library's name within GESTURE_S
        seconds ask for the technician's screen (the flow asks for the PIN)."""
        now = time.monotonic()
        self._name_taps = [t for t in self._name_taps if now - t <= GESTURE_S] + [now]
        if len(self._name_taps) >= GESTURE_TAPS:
            self._name_taps = []
            self.post(Pressed(control="technician"))

    # ------------------------------------------------------------------ lock-down

    def lock_down(self, full_screen: bool = True) -> None:
        """The patron cannot leave: frameless, on top, no close (a window manager's close
        request or Alt+F4 is ignored), no context menu. `unlock()` is the technician's."""
        self.locked = True
        flags = Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        self.setWindowFlags(self.windowFlags() | flags)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if full_screen:
            self.showFullScreen()
        else:
            self.show()

    def unlock(self) -> None:
        self.locked = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.locked:
            log.warning("a request to close the kiosk window was ignored (locked down)")
            event.ignore()
            return
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Locked down: no context menu anywhere (a long press on a label, a right click).
        if self.locked and event.type() == QEvent.Type.ContextMenu:
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.route_key(event):
            event.accept()
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ presentation

    def present(self, control: str) -> None:
        """A control of the accessibility strip: zoom, contrast and low position change the
        screen in place; "voice" shows or hides the voice controls; a voice control goes to
        the app's handler in `presentation`. None of them reaches the visit's flow but as a
        touch (the patron is there: it gives more time, as any touch does)."""
        self.post(Pressed(control="touch"))
        if control.startswith("voice."):
            handler = self.presentation.get(control)
            if handler is None:
                log.warning("no handler for %s", control)
            else:
                handler()
            return
        self._set_mode(self.mode.toggled(control), keep=control)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.place_band()
        if self.view is not None and event.oldSize().width() != event.size().width():
            # Captions and rows are fitted to the width.
            self._render(self.view, False)

    def reset_presentation(self) -> None:
        """Back to the configured presentation (a visit ended: the next patron starts afresh)."""
        self._set_mode(Presentation(high_contrast=self.base_theme.high_contrast))

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
        if restyled or mode.low_position != before.low_position:
            self.arrange()
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
