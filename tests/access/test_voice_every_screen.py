"""Rule 4, voice guidance, over every gallery screen in both languages: what the guide says for a
screen (kiosk.core.speech.utterance, what VoiceGuide says when the screen appears or on repeat)
names its title, its message, every row (its text and its status or reason), the countdown
with how to get more time, and every control by its caption; it is in the screen's language;
a digit typed into a secret or private field is never said. And the receipt of a visit is read
whole: what was borrowed with its due date, what was refused and why, in the visit's language.

Checked independently of how utterance() builds its text: each part is looked up in the
message catalogue and made speakable (dates as words, codes spelled) the way any spoken text is,
then looked for in what is said."""

from __future__ import annotations

import dataclasses
import re

import pytest

from kiosk.core.effects import PrintReceipt
from kiosk.core.events import BarcodeRead, CardRead
from kiosk.core.messages import text
from kiosk.core.model import CheckoutResult, Language
from kiosk.core.speech import receipt_utterance, speakable, spell, utterance
from kiosk.core.views import View
from tests.access.render import table
from tests.access.screens import gallery_views
from tests.flows.test_signin_bring_in_flow import CARD, PATRON, Drive

VIEWS = gallery_views()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# What a patron types into a field kept from being said (a PIN, a membership number, a birth date).
TYPED = "739146"


def said_form(words: str, language: Language) -> str:
    """A text as it is said: made speakable, without the full stop a sentence gets."""
    return speakable(words, language).rstrip(".!?:")


def said_message(msg_id: str, args: tuple[tuple[str, str], ...], language: Language) -> str:
    # A patron's name is never said: the catalogue's word for the patron stands for it.
    values = {k: ("voice.patron" if k == "name" else v) for k, v in args}
    return said_form(text(msg_id, language, **values), language)


def parts_of(view: View) -> dict[str, list[str]]:
    """What must be heard of `view`, by part, each as it is said."""
    lang = view.language
    parts: dict[str, list[str]] = {"title": [said_form(text(view.title, lang), lang)]}
    if view.message:
        parts["message"] = [said_message(view.message, view.message_args, lang)]
    if view.countdown is not None:
        parts["countdown"] = [said_form(text("voice.countdown", lang, seconds=view.countdown), lang)]
    rows = []
    for line in view.lines:
        if line.text or line.detail:
            rows.append(said_form(line.text or line.detail, lang))
        if line.note:
            rows.append(said_message(line.note, line.note_args, lang))
    if rows:
        parts["rows"] = rows
    captions = [
        said_form(text(f"control.{c}", lang), lang) for c in view.controls if c != f"lang.{lang.value}"
    ]
    if captions:
        parts["controls"] = captions
    return parts


def test_the_gallery_has_both_languages():
    assert len(VIEWS) >= 100 and {g.language for g in VIEWS} == {"ko", "en"}


def test_every_screen_is_said_whole_in_its_language():
    rows, missing = [], []
    for item in VIEWS:
        view = item.view
        said = utterance(view)
        parts = parts_of(view)
        covered = []
        for part, wanted in parts.items():
            absent = [w for w in wanted if w and w not in said]
            missing += [(item.id, part, w) for w in absent]
            covered.append(f"{part} {len(wanted) - len(absent)}/{len(wanted)}")
        if view.countdown is not None and "extend" in view.controls:
            hint = said_form(
                text("voice.extend_hint", view.language, control="control.extend"), view.language
            )
            if hint not in said:
                missing.append((item.id, "extend hint", hint))
        # In the screen's language: an English screen says no Korean but the data it shows
        # (book titles, the library's and places' names); a Korean one is Korean.
        data = [x for line in view.lines for x in (line.text, line.detail)] + [
            v for _, v in (*view.message_args, *(a for line in view.lines for a in line.note_args))
        ]
        # The other language's button is named in its own language (한국어 / English).
        other = [text(c, view.language) for c in ("control.lang.ko", "control.lang.en")]
        rest = said
        for value in other:
            rest = rest.replace(value, "")
        for value in sorted(filter(None, data), key=len, reverse=True):
            rest = rest.replace(speakable(value, view.language), "").replace(value, "")
        hangul = len(HANGUL.findall(rest))
        letters = len(re.findall(r"[A-Za-z]", rest)) + hangul
        if view.language is Language.EN and hangul:
            missing.append((item.id, "Korean in an English screen", HANGUL.findall(rest)[:10]))
        if view.language is Language.KO and hangul < 0.8 * letters:
            missing.append((item.id, "not Korean", rest[:60]))
        rows.append((item.name, item.language, len(said.split()), ", ".join(covered)))
    print(table("Voice: what each screen says", ("screen", "lang", "words said", "covered"), rows))
    assert not missing, missing[:20]


