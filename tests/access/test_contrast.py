"""Contrast: every text/background pair the theme and the stylesheet set reads at 4.5:1 or more in
both themes, and so does every text as drawn on every gallery screen (its strokes against its
background, measured in the pixels); the focus ring stands out at 3:1 from what it sits on; a
disabled control looks disabled by its dashed border, not by colour alone, and still reads."""

from __future__ import annotations

from collections import defaultdict

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.ui.theme import HIGH_CONTRAST as HC_PALETTE
from kiosk.ui.theme import STANDARD as STD_PALETTE
from kiosk.ui.widgets.line_row import STATUS_ICON, LineRow
from tests.access.render import (
    HIGH_CONTRAST,
    STANDARD,
    Mode,
    as_array,
    colours,
    hex_of,
    make_window,
    rendered,
    set_mode,
    table,
)
from tests.access.screens import gallery_views
from tests.ui.test_theme import contrast

# What the stylesheet draws text on, by where it is (kiosk/ui/theme.py).
TEXT_PAIRS = {
    "page text": ("text", "background"),
    "library name": ("muted", "background"),
    "countdown": ("refused", "background"),
    "row text": ("text", "surface"),
    "row ok": ("ok", "surface"),
    "row refused": ("refused", "surface"),
    "row selected mark": ("primary", "surface"),
    "input field": ("text", "surface"),
    "primary button": ("on_primary", "primary"),
    "button, keypad key": ("on_secondary", "secondary"),
    "strip button": ("text", "surface"),
    "disabled control": ("on_disabled", "disabled"),
    "disabled on page": ("on_disabled", "background"),
}
# The focus ring's two colours against what they touch: the page and list around a control,
# and the fill of every kind of control inside it.
RING_SURROUNDS = ("background", "surface", "secondary", "primary", "disabled")
PALETTES = {"standard": STD_PALETTE, "high-contrast": HC_PALETTE}


def test_every_pair_the_theme_sets_reads_at_4_5_to_1_and_the_focus_ring_at_3_to_1():
    rows, weak = [], []
    for where, (fg, bg) in TEXT_PAIRS.items():
        ratios = [contrast(getattr(p, fg), getattr(p, bg)) for p in PALETTES.values()]
        rows.append((where, f"{fg} on {bg}", *ratios))
        weak += [(where, name) for name, r in zip(PALETTES, ratios, strict=True) if r < 4.5]
    for around in RING_SURROUNDS:
        # The ring is two rings: at least one of its colours stands out against each surround.
        ratios = [max(contrast(p.focus, getattr(p, around)), contrast(p.focus_inner, getattr(p, around)))
                  for p in PALETTES.values()]  # fmt: skip
        rows.append((f"focus ring on {around}", "focus | focus_inner", *ratios))
        weak += [(f"ring on {around}", name) for name, r in zip(PALETTES, ratios, strict=True) if r < 3]
    for name, p in PALETTES.items():
        # The outer ring on the page it sits on, and the two rings against each other.
        for ratio in (
            contrast(p.focus, p.background),
            contrast(p.focus, p.surface),
            contrast(p.focus, p.focus_inner),
        ):
            if ratio < 3:
                weak.append(("focus ring", name))
    print(table("Contrast the theme sets (ratio)", ("where", "pair", *PALETTES), rows))
    assert not weak, weak


def check_drawn(mode: Mode, expected: set[str] | None = None) -> None:
    by_kind: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    weak = []
    for screen in rendered(mode):
        for item in screen.texts:
            if not item.ratio:
                continue  # scrolled out of view: its kind is measured where it is seen
            kind = f"{item.kind}{' (disabled)' if item.disabled else ''}"
            by_kind[kind].append((item.ratio, item.ink, item.fill, screen.id))
            if item.ratio < 4.5:
                weak.append((screen.id, kind, item.text[:30], item.ink, item.fill, round(item.ratio, 2)))
    rows = []
    for kind, found in sorted(by_kind.items()):
        worst = min(found)
        rows.append((kind, len(found), worst[0], worst[1], worst[2], worst[3]))
    print(
        table(
            f"Text as drawn, worst per kind ({mode.name})",
            ("kind", "texts", "ratio", "ink", "fill", "screen"),
            rows,
        )
    )
    assert not weak, weak
    # Every kind of text the screens have was measured somewhere.
    if expected is not None:
        # A presentation whose page scrolls: only the kinds given are seen whole somewhere.
        assert expected <= {k.split(" (")[0] for k in by_kind}, sorted(by_kind)
        return
    expected = {"title", "message", "library", "button", "primary", "header", "access", "key", "input"}
    assert expected <= {k.split(" (")[0] for k in by_kind}, sorted(by_kind)
    assert any(k.startswith("row ok") for k in by_kind) and any(k.startswith("row refused") for k in by_kind)
    assert any(k.endswith("(disabled)") for k in by_kind), "busy screens show disabled controls"


