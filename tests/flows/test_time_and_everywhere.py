"""Time that never runs out unannounced, and what every screen offers: start over, both
languages and call staff; the receipt is the patron's choice; goodbye reminds of the card."""

from __future__ import annotations

import dataclasses

from kiosk.core.effects import PrintReceipt, StartTimer
from kiosk.core.events import BarcodeRead, CardRead, Pressed, TimerFired
from kiosk.core.model import CheckoutResult, Patron, PatronDetails
from kiosk.flows.screens import VisitSettings
from tests.flows.test_signin_bring_in_flow import CARD, GUEST, PATRON, Drive


def every_screen() -> list:
    """One of each screen the session shows, driven through real visits."""
    views = []
    d = Drive()
    views.append(d.view)  # idle
    d.press("sign_in")
    views.append(d.view)
    d.enter("1100000001")
    views.append(d.view)  # the PIN
    d.press("start_over")
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    views.append(d.view)  # working
    d.reply(GUEST)
    views.append(d.view)  # the bring-in's consent
    d.press("agree")
    views.append(d.view)  # the birth date
    d.press("start_over")
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    views.append(d.view)  # borrowing
    d.press("type_item")
    views.append(d.view)  # typing a registration number
    d.press("cancel_typing", "my_loans")
    views.append(d.view)  # my loans
    d.press("back", "finish")
    views.append(d.view)  # goodbye
    d.press("ok", "giveback")
    views.append(d.view)  # returning
    d.press("start_over")
    d.run(CardRead(technology="106A", uid="01", identifier="X"))
    d.reply(Patron("X", "이서연", blocks=("refusal.fees",), details=PatronDetails(fees_owed=500)))
    views.append(d.view)  # blocked
    d.run(TimerFired(name="inactivity"))
    views.append(d.view)  # a notice's countdown
    return views


def test_every_screen_offers_start_over_both_languages_and_call_staff():
    views = every_screen()
    assert {v.screen for v in views} >= {"idle", "signin", "bring_in", "working", "borrow", "account",
                                         "giveback", "notice", "goodbye"}  # fmt: skip
    for v in views:
        assert {"lang.ko", "lang.en", "call_staff"} <= set(v.controls), (v.screen, v.controls)
        assert v.controls[-1] == "call_staff"
        assert ("start_over" in v.controls) == (v.screen != "idle"), (v.screen, v.controls)


def test_any_touch_key_or_book_gives_more_time():
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    assert [e.seconds for e in d.effects if isinstance(e, StartTimer) and e.name == "inactivity"][-1] == 120
    for more_time in (Pressed(control="touch"), Pressed(control="extend"), Pressed(control="key.1")):
        d.run(TimerFired(name="inactivity"))
        assert d.view.countdown == 20 and d.view.controls[0] == "extend"
        d.run(more_time)
        if more_time.control == "key.1":  # a key on a screen without a keypad: still a touch
            assert d.flow._countdown is None
        else:
            assert d.view.countdown is None and "extend" not in d.view.controls
    d.run(TimerFired(name="inactivity"))
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128"))
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자"))
    assert d.view.countdown is None


def test_the_patron_chooses_no_receipt():
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128"))
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자"))
    assert {"finish", "finish_no_receipt"} <= set(d.view.controls)
    d.press("finish_no_receipt")
    assert not [e for e in d.effects if isinstance(e, PrintReceipt)]
    assert d.view.screen == "goodbye" and d.view.message == "goodbye.no_receipt_chosen_loans"
    assert d.view.hint == "goodbye.take_card"


def test_timings_follow_the_settings():
    d = Drive(VisitSettings(inactivity_s=150, countdown_s=30, goodbye_s=12))
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(dataclasses.replace(PATRON))
    d.run(TimerFired(name="inactivity"))
    assert d.view.countdown == 30
    d.press("finish")
    assert d.view.screen == "goodbye" and d.view.countdown == 12


def test_a_touch_beside_the_controls_is_never_a_refusal():
    """The window posts "touch" for any touch that is not a control: more time while a visit
    runs, nothing at all (no error beep) where no time runs."""
    from kiosk.core.effects import PlaySound

    d = Drive()
    before = len(d.effects)
    d.press("touch")
    assert not [e for e in d.effects[before:] if isinstance(e, PlaySound)]


def test_the_first_screen_goes_back_to_the_kiosk_s_own_when_nobody_comes():
    """Language chosen (or zoom touched: the window posts a touch) and nobody starts a visit:
    after the idle time the first screen is the kiosk's own again (VisitEnded resets the
    presentation)."""
    from kiosk.core.effects import VisitEnded
    from kiosk.core.model import Language

    d = Drive()
    d.press("lang.en")
    assert d.view.language is Language.EN
    assert [e.seconds for e in d.effects if isinstance(e, StartTimer) and e.name == "inactivity"] == [120]
    effects = d.run(TimerFired(name="inactivity"))
    assert any(isinstance(e, VisitEnded) for e in effects)
    assert d.view.screen == "idle" and d.view.language is Language.KO