def test_a_digit_typed_into_a_secret_or_private_field_is_never_said():
    rows, heard = [], []
    for item in VIEWS:
        view = item.view
        if not view.inputs:
            continue
        typed = tuple(dataclasses.replace(f, value=TYPED) for f in view.inputs)
        said = utterance(dataclasses.replace(view, inputs=typed))
        kept = [f for f in view.inputs if f.secret or f.private]
        for field in kept:
            spelled = spell(TYPED, view.language)
            if TYPED in said or spelled in said or TYPED[:4] in said:
                heard.append((item.id, field.name, said))
        count = said_form(text("input.entered", view.language, count=len(TYPED)), view.language)
        if kept and count not in said:
            heard.append((item.id, "how many digits not said", said))
        plain = [f for f in view.inputs if not (f.secret or f.private)]
        for field in plain:
            # A registration number typed is read back, spelled: the patron checks it.
            if spell(field.prefix + TYPED, view.language) not in said:
                heard.append((item.id, field.name, "what was typed not read back"))
        kinds = ", ".join(f"{f.name}:{'secret' if f.secret else 'private' if f.private else 'said'}"
                          for f in view.inputs)  # fmt: skip
        rows.append((item.name, item.language, kinds, count if kept else spell(TYPED, view.language)))
    print(table(f"Voice: fields with {TYPED} typed", ("screen", "lang", "fields", "said for them"), rows))
    assert rows and any("secret" in r[2] for r in rows) and any("private" in r[2] for r in rows)
    assert not heard, heard


def visit_receipt(language: str):
    """The receipt of a visit: a book borrowed, one refused, in `language`."""
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    d.press(f"lang.{language}")
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128"))
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자", due=d.at.date() + dt_days(14)))
    d.run(BarcodeRead(text="EM0000100002", symbology="Code128"))
    d.reply(CheckoutResult(False, "EM0000100002", "토지", reason="refusal.on_hold"))
    d.press("finish")
    (job,) = [e for e in d.effects if isinstance(e, PrintReceipt)]
    return job.receipt


def dt_days(n: int):
    import datetime as dt

    return dt.timedelta(days=n)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_receipt_of_a_visit_is_read_whole_in_its_language(language):
    receipt = visit_receipt(language)
    lang = Language(language)
    said = receipt_utterance(receipt)
    (loan,) = receipt.borrowed
    (refused,) = receipt.refused
    wanted = {
        "start": said_form(text("voice.receipt", lang), lang),
        "library": receipt.library_name,
        "borrowed": said_form(text("receipt.borrowed", lang, count=1), lang),
        "title": loan.title,
        "due date": said_form(loan.due.isoformat(), lang),
        "refused": said_form(text("receipt.refused", lang, count=1), lang),
        "refused title": refused.title,
        "reason": said_form(text(refused.reason, lang), lang),
        "end": said_form(text("voice.receipt_end", lang), lang),
    }
    rows = [(part, value[:50], value in said) for part, value in wanted.items()]
    print(
        table(
            f"Voice: the receipt read ({language}, {len(said.split())} words)",
            ("part", "said", "heard"),
            rows,
        )
    )
    assert receipt.language is lang
    assert all(found for _, _, found in rows), [r for r in rows if not r[2]]
    rest = said.replace(loan.title, "").replace(refused.title, "").replace(receipt.library_name, "")
    assert bool(HANGUL.search(rest)) == (lang is Language.KO)
    assert CARD not in said and PATRON.name not in said
