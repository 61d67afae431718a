"""Low position: with the panel mounted as config/kiosk.toml says ([display] mount_bottom_mm, the
panel's height from height_px / px_per_mm), every control and all essential information (title,
message, countdown, fields, the keypad, the list's rows as seen, every button) lies within
400-1,220 mm of the floor on every gallery screen, and so does each control when the keypad
moves to it (the page scrolls within the band)."""

from __future__ import annotations

from kiosk.ui.window import KioskWindow
from tests.access.render import LOW, MOUNT_MM, PER_MM, SIZE, STANDARD, band_mm, make_window, rendered, table
from tests.access.screens import gallery_views


def test_the_configured_panel_reaches_above_the_band():
    """Else low position would have nothing to do: the test would prove nothing."""
    top_mm = MOUNT_MM + SIZE[1] / PER_MM
    print(table("Panel", ("bottom edge mm", "top edge mm", "band mm"), [(MOUNT_MM, top_mm, band_mm())]))
    assert top_mm > band_mm()[1]
    outside = [s.id for s in rendered(STANDARD) if any(top > band_mm()[1] for _, top, _ in s.heights)]
    assert outside, "at the usual position something is above 1,220 mm"


def test_in_low_position_everything_is_within_400_to_1220_mm():
    low, high = band_mm()
    rows, outside = [], []
    for normal, screen in zip(rendered(STANDARD), rendered(LOW), strict=True):
        tops = [top for _, top, _ in screen.heights]
        bottoms = [bottom for _, _, bottom in screen.heights]
        usual = max(top for _, top, _ in normal.heights)
        rows.append((screen.id, len(screen.heights), max(tops), min(bottoms), usual,
                     len(screen.chain), len(screen.hidden_on_focus)))  # fmt: skip
        outside += [(screen.id, what, top, bottom) for what, top, bottom in screen.heights
                    if top > high + 0.01 or bottom < low - 0.01]  # fmt: skip
        outside += [(screen.id, "focused", name) for name in screen.hidden_on_focus]
        outside += [(screen.id, "unreached", name) for name in screen.unreached]
    header = ("screen", "seen", "highest mm", "lowest mm", "highest usual mm", "reached", "not in band")
    print(table(f"Heights above the floor, low position (mounted at {MOUNT_MM:g} mm)", header, rows))
    assert not outside, outside


def test_the_band_follows_the_mounting_height():
    """A panel mounted low (its bottom 300 mm above the floor) keeps its foot empty instead."""
    window = make_window(LOW)
    try:
        assert isinstance(window, KioskWindow)
        window.mount_bottom_mm = 300.0
        window.show_view(gallery_views()[0].view)
        window.present("low_position")
        top, bottom = window.band()
        # 300 mm + 480 mm: the whole panel is below 1,220 mm; its lowest 100 mm below 400 mm.
        assert top == 0 and bottom == SIZE[1] - round(100 * PER_MM)
        assert window.bottom_space.height() == round(100 * PER_MM) and window.top_space.height() == 0
        window.present("low_position")
        assert window.bottom_space.height() == 0
    finally:
        window.close()
