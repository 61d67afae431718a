"""Sizes in millimetres converted with the panel's pixels per millimetre, and the colour themes."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

FONT_FAMILY = "Noto Sans CJK KR"
# Text sizes are the height of the glyphs on the panel, not the font's size: in Noto Sans CJK
# a Latin capital is 0.733 of the font's pixel size tall, Hangul 0.92 (a 12 mm font draws 11 mm
# Hangul and 8.8 mm capitals). The font is made as big as the capitals need; Hangul is taller.
CAP_HEIGHT_EM = 0.733


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    on_primary: str
    secondary: str
    on_secondary: str
    ok: str
    refused: str
    focus: str
    # The focus ring is two rings, `focus` outside and `focus_inner` inside it: whatever a
    # control's fill and the page around it, one of the two stands out at 3:1 or more.
    focus_inner: str
    # A control that cannot be used now (busy screens): the page's colour, a dashed border,
    # muted text that still reads at 4.5:1 (disabled controls must still pass contrast).
    disabled: str
    on_disabled: str


# Every text/background pair here is at least 4.5:1 (tests/ui/test_theme.py checks it).
STANDARD = Palette(
    background="#F4F6F9",
    surface="#FFFFFF",
    text="#111827",
    muted="#374151",
    primary="#0B4F9C",
    on_primary="#FFFFFF",
    secondary="#E5E7EB",
    on_secondary="#111827",
    ok="#0A6B2F",
    refused="#B00020",
    focus="#C2410C",
    focus_inner="#FFFFFF",
    disabled="#F4F6F9",
    on_disabled="#5B6270",
)
HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#FFFFFF",
    muted="#FFFF66",
    primary="#FFFF00",
    on_primary="#000000",
    secondary="#FFFFFF",
    on_secondary="#000000",
    ok="#7CFC8A",
    refused="#FF8A8A",
    focus="#00FFFF",
    focus_inner="#000000",
    disabled="#000000",
    on_disabled="#A0A0A0",
)


@dataclass(frozen=True)
class FocusRing:
    """The keypad's focus as drawn: the stylesheet's border (`outer` px of the focus colour),
    and inside it a ring of `inner` px in the contrasting colour that the widget paints."""

    outer: int
    inner: int
    colour: str
    radius: int


@dataclass(frozen=True)
class Theme:
    px_per_mm: float = 4.0
    zoom: float = 1.0
    high_contrast: bool = False

    @property
    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.high_contrast else STANDARD

    def mm(self, millimetres: float) -> int:
        """Pixels for a physical length on the panel."""
        return round(millimetres * self.px_per_mm)

    def text_mm(self, millimetres: float) -> int:
        """The font's pixel size that draws Hangul and Latin capitals at least this many
        millimetres tall, zoomed (rounded up: never a pixel short)."""
        return math.ceil(millimetres * self.px_per_mm * self.zoom / CAP_HEIGHT_EM - 1e-9)

    def zoomed_mm(self, millimetres: float) -> int:
        """Pixels for a length that grows with the text (pictograms)."""
        return round(millimetres * self.px_per_mm * self.zoom)

    def with_(self, **changes: object) -> Theme:
        """This theme with another zoom or colours (the accessibility strip's modes)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    # Physical sizes (KS X 9211 figures as summarised in design.md). Text sizes are glyph
    # heights: every text on screen, a row's detail and note too, is at least TEXT_MM.
    TEXT_MM = 12.0
    TITLE_MM = 15.0
    TARGET_MM = 20.0  # touch targets: at least 12 x 12 mm; we use 20 mm tall
    GAP_MM = 4.0  # at least 2.5 mm between targets
    FOCUS_MM = 1.2  # the focus ring's outer border
    FOCUS_INNER_MM = 0.8  # and the ring inside it
    BUTTON_RADIUS_MM = 3.0
    PADDING_MM = 2.0  # either side of a button's caption

    def focus_ring(self) -> FocusRing:
        return FocusRing(
            outer=self.mm(self.FOCUS_MM),
            inner=self.mm(self.FOCUS_INNER_MM),
            colour=self.palette.focus_inner,
            radius=self.mm(self.BUTTON_RADIUS_MM),
        )

    def stylesheet(self) -> str:
        p = self.palette
        body = self.text_mm(self.TEXT_MM)
        title = self.text_mm(self.TITLE_MM)
        return f"""
        QWidget#kiosk {{ background: {p.background}; }}
        QWidget {{ color: {p.text}; font-family: "{FONT_FAMILY}"; font-size: {body}px; }}
        QLabel#title {{ font-size: {title}px; font-weight: bold; }}
        QLabel#library {{ color: {p.muted}; font-weight: bold; }}
        QLabel#message {{ color: {p.text}; }}
        QLabel#countdown {{ color: {p.refused}; font-weight: bold; }}
        QFrame#line {{ background: {p.surface}; border: {self.mm(0.5)}px solid {p.secondary};
                       border-radius: {self.mm(2)}px; }}
        QFrame#line_touch {{ background: {p.surface}; border: {self.mm(0.5)}px solid {p.muted};
                             border-radius: {self.mm(2)}px; }}
        QFrame#line_touch[selected="true"] {{ border: {self.mm(1)}px solid {p.primary}; }}
        QFrame#line_touch:focus {{ border: {self.mm(self.FOCUS_MM)}px solid {p.focus}; }}
        QFrame#line_touch:disabled {{ border: {self.mm(0.5)}px dashed {p.on_disabled}; }}
        QLabel#toggle_state_on {{ color: {p.primary}; font-weight: bold; }}
        QLabel#line_ok {{ color: {p.ok}; font-weight: bold; }}
        QLabel#line_refused {{ color: {p.refused}; font-weight: bold; }}
        QLabel#line_unconfirmed {{ color: {p.text}; font-weight: bold; }}
        QLabel#input {{ background: {p.surface}; border: {self.mm(0.5)}px solid {p.text};
                        border-radius: {self.mm(1)}px; padding: {self.mm(2)}px; font-weight: bold; }}
        QPushButton {{ min-height: {self.mm(self.TARGET_MM)}px; min-width: {self.mm(self.TARGET_MM)}px;
                       padding: 0 {self.mm(self.PADDING_MM) + self.mm(self.FOCUS_MM) - self.mm(0.5)}px;
                       border-radius: {self.mm(self.BUTTON_RADIUS_MM)}px;
                       background: {p.secondary}; color: {p.on_secondary};
                       border: {self.mm(0.5)}px solid {p.muted}; }}
        QPushButton#primary {{ background: {p.primary}; color: {p.on_primary}; font-weight: bold; }}
        QPushButton#access {{ background: {p.surface}; color: {p.text};
                              border: {self.mm(0.5)}px solid {p.text}; }}
        QPushButton:focus, QPushButton#access:focus {{
                       border: {self.mm(self.FOCUS_MM)}px solid {p.focus};
                       padding: 0 {self.mm(self.PADDING_MM)}px; }}
        QPushButton:disabled, QPushButton#primary:disabled {{
                       background: {p.disabled}; color: {p.on_disabled}; font-weight: normal;
                       border: {self.mm(0.5)}px dashed {p.on_disabled}; }}
        QScrollArea, QScrollArea > QWidget > QWidget {{ background: transparent; border: none; }}
        QScrollBar:vertical {{ width: {self.mm(12)}px; background: {p.secondary}; }}
        QScrollBar::handle:vertical {{ background: {p.muted}; min-height: {self.mm(12)}px;
                                       border-radius: {self.mm(2)}px; }}
        """
