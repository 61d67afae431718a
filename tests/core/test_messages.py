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


# What a patron can do next, in each language: a refusal names it after the reason.
NEXT_STEP = {
    "ko": ("주세요", "세요", "수 있습니다", "드립니다", "누르면", "볼 수"),
    "en": ("please", "ask", "return", "tap", "touch", "choose", "type", "show", "leave", "you can", "lists"),
}


def test_every_refusal_says_the_next_step():
    """A refusal is the reason and what to do now: never a dead end."""
    from kiosk.core.messages import CATALOGUES
    from kiosk.core.model import Language

    missing = []
    for language in (Language.KO, Language.EN):
        for msg_id, said in CATALOGUES[language].items():
            if not msg_id.startswith(("refusal.", "block.", "signin.locked", "bring_in.too_many")):
                continue
            if not any(step in said.lower() for step in NEXT_STEP[language.value]):
                missing.append((language.value, msg_id, said))
    assert not missing, "\n".join(f"{lang} {i}: {t}" for lang, i, t in missing)
