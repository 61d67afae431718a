"""The on-screen numeric keypad: a phone-layout grid of big keys that post their control.

It keeps nothing typed: a key only calls `press("key.5")` (or "key.erase", "key.clear") and
the flow keeps the value, which the window shows in the field (a secret one as dots). A key's
accessible name is its own caption ("5", "지우기"), never what the field holds."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.ui.theme import FONT_FAMILY, Theme
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.captions import fit
from kiosk.ui.widgets.focus import move_focus, routed

ERASE = "key.erase"
CLEAR = "key.clear"
DIGITS = tuple(f"key.{n}" for n in range(10))
# Phone layout, in the order the keypad's focus visits the keys.
KEYS: tuple[tuple[str, str, str], ...] = (
    ("key.1", "key.2", "key.3"),
    ("key.4", "key.5", "key.6"),
    ("key.7", "key.8", "key.9"),
    (CLEAR, "key.0", ERASE),
)
# When zoomed text leaves clear's or erase's words too wide for a third of the keypad: 0 alone
# in the middle, then clear and erase each on half the row (the order the keypad's focus takes).
NARROW: tuple[tuple[str, ...], ...] = (*KEYS[:3], ("key.0",), (CLEAR, ERASE))
# Drawn before the key's words (the words alone are its accessible name).
ICONS = {ERASE: "⌫"}
# Keys are at least this tall (the theme's touch target is 20 mm; the standard asks 12 mm).
KEY_MM = Theme.TARGET_MM
# The keypad is no wider than this, centred: on a wide panel keys stay key-shaped.
MAX_WIDTH_MM = 230.0
# Room either side of a key's caption (less than other buttons': captions are centred and
# zoomed text must fit), and the stylesheet's focus border.
PADDING_MM = 1.0
BORDER_MM = 1.2


def spoken(control: str, language: Language) -> str:
    """A key's accessible name: the digit, or the words of erase and clear."""
    if control in DIGITS:
        return control.removeprefix("key.")
    return text(f"control.{control}", language)


def caption(control: str, language: Language) -> str:
    """What a key shows on one line: the digit, or an icon and the words."""
    words = spoken(control, language)
    icon = ICONS.get(control)
    return f"{icon} {words}" if icon else words


def wrapped(whole: str, metrics: QFontMetrics, width: int) -> str:
    """`whole` on one line if it fits `width`, else broken between words (zoomed text)."""
    return fit(whole, metrics, width)


class KeypadKey(KioskButton):
    """One key: a touch, or Enter while it has focus, posts its control; the arrows move
    through the focus order as on the rest of the screen (the list area around the keypad
    would scroll instead), and a key given focus is scrolled into view."""

    def __init__(self, control: str, parent: QWidget | None = None, theme: Theme | None = None) -> None:
        super().__init__(parent, theme.focus_ring() if theme is not None else None)
        self.control = control
        self.setObjectName("key")
        self.setProperty("control", control)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The keypad sizes its keys, all alike (captions are fitted to them).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if routed(self, event):
            event.accept()
        elif not move_focus(self, event.key()):
            super().keyPressEvent(event)


