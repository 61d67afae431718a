"""Text on the panel: the glyphs themselves (Hangul and Latin capitals, measured from the fonts
as drawn, not the point size) are at least 12 mm tall on every gallery screen in both languages,
every text is whole (on one line within its widget, or wrapped within it), and nothing reaches
past the window's sides. A row's detail and note are held to the same 12 mm: the standard
applies to all text, and there is no small print on this kiosk."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics

from kiosk.ui.app import ensure_app
from kiosk.ui.theme import FONT_FAMILY, Theme
from tests.access.render import (
    HIGH_CONTRAST,
    LOW,
    PER_MM,
    STANDARD,
    TEXT_MM,
    ZOOMED,
    Mode,
    Screen,
    rendered,
    table,
)


def smallest(screen: Screen) -> tuple[float, float]:
    return (min(t.hangul_mm for t in screen.texts), min(t.capital_mm for t in screen.texts))


def test_a_font_of_12_mm_draws_hangul_11_mm_so_sizes_are_glyph_heights():
    """Why the theme sizes fonts by their glyphs: 12 mm of font is 11 mm of Hangul, 8.8 mm of
    capitals (Noto Sans CJK KR at the panel's 4 px/mm)."""
    ensure_app(headless=True)
    rows = []
    for label, size in (("font 12 mm (before)", round(12 * PER_MM)), ("theme TEXT_MM", None)):
        font = QFont(FONT_FAMILY)
        font.setPixelSize(size or Theme(px_per_mm=PER_MM).text_mm(Theme.TEXT_MM))
        metrics = QFontMetrics(font)
        hangul, capital = (metrics.tightBoundingRect(g).height() / PER_MM for g in ("한", "H"))
        rows.append((label, font.pixelSize(), font.pixelSize() / PER_MM, hangul, capital))
    print(table("Glyph heights (mm)", ("font", "px", "font mm", "한 mm", "H mm"), rows))
    assert rows[0][3] < TEXT_MM, "a 12 mm font no longer draws small Hangul: recheck CAP_HEIGHT_EM"
    assert min(rows[1][3:]) >= TEXT_MM


def test_every_text_on_every_screen_is_at_least_12_mm():
    rows, small = [], []
    normal, zoomed = rendered(STANDARD), rendered(ZOOMED)
    for at_100, at_200 in zip(normal, zoomed, strict=True):
        h1, c1 = smallest(at_100)
        h2, c2 = smallest(at_200)
        rows.append((at_100.id, len(at_100.texts), h1, c1, h2, c2))
        small += [(s.id, t.kind, t.text[:30]) for s in (at_100, at_200) for t in s.texts
                  if min(t.hangul_mm, t.capital_mm) < TEXT_MM]  # fmt: skip
        # Zoomed, every text is twice as tall (the standard's 200 %).
        assert min(h2 / h1, c2 / c1) >= 1.95, at_100.id
    print(
        table(
            "Smallest glyphs per screen (mm)",
            ("screen", "texts", "한 100%", "H 100%", "한 200%", "H 200%"),
            rows,
        )
    )
    assert not small, small


def check_whole(mode: Mode) -> None:
    rows, cut = [], []
    for screen in rendered(mode):
        bad = [(screen.id, t.kind, t.text[:40], t.fits) for t in screen.texts if t.fits]
        cut += bad + [(screen.id, "clipped", c, "") for c in screen.clipped]
        rows.append(
            (
                screen.id,
                len(screen.texts),
                len(bad),
                len(screen.clipped),
                "yes" if screen.page_scrolls else "",
            )
        )
    print(table(f"Texts whole ({mode.name})", ("screen", "texts", "cut", "clipped", "page scrolls"), rows))
    assert not cut, cut


def test_every_text_is_whole_at_100_percent():
    check_whole(STANDARD)
    # At the usual size every screen fits the panel: only a long list scrolls.
    assert not [s.id for s in rendered(STANDARD) if s.page_scrolls]


def test_every_text_is_whole_in_high_contrast():
    check_whole(HIGH_CONTRAST)


def test_every_text_is_whole_at_200_percent_with_the_voice_controls():
    check_whole(ZOOMED)


def test_every_text_is_whole_in_the_low_position():
    check_whole(LOW)
