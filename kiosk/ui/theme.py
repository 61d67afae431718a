"""Sizes in millimetres converted with the panel's pixels per millimetre, and the colour themes."""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILY = "Noto Sans CJK KR"


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
    disabled="#000000",
    on_disabled="#A0A0A0",
)


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
        """Pixel size for text of this height, zoomed."""
        return round(millimetres * self.px_per_mm * self.zoom)

    # Physical sizes (KS X 9211 figures as summarised in design.md).
    TEXT_MM = 12.0
    TITLE_MM = 16.0
    TARGET_MM = 20.0  # touch targets: at least 12 x 12 mm; we use 20 mm tall
    GAP_MM = 4.0  # at least 2.5 mm between targets

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
        QFrame#line_touch:focus {{ border: {self.mm(1.2)}px solid {p.focus}; }}
        QFrame#line_touch:disabled {{ border: {self.mm(0.5)}px dashed {p.on_disabled}; }}
        QLabel#toggle_state_on {{ color: {p.primary}; font-weight: bold; }}
        QLabel#line_ok {{ color: {p.ok}; font-weight: bold; }}
        QLabel#line_refused {{ color: {p.refused}; font-weight: bold; }}
        QLabel#line_unconfirmed {{ color: {p.text}; font-weight: bold; }}
        QLabel#input {{ background: {p.surface}; border: {self.mm(0.5)}px solid {p.text};
                        border-radius: {self.mm(1)}px; padding: {self.mm(2)}px; font-weight: bold; }}
        QPushButton {{ min-height: {self.mm(self.TARGET_MM)}px; min-width: {self.mm(self.TARGET_MM)}px;
                       padding: 0 {self.mm(4)}px; border-radius: {self.mm(3)}px;
                       background: {p.secondary}; color: {p.on_secondary};
                       border: {self.mm(0.5)}px solid {p.muted}; }}
        QPushButton#primary {{ background: {p.primary}; color: {p.on_primary}; font-weight: bold; }}
        QPushButton:focus {{ border: {self.mm(1.2)}px solid {p.focus}; }}
        QPushButton:disabled, QPushButton#primary:disabled {{
                       background: {p.disabled}; color: {p.on_disabled}; font-weight: normal;
                       border: {self.mm(0.5)}px dashed {p.on_disabled}; }}
        QScrollArea, QScrollArea > QWidget > QWidget {{ background: transparent; border: none; }}
        QScrollBar:vertical {{ width: {self.mm(12)}px; background: {p.secondary}; }}
        QScrollBar::handle:vertical {{ background: {p.muted}; min-height: {self.mm(12)}px;
                                       border-radius: {self.mm(2)}px; }}
        """
