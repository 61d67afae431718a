"""The session's rules, over every screen of the committed gallery in both languages (so a
screen added later is held to them once `./dev gallery` has pictured it): start over, both
languages and call staff everywhere; a countdown always offers more time; every refusal on a
screen says what to do next, on screen and in speech; goodbye says to take the card; borrowing and
returning let the patron choose no receipt. `pytest -s` prints a table per screen."""

from __future__ import annotations

import pytest

from kiosk.core.messages import text
from kiosk.core.speech import speakable, utterance
from tests.access.render import table
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


def test_table_of_what_every_screen_offers_and_how_it_refuses():
    """Rule 9 measured on every gallery screen: the controls every screen must have, each refusal
    row's item, reason and next step (on screen and in what the voice says), goodbye's "take
    your card" and the receipt choice."""
    rows, wrong = [], []
    for shown in VIEWS:
        v = shown.view
        lang = v.language.value
        said = utterance(v)
        controls = set(v.controls)
        refusals = [line for line in v.lines if line.status == "refused" and line.note]
        complete = 0
        for line in refusals:
            reason = text(line.note, v.language, **dict(line.note_args))
            item = bool(line.text or line.detail or v.screen == "notice")
            step = any(s in reason.lower() for s in NEXT_STEP[lang])
            spoken = speakable(reason, v.language).rstrip(".") in said
            complete += item and step and spoken
            if not (item and step and spoken):
                wrong.append((shown.id, line.note, item, step, spoken))
        extra = []
        if v.screen == "goodbye" and v.hint:
            extra.append("take card" if v.hint == "goodbye.take_card" else v.hint)
        if {"finish", "finish_no_receipt"} <= controls or {"finish_return", "finish_no_receipt"} <= controls:
            extra.append("receipt choice")
        if (
            v.screen in ("borrow", "giveback")
            and not v.inputs
            and not v.busy
            and "finish_no_receipt" not in controls
        ):
            wrong.append((shown.id, "no receipt choice"))
        rows.append(
            (
                shown.name,
                lang,
                "start_over" in controls,
                {"lang.ko", "lang.en"} <= controls,
                "call_staff" in controls,
                f"{complete}/{len(refusals)}",
                ", ".join(extra),
            )
        )
    header = ("screen", "lang", "start over", "languages", "staff", "refusals item+reason+step+said", "also")
    print(table("Everywhere: controls and refusals on every screen", header, rows))
    # Goodbye after a visit with a card reminds of the card (a return without a card need not).
    goodbyes = [g for g in VIEWS if g.view.screen == "goodbye"]
    assert goodbyes and any(g.view.hint == "goodbye.take_card" for g in goodbyes)
    assert not wrong, wrong
