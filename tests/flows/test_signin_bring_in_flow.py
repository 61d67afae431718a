"""Signing in on the keypad and the bring-in, as flows without Qt, threads or time: every
refusal path, the lock-out and its end, and that a PIN or birth date typed goes nowhere but
the one request that needs it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.core.effects import CallLibrary, Effect, Show
from kiosk.core.errors import LibraryUnreachable
from kiosk.core.events import BarcodeRead, CardRead, LibraryReplied, Pressed, Started, TimerFired
from kiosk.core.model import BringInResult, Patron, PatronDetails
from kiosk.core.views import View
from kiosk.flows.bringin import birth_date
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session

AT = dt.datetime(2026, 12, 2, 10, 0)
CARD = "04A1B2C3D4E5F6"
NUMBER = "1100000001"
PIN = "4321"
PATRON = Patron(patron_id=CARD, name="김민수")
GUEST = Patron(
    patron_id="044AEBFC0D1E2F", name="임도윤", blocks=("refusal.bring_in_needed",), home_library="GN",
    details=PatronDetails(bring_in_needed=True),
)  # fmt: skip


class Drive:
    """A session and everything it did, for one test."""

    def __init__(self, settings: VisitSettings | None = None) -> None:
        self.flow = Session(settings or VisitSettings())
        self.effects: list[Effect] = []
        self.at = AT
        self.run(Started())

    def run(self, event) -> list[Effect]:
        effects = self.flow.handle(dataclasses.replace(event, at=self.at))
        self.effects += effects
        return effects

    @property
    def view(self) -> View:
        return [e.view for e in self.effects if isinstance(e, Show)][-1]

    def press(self, *controls: str) -> None:
        for control in controls:
            self.run(Pressed(control=control))

    def type(self, digits: str) -> None:
        self.press(*(f"key.{d}" for d in digits))

    def enter(self, digits: str) -> None:
        self.type(digits)
        self.press("enter")

    def call(self) -> CallLibrary:
        return [e for e in self.effects if isinstance(e, CallLibrary)][-1]

    def reply(self, result=None, error=None) -> None:
        call = self.call()
        self.run(
            LibraryReplied(request_id=call.request_id, operation=call.operation, result=result, error=error)
        )

    def sign_in(self, number: str = NUMBER, pin: str = PIN) -> CallLibrary:
        self.press("sign_in")
        self.enter(number)
        self.enter(pin)
        return self.call()


def test_signing_in_looks_the_patron_up_with_number_and_pin():
    d = Drive()
    d.press("sign_in")
    assert d.view.screen == "signin" and d.view.inputs[0].name == "number"
    d.enter(NUMBER)
    assert d.view.message == "signin.pin_prompt" and d.view.inputs[0].secret
    d.type(PIN)
    assert d.view.inputs[0].shown() == "●●●●" and not d.view.sensitive
    d.press("enter")
    call = d.call()
    assert call.operation == "lookup_patron" and call.args == {"patron_id": NUMBER, "pin": PIN}
    d.reply(PATRON)
    assert d.view.screen == "borrow"
    # The PIN went out in that one request and nowhere else: no view, log or other effect.
    others = [e for e in d.effects if e is not call]
    assert PIN not in repr(others)
    assert d.flow.activity is not None and PIN not in repr(vars(d.flow.activity))


def test_keys_edit_the_field_and_short_entries_are_asked_again():
    d = Drive()
    d.press("sign_in")
    d.type("123")
    d.press("enter")
    assert d.view.message == "signin.number_short" and d.view.args() == {"digits": "6"}
    d.type("45678")
    assert d.view.message == "signin.number_prompt"  # typing again clears the message
    d.press("key.erase")
    assert d.view.inputs[0].value == "1234567"
    d.press("key.clear")
    assert d.view.inputs[0].value == ""
    d.type("9" * 20)
    assert d.view.inputs[0].value == "9" * 16  # no more than the longest number
    d.press("key.clear")
    d.enter(NUMBER)
    d.enter("12")
    assert d.view.message == "signin.pin_short" and d.view.inputs[0].name == "pin"
    d.press("key.erase", "key.erase", "key.erase")  # erase on an empty PIN: the number again
    assert d.view.inputs[0].name == "number" and d.view.inputs[0].value == NUMBER


def test_start_over_and_timing_out_leave_nothing():
    d = Drive()
    d.press("sign_in")
    d.type(NUMBER)
    d.press("start_over")
    assert d.view.screen == "idle" and d.flow.activity is None
    d.press("sign_in")
    assert d.view.inputs[0].value == ""  # the number typed before is gone
    d.run(TimerFired(name="inactivity"))
    assert d.view.countdown is not None and "extend" in d.view.controls
    for _ in range(VisitSettings().countdown_s):
        d.run(TimerFired(name="countdown"))
    assert d.view.screen == "goodbye"


def _reachable_text(root: object) -> str:
    """Every string held anywhere under `root` (attributes, containers, dataclasses), joined."""
    seen: set[int] = set()
    found: list[str] = []
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or obj is None or isinstance(obj, (int, float, bool, dt.date, dt.datetime)):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.append(obj)
        elif isinstance(obj, bytes):
            found.append(obj.decode("utf-8", "replace"))
        elif isinstance(obj, dict):
            todo += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo += list(obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            todo += list(vars(obj).values())
        elif hasattr(obj, "__slots__"):
            todo += [getattr(obj, name, None) for name in obj.__slots__]
    return "\n".join(found)


def test_nothing_typed_or_looked_up_is_kept_once_the_visit_ends():
    """The membership number, the PIN, the birth date and the new PINs of a bring-in, the
    patron's name and card: none is anywhere in the session after the visit (only hashes of
    cards, for the lock-outs)."""
    d = Drive()
    pin, number = "739146", "5550001234"
    d.sign_in(number, pin)
    d.reply(dataclasses.replace(PATRON, patron_id=number))
    assert d.view.screen == "borrow"
    held = _reachable_text(d.flow)
    assert number in held  # while the visit lasts, the patron is known
    assert pin not in held  # the PIN only went out with the lookup
    d.press("finish")
    for _ in range(VisitSettings().goodbye_s):
        d.run(TimerFired(name="countdown"))
    assert d.view.screen == "idle"
    # A bring-in given up half-way, birth date and PINs typed.
    bring_in(d)
    d.enter("900315")
    d.enter("8642")
    d.type("5317")  # the second PIN, half typed
    d.press("start_over")
    held = _reachable_text(d.flow)
    for secret in (pin, number, "900315", "8642", "5317", PATRON.name, GUEST.patron_id, GUEST.name):
        assert secret not in held, secret


def test_wrong_pins_lock_the_card_until_the_lock_out_ends():
    d = Drive(VisitSettings(pin_attempts=2, lockout_s=600))
    d.sign_in(pin="0000")
    d.reply(dataclasses.replace(PATRON, blocks=("refusal.pin_wrong",)))
    assert (
        d.view.screen == "signin" and d.view.message == "signin.pin_wrong" and d.view.args() == {"left": "1"}
    )
    d.enter("1111")
    d.reply(dataclasses.replace(PATRON, blocks=("refusal.pin_wrong",)))
    assert (
        d.view.screen == "notice" and d.view.message == "signin.locked" and d.view.args() == {"minutes": "10"}
    )
    d.press("ok")
    # A new visit: the card, tapped or typed, is still locked; no request is sent.
    calls = len([e for e in d.effects if isinstance(e, CallLibrary)])
    d.at = AT + dt.timedelta(minutes=4)
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    assert d.view.message == "signin.locked" and d.view.args() == {"minutes": "6"}
    d.press("ok")
    d.press("sign_in")
    d.enter(NUMBER)
    d.enter(PIN)
    assert d.view.message == "signin.locked"
    assert len([e for e in d.effects if isinstance(e, CallLibrary)]) == calls
    # After the lock-out, the right PIN opens it and the count starts afresh.
    d.press("ok")
    d.at = AT + dt.timedelta(minutes=11)
    d.sign_in()
    d.reply(PATRON)
    assert d.view.screen == "borrow"
    assert not d.flow._locked and not d.flow._pin_failures


def test_the_lock_counts_across_visits_and_by_the_library_s_id():
    """Typing the number in one visit and tapping the card in the next are the same card."""
    d = Drive(VisitSettings(pin_attempts=2, pin_after_card=True))
    d.sign_in(pin="0000")
    d.reply(dataclasses.replace(PATRON, blocks=("refusal.pin_wrong",)))
    d.press("start_over")
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    assert d.view.screen == "signin" and [f.name for f in d.view.inputs] == ["pin"]
    d.enter("1111")
    assert d.call().args == {"patron_id": CARD, "pin": "1111"}
    d.reply(dataclasses.replace(PATRON, blocks=("refusal.pin_wrong",)))
    assert d.view.message == "signin.locked"


def test_an_unreachable_library_while_signing_in_is_said():
    d = Drive()
    d.sign_in()
    d.reply(error=LibraryUnreachable("down"))
    assert d.view.screen == "notice" and d.view.message == "error.library_unavailable"


@pytest.mark.parametrize(
    ("digits", "born"),
    [
        ("900315", dt.date(1990, 3, 15)),
        ("051231", dt.date(2005, 12, 31)),
        ("261201", dt.date(2026, 12, 1)),
        ("271201", dt.date(1927, 12, 1)),  # a century back rather than in the future
        ("19900315", dt.date(1990, 3, 15)),
        ("901345", None),
        ("9003", None),
        ("20301010", None),  # not born yet
    ],
)
def test_birth_dates_typed(digits, born):
    assert birth_date(digits, AT.date()) == born


def bring_in(d: Drive) -> None:
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    d.reply(GUEST)
    assert d.view.screen == "bring_in" and d.view.message == "bring_in.consent_prompt"
    assert d.view.lines[0].note == "bring_in.consent_default"  # the library set no text of its own
    d.press("agree")


def through_pins(d: Drive, born: str = "900315", pin: str = "2580") -> CallLibrary:
    d.enter(born)
    d.enter(pin)
    d.enter(pin)
    return d.call()


def test_the_bring_in_sends_birth_date_and_pin_once_then_borrows():
    d = Drive()
    bring_in(d)
    d.type("9003")
    assert d.view.sensitive and d.view.inputs[0].private  # a birth date is not captured
    d.press("key.clear")
    call = through_pins(d)
    assert call.operation == "bring_in"
    assert call.args == {"patron_id": GUEST.patron_id, "birth_date": dt.date(1990, 3, 15), "new_pin": "2580"}
    assert d.view.busy
    d.reply(BringInResult(True, GUEST.patron_id, "MA"))
    lookup = d.call()
    assert lookup.operation == "lookup_patron" and lookup.args == {"patron_id": GUEST.patron_id}
    d.reply(dataclasses.replace(GUEST, blocks=(), details=PatronDetails()))
    assert d.view.screen == "borrow" and d.view.message == "bring_in.done"
    assert "2580" not in repr([e for e in d.effects if e is not call])
    assert "900315" not in repr([e for e in d.effects if not isinstance(e, Show)])


def test_a_consent_text_from_the_library_is_shown_in_the_screen_s_language():
    consent = {"ko": "첫째 문단\n\n둘째 문단", "en": "First.\n\nSecond."}
    from kiosk.core.model import Language

    d = Drive(VisitSettings(bring_in_consent={Language(k): v for k, v in consent.items()}))
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    d.reply(GUEST)
    assert [x.text for x in d.view.lines] == ["첫째 문단", "둘째 문단"]
    d.press("lang.en")
    assert [x.text for x in d.view.lines] == ["First.", "Second."]


def test_pins_that_differ_or_are_short_are_chosen_again():
    d = Drive()
    bring_in(d)
    d.enter("900315")
    d.enter("12")
    assert d.view.message == "refusal.pin_unacceptable"
    d.press("key.clear")
    d.enter("2580")
    d.enter("2581")
    assert d.view.message == "bring_in.pin_mismatch" and d.view.inputs[0].name == "new_pin"
    assert d.view.inputs[0].value == ""
    d.enter("1357")
    assert d.view.inputs[0].name == "new_pin_again"


def test_a_birth_date_that_is_no_date_is_asked_again_before_anything_is_sent():
    d = Drive()
    bring_in(d)
    sent = len([e for e in d.effects if isinstance(e, CallLibrary)])
    d.enter("901345")
    assert d.view.message == "bring_in.birth_invalid" and d.view.inputs[0].value == ""
    assert len([e for e in d.effects if isinstance(e, CallLibrary)]) == sent


def test_a_wrong_birth_date_three_times_sends_the_patron_to_the_desk():
    d = Drive()
    bring_in(d)
    for left in ("2", "1"):
        through_pins(d, born="850101")
        d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.identity_not_confirmed"))
        assert d.view.message == "bring_in.birth_wrong" and d.view.args() == {"left": left}
        assert d.view.inputs[0].name == "birth_date" and d.view.inputs[0].value == ""
    through_pins(d, born="850101")
    d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.identity_not_confirmed"))
    assert d.view.screen == "notice" and d.view.message == "bring_in.too_many"
    assert "giveback" in d.view.controls


def test_wrong_birth_dates_count_across_visits_and_lock_the_bring_in_until_the_lock_out_ends():
    """A new tap of the card gives no new tries: guessing a birth date three at a time fails."""
    d = Drive(VisitSettings(lockout_s=900))
    bring_in(d)
    through_pins(d, born="850101")
    d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.identity_not_confirmed"))
    assert d.view.args() == {"left": "2"}
    d.press("start_over")
    # The next visit: one try was used, two are left.
    bring_in(d)
    through_pins(d, born="850102")
    d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.identity_not_confirmed"))
    assert d.view.message == "bring_in.birth_wrong" and d.view.args() == {"left": "1"}
    through_pins(d, born="850103")
    d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.identity_not_confirmed"))
    assert d.view.message == "bring_in.too_many"
    d.press("ok")
    # Locked: the card is looked up (it may still return books) but no bring-in is offered.
    d.at = AT + dt.timedelta(minutes=5)
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    d.reply(GUEST)
    assert d.view.screen == "notice" and d.view.message == "bring_in.too_many"
    assert "giveback" in d.view.controls
    assert not [e for e in d.effects[-5:] if isinstance(e, CallLibrary) and e.operation == "bring_in"]
    d.press("ok")
    # After the lock-out: three tries again, and a bring-in done clears the count.
    d.at = AT + dt.timedelta(minutes=16)
    bring_in(d)
    through_pins(d)
    d.reply(BringInResult(True, GUEST.patron_id, "MA"))
    d.reply(dataclasses.replace(GUEST, blocks=(), details=PatronDetails()))
    assert d.view.screen == "borrow"
    assert not d.flow._birth_failures and not d.flow._bring_in_locked


def test_a_card_that_could_not_be_looked_up_may_still_return_books():
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier="0499"))
    d.reply(error=LibraryUnreachable("connection refused"))
    assert d.view.screen == "notice" and "giveback" in d.view.controls
    d.press("giveback")
    assert d.view.screen == "giveback"


def test_a_pin_the_library_will_not_take_is_chosen_again():
    d = Drive()
    bring_in(d)
    through_pins(d)
    d.reply(BringInResult(False, GUEST.patron_id, reason="refusal.pin_unacceptable"))
    assert d.view.screen == "bring_in" and d.view.message == "refusal.pin_unacceptable"
    assert d.view.inputs[0].name == "new_pin"


@pytest.mark.parametrize(
    ("result", "error", "message"),
    [
        (BringInResult(False, "x", reason="refusal.not_a_member"), None, "refusal.not_a_member"),
        (
            BringInResult(False, "x", reason="refusal.bring_in_unsupported"),
            None,
            "refusal.bring_in_unsupported",
        ),
        (BringInResult(False, "x"), None, "refusal.bring_in_refused"),
        (None, LibraryUnreachable("down"), "error.library_unavailable"),
        (None, None, "error.library_unavailable"),  # an empty answer: not done, and said so
    ],
)
def test_a_refused_bring_in_is_explained_with_the_next_step(result, error, message):
    d = Drive()
    bring_in(d)
    through_pins(d)
    d.reply(result, error)
    assert d.view.screen == "notice" and d.view.message == message and "giveback" in d.view.controls


def test_already_joined_counts_as_joined():
    d = Drive()
    bring_in(d)
    through_pins(d)
    d.reply(BringInResult(True, GUEST.patron_id, "MA", reason="refusal.already_member"))
    assert d.call().operation == "lookup_patron"


def test_a_member_with_other_blocks_is_told_them_rather_than_joined():
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    d.reply(dataclasses.replace(GUEST, blocks=("refusal.bring_in_needed", "refusal.card_invalid")))
    assert d.view.screen == "notice" and d.view.message == "refusal.bring_in_needed"


def test_books_returned_before_the_bring_in_stay_on_the_visit():
    from kiosk.core.model import CheckinResult

    d = Drive()
    d.run(BarcodeRead(text="EM0000100021", symbology="Code128"))
    d.reply(CheckinResult(ok=True, item_id="EM0000100021", title="토지 1"))
    assert d.view.screen == "giveback"
    bring_in(d)
    through_pins(d)
    d.reply(BringInResult(True, GUEST.patron_id, "MA"))
    d.reply(dataclasses.replace(GUEST, blocks=(), details=PatronDetails()))
    assert d.view.screen == "borrow"
    assert [c.item_id for c in d.flow.visit.returned] == ["EM0000100021"]


def test_a_book_shown_while_typing_its_number_is_taken_as_shown():
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    d.press("type_item")
    d.type("12")
    d.run(BarcodeRead(text="EM0000100003", symbology="Code128"))
    assert d.call().args == {"patron_id": CARD, "item_id": "EM0000100003"}
    assert not d.view.inputs


@pytest.mark.parametrize("pin_after_card", [False, True])
def test_the_mobile_card_keeps_working(pin_after_card):
    d = Drive(VisitSettings(pin_after_card=pin_after_card))
    d.run(BarcodeRead(text=CARD, symbology="QRCode", kind="member"))
    if pin_after_card:
        assert d.view.screen == "signin" and [f.name for f in d.view.inputs] == ["pin"]
        d.enter(PIN)
        assert d.call().args == {"patron_id": CARD, "pin": PIN}
    else:
        assert d.call().args == {"patron_id": CARD}
    d.reply(PATRON)
    assert d.view.screen == "borrow"
