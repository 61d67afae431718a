"""What the patron sees while the library cannot be reached: the first screen says what still
works, a card admitted offline borrows within its allowance with each loan marked on screen
and receipt, and the screen follows the link as it goes and comes back."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.effects import CallLibrary, PrintReceipt
from kiosk.core.events import BarcodeRead, CardRead, DeviceStatus, LibraryReplied, Pressed, Started
from kiosk.core.messages import text
from kiosk.core.model import CheckoutResult, Language, Patron
from kiosk.core.receipt import layout
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session
from tests.flows.test_visit import AT, only, shows

CARD = "04A1B2C3D4E5F6"
DOWN = DeviceStatus(device="library", ok=False, detail="SIP2 server 10.0.0.5:6001 is unreachable")
UP = DeviceStatus(device="library", ok=True, detail="")


def settings(**kw) -> VisitSettings:
    return VisitSettings(**kw)


@pytest.mark.parametrize(
    ("lending", "returns", "prompt"),
    [
        (True, True, "idle.offline"),
        (False, True, "idle.offline_returns"),
        (False, False, "idle.library_down"),
    ],
)
def test_the_first_screen_says_what_still_works_while_the_library_is_down(lending, returns, prompt):
    flow = Session(settings(offline_lending=lending, offline_returns=returns))
    flow.handle(Started())
    (view,) = shows(flow.handle(DOWN))
    assert view.screen == "idle" and view.message == prompt
    for language in Language:
        assert text(prompt, language)  # said in both languages
    (view,) = shows(flow.handle(UP))
    assert view.message == "idle.prompt"


def test_the_next_patron_finds_the_offline_screen_too():
    flow = Session(settings(offline_lending=True, offline_returns=True))
    flow.handle(Started())
    flow.handle(DOWN)
    flow.handle(Pressed(control="giveback"))
    views = shows(flow.handle(Pressed(control="start_over")))
    if flow.state != "idle":  # the goodbye first
        views += shows(flow.handle(Pressed(control="ok")))
    assert flow.state == "idle" and views[-1].screen == "idle"
    assert views[-1].message == "idle.offline"


def offline_visit(left: int = 2) -> tuple[Session, list]:
    flow = Session(settings(offline_lending=True, offline_returns=True))
    flow.handle(Started())
    flow.handle(DOWN)
    call = only(flow.handle(CardRead(technology="106A", uid="01", identifier=CARD, at=AT)), CallLibrary)
    patron = Patron(CARD, "", offline=True, offline_left=left)
    reply = LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=patron)
    return flow, flow.handle(reply)


def lend(flow: Session, item: str, result: CheckoutResult) -> list:
    call = only(flow.handle(BarcodeRead(text=item, symbology="Code128", kind="item")), CallLibrary)
    return flow.handle(LibraryReplied(request_id=call.request_id, operation="checkout", result=result))


def test_a_card_admitted_offline_borrows_and_each_loan_is_marked_on_screen_and_receipt():
    flow, effects = offline_visit(left=2)
    view = shows(effects)[-1]
    assert (view.screen, view.message, dict(view.message_args)["left"]) == ("borrow", "borrow.offline", "2")
    due = AT.date() + dt.timedelta(days=14)
    view = shows(lend(flow, "EM0000100001", CheckoutResult(True, "EM0000100001", due=due, offline=True)))[-1]
    (line,) = view.lines
    assert (line.status, line.note) == ("ok", "borrow.done_offline_line")
    assert dict(line.note_args)["due"] == str(due)
    assert dict(view.message_args)["left"] == "1"
    used_up = CheckoutResult(False, "EM0000100002", reason="refusal.offline_limit")
    view = shows(lend(flow, "EM0000100002", used_up))[-1]
    assert [line.status for line in view.lines] == ["ok", "refused"]
    printed = only(flow.handle(Pressed(control="finish")), PrintReceipt)
    lines = [p.text for p in layout(printed.receipt, 32)]
    note = text("receipt.note.offline_loan", Language.KO)
    assert any(note[:10] in line for line in lines), lines
    assert any("EM0000100001" in line for line in lines)


def test_the_link_going_mid_visit_says_borrowing_goes_on_offline_where_the_library_allows():
    for lending, banner in ((True, "borrow.went_offline"), (False, "borrow.library_down")):
        flow = Session(settings(offline_lending=lending))
        flow.handle(Started())
        call = only(flow.handle(CardRead(technology="106A", uid="01", identifier=CARD, at=AT)), CallLibrary)
        patron = Patron(CARD, "김민수")
        flow.handle(LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=patron))
        (view,) = shows(flow.handle(DOWN))
        assert view.message == banner
        (view,) = shows(flow.handle(UP))
        assert view.message == "borrow.greeting"


def test_loans_of_an_interrupted_visit_are_listed_and_printed_at_the_next_visit():
    from kiosk.core.model import Loan

    flow = Session(settings())
    flow.handle(Started())
    call = only(flow.handle(CardRead(technology="106A", uid="01", identifier=CARD, at=AT)), CallLibrary)
    due = AT.date() + dt.timedelta(days=10)
    earlier = Loan("EM0000100001", "토지", due, earlier=True)
    patron = Patron(CARD, "김민수", loans=(earlier,), earlier=(earlier,))
    view = shows(
        flow.handle(LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=patron))
    )[-1]
    assert view.message == "borrow.earlier"
    (line,) = view.lines
    assert (line.text, line.note) == ("토지", "borrow.earlier_line")
    printed = only(flow.handle(Pressed(control="finish")), PrintReceipt)
    lines = [p.text for p in layout(printed.receipt, 48)]
    assert any(text("receipt.note.earlier", Language.KO) in line for line in lines), lines


def test_a_return_started_while_offline_says_returns_go_on():
    flow = Session(settings(offline_returns=True))
    flow.handle(Started())
    flow.handle(DOWN)
    (view,) = shows(flow.handle(Pressed(control="giveback")))
    assert (view.screen, view.message) == ("giveback", "giveback.offline")