def test_every_text_drawn_reads_at_4_5_to_1_standard():
    check_drawn(STANDARD)


def test_every_text_drawn_reads_at_4_5_to_1_high_contrast():
    check_drawn(HIGH_CONTRAST)


@pytest.mark.parametrize("mode", [STANDARD, HIGH_CONTRAST], ids=["standard", "high-contrast"])
def test_disabled_controls_look_disabled_by_their_border(mode):
    rows, solid = [], []
    for screen in rendered(mode):
        disabled = [t for t in screen.texts if t.disabled and t.dashed is not None]
        if disabled:
            rows.append(
                (screen.id, len(disabled), min(t.ratio for t in disabled), all(t.dashed for t in disabled))
            )
            solid += [(screen.id, t.text) for t in disabled if not t.dashed]
    print(table(f"Disabled controls ({mode.name})", ("screen", "disabled", "worst ratio", "dashed"), rows))
    assert rows, "the gallery has busy screens"
    assert not solid, solid


def test_status_is_never_told_by_colour_alone():
    """Every row of every screen carries its status icon (and its words), whatever its colour."""
    window = make_window(STANDARD)
    missing = []
    try:
        for item in gallery_views():
            window.show_view(item.view, rebuild=True)
            for row in window.lines.rows:
                icons = [lab.text() for lab in row.findChildren(QLabel)]
                if STATUS_ICON[row.line.status] not in icons:
                    missing.append((item.id, row.line.status))
    finally:
        window.close()
    assert not missing, missing


def ring_colours(image, widget, window, ring_px: int) -> tuple[str, str, str]:
    """The outer ring's colour, the page's just outside it and the fill inside the inner ring,
    as drawn around `widget` (the commonest colour of each band)."""
    pixels = as_array(image)
    r = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    mid = r.center().y()

    def commonest(x0: int, x1: int, y0: int, y1: int) -> str:
        values, counts = colours(pixels[y0:y1, x0:x1])
        return hex_of(values[counts.argmax()])

    outer = commonest(r.left() + 1, r.left() + ring_px - 1, mid - 10, mid + 10)
    outside = commonest(max(0, r.left() - 6), r.left() - 1, mid - 10, mid + 10)
    inside = commonest(r.left() + 3 * ring_px, r.left() + 3 * ring_px + 6, mid - 10, mid + 10)
    return outer, outside, inside


@pytest.mark.parametrize("mode", [STANDARD, HIGH_CONTRAST], ids=["standard", "high-contrast"])
def test_the_focus_ring_as_drawn_stands_out_from_what_it_sits_on(mode):
    window = make_window(mode)
    rows, weak = [], []
    try:
        set_mode(window, mode)
        ring_px = window.theme.mm(window.theme.FOCUS_MM)
        kinds: dict[str, tuple[str, str]] = {}
        for item in gallery_views():
            window.show_view(item.view, rebuild=True)
            widgets = {**{f"{k}": b for k, b in window.buttons().items()}, **window.strip.buttons()}
            if window.keypad is not None:
                widgets["key"] = window.keypad.ordered_keys()[0]
            touchable = [r for r in window.lines.touchable() if r.isEnabled()]
            if touchable:
                widgets["row"] = touchable[0]
            for name, widget in widgets.items():
                kind = (
                    "row" if isinstance(widget, LineRow) else "key" if name == "key" else widget.objectName()
                )
                if kind in kinds or not widget.isEnabled():
                    continue
                widget.setFocus()
                QApplication.processEvents()
                outer, outside, inside = ring_colours(window.grab().toImage(), widget, window, ring_px)
                ring = window.theme.palette.focus
                inner = window.theme.palette.focus_inner
                ratios = (contrast(outer, outside), max(contrast(ring, inside), contrast(inner, inside)))
                kinds[kind] = (item.id, name)
                rows.append((kind, name, item.id, outer, outside, inside, *ratios))
                if outer.upper() != ring.upper() or min(ratios) < 3:
                    weak.append((kind, name, outer, outside, inside, ratios))
    finally:
        window.close()
    header = ("kind", "control", "screen", "ring", "outside", "fill", "ring/outside", "rings/fill")
    print(table(f"Focus ring as drawn ({mode.name})", header, rows))
    assert {"primary", "control", "access", "key", "row"} <= set(kinds), sorted(kinds)
    assert not weak, weak
