"""Rule 10, scanning help, on the borrowing and the returning screen (the two where books are
shown), in both languages: the same book shown again 1.5 s later is one showing (no request, no
cue, nothing said); 5 s later the patron is told it is already on the list (the attention cue,
the message on screen and in speech); a label the camera cannot read brings how to hold the
book and the keypad ("type a number"), which takes the number. The session is pure: the clock
is the events' `at`."""

from __future__ import annotations

import datetime as dt

from kiosk.core.effects import CallLibrary, PlaySound
from kiosk.core.events import BarcodeRead, CardRead, ScanTrouble
from kiosk.core.messages import text
from kiosk.core.model import CheckinResult, CheckoutResult
from kiosk.core.speech import change, speakable
from tests.access.render import table
from tests.flows.test_signin_bring_in_flow import AT, CARD, PATRON, Drive

BOOK = "EM0000100001"
SCREENS = ("borrow", "giveback")


def on(screen: str, language: str) -> Drive:
    d = Drive()
    d.press(f"lang.{language}")
    if screen == "borrow":
        d.run(CardRead(technology="106A", uid="01", identifier=CARD))
        d.reply(PATRON)
    else:
        d.press("giveback")
    assert d.view.screen == screen
    return d


def shown_once(d: Drive, screen: str) -> None:
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    result = (
        CheckoutResult(True, BOOK, "채식주의자")
        if screen == "borrow"
        else CheckinResult(True, BOOK, "채식주의자")
    )
    d.reply(result)


def again(screen: str, language: str, seconds: float) -> tuple[int, list[str], str, str]:
    """The book shown again `seconds` after it was done: requests sent, cues, message, said."""
    d = on(screen, language)
    shown_once(d, screen)
    before_view, calls = d.view, len([e for e in d.effects if isinstance(e, CallLibrary)])
    d.at = AT + dt.timedelta(seconds=seconds)
    effects = d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    sent = len([e for e in d.effects if isinstance(e, CallLibrary)]) - calls
    cues = [e.cue for e in effects if isinstance(e, PlaySound)]
    said = change(before_view, d.view) if d.view != before_view else ""
    return sent, cues, d.view.message, said


def test_a_book_shown_again_is_ignored_within_2_s_and_told_later():
    rows, wrong = [], []
    for screen in SCREENS:
        for language in ("ko", "en"):
            already = "borrow.already_this_visit" if screen == "borrow" else "giveback.already_returned"
            for seconds in (1.5, 5.0):
                sent, cues, message, said = again(screen, language, seconds)
                told = message == already
                heard = bool(said) and speakable(text(already, _lang(language)), _lang(language)) in said
                rows.append((screen, language, seconds, sent, " ".join(cues) or "-", message, heard))
                if sent:
                    wrong.append((screen, language, seconds, "sent again"))
                if seconds < 2 and (cues or told or said):
                    wrong.append((screen, language, seconds, "not ignored", cues, message))
                if seconds >= 2 and not (told and heard and cues == ["beep.warning"]):
                    wrong.append((screen, language, seconds, "not told", cues, message, said))
    header = ("screen", "lang", "again after s", "requests", "cue", "message", "said")
    print(table("Scanning help: the same book shown again", header, rows))
    assert not wrong, wrong


def _lang(language: str):
    from kiosk.core.model import Language

    return Language(language)


def test_an_unreadable_label_shows_how_to_hold_the_book_and_offers_the_keypad():
    rows, wrong = [], []
    for screen in SCREENS:
        for language in ("ko", "en"):
            d = on(screen, language)
            before = d.view
            effects = d.run(ScanTrouble())
            view = d.view
            said = change(before, view)
            help_said = speakable(text("scan.help", view.language), view.language).rstrip(".") in said
            cues = [e.cue for e in effects if isinstance(e, PlaySound)]
            offered = "type_item" in view.controls
            d.press("type_item")
            keypad = bool(d.view.inputs) and d.view.screen == screen
            d.enter("100001")
            call = d.call()
            typed = call.args.get("item_id") == BOOK
            rows.append((screen, language, view.message, help_said, " ".join(cues), offered, keypad, typed))
            if not (view.message == "scan.help" and help_said and cues == ["beep.warning"] and offered):
                wrong.append((screen, language, view.message, help_said, cues, offered))
            if not (keypad and typed):
                wrong.append((screen, language, "keypad", keypad, call.args))
    header = ("screen", "lang", "message", "said", "cue", "keypad offered", "keypad shown", "number taken")
    print(table("Scanning help: a label that will not read", header, rows))
    assert not wrong, wrong
