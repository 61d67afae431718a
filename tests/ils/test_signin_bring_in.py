"""Signing in on the keypad, the PIN and its lock-out, and the Chaekieum bring-in, driven
through the runtime over SIP2 on TCP against the embedded server's seeded patrons."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest

from kiosk.core.events import CardRead, Pressed
from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.views import View
from kiosk.demo.transcript import Transcript
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session
from kiosk.ils.library import Sip2Library
from kiosk.runtime.clock import SystemClock
from kiosk.runtime.loop import Runtime
from simulators.ils import seed
from tests.ils.test_lost_answers import Paper
from tests.privacy import shows


class Kiosk:
    def __init__(self, server, settings: VisitSettings | None = None) -> None:
        self.library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        self.views: list[View] = []
        self.transcript = Transcript()
        self.paper = Paper()
        self.runtime = Runtime(
            Session(settings or VisitSettings()), self.library, self.paper, SystemClock(),
            show=self.views.append, membership=self.library.membership,
        )  # fmt: skip
        self.runtime.observers.append(self.transcript)
        self.runtime.start()

    @property
    def view(self) -> View:
        return self.views[-1]

    def wait(self, predicate, what: str, after: int | None = None) -> View:
        """The first view from the `after`-th (default: the one on screen now) that is not
        busy and matches."""
        if after is None:
            after = max(0, len(self.views) - 1)

        def seen() -> bool:
            return any(not v.busy and predicate(v) for v in self.views[after:])

        assert self.runtime.run_until(seen, 20), (
            f"waited for {what}; screen {self.view.screen} {self.view.message}"
        )
        return next(v for v in self.views[after:] if not v.busy and predicate(v))

    def press(self, control: str) -> None:
        self.runtime.post(Pressed(control=control))

    def type(self, digits: str) -> None:
        for d in digits:
            self.press(f"key.{d}")

    def enter(self, digits: str, then_message: str) -> View:
        """Type `digits` into an empty field, press Done, and wait for `then_message`."""
        self.type(digits)
        self.wait(lambda v: bool(v.inputs) and len(v.inputs[0].value) == len(digits), f"{len(digits)} typed")
        after = len(self.views)
        self.press("enter")
        return self.wait(lambda v: v.message == then_message, then_message, after)

    def stop(self) -> None:
        self.runtime.stop()
        self.library.close()


@pytest.fixture
def kiosk(server) -> Iterator[Kiosk]:
    k = Kiosk(server)
    yield k
    k.stop()


def number(card: str) -> str:
    return seed.MEMBER_NUMBERS[card]


def test_a_patron_without_a_card_signs_in_with_number_and_pin_and_borrows(kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.runtime.post(Pressed(control="sign_in"))
    view = kiosk.wait(lambda v: v.screen == "signin", "the keypad")
    assert view.inputs[0].name == "number" and not view.inputs[0].secret
    view = kiosk.enter(number(seed.DEMO_PATRON_ID), "signin.pin_prompt")
    (field,) = view.inputs
    assert field.secret and field.value == ""
    kiosk.type(seed.DEMO_PATRON_PIN)
    view = kiosk.wait(lambda v: len(v.inputs[0].value) == 4, "four digits")
    assert view.inputs[0].shown() == "●●●●"  # dots on screen, never the digits
    kiosk.press("enter")
    view = kiosk.wait(lambda v: v.screen == "borrow", "borrowing")
    # The library answered with the card's id: borrowing goes on under it.
    from kiosk.core.events import BarcodeRead

    kiosk.runtime.post(BarcodeRead(text=seed.DEMO_ITEMS[0], symbology="Code128"))
    view = kiosk.wait(lambda v: any(x.status == "ok" for x in v.lines if x.detail), "the loan")
    loan = kiosk.library.lookup_patron(seed.DEMO_PATRON_ID)
    assert seed.DEMO_ITEMS[0] in [x.item_id for x in loan.loans]
    # Neither the PIN nor the number typed is in the log or the transcript.
    dump = kiosk.transcript.dump()
    for secret in (seed.DEMO_PATRON_PIN, number(seed.DEMO_PATRON_ID), seed.DEMO_PATRON_ID):
        assert not shows(secret, caplog.text) and not shows(secret, dump)
    assert (
        '"key.•"' in dump
        or "key.\\u2022" in dump
        or "key.•" in json.dumps(json.loads(dump), ensure_ascii=False)
    )


def test_wrong_pins_lock_the_card_at_this_kiosk(kiosk):
    kiosk.press("sign_in")
    kiosk.wait(lambda v: v.screen == "signin", "the keypad")
    kiosk.enter(number(seed.HOLDER_PATRON_ID), "signin.pin_prompt")
    view = kiosk.enter("0000", "signin.pin_wrong")
    assert view.args() == {"left": "2"} and view.inputs[0].value == ""
    view = kiosk.enter("1111", "signin.pin_wrong")
    assert view.args() == {"left": "1"}
    view = kiosk.enter("2222", "signin.locked")
    assert view.screen == "notice" and view.args() == {"minutes": "15"} and "giveback" in view.controls
    # Locked: the right PIN, or the card itself, is refused for the lock-out time.
    kiosk.press("ok")
    kiosk.wait(lambda v: v.screen == "idle", "idle")
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.HOLDER_PATRON_ID))
    view = kiosk.wait(lambda v: v.screen == "notice", "the lock-out notice")
    assert view.message == "signin.locked"


def test_an_unknown_number_is_typed_again_then_sent_to_the_desk(kiosk):
    kiosk.press("sign_in")
    kiosk.wait(lambda v: v.screen == "signin", "the keypad")
    kiosk.enter("1199999999", "signin.pin_prompt")
    view = kiosk.enter("1234", "signin.number_unknown")
    assert view.screen == "signin" and view.inputs[0].name == "number" and view.inputs[0].value == ""
    kiosk.enter("1199999998", "signin.pin_prompt")
    kiosk.enter("1234", "signin.number_unknown")
    kiosk.enter("1199999997", "signin.pin_prompt")
    view = kiosk.enter("1234", "signin.too_many")
    assert view.screen == "notice" and "giveback" in view.controls


def test_the_pin_after_a_card_where_the_library_asks_for_it(server):
    kiosk = Kiosk(server, VisitSettings(pin_after_card=True))
    try:
        kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        view = kiosk.wait(lambda v: v.screen == "signin", "the PIN")
        # Only the PIN is asked; the card's id is never on screen.
        assert [f.name for f in view.inputs] == ["pin"]
        assert seed.DEMO_PATRON_ID not in json.dumps([f.shown() for f in view.inputs])
        kiosk.enter("9999", "signin.pin_wrong")
        kiosk.type(seed.DEMO_PATRON_PIN)
        kiosk.press("enter")
        kiosk.wait(lambda v: v.screen == "borrow", "borrowing")
    finally:
        kiosk.stop()


def test_a_member_of_another_library_brings_in_and_borrows(kiosk, server, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.BRING_IN_PATRON_ID))
    view = kiosk.wait(lambda v: v.screen == "bring_in", "the bring-in")
    assert view.message == "bring_in.consent_prompt" and view.lines and "agree" in view.controls
    kiosk.press("agree")
    kiosk.wait(lambda v: v.message == "bring_in.birth_date", "the birth date")
    # A birth date that does not parse is asked again before anything is sent.
    kiosk.enter("901345", "bring_in.birth_invalid")
    born = seed.BRING_IN_BIRTH_DATE.strftime("%y%m%d")
    kiosk.enter(born, "bring_in.new_pin")
    kiosk.enter("4826", "bring_in.repeat_pin")
    kiosk.enter("4827", "bring_in.pin_mismatch")  # the two differ: chosen again
    kiosk.enter("4826", "bring_in.repeat_pin")
    kiosk.type("4826")
    kiosk.press("enter")
    view = kiosk.wait(lambda v: v.screen == "borrow", "borrowing")
    assert view.message == "bring_in.done"
    # Joined here with the new PIN: the library has the membership.
    assert server.store.membership_pin(seed.BRING_IN_PATRON_ID, "MA") == "4826"
    dump = kiosk.transcript.dump()
    for secret in ("4826", born, seed.BRING_IN_BIRTH_DATE.isoformat()):
        assert not shows(secret, caplog.text) and not shows(secret, dump)


def test_a_wrong_birth_date_is_asked_again_then_sent_to_the_desk(kiosk, server):
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.BRING_IN_PATRON_ID))
    kiosk.wait(lambda v: v.screen == "bring_in", "the bring-in")
    kiosk.press("agree")
    kiosk.wait(lambda v: v.message == "bring_in.birth_date", "the birth date")
    for left in ("2", "1"):
        kiosk.enter("850101", "bring_in.new_pin")
        kiosk.enter("1357", "bring_in.repeat_pin")
        view = kiosk.enter("1357", "bring_in.birth_wrong")
        assert view.args() == {"left": left}
    kiosk.enter("850101", "bring_in.new_pin")
    kiosk.enter("1357", "bring_in.repeat_pin")
    view = kiosk.enter("1357", "bring_in.too_many")
    assert view.screen == "notice" and "giveback" in view.controls
    assert server.store.membership_pin(seed.BRING_IN_PATRON_ID, "MA") is None


def test_a_member_already_joined_goes_straight_to_borrowing(kiosk):
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.NETWORK_PATRON_ID))
    view = kiosk.wait(lambda v: v.screen == "borrow", "borrowing")
    assert view.message != "bring_in.done"


def borrowing(kiosk: Kiosk, card: str = seed.DEMO_PATRON_ID) -> View:
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=card))
    return kiosk.wait(lambda v: v.screen == "borrow", "borrowing")


def test_a_book_on_loan_to_someone_else_is_reserved_from_its_row(kiosk, server):
    from kiosk.core.events import BarcodeRead

    borrowing(kiosk)
    kiosk.runtime.post(BarcodeRead(text=seed.ON_LOAN_ITEM, symbology="Code128"))
    view = kiosk.wait(lambda v: any(x.detail == seed.ON_LOAN_ITEM for x in v.lines), "the refusal")
    (row,) = [x for x in view.lines if x.detail == seed.ON_LOAN_ITEM]
    assert row.status == "refused" and row.note == "refusal.reservable" and row.control
    kiosk.press(row.control)
    view = kiosk.wait(lambda v: any(x.note == "library.hold_queued" for x in v.lines), "the reservation")
    (row,) = [x for x in view.lines if x.detail == seed.ON_LOAN_ITEM]
    assert row.status == "ok" and dict(row.note_args) == {"position": "1"}
    # The library has it, and the book stays lent to the other patron.
    assert [h.card_id for h in server.store.holds_on(seed.ON_LOAN_ITEM, dt.date.min)] == [seed.DEMO_PATRON_ID]
    assert server.store.loan(seed.ON_LOAN_ITEM).card_id == seed.LIMIT_PATRON_ID
    # Done, the receipt lists it with its place in the queue.
    kiosk.press("finish")
    kiosk.wait(lambda v: v.screen == "goodbye", "goodbye")
    (printed,) = kiosk.paper.receipts
    at = printed.index(next(line for line in printed if "예약·신청 1권" in line))
    assert any(seed.ON_LOAN_ITEM in line and "대기 순번 1번" in line for line in printed[at:])


def test_a_registration_number_typed_borrows_requests_or_reserves(kiosk, server):
    borrowing(kiosk)
    kiosk.press("type_item")
    view = kiosk.wait(lambda v: bool(v.inputs), "the keypad")
    assert view.inputs[0].prefix == "EM" and view.args() == {"prefix": "EM"}
    # The digits only, zero-padded: EM + 0000100002.
    kiosk.type("100002")
    kiosk.press("enter")
    view = kiosk.wait(lambda v: any(x.detail == seed.DEMO_ITEMS[1] for x in v.lines), "the loan")
    assert not view.inputs and [x.status for x in view.lines if x.detail == seed.DEMO_ITEMS[1]] == ["ok"]
    assert server.store.loan(seed.DEMO_ITEMS[1]).card_id == seed.DEMO_PATRON_ID
    # A closed-stack book from the catalogue: offered, then requested.
    kiosk.press("type_item")
    kiosk.wait(lambda v: bool(v.inputs), "the keypad")
    kiosk.type(seed.CLOSED_STACK_ITEM[2:].lstrip("0"))
    kiosk.press("enter")
    view = kiosk.wait(lambda v: any(x.control for x in v.lines), "the offer")
    (row,) = [x for x in view.lines if x.control]
    assert row.note == "refusal.closed_stack"
    kiosk.press(row.control)
    view = kiosk.wait(lambda v: any(x.note == "library.closed_stack_requested" for x in v.lines), "requested")
    # Nothing typed: asked for the digits; cancel goes back.
    kiosk.press("type_item")
    kiosk.wait(lambda v: bool(v.inputs), "the keypad")
    kiosk.press("enter")
    kiosk.wait(lambda v: v.message == "borrow.type_short", "asked for digits")
    kiosk.press("cancel_typing")
    kiosk.wait(lambda v: not v.inputs and v.screen == "borrow", "borrowing")


def _bring_in_to_the_end(kiosk: Kiosk, card: str, born: dt.date, then_message: str) -> View:
    kiosk.runtime.post(CardRead(technology="106A", uid="01", identifier=card))
    kiosk.wait(lambda v: v.screen == "bring_in", "the bring-in")
    kiosk.press("agree")
    kiosk.wait(lambda v: v.message == "bring_in.birth_date", "the birth date")
    kiosk.enter(born.strftime("%y%m%d"), "bring_in.new_pin")
    kiosk.enter("4826", "bring_in.repeat_pin")
    return kiosk.enter("4826", then_message)


def test_the_home_library_refusing_the_bring_in_sends_the_patron_there_or_to_the_desk(kiosk, server):
    view = _bring_in_to_the_end(
        kiosk, seed.HOME_REFUSED_PATRON_ID, seed.HOME_REFUSED_BIRTH_DATE, "refusal.bring_in_refused"
    )
    assert view.screen == "notice" and "giveback" in view.controls
    assert server.store.membership_pin(seed.HOME_REFUSED_PATRON_ID, "MA") is None
    said = {language: text(view.message, language) for language in Language}
    assert "다니시는 책이음 도서관" in said[Language.KO] and "home" in said[Language.EN]


def test_the_home_library_stops_confirming_after_too_many_wrong_birth_dates(kiosk, server):
    """Wrong birth dates given elsewhere (another kiosk, another member library) count at the
    home library: after five, even the right one is not confirmed, and the kiosk says so."""
    membership = kiosk.library.membership
    wrong = dt.date(2001, 1, 1)
    for _ in range(5):
        result = membership.bring_in(seed.BIRTH_LOCK_PATRON_ID, wrong, "4826")
        assert result.reason == "refusal.identity_not_confirmed"
    assert server.store.birth_failures(seed.BIRTH_LOCK_PATRON_ID) == 5
    right = membership.bring_in(seed.BIRTH_LOCK_PATRON_ID, seed.BIRTH_LOCK_BIRTH_DATE, "4826")
    assert not right.ok and right.reason == "bring_in.too_many"
    view = _bring_in_to_the_end(
        kiosk, seed.BIRTH_LOCK_PATRON_ID, seed.BIRTH_LOCK_BIRTH_DATE, "bring_in.too_many"
    )
    assert view.screen == "notice" and "giveback" in view.controls
    assert server.store.membership_pin(seed.BIRTH_LOCK_PATRON_ID, "MA") is None


def test_a_right_birth_date_after_a_few_wrong_ones_still_joins(kiosk, server):
    membership = kiosk.library.membership
    for _ in range(4):
        assert not membership.bring_in(seed.BIRTH_LOCK_PATRON_ID, dt.date(2001, 1, 1), "4826").ok
    assert membership.bring_in(seed.BIRTH_LOCK_PATRON_ID, seed.BIRTH_LOCK_BIRTH_DATE, "4826").ok
    assert server.store.birth_failures(seed.BIRTH_LOCK_PATRON_ID) == 0  # counted afresh


def test_a_card_of_no_chaekieum_library_is_told_so(kiosk):
    result = kiosk.library.membership.bring_in("04FFFFFFFFFFFF", dt.date(1990, 1, 1), "4826")
    assert not result.ok and result.reason == "refusal.not_a_member"
