"""Zoom and high contrast on screen: the accessibility strip is on every screen and in the keypad's
reach; at 200 % every gallery screen keeps every text whole and every control reachable (the page
scrolls, the focused control is scrolled to); touch targets stay at least 12 x 12 mm, 2.5 mm
apart; the presentation is the window's (the voice controls go to the app's handlers, never to
the visit) and goes back to the configured one when a visit ends."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.effects import VisitEnded
from kiosk.ui.keys import KeyMap
from kiosk.ui.strip import TOGGLES, VOICE
from kiosk.ui.theme import Theme
from kiosk.ui.widgets.pictogram import CardTapPictogram
from kiosk.ui.window import KioskWindow
from tests.access.render import (
    GAP_MM,
    PER_MM,
    STANDARD,
    TARGET_AREA_MM2,
    TARGET_MM,
    ZOOMED,
    Mode,
    make_window,
    min_gap_mm,
    rendered,
    table,
)
from tests.access.screens import gallery_views


def test_the_strip_is_on_every_screen_and_in_the_keypads_reach():
    missing = []
    for screen in rendered(STANDARD):
        for control in ("zoom", "contrast", "low_position"):
            if control not in screen.chain:
                missing.append((screen.id, control))
    assert not missing, missing


def test_at_200_percent_every_control_is_reached_and_scrolled_to():
    rows, problems = [], []
    for normal, zoomed in zip(rendered(STANDARD), rendered(ZOOMED), strict=True):
        keys = len([t for t in zoomed.texts if t.kind == "key"])
        cut = len([t for t in zoomed.texts if t.fits])
        scrolls = "yes" if zoomed.page_scrolls else ""
        rows.append(
            (
                zoomed.id,
                len(zoomed.chain),
                len(zoomed.unreached),
                len(zoomed.hidden_on_focus),
                cut,
                keys,
                scrolls,
            )
        )
        problems += [(zoomed.id, "unreached", n) for n in zoomed.unreached]
        problems += [(zoomed.id, "not scrolled to", n) for n in zoomed.hidden_on_focus]
        problems += [(zoomed.id, "cut", t.kind, t.text) for t in zoomed.texts if t.fits]
        problems += [(zoomed.id, "clipped", c) for c in zoomed.clipped]
        # Nothing lost: what the keypad reaches at 100 % it reaches at 200 %, with the voice
        # controls besides (their panel is open in this presentation).
        lost = set(normal.chain) - set(zoomed.chain)
        problems += [(zoomed.id, "lost", n) for n in lost]
        assert set(VOICE) <= set(zoomed.chain), zoomed.id
    header = ("screen", "reached", "unreached", "not seen", "cut", "keys", "page scrolls")
    print(table("200 %: the keypad's focus chain", header, rows))
    assert not problems, problems


def from_first(chain: list[str], first: str) -> list[str]:
    """The focus chain (a cycle) read from `first` on."""
    at = chain.index(first)
    return chain[at:] + chain[:at]


def test_every_screen_at_100_percent_reaches_every_control_in_order():
    rows, problems = [], []
    for screen in rendered(STANDARD):
        rows.append((screen.id, len(screen.chain), " ".join(screen.chain)[:90]))
        problems += [(screen.id, "unreached", n) for n in screen.unreached]
        problems += [(screen.id, "not scrolled to", n) for n in screen.hidden_on_focus]
        # Logical order, as the screen reads: the language button first (it is at the top),
        # then the keys and rows, the controls in the view's order, the strip last.
        controls = [c for c in screen.view.controls if c != f"lang.{screen.view.language.value}"]
        header = [c for c in controls if c.startswith("lang.")]
        # (A disabled control, on a busy screen, is no stop: unreached says none is missed.)
        expected = [c for c in header + [c for c in controls if c not in header] if c in screen.chain]
        chain = from_first(screen.chain, expected[0])
        assert [c for c in chain if c in controls] == expected, screen.id
        strip = [c for c in chain if c in ("zoom", "contrast", "low_position")]
        assert strip == ["zoom", "contrast", "low_position"] and chain.index("zoom") > chain.index(
            expected[-1]
        )
    print(table("100 %: the keypad's focus chain", ("screen", "stops", "order"), rows))
    assert not problems, problems


@pytest.mark.parametrize("mode", [STANDARD, ZOOMED], ids=["100%", "200%"])
def test_touch_targets_are_at_least_12_mm_and_2_5_mm_apart(mode: Mode):
    rows, small = [], []
    for screen in rendered(mode):
        sizes = [t.mm for t in screen.targets]
        narrowest = min(min(w, h) for w, h in sizes)
        least_area = min(w * h for w, h in sizes)
        gap, where = min_gap_mm(screen.targets)
        rows.append((screen.id, len(sizes), narrowest, least_area, gap, where))
        small += [(screen.id, t.kind, t.name, t.mm) for t in screen.targets
                  if min(t.mm) < TARGET_MM or t.mm[0] * t.mm[1] < TARGET_AREA_MM2]  # fmt: skip
        if gap < GAP_MM:
            small.append((screen.id, "gap", where, gap))
    header = ("screen", "targets", "least side mm", "least mm2", "least gap mm", "between")
    print(table(f"Touch targets ({mode.name})", header, rows))
    assert not small, small


def test_zoom_makes_the_pictogram_and_the_keypad_keys_twice_as_big():
    window = make_window(STANDARD)
    try:
        idle = gallery_views()[0].view
        keys = next(item.view for item in gallery_views() if item.view.inputs)
        sizes = []
        for _ in range(2):
            window.show_view(idle)
            (pictogram,) = window.findChildren(CardTapPictogram)
            window.show_view(keys)
            assert window.keypad is not None
            sizes.append((pictogram.width(), window.keypad.ordered_keys()[0].font().pixelSize()))
            window.present("zoom")
        print(
            table("Zoom", ("", "pictogram px", "key font px"), [("100 %", *sizes[0]), ("200 %", *sizes[1])])
        )
        assert sizes[1][0] == 2 * sizes[0][0] and sizes[1][1] >= 2 * sizes[0][1] - 1
    finally:
        window.close()


def test_contrast_and_zoom_restyle_the_screen_in_place_and_keep_the_focus():
    window = make_window(STANDARD)
    try:
        window.show_view(gallery_views()[0].view)
        window.strip.buttons()["contrast"].setFocus()
        window.strip.buttons()["contrast"].click()
        assert window.theme.high_contrast and window.theme.palette.background in window.styleSheet()
        assert window.focusWidget() is window.strip.buttons()["contrast"], "the keypad's patron stays there"
        assert window.strip.buttons()["contrast"].accessibleName() == "기본 색"
        window.strip.buttons()["zoom"].click()
        assert window.theme.zoom == 2.0 and window.title.font().pixelSize() == Theme(zoom=2.0).text_mm(15)
        # Presentation never reaches the visit's flow but as a touch (more time).
        assert {e.control for e in window.posted} == {"touch"}
    finally:
        window.close()


def test_voice_controls_go_to_the_apps_handlers_never_to_the_flow():
    window = make_window(STANDARD)
    said: list[str] = []
    try:
        window.presentation = {control: (lambda c=control: said.append(c)) for control in VOICE}
        window.show_view(gallery_views()[0].view)
        assert "voice.repeat" not in window.strip.buttons(), "shown when asked for"
        window.strip.buttons()["voice"].click()
        for control in VOICE:
            window.strip.buttons()[control].click()
        assert said == list(VOICE) and {e.control for e in window.posted} == {"touch"}
        # Without handlers (no voice in this kiosk) the strip offers no voice at all.
        window.presentation = {}
        window.show_view(gallery_views()[1].view)
        assert set(window.strip.buttons()) == set(TOGGLES) - {"voice"}
    finally:
        window.close()


def test_a_keypads_keys_work_the_strip_when_configured():
    window = make_window(STANDARD)
    try:
        window.keys = KeyMap.from_names({"zoom": ["F2"], "contrast": ["F3"], "low_position": ["F4"]})
        window.show_view(gallery_views()[0].view)
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        for key in (Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4):
            QTest.keyClick(window.focusWidget(), key)
        assert window.mode.zoom and window.mode.high_contrast and window.mode.low_position
    finally:
        window.close()


def test_the_presentation_resets_when_a_visit_ends(tmp_path):
    """Wired by the app: the runtime's VisitEnded resets zoom, contrast, low position and the
    voice panel to the configured presentation."""
    from kiosk import config
    from kiosk.app import attach_ui, build

    base = config.defaults()
    lib = dict(base.library.as_dict(), port=0, db=str(tmp_path / "ils.sqlite"))
    kiosk = build(config.validate({"library": lib}, "<test>"))
    try:
        window: KioskWindow = attach_ui(kiosk, headless=True)
        window.show()
        window.show_view(gallery_views()[0].view)
        for control in ("zoom", "contrast", "low_position", "voice"):
            window.present(control)
        assert window.mode.zoom and window.mode.high_contrast and window.mode.low_position
        assert window.top_space.height() > 0
        kiosk.runtime.executors[VisitEnded](VisitEnded())
        QApplication.processEvents()
        assert not (window.mode.zoom or window.mode.high_contrast or window.mode.low_position)
        assert not window.mode.voice_open and window.theme == window.base_theme
        assert window.top_space.height() == 0 and window.title.font().pixelSize() == window.theme.text_mm(15)
        window.close()
    finally:
        kiosk.stop()
    assert window.theme.px_per_mm == PER_MM
