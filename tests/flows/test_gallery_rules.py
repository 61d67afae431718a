"""The session's rules, over every screen of the committed gallery in both languages (so a
screen added later is held to them once `./dev gallery` has pictured it): start over, both
languages and call staff everywhere; a countdown always offers more time; every refusal on a
screen says what to do next."""

from __future__ import annotations

import pytest

from kiosk.core.messages import text
from tests.access.screens import gallery_views
from tests.core.test_messages import NEXT_STEP

VIEWS = gallery_views()


def test_the_gallery_has_screens():
    assert len(VIEWS) >= 40 and {g.language for g in VIEWS} == {"ko", "en"}


@pytest.mark.parametrize("shown", VIEWS, ids=lambda g: g.id)
def test_each_screen_offers_start_over_languages_and_staff(shown):
    v = shown.view
    if v.screen == "technician":
        # Not a patron's screen: the technician leaves it (no visit to start over, no staff to call).
        assert {"lang.ko", "lang.en"} <= set(v.controls) and "call_staff" not in v.controls, v.controls
        assert {"tech.leave", "tech.back"} & set(v.controls), v.controls
        return
    assert {"lang.ko", "lang.en"} <= set(v.controls) and v.controls[-1] == "call_staff", v.controls
    # The first screen and the out-of-service one start nothing: nothing to start over.
    assert ("start_over" in v.controls) == (v.screen not in ("idle", "out_of_service")), v.controls
    if v.countdown is not None and v.screen != "goodbye":
        assert v.controls[0] == "extend"  # time running out always offers more


@pytest.mark.parametrize("shown", VIEWS, ids=lambda g: g.id)
def test_each_refusal_on_a_screen_names_the_item_and_the_next_step(shown):
    v = shown.view
    for line in v.lines:
        if line.status != "refused" or not line.note:
            continue
        said = text(line.note, v.language, **dict(line.note_args)).lower()
        assert line.text or line.detail or v.screen == "notice"  # the book is named
        assert any(step in said for step in NEXT_STEP[v.language.value]), (line.note, said)