class Keypad(QWidget):
    """1 2 3 / 4 5 6 / 7 8 9 / clear 0 erase. `press(control)` is called with "key.0" …
    "key.9", "key.erase" or "key.clear". Captions follow `show_state`'s language; a caption
    too wide for its key (zoomed text) is broken between its words, never cut, and then every
    key grows alike; when clear's or erase's caption is wider than a third, 0 stands alone and
    clear and erase share the row below it (NARROW).

    The keys are placed here rather than by a grid layout: the keypad's height follows its
    width (heightForWidth), which a widget with a layout cannot tell its parent's layout."""

    def __init__(self, theme: Theme, press: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.language: Language | None = None
        self._keys: dict[str, KeypadKey] = {}
        self._captions: dict[str, str] = {}
        self._rows: tuple[tuple[str, ...], ...] = KEYS
        self._gap = theme.mm(theme.GAP_MM)
        # The keys' font as the stylesheet sets it, to fit captions before they are polished.
        font = QFont(FONT_FAMILY)
        font.setPixelSize(theme.text_mm(theme.TEXT_MM))
        self._metrics = QFontMetrics(font)
        self.setObjectName("keypad")
        self.setStyleSheet(f"QPushButton#key {{ padding: 0 {theme.mm(PADDING_MM)}px; }}")
        for row in KEYS:
            for control in row:
                key = KeypadKey(control, self, theme)
                key.clicked.connect(lambda _checked=False, control=control: press(control))
                self._keys[control] = key
        # As wide as the list area up to MAX_WIDTH_MM, or what the longest word needs (the
        # window centres it); as tall as its keys at that width.
        self.setMaximumWidth(theme.mm(MAX_WIDTH_MM))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def show_state(self, language: Language, enabled: bool, width: int = 0) -> None:
        """Captions in `language`; every key enabled or not. Changes only what differs.
        `width`: what the keypad will have, if known (its keys are then arranged for it)."""
        if language != self.language:
            self.language = language
            self.setAccessibleName(text("keypad.name", language))
            for control, key in self._keys.items():
                self._captions[control] = caption(control, language)
                key.setAccessibleName(spoken(control, language))
                # Styled now (the window's stylesheet sets a button's least height).
                key.ensurePolished()
            words = [word for whole in self._captions.values() for word in whole.split(" ")]
            widest = max(self._metrics.horizontalAdvance(word) for word in words)
            needed = 3 * (widest + 2 * self.theme.mm(PADDING_MM) + 2 * self.theme.mm(BORDER_MM))
            self.setMaximumWidth(max(self.theme.mm(MAX_WIDTH_MM), needed + 2 * self._gap))
            self._place(
                self.width() if self.width() > 0 and self.isVisible() else min(width, self.maximumWidth())
            )
            self.updateGeometry()
        for key in self._keys.values():
            if key.isEnabled() != enabled:
                key.setEnabled(enabled)

    def ordered_keys(self) -> list[KeypadKey]:
        """The keys in focus order: row by row, left to right, as they are arranged now."""
        return [self._keys[control] for row in self._rows for control in row]

    def key(self, control: str) -> KeypadKey | None:
        return self._keys.get(control)

    # ------------------------------------------------------------------ geometry

    def text_width(self, width: int, per_row: int = 3) -> int:
        """The width a caption may take on a key of a row of `per_row` keys when the keypad
        is `width` wide (0: unknown)."""
        if width <= 0:
            return 0
        column = (width - (per_row - 1) * self._gap) // per_row
        return column - 2 * self.theme.mm(PADDING_MM) - 2 * self.theme.mm(BORDER_MM)

    def arrangement(self, width: int) -> tuple[tuple[str, ...], ...]:
        """The phone layout, or NARROW when clear's or erase's caption is wider than a third
        (every key would otherwise be two lines tall)."""
        room = self.text_width(width)
        wide = [self._metrics.horizontalAdvance(self._captions.get(c, "")) for c in (CLEAR, ERASE)]
        return KEYS if room <= 0 or max(wide) <= room else NARROW

    def _shown(self, width: int) -> dict[str, str]:
        """Each key's caption as shown at this keypad width."""
        shown = {}
        for row in self.arrangement(width):
            # A key alone on its row keeps the middle third.
            room = self.text_width(width, 3 if len(row) == 1 else len(row))
            for control in row:
                shown[control] = wrapped(self._captions.get(control, ""), self._metrics, room)
        return shown

    def key_height(self, width: int) -> int:
        """Every key's height when the keypad is `width` wide: the touch target's, or more
        for a caption broken onto several lines."""
        lines = max((shown.count("\n") + 1 for shown in self._shown(width).values()), default=1)
        needed = lines * self._metrics.lineSpacing() + 2 * self.theme.mm(BORDER_MM)
        styled = max(key.minimumHeight() for key in self._keys.values())
        return max(self.theme.mm(KEY_MM), needed, styled)

    def _place(self, width: int) -> None:
        if width <= 0:
            return
        rows = self.arrangement(width)
        if rows != self._rows:
            self._rows = rows
            # The keypad's focus goes through the keys as they now stand.
            keys = self.ordered_keys()
            for before, after in itertools.pairwise(keys):
                QWidget.setTabOrder(before, after)
        height = self.key_height(width)
        shown = self._shown(width)
        for r, row in enumerate(rows):
            columns = 3 if len(row) == 1 else len(row)
            for c, control in enumerate(row):
                c += 1 if len(row) == 1 else 0  # alone: in the middle
                # Columns share the width to the pixel, gaps between them.
                left = c * (width + self._gap) // columns
                right = (c + 1) * (width + self._gap) // columns - self._gap
                key = self._keys[control]
                key.setGeometry(left, r * (height + self._gap), right - left, height)
                if key.text() != shown.get(control, ""):
                    key.setText(shown.get(control, ""))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        rows = len(self.arrangement(width))
        return rows * self.key_height(width) + (rows - 1) * self._gap

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # Its widest: the list area narrows it (captions then fitted to the keys).
        width = self.maximumWidth()
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # Never what makes the list area scroll sideways.
        return QSize(0, self.theme.mm(KEY_MM))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place(event.size().width())
