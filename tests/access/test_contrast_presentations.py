"""Contrast in every presentation: every text as drawn on every gallery screen reads at 4.5:1 or
more at 200 % and in the low position, in both themes (test_contrast.py measures 100 %); the
focus ring stands out at 3:1 on every screen, not only where each kind of control is first seen.

Sampling, to keep the run short: the ring is measured on every screen for one control of each
kind on that screen (primary, control, header, strip, keypad key, row), drawn with the focus and
grabbed around that control only; texts are measured on every screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from tests.access.render import (
    HIGH_CONTRAST,
    LOW,
    STANDARD,
    ZOOMED,
    Mode,
    as_array,
    colours,
    hex_of,
    make_window,
    set_mode,
    table,
)
from tests.access.screens import gallery_views
from tests.access.test_contrast import check_drawn
from tests.ui.test_theme import contrast

ZOOMED_HC = Mode(high_contrast=True, zoom=True, voice_open=True)
LOW_HC = Mode(high_contrast=True, low=True, voice_open=True)


# Kinds of text seen whole somewhere at 200 % (the page scrolls: what is cut by the panel's edge
# is measured where it is seen whole, at 100 %).
ZOOM_KINDS = {"button", "primary", "access", "key"}


@pytest.mark.parametrize(
    "mode",
    [ZOOMED, ZOOMED_HC, LOW, LOW_HC],
    ids=lambda m: m.name,
)
def test_every_text_drawn_reads_at_4_5_to_1(mode):
    check_drawn(mode, ZOOM_KINDS if mode.zoom else None)


def ring_at(window, widget, ring_px: int) -> tuple[str, str, str]:
    """The outer ring, the page just outside it and the fill inside, grabbed around `widget`."""
    r = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    margin = 8
    area = r.adjusted(-margin, 0, 0, 0).intersected(window.rect())
    pixels = as_array(window.grab(area).toImage())
    left = r.left() - area.left()
    mid = r.height() // 2

    def commonest(x0: int, x1: int) -> str:
        values, counts = colours(pixels[max(0, mid - 10) : mid + 10, max(0, x0) : x1])
        return hex_of(values[counts.argmax()])

    return (
        commonest(left + 1, left + ring_px - 1),
        commonest(left - 6, left - 1),
        commonest(left + 3 * ring_px, left + 3 * ring_px + 6),
    )


def kinds_on(window) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, button in {**window.buttons(), **window.strip.buttons()}.items():
        kind = "header" if name.startswith("lang.") else button.objectName() or "control"
        if button.isEnabled() and button.isVisible():
            found.setdefault(kind, button)
    if window.keypad is not None:
        found["key"] = window.keypad.ordered_keys()[0]
    rows = [r for r in window.lines.touchable() if r.isEnabled()]
    if rows:
        found["row"] = rows[0]
    return found


@pytest.mark.parametrize("mode", [STANDARD, HIGH_CONTRAST], ids=["standard", "high-contrast"])
def test_the_focus_ring_stands_out_on_every_screen(mode):
    window = make_window(mode)
    rows, weak, kinds = [], [], set()
    try:
        set_mode(window, mode)
        ring_px = window.theme.mm(window.theme.FOCUS_MM)
        ring, inner = window.theme.palette.focus, window.theme.palette.focus_inner
        for item in gallery_views():
            window.show_view(item.view, rebuild=True)
            QApplication.processEvents()
            worst = (99.0, "")
            for kind, widget in kinds_on(window).items():
                widget.setFocus()
                QApplication.processEvents()
                outer, outside, inside = ring_at(window, widget, ring_px)
                ratio = min(contrast(outer, outside), max(contrast(ring, inside), contrast(inner, inside)))
                kinds.add(kind)
                worst = min(worst, (ratio, kind))
                if outer.upper() != ring.upper() or ratio < 3:
                    weak.append((item.id, kind, outer, outside, inside, round(ratio, 2)))
            rows.append((item.id, worst[1], worst[0]))
    finally:
        window.close()
    print(
        table(
            f"Focus ring on every screen, worst per screen ({mode.name})", ("screen", "kind", "ratio"), rows
        )
    )
    assert {"primary", "header", "access", "key", "row"} <= kinds, sorted(kinds)
    assert not weak, weak
