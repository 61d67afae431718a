"""Every one of SIP2's 14 patron status flags becomes something the patron is told: a block
with its sentence, figures and next step, or a restriction that takes the control it closes
off the screen (borrowing stays open)."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.messages import text
from kiosk.core.model import Language, Patron
from kiosk.flows import screens
from kiosk.ils.answers import patron_blocks, patron_details
from kiosk.ils.sip2.codec import Message
from kiosk.ils.sip2.layout import PATRON_STATUS_FLAGS, patron_status

TODAY = dt.date(2026, 3, 2)


def reply(*flags: str, **fields: str) -> Message:
    status = patron_status(**dict.fromkeys(flags, True))
    return Message("64", status + "000" + "20260302    120000" + "0005" + "0000" * 5, tuple(fields.items()))


BLOCKING = {
    "card_lost": "refusal.card_invalid",
    "excessive_fines": "refusal.fees",
    "excessive_fees": "refusal.fees",
    "too_many_overdue": "refusal.suspended",
    "recall_overdue": "refusal.recall_overdue",
    "too_many_lost": "refusal.items_lost",
    "too_many_billed": "refusal.items_billed",
    "too_many_claims_returned": "refusal.claims_returned",
    "too_many_charged": "refusal.limit",
}
RESTRICTING = ("renewal_denied", "hold_denied", "recall_denied", "too_many_renewals")


def test_every_flag_is_either_a_block_or_a_restriction_or_charge_denied():
    assert set(BLOCKING) | set(RESTRICTING) | {"charge_denied"} == set(PATRON_STATUS_FLAGS)


@pytest.mark.parametrize("flag", sorted(BLOCKING))
def test_a_blocking_flag_is_a_sentence_with_its_next_step_in_both_languages(flag):
    message = reply(flag, BL="Y", BV="12000", CC="5000", CB="7", PA="20260101")
    blocks = patron_blocks(message, TODAY)
    assert BLOCKING[flag] in blocks
    details = patron_details(message, charged_here=5, loan_limit=7)
    patron = Patron("P1", "김민수", blocks=blocks, details=details)
    view = screens.blocked(Language.KO, patron, (BLOCKING[flag],))
    assert "giveback" in view.controls and "my_loans" in view.controls  # never a dead end
    for language in Language:
        said = text(view.message, language, **view.args())
        assert said and "{" not in said and not said.startswith("refusal.") and not said.startswith("block.")
    if flag == "too_many_charged":
        assert view.message == "block.limit" and view.args() == {"limit": "7", "count": "5"}
    if flag in ("excessive_fines", "excessive_fees"):
        assert view.message == "block.fees" and view.args() == {"amount": "12,000"}


@pytest.mark.parametrize("flag", RESTRICTING)
def test_a_restricting_flag_leaves_borrowing_open(flag):
    message = reply(flag, BL="Y")
    assert patron_blocks(message, TODAY) == ()
    assert patron_details(message, 0, 7).restrictions == (flag,)


def test_renewals_closed_take_renew_off_my_loans_and_say_so():
    from kiosk.core.events import Pressed
    from kiosk.core.model import Loan
    from kiosk.flows.account import Account
    from kiosk.flows.screens import VisitSettings
    from kiosk.flows.session import Session

    details = patron_details(reply("renewal_denied", "hold_denied", BL="Y"), 1, 7)
    patron = Patron("P1", "김민수", loans=(Loan("EM0000100001", "채식주의자", TODAY),), details=details)
    session = Session(VisitSettings())
    session.visit.patron = patron
    account = Account(session)
    view = account.view(None)
    assert "renew_selected" not in view.controls and "renew_all" not in view.controls
    notes = [line.note for line in view.lines]
    assert "account.renewal_denied" in notes and "account.hold_denied" in notes
    account.handle(Pressed(control="renew_all"))
    assert not account.busy  # nothing sent
    # No renewals left is the same for the controls, said in its own words.
    session.visit.patron = Patron(
        "P1", "김민수", details=patron_details(reply("too_many_renewals", BL="Y"), 1, 7)
    )
    view = Account(session).view(None)
    assert "renew_all" not in view.controls
    assert "block.too_many_renewals" in [line.note for line in view.lines]


def test_reservations_closed_offer_no_reservation_on_a_refused_row():
    from kiosk.core.receipt import Refusal
    from kiosk.flows.screens import Visit

    for restrictions, offered in (((), True), (("hold_denied",), False)):
        details = patron_details(reply(*restrictions, BL="Y"), 0, 7)
        visit = Visit(patron=Patron("P1", "김민수", details=details))
        visit.refused.append(Refusal("EM0000100181", "refusal.already_on_loan", "토지"))
        (line,) = screens.refused_lines(visit, "checkout")
        assert bool(line.control) == offered


def test_the_library_s_own_words_are_shown_cleaned_beside_the_reason():
    message = reply("charge_denied", BL="Y", AF="Please see Ms. Kim at desk 2\x1b[2J\u202e")
    blocks = patron_blocks(message, TODAY)
    patron = Patron("P1", "김민수", blocks=blocks, details=patron_details(message, 0, 7))
    view = screens.blocked(Language.EN, patron, blocks)
    assert view.message == "refusal.patron_blocked"
    assert [line.text for line in view.lines] == ["Please see Ms. Kim at desk 2"]
    message = reply("excessive_fines", BL="Y", AF="Pay at desk 2\x07")
    patron = Patron("P1", "김민수", blocks=("refusal.fees",), details=patron_details(message, 0, 7))
    view = screens.blocked(Language.EN, patron, ("refusal.fees",))
    assert [line.text for line in view.lines] == ["Pay at desk 2"]
    # Words the kiosk has a sentence for are not repeated.
    message = reply("excessive_fines", BL="Y", AF="You have outstanding fines")
    patron = Patron("P1", "김민수", blocks=("refusal.fees",), details=patron_details(message, 0, 7))
    assert screens.blocked(Language.EN, patron, ("refusal.fees",)).lines == ()


def test_an_expired_card_says_when_it_ended():
    message = reply(BL="Y", PA="20260101")
    blocks = patron_blocks(message, TODAY)
    assert blocks == ("refusal.card_expired",)
    patron = Patron("P1", "김민수", blocks=blocks, details=patron_details(message, 0, 7))
    view = screens.blocked(Language.KO, patron, blocks)
    assert view.message == "block.card_expired" and view.args() == {"date": "2026-01-01"}
