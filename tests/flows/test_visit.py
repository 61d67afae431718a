"""The visit flow without Qt, threads or time: events in, effects out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kiosk.core.effects import CallLibrary, Log, PrintReceipt, Show, StartTimer, VisitEnded
from kiosk.core.errors import LibraryTimeout
from kiosk.core.events import (
    BarcodeRead,
    CardProblem,
    CardRead,
    CardRemoved,
    FlowFailed,
    LibraryReplied,
    Pressed,
    ReceiptPrinted,
    ScanTrouble,
    Started,
    TimerFired,
)
from kiosk.core.model import CheckoutResult, Language, Loan, Patron, PrintOutcome
from kiosk.flows.machine import UnexpectedEvent
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session

AT = dt.datetime(2026, 11, 28, 14, 30)
PATRON = Patron(patron_id="04A1B2C3D4E5F6", name="김민수", loans=(Loan("EM0000000009", "토지"),))


def count_down(flow: Session) -> list:
    """Every tick of the countdown running now, to its end."""
    effects: list = []
    for _ in range(300):
        effects += flow.handle(TimerFired(name="countdown"))
        if flow._countdown is None:
            return effects
    raise AssertionError("the countdown never ended")


def rows(view):
    """A list's item rows, without the totals lines above them."""
    return [line for line in view.lines if line.detail]


def borrowing(flow: Session) -> bool:
    return flow.state == "active" and flow.activity is not None and flow.activity.name == "borrow"


def shows(effects):
    return [e.view for e in effects if isinstance(e, Show)]


def only(effects, kind):
    found = [e for e in effects if isinstance(e, kind)]
    assert len(found) == 1, effects
    return found[0]


def identified(flow: Session, patron: Patron = PATRON):
    flow.handle(Started())
    call = only(
        flow.handle(CardRead(technology="106A", uid="04a1b2c3d4e5f6", identifier=patron.patron_id, at=AT)),
        CallLibrary,
    )
    assert call.operation == "lookup_patron" and call.args == {"patron_id": patron.patron_id}
    return flow.handle(LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=patron))


def checkout(flow: Session, item: str, result: CheckoutResult | None = None, error=None):
    call = only(flow.handle(BarcodeRead(text=item, symbology="Code128", kind="item")), CallLibrary)
    assert call.args == {"patron_id": PATRON.patron_id, "item_id": item}
    return flow.handle(
        LibraryReplied(request_id=call.request_id, operation="checkout", result=result, error=error)
    )


def test_first_screen_is_idle_in_korean():
    flow = Session()
    (view,) = shows(flow.handle(Started()))
    assert view.screen == "idle" and view.language is Language.KO
    assert "lang.en" in view.controls and "call_staff" in view.controls


def test_language_switch_rerenders_current_screen():
    flow = Session()
    flow.handle(Started())
    (view,) = shows(flow.handle(Pressed(control="lang.en")))
    assert view.screen == "idle" and view.language is Language.EN


