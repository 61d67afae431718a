"""The accessibility strip at the foot of every screen: bigger text, high contrast, low position, and
a button that shows the voice controls. What it changes is presentation, kept by the window and
reset when a visit ends; it never reaches the visit's flow."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.ui.theme import FONT_FAMILY, Theme
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.captions import fit, pack
from kiosk.ui.widgets.line_row import discard

TOGGLES = ("zoom", "contrast", "low_position", "voice")
VOICE = ("voice.repeat", "voice.stop", "voice.louder", "voice.softer", "voice.faster", "voice.slower")
# The most buttons to a row (fewer when their captions would not fit whole).
TOGGLES_PER_ROW = 4
VOICE_PER_ROW = 3
# Zoomed text is this much bigger.
ZOOM = 2.0


@dataclass(frozen=True)
class Presentation:
    """How the screen is presented for this patron (the strip's toggles)."""

    zoom: bool = False
    high_contrast: bool = False
    low_position: bool = False
    voice_open: bool = False

    def toggled(self, control: str) -> Presentation:
        """This presentation with the strip's `control` turned over."""
        name = {"zoom": "zoom", "contrast": "high_contrast", "low_position": "low_position"}.get(
            control, "voice_open"
        )
        return replace(self, **{name: not getattr(self, name)})

    def caption(self, control: str) -> str:
        """The message id of a strip button's caption: what a touch does now."""
        on = {
            "zoom": self.zoom,
            "contrast": self.high_contrast,
            "low_position": self.low_position,
            "voice": self.voice_open,
        }
        if control == "voice":
            return "control.voice_close" if self.voice_open else "control.voice"
        if on.get(control):
            return f"control.{control}_off"
        return f"control.{control}"


def room(theme: Theme) -> int:
    """What a button takes besides its caption: padding and the focus border, both sides."""
    return 2 * theme.mm(theme.PADDING_MM) + 2 * theme.mm(theme.FOCUS_MM)


def body_metrics(theme: Theme, bold: bool = False) -> QFontMetrics:
    """The metrics of the kiosk's text as the stylesheet sets it (before widgets are polished)."""
    font = QFont(FONT_FAMILY)
    font.setPixelSize(theme.text_mm(theme.TEXT_MM))
    font.setBold(bold)
    return QFontMetrics(font)


class AccessStrip(QWidget):
    """The strip's buttons in rows, as many to a row as fit whole; `press(control)` is called
    with "zoom", "contrast", "low_position", "voice" (show or hide the voice controls) or one
    of VOICE. The voice controls shown are those the app handles (`voice`)."""

    def __init__(self, press: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("access_strip")
        self._press = press
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._buttons: dict[str, KioskButton] = {}
        self._key: tuple[object, ...] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def show_state(
        self, theme: Theme, language: Language, mode: Presentation, voice: Collection[str], width: int
    ) -> list[KioskButton]:
        """Buttons for this presentation, in `language`, in rows of `width` pixels; made anew
        only when one of these changed. Returns the buttons made."""
        voice = tuple(c for c in VOICE if c in voice)
        key = (theme, language, mode, voice, width)
        if key == self._key:
            return []
        self._key = key
        self.setAccessibleName(text("access.strip", language))
        while self._rows.count():
            item = self._rows.takeAt(0)
            inner = item.layout() if item is not None else None
            if inner is not None:
                while inner.count():
                    child = inner.takeAt(0)
                    widget = child.widget() if child is not None else None
                    if widget is not None:
                        discard(widget)
        self._buttons = {}
        self._rows.setSpacing(theme.mm(theme.GAP_MM))
        groups = [[c for c in TOGGLES if c != "voice" or voice]]
        if mode.voice_open and voice:
            groups.append(list(voice))
        metrics = body_metrics(theme)
        gap, extra = theme.mm(theme.GAP_MM), room(theme)
        made = []
        for group, most in zip(groups, (TOGGLES_PER_ROW, VOICE_PER_ROW), strict=False):
            captions = [text(mode.caption(c) if c in TOGGLES else f"control.{c}", language) for c in group]
            widths = [metrics.horizontalAdvance(caption) + extra for caption in captions]
            start = 0
            for size in pack(widths, width, gap, most):
                row = QHBoxLayout()
                row.setSpacing(gap)
                for i in range(start, start + size):
                    room_for = (width if size == 1 else widths[i]) - extra
                    button = self._button(theme, group[i], captions[i], fit(captions[i], metrics, room_for))
                    row.addWidget(button)
                    made.append(button)
                start += size
                self._rows.addLayout(row)
        return made

    def _button(self, theme: Theme, control: str, caption: str, shown: str) -> KioskButton:
        button = KioskButton(self, theme.focus_ring())
        button.setObjectName("access")
        button.setProperty("control", control)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setText(shown)
        button.setAccessibleName(caption)
        button.clicked.connect(lambda _checked=False, control=control: self._press(control))
        self._buttons[control] = button
        return button

    def buttons(self) -> dict[str, KioskButton]:
        """The strip's buttons by control, in focus order."""
        return dict(self._buttons)
