"""The message catalogue: every id in Korean and English, each in one area, placeholders alike."""

from __future__ import annotations

import string

from kiosk.core.messages import AREAS, CATALOGUES, text
from kiosk.core.model import Language


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_area_has_the_same_ids_in_both_languages():
    for area, langs in AREAS.items():
        assert set(langs["ko"]) == set(langs["en"]), area


def test_no_id_is_defined_in_two_areas():
    seen: dict[str, str] = {}
    for area, langs in AREAS.items():
        for msg_id in langs["ko"]:
            assert msg_id not in seen, f"{msg_id} in {seen.get(msg_id)} and {area}"
            seen[msg_id] = area


def test_placeholders_match_between_languages():
    for msg_id, ko in CATALOGUES[Language.KO].items():
        assert fields(ko) == fields(CATALOGUES[Language.EN][msg_id]), msg_id


def test_no_text_is_empty():
    for lang in Language:
        assert all(t.strip() for t in CATALOGUES[lang].values())


def test_arguments_that_are_ids_are_translated():
    assert text("goodbye.no_receipt", Language.EN, reason="printer.paper_out").endswith(
        "the printer is out of paper"
    )
    assert text("no.such.id", Language.KO) == "no.such.id"
