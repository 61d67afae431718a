"""A screen's control buttons: the language button in the header, the main action full width,
the rest sharing rows only as far as their captions fit whole (zoomed, broken onto lines)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.messages import text
from kiosk.core.views import View
from kiosk.ui.strip import body_metrics, room
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.captions import fit, pack
from kiosk.ui.widgets.line_row import discard

# Controls shown as the main, full-width action; the rest share the row below.
PRIMARY = ("finish", "finish_return", "ok", "extend", "agree")
HEADER = ("lang.ko", "lang.en")
SECONDARY_PER_ROW = 3
# Offered even while the kiosk is busy with the library.
ALWAYS_ENABLED = ("call_staff",)


def placement(control: str) -> str:
    if control in HEADER:
        return "header"
    return "primary" if control in PRIMARY else "secondary"


def clear(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            discard(widget)
        elif inner is not None:
            clear(inner)


def shown_controls(view: View) -> tuple[tuple[str, str], ...]:
    """The controls to show, with their placement: the other language's button only."""
    return tuple(
        (control, placement(control)) for control in view.controls if control != f"lang.{view.language.value}"
    )


class ControlButtons:
    """The buttons of the screen shown, in `header` and `rows`; a touch calls `press(control)`.
    Kept while the controls, language, theme and width stay (only text and enabled change)."""

    def __init__(self, header: QHBoxLayout, rows: QVBoxLayout, press: Callable[[str], None]) -> None:
        self.header = header
        self.rows = rows
        self.press = press
        self.buttons: dict[str, KioskButton] = {}
        # Each button's caption as shown (broken onto lines when zoomed).
        self._captions: dict[str, str] = {}
        self._key: tuple[object, ...] | None = None

    def show(self, view: View, theme: Theme, width: int, same_screen: bool) -> list[QWidget]:
        """The view's controls on `width` pixels; returns the buttons made."""
        shown = shown_controls(view)
        made: list[QWidget] = []
        # The language is in the key: captions of another length may need other rows.
        key = (shown, view.language, theme, width)
        if not same_screen or key != self._key:
            self._key = key
            made = self._make(view, shown, theme, width)
        enabled = not view.busy
        for control, where in shown:
            button = self.buttons[control]
            caption = text(f"control.{control}", view.language)
            fitted = self._captions.get(control, caption)
            if button.text() != fitted:
                button.setText(fitted)
            if button.accessibleName() != caption:
                button.setAccessibleName(caption)
            # The language button stays usable; call staff is always offered.
            button.setEnabled(enabled or where == "header" or control in ALWAYS_ENABLED)
        return made

    def _make(
        self, view: View, shown: tuple[tuple[str, str], ...], theme: Theme, width: int
    ) -> list[QWidget]:
        clear(self.header)
        clear(self.rows)
        self.buttons, self._captions = {}, {}
        gap, extra = theme.mm(theme.GAP_MM), room(theme)
        secondary: list[tuple[str, KioskButton]] = []
        for control, where in shown:
            button = self._button(theme, control, where)
            self.buttons[control] = button
            if where == "header":
                self.header.addWidget(button)
            elif where == "primary":
                self.rows.addWidget(button)
                self._fit(view, theme, control, width - extra, bold=True)
            else:
                secondary.append((control, button))
        # The rest share rows below, at most SECONDARY_PER_ROW to a row and only as far as
        # their captions fit whole; a caption wider than the page (zoomed) is broken onto
        # lines, never cut.
        metrics = body_metrics(theme)
        widths = [
            metrics.horizontalAdvance(text(f"control.{c}", view.language)) + extra for c, _ in secondary
        ]
        start = 0
        for size in pack(widths, width, gap, SECONDARY_PER_ROW) or [0]:
            row = QHBoxLayout()
            row.setSpacing(gap)
            for i in range(start, start + size):
                control, button = secondary[i]
                row.addWidget(button)
                self._fit(view, theme, control, (width if size == 1 else widths[i]) - extra)
            start += size
            self.rows.addLayout(row)
        return list(self.buttons.values())

    def _fit(self, view: View, theme: Theme, control: str, room_px: int, bold: bool = False) -> None:
        caption = text(f"control.{control}", view.language)
        self._captions[control] = fit(caption, body_metrics(theme, bold), room_px)

    def _button(self, theme: Theme, control: str, where: str) -> KioskButton:
        button = KioskButton(ring=theme.focus_ring())
        button.setObjectName("primary" if where == "primary" else "control")
        button.setProperty("control", control)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        horizontal = QSizePolicy.Policy.Minimum if where == "header" else QSizePolicy.Policy.Expanding
        button.setSizePolicy(horizontal, QSizePolicy.Policy.Fixed)
        button.clicked.connect(lambda: self.press(control))
        return button
