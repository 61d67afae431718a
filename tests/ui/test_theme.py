"""Theme: contrast of every text/background pair, sizes from millimetres."""

from __future__ import annotations

import pytest

from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, Palette, Theme


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


PAIRS = [
    ("text", "background"),
    ("text", "surface"),
    ("muted", "background"),
    ("on_primary", "primary"),
    ("on_secondary", "secondary"),
    ("ok", "surface"),
    ("refused", "surface"),
    ("refused", "background"),
    # Disabled controls must look disabled and still pass contrast, on their own fill and
    # on the page around them.
    ("on_disabled", "disabled"),
    ("on_disabled", "background"),
]


@pytest.mark.parametrize("palette", [STANDARD, HIGH_CONTRAST], ids=["standard", "high-contrast"])
@pytest.mark.parametrize("fg, bg", PAIRS)
def test_contrast_at_least_4_5_to_1(palette: Palette, fg: str, bg: str):
    assert contrast(getattr(palette, fg), getattr(palette, bg)) >= 4.5


def test_high_contrast_theme_reaches_7_to_1_for_text():
    assert contrast(HIGH_CONTRAST.text, HIGH_CONTRAST.background) >= 7


def test_sizes_follow_pixels_per_mm_and_zoom():
    small, big = Theme(px_per_mm=3.0), Theme(px_per_mm=6.0, zoom=2.0)
    assert small.mm(12) == 36 and big.mm(12) == 72
    # Text sizes are glyph heights: the font is as big as 12 mm capitals need (0.733 em).
    assert small.text_mm(12) == 50 and big.text_mm(12) == 197
    assert f"font-size: {big.text_mm(12)}px" in big.stylesheet()
    assert Theme(px_per_mm=4.0).text_mm(12) == 66