def test_a_whole_visit_borrow_two_print_goodbye_idle():
    flow = Session(VisitSettings(library_name="서울도서관", kiosk_id="K1"))
    effects = identified(flow)
    assert borrowing(flow)
    assert shows(effects)[-1].screen == "borrow"
    assert any(isinstance(e, StartTimer) and e.name == "inactivity" for e in effects)

    due = dt.date(2026, 12, 13)
    checkout(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", "채식주의자", due))
    effects = checkout(
        flow, "EM0000100002", CheckoutResult(False, "EM0000100002", "토지", reason="refusal.on_hold")
    )
    view = shows(effects)[-1]
    assert [line.status for line in view.lines] == ["ok", "refused"]

    effects = flow.handle(Pressed(control="finish"))
    end = only(effects, CallLibrary)
    assert end.operation == "end_session"
    job = only(effects, PrintReceipt)
    receipt = job.receipt
    assert [loan.item_id for loan in receipt.borrowed] == ["EM0000100001"]
    assert [r.reason for r in receipt.refused] == ["refusal.on_hold"]
    assert receipt.patron_name_masked == "김*수" and receipt.card_masked == "****E5F6"
    assert receipt.loans_total == 2 and receipt.at == AT

    effects = flow.handle(ReceiptPrinted(job_id=job.job_id, outcome=PrintOutcome(ok=True)))
    view = shows(effects)[-1]
    assert view.screen == "goodbye" and view.message == "goodbye.receipt"
    # Goodbye counts down, on screen, back to the first screen.
    assert view.countdown == 20 and view.hint == "goodbye.take_card"
    effects = count_down(flow)
    assert [v.countdown for v in shows(effects)[:-1]] == list(range(19, 0, -1))
    assert any(isinstance(e, VisitEnded) for e in effects)
    assert shows(effects)[-1].screen == "idle" and flow.visit.patron is None


def test_blocked_patron_sees_reason_and_returns_to_idle():
    flow = Session()
    blocked = Patron(patron_id="X", name="이서연", blocks=("refusal.fees",))
    effects = identified(flow, blocked)
    view = shows(effects)[-1]
    assert view.screen == "notice" and view.message == "refusal.fees"
    # The notice waits for the patron; when nobody touches it, a countdown offers more time.
    (view,) = shows(flow.handle(TimerFired(name="inactivity")))
    assert view.screen == "notice" and view.countdown == 20 and view.controls[0] == "extend"
    (view,) = shows(flow.handle(Pressed(control="extend")))
    assert view.countdown is None and view.message == "refusal.fees"
    flow.handle(TimerFired(name="inactivity"))
    assert shows(count_down(flow))[-1].screen == "idle"


def test_library_timeout_on_lookup_is_a_notice_not_a_crash():
    flow = Session()
    flow.handle(Started())
    call = only(flow.handle(CardRead(technology="106A", uid="01", identifier="01")), CallLibrary)
    view = shows(
        flow.handle(
            LibraryReplied(request_id=call.request_id, operation="lookup_patron", error=LibraryTimeout("t"))
        )
    )[-1]
    assert view.message == "error.library_timeout"


def test_checkout_error_is_recorded_as_refusal_with_the_item():
    flow = Session()
    identified(flow)
    view = shows(checkout(flow, "EM0000100003", error=LibraryTimeout("no answer")))[-1]
    assert view.lines[0].text == "EM0000100003" and view.lines[0].status == "refused"
    assert borrowing(flow)


def test_same_item_scanned_twice_is_borrowed_once():
    flow = Session()
    identified(flow)
    checkout(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", "a", dt.date(2026, 12, 13)))
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert not any(isinstance(e, CallLibrary) for e in effects)


def test_barcodes_arriving_during_a_checkout_are_queued_not_lost():
    flow = Session()
    identified(flow)
    first = only(flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128")), CallLibrary)
    queued = flow.handle(BarcodeRead(text="EM0000100002", symbology="Code128"))
    assert not [e for e in queued if isinstance(e, CallLibrary)]  # queued, not sent alongside
    effects = flow.handle(
        LibraryReplied(
            request_id=first.request_id,
            operation="checkout",
            result=CheckoutResult(True, "EM0000100001", "a"),
        )
    )
    second = only(effects, CallLibrary)
    assert second.args["item_id"] == "EM0000100002"


def test_isbn_is_not_a_loanable_label():
    flow = Session()
    identified(flow)
    effects = flow.handle(BarcodeRead(text="9788936434120", symbology="EAN13", kind="isbn"))
    assert not any(isinstance(e, CallLibrary) for e in effects)
    assert shows(effects)[-1].message == "refusal.not_an_item"


def test_finish_pressed_during_checkout_waits_for_the_answer():
    flow = Session()
    identified(flow)
    call = only(flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128")), CallLibrary)
    assert flow.handle(Pressed(control="finish")) == []
    effects = flow.handle(
        LibraryReplied(
            request_id=call.request_id, operation="checkout", result=CheckoutResult(True, "EM0000100001", "a")
        )
    )
    assert [loan.item_id for loan in only(effects, PrintReceipt).receipt.borrowed] == ["EM0000100001"]


def test_inactivity_shows_countdown_then_finishes_keeping_loans():
    flow = Session(VisitSettings(countdown_s=2))
    identified(flow)
    checkout(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", "a"))
    view = shows(flow.handle(TimerFired(name="inactivity")))[-1]
    assert view.countdown == 2 and view.controls[0] == "extend"
    assert shows(flow.handle(TimerFired(name="countdown")))[-1].countdown == 1
    effects = flow.handle(TimerFired(name="countdown"))
    assert only(effects, PrintReceipt).receipt.borrowed[0].item_id == "EM0000100001"


def test_extend_cancels_the_countdown():
    flow = Session()
    identified(flow)
    flow.handle(TimerFired(name="inactivity"))
    view = shows(flow.handle(Pressed(control="extend")))[-1]
    assert view.countdown is None and "extend" not in view.controls


def test_paper_out_tells_patron_loans_are_recorded():
    flow = Session()
    identified(flow)
    checkout(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", "a"))
    job = only(flow.handle(Pressed(control="finish")), PrintReceipt)
    effects = flow.handle(
        ReceiptPrinted(job_id=job.job_id, outcome=PrintOutcome(False, "printer.paper_out", "paper out"))
    )
    view = shows(effects)[-1]
    assert view.message == "goodbye.no_receipt" and view.args()["reason"] == "printer.paper_out"
    assert view.lines[0].text == "a"


def test_nothing_borrowed_prints_nothing():
    flow = Session()
    identified(flow)
    effects = flow.handle(Pressed(control="finish"))
    assert not any(isinstance(e, PrintReceipt) for e in effects)
    assert shows(effects)[-1].message == "goodbye.nothing"


def test_mobile_card_qr_identifies_the_patron():
    flow = Session()
    flow.handle(Started())
    call = only(
        flow.handle(BarcodeRead(text="04A1B2C3D4E5F6", symbology="QRCode", kind="member")), CallLibrary
    )
    assert call.args == {"patron_id": "04A1B2C3D4E5F6"}


def test_late_reply_after_start_over_is_ignored():
    flow = Session()
    flow.handle(Started())
    call = only(flow.handle(CardRead(technology="106A", uid="01", identifier="01")), CallLibrary)
    flow.handle(Pressed(control="start_over"))
    effects = flow.handle(
        LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=PATRON)
    )
    assert flow.state == "idle" and not shows(effects)


def test_call_staff_keeps_the_visit():
    flow = Session()
    identified(flow)
    view = shows(flow.handle(Pressed(control="call_staff")))[-1]
    assert view.screen == "borrow" and view.message == "notice.staff_called" and borrowing(flow)


def test_card_numbers_never_reach_logs():
    flow = Session()
    flow.handle(Started())
    effects = flow.handle(CardRead(technology="106A", uid="04a1b2c3d4e5f6", identifier=PATRON.patron_id))
    logs = " ".join(e.message for e in effects if isinstance(e, Log))
    assert PATRON.patron_id not in logs and "****E5F6" in logs


def test_event_missing_from_the_table_is_an_error():
    import enum

    from kiosk.flows.machine import Machine

    class Only(enum.StrEnum):
        ONLY = "only"

    class Gappy(Machine[Only]):
        STATES = Only
        INITIAL = Only.ONLY
        IGNORED = {Only.ONLY: (CardRemoved,)}
        state = Only.ONLY

    with pytest.raises(UnexpectedEvent):
        Gappy().handle(Started())
    assert Gappy().handle(CardRemoved())[0].level == "debug"


def test_two_cards_at_once_asks_for_one_card_on_the_first_screen():
    from kiosk.core.events import CardProblem

    flow = Session()
    flow.handle(Started())
    view = shows(flow.handle(CardProblem(reason="two_cards", technology="106A")))[-1]
    assert view.screen == "idle" and view.message == "card.one_please"
    # The single card that follows starts the visit as usual.
    assert only(flow.handle(CardRead(technology="106A", uid="01", identifier="01")), CallLibrary)


def test_card_problem_during_borrowing_is_ignored():
    from kiosk.core.events import CardProblem

    flow = Session()
    identified(flow)
    effects = flow.handle(CardProblem(reason="unreadable"))
    assert not shows(effects) and borrowing(flow)


# -- what a lost answer or a repeated book leaves on screen and receipt ----------------------


def statuses(view, item: str) -> list[str]:
    return [line.status for line in view.lines if line.detail == item]


def test_a_book_shown_again_after_borrowing_is_not_sent_again():
    flow = Session()
    identified(flow)
    item = "EM0000100001"
    checkout(flow, item, CheckoutResult(True, item, "채식주의자", dt.date(2026, 12, 13)))
    effects = flow.handle(BarcodeRead(text=item, symbology="Code128", kind="item"))
    assert not [e for e in effects if isinstance(e, CallLibrary)]  # a second checkout would renew it
    (view,) = shows(effects)
    assert view.message == "borrow.already_this_visit" and statuses(view, item) == ["ok"]


def test_an_unknown_outcome_is_not_confirmed_and_asked_about_when_shown_again():
    from kiosk.core.errors import OutcomeUnknown

    flow = Session()
    identified(flow)
    item = "EM0000100001"
    effects = checkout(flow, item, error=OutcomeUnknown("answer lost", "checkout", item))
    view = shows(effects)[-1]
    assert statuses(view, item) == ["unconfirmed"]
    assert next(x for x in view.lines if x.detail == item).note == "error.outcome_unknown"
    call = only(flow.handle(BarcodeRead(text=item, symbology="Code128", kind="item")), CallLibrary)
    assert call.args == {"patron_id": PATRON.patron_id, "item_id": item, "after_unknown": True}
    due = dt.date(2026, 12, 13)
    found = CheckoutResult(True, item, "채식주의자", due, recovered=True)
    effects = flow.handle(LibraryReplied(request_id=call.request_id, operation="checkout", result=found))
    assert statuses(shows(effects)[-1], item) == ["ok"]  # moved, not listed twice
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [loan.item_id for loan in receipt.borrowed] == [item]
    assert receipt.unconfirmed == () and receipt.refused == ()


def test_a_book_refused_then_borrowed_is_listed_once():
    flow = Session()
    identified(flow)
    item = "EM0000100001"
    checkout(flow, item, error=LibraryTimeout("not carried out"))
    effects = checkout(flow, item, CheckoutResult(True, item, "채식주의자", dt.date(2026, 12, 13)))
    assert statuses(shows(effects)[-1], item) == ["ok"]
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert receipt.refused == () and [loan.item_id for loan in receipt.borrowed] == [item]


def test_a_request_that_could_not_connect_shows_the_outage_and_no_line():
    from kiosk.core.errors import LibraryUnreachable

    flow = Session()
    identified(flow)
    effects = checkout(flow, "EM0000100001", error=LibraryUnreachable("connection refused"))
    view = shows(effects)[-1]
    assert view.message == "borrow.library_down" and view.lines == ()
    # The link is back (the heartbeat reconnected): the banner goes at once.
    from kiosk.core.events import DeviceStatus

    (view,) = shows(flow.handle(DeviceStatus(device="library", ok=True, detail="")))
    assert view.message == "borrow.greeting"


# -- every state has an explicit outcome for every kind of event ----------------------------


def sample_events():
    from kiosk.core.events import CardProblem, DeviceStatus, TechnicianDone, TechnicianReport
    from kiosk.core.model import CheckResult

    return [
        Started(),
        CardRead(technology="106A", uid="01", identifier=PATRON.patron_id),
        CardRemoved(),
        CardProblem(reason="two_cards"),
        BarcodeRead(text="EM0000100001", symbology="Code128"),
        BarcodeRead(text="CHAEKIEUM:04A1B2C3D4E5F6", symbology="QRCode", kind="member"),
        Pressed(control="finish"),
        Pressed(control="no_such_control"),
        LibraryReplied(request_id=99, operation="checkout", result=None),
        ReceiptPrinted(job_id=99, outcome=PrintOutcome(True)),
        TimerFired(name="inactivity"),
        TimerFired(name="no_such_timer"),
        DeviceStatus(device="library", ok=False, detail="down"),
        FlowFailed(state="borrow", failed_on="BarcodeRead", detail="KeyError"),
        ScanTrouble(),
        TechnicianReport(checks=(CheckResult("printer", "failed", "paper out"),)),
        TechnicianDone(action="test_page", ok=True),
    ]


def test_the_sample_has_every_kind_of_event():
    import kiosk.core.events as events

    kinds = {k for k in vars(events).values() if isinstance(k, type) and issubclass(k, events.Event)}
    assert kinds - {events.Event} == {type(e) for e in sample_events()}


def test_every_state_has_an_explicit_outcome_for_every_event():
    """No event in any state of the session or of an activity raises UnexpectedEvent: each is
    taken or declared ignored (a generated matrix: every state x every event kind)."""
    from kiosk.flows.borrow import Borrow
    from kiosk.flows.giveback import Giveback
    from kiosk.flows.session import SessionState

    for state in SessionState:
        for event in sample_events():
            flow = Session()
            identified(flow)
            flow.state = state
            flow.handle(event)  # raises UnexpectedEvent for a gap in the table
    from kiosk.core.events import TechnicianDone, TechnicianReport
    from kiosk.flows.account import Account
    from kiosk.flows.bringin import BringIn
    from kiosk.flows.signin import SignIn

    for kind in (Borrow, Giveback, Account, SignIn, BringIn):
        for state in kind.STATES:
            for event in sample_events():
                session_only = (
                    Pressed,
                    TimerFired,
                    CardRead,
                    CardRemoved,
                    CardProblem,
                    Started,
                    FlowFailed,
                    ReceiptPrinted,
                    TechnicianReport,
                    TechnicianDone,
                )
                if isinstance(event, session_only):
                    continue  # the session's: an activity never sees them
                flow = Session()
                identified(flow)
                activity = kind(flow, "X") if kind is BringIn else kind(flow)
                activity.state = state
                flow.visit.item_in_flight = "EM0000100001"
                activity.handle(event)
    from kiosk.flows.technician import Technician

    for state in Technician.STATES:
        for event in sample_events():
            flow = Session()
            flow.state = SessionState.TECHNICIAN
            flow.technician = Technician(flow, with_pin=False)
            flow.technician.state = state
            flow.handle(event)


def test_a_flow_failure_anywhere_asks_for_staff_then_goes_back_to_idle():
    from kiosk.core.events import FlowFailed

    flow = Session()
    identified(flow)
    checkout(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", "채식주의자", dt.date(2026, 12, 13)))
    effects = flow.handle(FlowFailed(state="borrow", failed_on="BarcodeRead", detail="KeyError: 'x'"))
    view = shows(effects)[-1]
    assert view.screen == "notice" and view.message == "error.flow_failed"
    assert any(isinstance(e, VisitEnded) for e in effects)  # the visit's data is dropped
    from kiosk.core.effects import AlertStaff

    (alert,) = [e for e in effects if isinstance(e, AlertStaff)]  # staff are really called
    assert alert.kind == "call_staff" and "flow failed in borrow" in alert.message
    assert flow.visit.patron is None and flow.state == "notice"
    flow.handle(TimerFired(name="inactivity"))
    assert shows(count_down(flow))[-1].screen == "idle"


# -- the session hosts giveback (no card) and renewals ---------------------------------------


def reply_to(flow: Session, effects, result=None, error=None):
    call = only(effects, CallLibrary)
    return flow.handle(
        LibraryReplied(request_id=call.request_id, operation=call.operation, result=result, error=error)
    )


def test_a_book_shown_at_idle_is_returned_without_a_card():
    from kiosk.core.model import CheckinResult
    from kiosk.core.requests import Checkin

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128", at=AT))
    call = only(effects, CallLibrary)
    assert call.request == Checkin("EM0000100001")
    assert flow.state == "active" and flow.activity.name == "giveback"
    effects = reply_to(flow, effects, CheckinResult(True, "EM0000100001", "채식주의자"))
    view = shows(effects)[-1]
    assert view.screen == "giveback" and [(x.detail, x.status) for x in view.lines] == [
        ("EM0000100001", "ok")
    ]
    # The same book again: one return, no second checkin.
    again = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert not [e for e in again if isinstance(e, CallLibrary)]
    assert shows(again)[-1].message == "giveback.already_returned"
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [x.item_id for x in receipt.returned] == ["EM0000100001"]
    assert receipt.card_masked == "" and receipt.patron_name_masked == ""  # no patron data
    from kiosk.core.receipt import layout

    printed = [line.text for line in layout(receipt, 48)]
    assert "반납 1권" in printed and not any(line.startswith("회원") for line in printed)


def test_return_button_then_books_on_hold_and_overdue_are_explained():
    from kiosk.core.model import CheckinResult

    flow = Session()
    flow.handle(Started())
    (view,) = shows(flow.handle(Pressed(control="giveback", at=AT)))
    assert view.screen == "giveback" and view.message == "giveback.prompt"
    effects = flow.handle(BarcodeRead(text="EM0000100002", symbology="Code128"))
    effects = reply_to(
        flow, effects, CheckinResult(True, "EM0000100002", "토지", for_hold=True, sort_bin="B2")
    )
    line = shows(effects)[-1].lines[0]
    assert line.note == "receipt.note.hold_shelf"
    effects = flow.handle(BarcodeRead(text="EM0000100003", symbology="Code128"))
    effects = reply_to(flow, effects, CheckinResult(True, "EM0000100003", "파친코", late_days=3))
    view = shows(effects)[-1]
    assert view.message == "giveback.late" and ("days", "3") in view.message_args
    assert ("until", "2026-12-01") in view.message_args  # AT is 2026-11-28
    effects = flow.handle(BarcodeRead(text="EM0000100004", symbology="Code128"))
    effects = reply_to(flow, effects, CheckinResult(False, "EM0000100004", reason="refusal.not_on_loan"))
    assert [x.status for x in shows(effects)[-1].lines] == ["ok", "ok", "refused"]
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert (receipt.suspended_days, receipt.suspended_until) == (3, dt.date(2026, 12, 1))
    from kiosk.core.receipt import layout

    printed = " ".join(line.text for line in layout(receipt, 48))
    assert "2026-12-01까지 3일 동안 대출 정지" in printed and "예약된 책입니다" in printed


def test_returning_then_tapping_a_card_goes_on_to_borrow_with_the_returns_kept():
    from kiosk.core.model import CheckinResult

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100009", symbology="Code128", at=AT))
    reply_to(flow, effects, CheckinResult(True, "EM0000100009", "토지"))
    effects = flow.handle(CardRead(technology="106A", uid="01", identifier=PATRON.patron_id))
    assert flow.state == "identifying"
    effects = reply_to(flow, effects, PATRON)
    assert borrowing(flow) and shows(effects)[-1].screen == "borrow"
    item = "EM0000100001"
    checkout(flow, item, CheckoutResult(True, item, "채식주의자", dt.date(2026, 12, 13)))
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [x.item_id for x in receipt.returned] == ["EM0000100009"]
    assert [loan.item_id for loan in receipt.borrowed] == [item]


def test_a_card_refused_after_returns_goes_back_to_them():
    from kiosk.core.model import CheckinResult

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100009", symbology="Code128", at=AT))
    reply_to(flow, effects, CheckinResult(True, "EM0000100009", "토지"))
    effects = flow.handle(CardRead(technology="106A", uid="01", identifier="UNKNOWN"))
    blocked = Patron("UNKNOWN", "", valid=False, blocks=("refusal.patron_unknown",))
    view = shows(reply_to(flow, effects, blocked))[-1]
    assert view.screen == "giveback" and view.message == "refusal.patron_unknown"
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [x.item_id for x in receipt.returned] == ["EM0000100009"] and receipt.card_masked == ""


def test_the_patrons_own_loan_shown_again_is_renewed_never_a_new_loan():
    from kiosk.core.model import RenewResult
    from kiosk.core.requests import Renew

    flow = Session()
    identified(flow)
    own = PATRON.loans[0].item_id
    effects = flow.handle(BarcodeRead(text=own, symbology="Code128"))
    assert only(effects, CallLibrary).request == Renew(PATRON.patron_id, own)
    due = dt.date(2026, 12, 20)
    view = shows(reply_to(flow, effects, RenewResult(True, own, "토지", due)))[-1]
    (line,) = view.lines
    assert (
        line.status == "ok"
        and line.note == "borrow.renewed_line"
        and line.note_args == (("due", "2026-12-20"),)
    )
    again = flow.handle(BarcodeRead(text=own, symbology="Code128"))
    assert not [e for e in again if isinstance(e, CallLibrary)]  # renewed once, not twice
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert receipt.borrowed == () and [loan.item_id for loan in receipt.renewed] == [own]
    assert own not in [loan.item_id for loan in receipt.on_loan]


def test_a_refused_renewal_says_why_under_its_own_heading():
    from kiosk.core.model import RenewResult

    flow = Session()
    identified(flow)
    own = PATRON.loans[0].item_id
    effects = flow.handle(BarcodeRead(text=own, symbology="Code128"))
    view = shows(reply_to(flow, effects, RenewResult(False, own, "토지", reason="refusal.on_hold")))[-1]
    assert [(x.status, x.note) for x in view.lines] == [("refused", "refusal.on_hold")]
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [(x.item_id, x.action) for x in receipt.refused] == [(own, "renewal")]


def test_the_diagram_names_every_state_and_transition():
    from kiosk.flows.borrow import Borrow
    from kiosk.flows.session import SessionState

    dot = Session.dot()
    for state in SessionState:
        assert f'"{state.value}"' in dot
    assert '"idle" -> "active" [label="BarcodeRead [member card / book]"]' in dot
    assert '"ready" -> "checking_out" [label="BarcodeRead"]' in Borrow.dot()


# -- "My loans": renew selected, renew all, back to borrowing --------------------------------


def test_my_loans_renews_the_selected_books_and_says_why_not():
    from kiosk.core.model import RenewResult
    from kiosk.core.requests import Renew

    loans = (
        Loan("EM1", "토지", dt.date(2026, 11, 20)),
        Loan("EM2", "파친코", dt.date(2026, 12, 5)),
        Loan("EM3", "소년이 온다", dt.date(2026, 12, 9)),
    )
    patron = replace(PATRON, loans=loans)
    flow = Session()
    identified(flow, patron)
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    assert view.screen == "account" and [x.detail for x in rows(view)] == ["EM1", "EM2", "EM3"]
    assert [x.note for x in rows(view)] == ["account.overdue_line", "account.due_line", "account.due_line"]
    assert all(x.selected is False and x.control == f"select.{x.detail}" for x in rows(view))
    assert view.lines[0].note == "account.loans_here"  # the totals above the list
    flow.handle(Pressed(control="select.EM1"))
    (view,) = shows(flow.handle(Pressed(control="select.EM2")))
    assert [x.selected for x in rows(view)] == [True, True, False]
    effects = flow.handle(Pressed(control="renew_selected"))
    assert only(effects, CallLibrary).request == Renew(PATRON.patron_id, "EM1")
    effects = reply_to(flow, effects, RenewResult(False, "EM1", "토지", reason="refusal.overdue"))
    assert only(effects, CallLibrary).request == Renew(PATRON.patron_id, "EM2")  # one after the other
    effects = reply_to(flow, effects, RenewResult(True, "EM2", "파친코", dt.date(2026, 12, 19)))
    view = shows(effects)[-1]
    assert [(x.detail, x.status, x.note) for x in rows(view)] == [
        ("EM1", "refused", "refusal.overdue"),
        ("EM2", "ok", "borrow.renewed_line"),
        ("EM3", "info", "account.due_line"),
    ]
    (view,) = shows(flow.handle(Pressed(control="back")))
    assert view.screen == "borrow"
    flow.handle(Pressed(control="my_loans"))
    # A book shown on "My loans" is taken to borrowing rather than ignored.
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert (
        only(effects, CallLibrary).request.operation == "checkout" and shows(effects)[-1].screen == "borrow"
    )
    reply_to(flow, effects, CheckoutResult(True, "EM0000100001", "채식주의자", dt.date(2026, 12, 13)))
    receipt = only(flow.handle(Pressed(control="finish")), PrintReceipt).receipt
    assert [loan.item_id for loan in receipt.renewed] == ["EM2"]
    assert [loan.item_id for loan in receipt.borrowed] == ["EM0000100001"]
    assert [(x.item_id, x.action) for x in receipt.refused] == [("EM1", "renewal")]


def test_my_loans_says_the_outage_when_a_renewal_could_not_be_sent():
    """Nothing was sent: no refused line for the book, no more tries, the outage said; the
    banner goes when the link is back."""
    from kiosk.core.errors import LibraryUnreachable
    from kiosk.core.events import DeviceStatus

    loans = (Loan("EM1", "토지", dt.date(2026, 12, 20)), Loan("EM2", "파친코", dt.date(2026, 12, 5)))
    flow = Session()
    identified(flow, replace(PATRON, loans=loans))
    flow.handle(Pressed(control="my_loans"))
    flow.handle(Pressed(control="select.EM1"))
    flow.handle(Pressed(control="select.EM2"))
    effects = flow.handle(Pressed(control="renew_selected"))
    call = only(effects, CallLibrary)
    effects = flow.handle(
        LibraryReplied(request_id=call.request_id, operation="renew", error=LibraryUnreachable("refused"))
    )
    assert not [e for e in effects if isinstance(e, CallLibrary)]  # EM2 not tried against a dead link
    view = shows(effects)[-1]
    assert view.message == "account.library_down" and not view.busy
    assert [x.status for x in rows(view)] == ["info", "info"]
    assert not flow.visit.refused and not flow.visit.unconfirmed
    (view,) = shows(flow.handle(DeviceStatus(device="library", ok=True)))
    assert view.message == "account.prompt"
    (view,) = shows(flow.handle(DeviceStatus(device="library", ok=False, detail="down")))
    assert view.message == "account.library_down"


def test_my_loans_renew_all_and_nothing_selected():
    from kiosk.core.model import RenewAllResult
    from kiosk.core.requests import RenewAll

    flow = Session()
    identified(flow)
    flow.handle(Pressed(control="my_loans"))
    (view,) = shows(flow.handle(Pressed(control="renew_selected")))
    assert view.message == "account.select_first"
    effects = flow.handle(Pressed(control="renew_all"))
    assert only(effects, CallLibrary).request == RenewAll(PATRON.patron_id)
    own = PATRON.loans[0].item_id
    result = RenewAllResult(True, renewed=(Loan(own, "", dt.date(2026, 12, 20)),))
    view = shows(reply_to(flow, effects, result))[-1]
    assert view.message == "account.renewed_all" and [(x.status, x.note) for x in rows(view)] == [
        ("ok", "borrow.renewed_line")
    ]
    assert rows(view)[0].text == "토지"  # the title kept from the loan list


def test_returns_may_end_without_a_receipt_by_choice():
    from kiosk.core.model import CheckinResult

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128", at=AT))
    reply_to(flow, effects, CheckinResult(True, "EM0000100001", "채식주의자"))
    effects = flow.handle(Pressed(control="finish_no_receipt"))
    assert not [e for e in effects if isinstance(e, PrintReceipt)]
    view = shows(effects)[-1]
    assert view.screen == "goodbye" and view.message == "goodbye.no_receipt_chosen"
    assert [x.detail for x in view.lines] == ["EM0000100001"]


def test_a_member_librarys_book_is_returned_here_and_says_where_it_goes():
    from kiosk.core.model import CheckinResult
    from kiosk.core.receipt import layout

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="GN0000200001", symbology="Code128", at=AT))
    result = CheckinResult(
        True, "GN0000200001", "달러구트 꿈 백화점", sort_bin="TRANSIT", destination="강남구립논현도서관"
    )
    (line,) = shows(reply_to(flow, effects, result))[-1].lines
    assert (line.status, line.note, line.note_args) == (
        "ok",
        "giveback.transit_line",
        (("library", "강남구립논현도서관"),),
    )
    receipt = only(flow.handle(Pressed(control="finish_return")), PrintReceipt).receipt
    printed = " ".join(x.text for x in layout(receipt, 48))
    assert "강남구립논현도서관(으)로 돌아갑니다" in printed and "다른 도서관으로 돌려보낼 책" in printed


def test_library_requests_go_out_before_the_screen_is_drawn():
    """The request is sent first, then the busy screen drawn: the library's time and the
    screen's overlap rather than add up."""
    flow = Session()
    flow.handle(Started())
    effects = flow.handle(CardRead(technology="106A", uid="01", identifier=PATRON.patron_id))
    kinds = [type(e).__name__ for e in effects if isinstance(e, (CallLibrary, Show))]
    assert kinds == ["CallLibrary", "Show"]
    call = only(effects, CallLibrary)
    flow.handle(LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=PATRON))
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert [type(e).__name__ for e in effects if isinstance(e, (CallLibrary, Show))] == [
        "CallLibrary",
        "Show",
    ]


def test_a_return_that_could_not_be_sent_says_keep_the_book():
    from kiosk.core.errors import LibraryUnreachable, OutcomeUnknown

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128", at=AT))
    view = shows(reply_to(flow, effects, error=LibraryUnreachable("refused")))[-1]
    assert view.message == "giveback.library_down" and view.lines == ()
    effects = flow.handle(BarcodeRead(text="EM0000100002", symbology="Code128"))
    view = shows(reply_to(flow, effects, error=OutcomeUnknown("lost", "checkin", "EM0000100002")))[-1]
    assert [(x.detail, x.status, x.note) for x in view.lines] == [
        ("EM0000100002", "unconfirmed", "error.return_unknown")
    ]


def test_idle_offers_borrow_and_return():
    flow = Session()
    (view,) = shows(flow.handle(Started()))
    assert view.controls[:2] == ("borrow", "giveback")
    (view,) = shows(flow.handle(Pressed(control="borrow")))
    assert view.screen == "idle" and view.message == "idle.tap_card" and flow.state == "idle"


def test_busy_screens_say_what_is_being_done():
    flow = Session()
    identified(flow)
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert shows(effects)[-1].busy and shows(effects)[-1].message == "working.checkout"
    flow = Session()
    flow.handle(Started())
    effects = flow.handle(BarcodeRead(text="EM0000100001", symbology="Code128"))
    assert shows(effects)[-1].busy and shows(effects)[-1].message == "working.checkin"


def test_a_blocked_patron_is_told_why_with_figures_and_may_return_books():
    from kiosk.core.model import PatronDetails

    details = PatronDetails(fees_owed=12000, suspended_until=dt.date(2026, 12, 10))
    blocked = Patron("X", "이서연", blocks=("refusal.fees", "refusal.suspended"), details=details)
    flow = Session()
    flow.handle(Started())
    effects = flow.handle(CardRead(technology="106A", uid="01", identifier="X"))
    view = shows(reply_to(flow, effects, blocked))[-1]
    assert (view.screen, view.message, view.message_args) == ("notice", "block.fees", (("amount", "12,000"),))
    assert [(x.note, x.note_args) for x in view.lines] == [("block.suspended", (("until", "2026-12-10"),))]
    (view,) = shows(flow.handle(Pressed(control="giveback")))
    assert view.screen == "giveback" and flow.visit.patron is None


def test_ready_holds_are_marked_on_the_borrow_screen_until_borrowed():
    from kiosk.core.model import Hold, PatronDetails

    hold = Hold("EM0000100181", "나미야 잡화점의 기적", True, dt.date(2026, 12, 4), "예약도서 서가")
    waiting = Hold("EM0000100102", "", False)
    holder = replace(PATRON, details=PatronDetails(holds=(hold, waiting)))
    flow = Session()
    view = shows(identified(flow, holder))[-1]
    assert [(x.detail, x.note, x.note_args) for x in view.lines] == [
        ("EM0000100181", "borrow.hold_ready_line", (("shelf", "예약도서 서가"), ("until", "2026-12-04")))
    ]
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    assert [(x.detail, x.note) for x in view.lines][-2:] == [
        ("EM0000100181", "account.hold_ready_line"),
        ("EM0000100102", "account.hold_waiting_line"),
    ]
    flow.handle(Pressed(control="back"))
    effects = flow.handle(BarcodeRead(text="EM0000100181", symbology="Code128"))
    view = shows(
        reply_to(flow, effects, CheckoutResult(True, "EM0000100181", hold.title, dt.date(2026, 12, 16)))
    )[-1]
    assert [(x.detail, x.status) for x in view.lines] == [("EM0000100181", "ok")]  # the hold line is gone


def test_my_loans_cancels_the_selected_holds():
    from kiosk.core.model import Hold, HoldResult, PatronDetails
    from kiosk.core.requests import CancelHold

    holds = (Hold("EM1", "토지", True, dt.date(2026, 12, 4), "예약도서 서가"), Hold("EM2", "파친코", False))
    flow = Session()
    identified(flow, replace(PATRON, details=PatronDetails(holds=holds)))
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    assert "cancel_holds" in view.controls
    (view,) = shows(flow.handle(Pressed(control="cancel_holds")))
    assert view.message == "account.select_holds_first"
    flow.handle(Pressed(control="select.hold.EM1"))
    flow.handle(Pressed(control="select.hold.EM2"))
    effects = flow.handle(Pressed(control="cancel_holds"))
    first = only(effects, CallLibrary).request
    assert isinstance(first, CancelHold) and first.patron_id == PATRON.patron_id
    effects = reply_to(flow, effects, HoldResult(True, first.item_id))
    second = only(effects, CallLibrary).request
    view = shows(reply_to(flow, effects, HoldResult(False, second.item_id, reason="refusal.hold_unknown")))[
        -1
    ]
    notes = {x.detail: (x.status, x.note) for x in rows(view)}
    assert notes[first.item_id] == ("ok", "account.hold_cancelled")
    assert notes[second.item_id] == ("refused", "refusal.hold_unknown")


def test_my_account_shows_totals_fees_and_a_paged_history_never_printed():
    from kiosk.core.model import HistoryEntry, PatronDetails
    from kiosk.core.requests import BorrowingHistory

    details = PatronDetails(
        fees_owed=3000, loans_here=1, loan_limit_here=7, network_loans=5, network_limit=20
    )
    flow = Session(VisitSettings(member_libraries={"MA": "서울도서관"}))
    identified(flow, replace(PATRON, details=details))
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    totals = [(x.note, x.note_args) for x in view.lines if not x.detail]
    assert totals == [
        ("account.loans_both", (("count", "1"), ("network", "5"))),
        # Both limits, this library's and Chaekieum's, whichever binds.
        (
            "account.quota_both",
            (("left", "6"), ("limit", "7"), ("network_left", "15"), ("network_limit", "20")),
        ),
        ("account.fees", (("amount", "3,000"),)),
    ]
    effects = flow.handle(Pressed(control="history"))
    assert only(effects, CallLibrary).request == BorrowingHistory(PATRON.patron_id)
    history = tuple(
        HistoryEntry(
            "MA" if n % 2 else "XY", f"EM{n}", f"책 {n}", dt.date(2026, 1, n + 1), dt.date(2026, 1, n + 10)
        )
        for n in range(10)
    )
    view = shows(reply_to(flow, effects, history))[-1]
    assert view.message == "account.history_note" and len(view.lines) == 8 and "history_more" in view.controls
    assert "print_history" in view.controls
    # A library by its name where the settings give one, else by its code.
    assert [dict(x.note_args)["library"] for x in view.lines[:2]] == ["XY", "서울도서관"]
    (view,) = shows(flow.handle(Pressed(control="history_more")))
    assert [x.detail for x in view.lines] == ["EM8", "EM9"] and "history_more" not in view.controls
    (view,) = shows(flow.handle(Pressed(control="loans")))
    assert view.lines[0].note == "account.loans_both"
    # Nothing was done: finishing prints no receipt, so the history is on no paper.
    effects = flow.handle(Pressed(control="finish"))
    assert not [e for e in effects if isinstance(e, PrintReceipt)]


def test_the_history_is_printed_only_when_the_patron_asks_and_can_be_taken_back():
    from kiosk.core.model import HistoryEntry
    from kiosk.core.receipt import layout

    flow = Session(VisitSettings(member_libraries={"GN": "강남구립논현도서관"}))
    identified(flow)
    flow.handle(Pressed(control="my_loans"))
    effects = flow.handle(Pressed(control="history"))
    history = (HistoryEntry("GN", "EM7", "소년이 온다", dt.date(2026, 3, 2), dt.date(2026, 3, 16)),)
    view = shows(reply_to(flow, effects, history))[-1]
    (view,) = shows(flow.handle(Pressed(control="print_history")))
    assert view.message == "account.history_will_print" and "unprint_history" in view.controls
    (view,) = shows(flow.handle(Pressed(control="unprint_history")))
    assert view.message == "account.history_wont_print" and "print_history" in view.controls
    # Taken back: nothing else was done, so no receipt at all.
    assert not [e for e in flow.handle(Pressed(control="finish")) if isinstance(e, PrintReceipt)]

    flow = Session(VisitSettings(member_libraries={"GN": "강남구립논현도서관"}))
    identified(flow)
    flow.handle(Pressed(control="my_loans"))
    reply_to(flow, flow.handle(Pressed(control="history")), history)
    flow.handle(Pressed(control="print_history"))
    (job,) = [e for e in flow.handle(Pressed(control="finish")) if isinstance(e, PrintReceipt)]
    text = "\n".join(line.text for line in layout(job.receipt, 32))
    assert "대출 이력 1건" in text and "소년이 온다" in text and "강남구립논현도서관" in text
    assert "2026-03-02" in text and "2026-03-16" in text


def test_a_reservation_placed_in_this_visit_is_on_my_loans_and_leaves_the_receipt_when_cancelled():
    from kiosk.core.model import HoldResult
    from kiosk.core.requests import CancelHold

    flow = Session()
    identified(flow)
    item = "EM0000100196"
    effects = checkout(flow, item, CheckoutResult(False, item, "1984", reason="refusal.closed_stack"))
    effects = flow.handle(Pressed(control=f"request.{item}"))
    result = HoldResult(True, item, "1984", True, dt.date(2026, 12, 5), "보존서고 신청도서 서가")
    reply_to(flow, effects, result)
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    (row,) = [x for x in view.lines if x.detail == item]
    assert row.note == "account.hold_ready_line" and row.control == f"select.hold.{item}"
    flow.handle(Pressed(control=row.control))
    effects = flow.handle(Pressed(control="cancel_holds"))
    assert only(effects, CallLibrary).request == CancelHold(PATRON.patron_id, item)
    (view,) = shows(reply_to(flow, effects, HoldResult(True, item)))[-1:]
    (row,) = [x for x in view.lines if x.detail == item]
    assert row.note == "account.hold_cancelled"
    assert not flow.visit.requested  # no longer on the receipt as reserved


def test_a_blocked_patron_may_see_their_account_and_return_but_not_borrow():
    from kiosk.core.model import PatronDetails

    flow = Session()
    flow.handle(Started())
    effects = flow.handle(CardRead(technology="106A", uid="01", identifier=PATRON.patron_id))
    loan = Loan("EM0000100001", "채식주의자", dt.date(2026, 1, 5))
    blocked = replace(PATRON, blocks=("refusal.fees",), loans=(loan,), details=PatronDetails(fees_owed=5000))
    (view,) = shows(reply_to(flow, effects, blocked))
    assert view.screen == "notice" and "my_loans" in view.controls and "giveback" in view.controls
    (view,) = shows(flow.handle(Pressed(control="my_loans")))
    assert view.screen == "account"
    assert ("account.fees", (("amount", "5,000"),)) in [(x.note, x.note_args) for x in view.lines]
    assert "EM0000100001" in [x.detail for x in view.lines]
    assert "back" not in view.controls and "giveback" in view.controls
    # A book shown here is not lent: the patron is told why and how to return instead.
    effects = flow.handle(BarcodeRead(symbology="Code128", text="EM0000100002", kind="item"))
    assert not [e for e in effects if isinstance(e, CallLibrary)]
    assert shows(effects)[-1].message == "account.may_not_borrow"
    (view,) = shows(flow.handle(Pressed(control="giveback")))
    assert view.screen == "giveback"


def test_a_closed_stack_book_is_offered_for_request_not_refused_outright():
    from kiosk.core.model import HoldResult
    from kiosk.core.requests import PlaceHold

    flow = Session()
    identified(flow)
    item = "EM0000100196"
    effects = checkout(flow, item, CheckoutResult(False, item, "1984", reason="refusal.closed_stack"))
    (line,) = shows(effects)[-1].lines
    assert (line.status, line.note, line.control) == ("refused", "refusal.closed_stack", f"request.{item}")
    effects = flow.handle(Pressed(control=f"request.{item}"))
    assert only(effects, CallLibrary).request == PlaceHold(PATRON.patron_id, item)
    result = HoldResult(True, item, "1984", True, dt.date(2026, 12, 5), "보존서고 신청도서 서가")
    (line,) = shows(reply_to(flow, effects, result))[-1].lines
    assert (line.status, line.note) == ("ok", "library.closed_stack_requested")
    assert line.note_args == (("place", "보존서고 신청도서 서가"), ("date", "2026-12-05"))
