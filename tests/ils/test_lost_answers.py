"""Lost answers, told truthfully. The embedded server commits a checkout, return or renewal and
then drops the connection (commit-then-drop), leaves the answer unsent (commit-then-hang, one
session or the whole server), answers with bytes that are no SIP2 message (commit-then-
garble), or drops the request before reading it (drop-before-commit).
Each time the library's records, what the adapter reports, and for a checkout what the screen
shows and the receipt prints, must agree: borrowed with its due date, not borrowed with a
reason, or "not confirmed: please check at the desk"; never both borrowed and refused, and
never a second checkout (a renewal) for a book shown again."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest

from kiosk.core.errors import LibraryError, OutcomeUnknown
from kiosk.core.events import BarcodeRead, CardRead, DeviceStatus, Pressed
from kiosk.core.model import PrintOutcome
from kiosk.core.receipt import Receipt, layout
from kiosk.core.views import View
from kiosk.flows.session import Session
from kiosk.ils.library import Sip2Library
from kiosk.runtime.clock import SystemClock
from kiosk.runtime.loop import Runtime
from simulators.ils import seed

pytestmark = pytest.mark.timeout(60)

PATRON = seed.DEMO_PATRON_ID
ON_LOAN = seed.DEMO_LOAN_ITEM  # on loan to PATRON, due in 5 days, never renewed
BOOK = seed.DEMO_ITEMS[0]
CODES = {"checkout": "11", "checkin": "09", "renewal": "29"}


@pytest.fixture
def quick(server):
    """Waits 0.4 s for an answer and 1.5 s to find out what happened, so a lost answer
    costs the test little."""
    library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=0.4, recovery_s=1.5)
    library.connect()
    yield library
    server.thaw()
    library.close()


def do(library: Sip2Library, operation: str):
    if operation == "checkout":
        return library.checkout(PATRON, BOOK)
    if operation == "checkin":
        return library.checkin(ON_LOAN)
    return library.renew(PATRON, ON_LOAN)


def records(server, operation: str) -> bool:
    """Whether the library's records show the operation done (exactly once)."""
    store = server.store
    if operation == "checkout":
        loan = store.loan(BOOK)
        return loan is not None and loan.card_id == PATRON and loan.renewals == 0
    if operation == "checkin":
        return store.loan(ON_LOAN) is None
    loan = store.loan(ON_LOAN)
    assert loan is not None and loan.renewals <= 1  # never renewed twice
    return loan.renewals == 1


OPERATIONS = ["checkout", "checkin", "renewal"]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("fault", ["reply_dropped", "reply_lost", "garbage"])
def test_committed_then_answer_lost_on_a_live_server_is_reported_done(server, quick, operation, fault):
    quick.lookup_patron(PATRON)
    server.add_fault(fault, on=CODES[operation])
    result = do(quick, operation)
    assert result.ok and result.recovered
    assert records(server, operation)
    assert server.received[CODES[operation]] == 1  # asked about, never sent again
    if operation != "checkin":
        assert result.due == server.store.loan(BOOK if operation == "checkout" else ON_LOAN).due


@pytest.mark.parametrize("operation", OPERATIONS)
def test_committed_then_the_whole_server_hangs_is_not_confirmed(server, quick, operation):
    quick.lookup_patron(PATRON)
    server.add_fault("reply_lost_freeze", on=CODES[operation])
    with pytest.raises(OutcomeUnknown) as info:
        do(quick, operation)
    assert info.value.message_id == "error.outcome_unknown"
    server.thaw()
    assert records(server, operation)  # it was done: the patron was not told "refused"
    assert server.received[CODES[operation]] == 1


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dropped_before_commit_is_sent_once_more(server, quick, operation):
    quick.lookup_patron(PATRON)
    server.add_fault("drop", on=CODES[operation])
    result = do(quick, operation)
    assert result.ok and not result.recovered
    assert records(server, operation)
    assert server.received[CODES[operation]] == 2


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dropped_before_commit_and_the_library_cannot_be_asked_is_not_confirmed(server, quick, operation):
    quick.lookup_patron(PATRON)
    server.add_fault("drop", on=CODES[operation])
    server.add_fault("no_reply", on="17")  # the item information asked afterwards is lost
    server.add_fault("no_reply", on="17")  # and its one retry
    with pytest.raises(OutcomeUnknown):
        do(quick, operation)
    assert not records(server, operation)
    assert server.received[CODES[operation]] == 1


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dropped_twice_before_commit_is_not_done_and_said_so(server, quick, operation):
    quick.lookup_patron(PATRON)
    server.add_fault("drop", on=CODES[operation])
    server.add_fault("drop", on=CODES[operation])
    with pytest.raises(LibraryError) as info:
        do(quick, operation)
    assert not isinstance(info.value, OutcomeUnknown)
    assert "not carried out" in str(info.value)
    assert not records(server, operation)


def test_a_stopped_library_is_unreachable_not_unknown(server, quick):
    quick.lookup_patron(PATRON)
    server.stop()
    with pytest.raises(LibraryError) as info:
        quick.checkout(PATRON, BOOK)
    assert not isinstance(info.value, OutcomeUnknown)  # nothing was sent: known not done


def test_checkout_after_an_unknown_outcome_asks_first_and_never_renews(server, quick):
    quick.lookup_patron(PATRON)
    server.add_fault("reply_lost_freeze", on="11")
    with pytest.raises(OutcomeUnknown):
        quick.checkout(PATRON, BOOK)
    server.thaw()
    again = quick.checkout(PATRON, BOOK, after_unknown=True)
    assert again.ok and again.recovered and not again.renewed
    assert server.received["11"] == 1 and server.store.loan(BOOK).renewals == 0


# -- a visit: screen and receipt against the library's records --------------------------------


class Paper:
    """The receipt port, keeping the lines laid out as the printer prints them."""

    def __init__(self) -> None:
        self.receipts: list[list[str]] = []

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        self.receipts.append([line.text for line in layout(receipt, 48)])
        return PrintOutcome(ok=True)

    def close(self) -> None:
        pass


class Kiosk:
    def __init__(self, library: Sip2Library) -> None:
        self.paper = Paper()
        self.views: list[View] = []
        self.changed = threading.Event()
        self.flow = Session()
        self.runtime = Runtime(self.flow, library, self.paper, SystemClock(), show=self._show)

    def _show(self, view: View) -> None:
        self.views.append(view)

    @property
    def view(self) -> View:
        return self.views[-1]

    def until(self, done, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
        assert self.runtime.run_until(lambda: bool(self.views) and done(self.view), timeout), self.view

    def show_book(self, item: str) -> None:
        before = len(self.views)
        self.runtime.post(BarcodeRead(text=item, symbology="Code128"))
        self.runtime.run_until(lambda: len(self.views) > before, 20)
        self.until(lambda v: v.screen == "borrow" and not v.busy)

    def lines_for(self, item: str) -> list[str]:
        return [line.status for line in self.view.lines if line.detail == item]


def tapped_in(library: Sip2Library) -> Kiosk:
    k = Kiosk(library)
    k.runtime.start()
    k.until(lambda v: v.screen == "idle")
    k.runtime.post(CardRead(technology="106A", uid="04A1B2C3", identifier=PATRON))
    k.until(lambda v: v.screen == "borrow" and not v.busy)
    return k


@pytest.fixture
def kiosk(quick):
    k = tapped_in(quick)
    yield k
    k.runtime.stop()


def finish(k: Kiosk) -> list[str]:
    k.runtime.post(Pressed(control="finish"))
    k.until(lambda v: v.screen == "goodbye")
    assert len(k.paper.receipts) == 1
    return k.paper.receipts[0]


HEADINGS = {"대출": "borrowed", "대출 불가": "refused", "확인 필요": "unconfirmed"}


def sections(receipt: list[str]) -> dict[str, list[str]]:
    """Receipt lines grouped under their headings (대출 N권, 대출 불가 N권, 확인 필요 N권), up
    to the next heading of any kind (a line that is not indented or numbered)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in receipt:
        heading = re.fullmatch(r"(.+) (\d+)권", line)
        if heading:
            current = HEADINGS.get(heading.group(1), "")
            if current:
                out[current] = []
            continue
        if not line.startswith((" ", "- ", "? ")) and not re.match(r"\d+\. ", line):
            current = ""
        if current:
            out[current].append(line)
    return out


def assert_agrees(server, k: Kiosk, receipt: list[str], item: str) -> None:
    """Screen, receipt and the library's records tell the same about `item`."""
    loan = server.store.loan(item)
    borrowed = loan is not None and loan.card_id == PATRON
    goodbye = [line for line in k.view.lines if line.detail == item]
    where = [name for name, lines in sections(receipt).items() if any(item in x for x in lines)]
    if borrowed:
        assert [x.status for x in goodbye] == ["ok"]
        assert where == ["borrowed"], receipt
        assert loan.due.isoformat() in "\n".join(receipt)
        assert loan.renewals == 0
    else:
        assert "ok" not in [x.status for x in goodbye]
        assert "borrowed" not in where, receipt
    assert len(where) <= 1, receipt  # never under two headings


@pytest.mark.parametrize("fault", ["reply_dropped", "reply_lost"])
def test_a_visit_shows_a_recovered_loan_as_borrowed_and_never_renews_it(server, kiosk, fault):
    server.add_fault(fault, on="11")
    kiosk.show_book(BOOK)
    assert kiosk.lines_for(BOOK) == ["ok"]
    due = server.store.loan(BOOK).due
    assert kiosk.view.lines[0].note_args == (("due", due.isoformat()),)
    time.sleep(2.1)  # the patron reads the line, then shows it again (sooner: one showing)
    kiosk.show_book(BOOK)  # shown again in the same visit
    assert kiosk.view.message == "borrow.already_this_visit"
    assert kiosk.lines_for(BOOK) == ["ok"]
    assert server.received["11"] == 1 and server.store.loan(BOOK).renewals == 0
    assert_agrees(server, kiosk, finish(kiosk), BOOK)


def test_a_visit_shows_an_unanswerable_checkout_as_not_confirmed_then_settles_it(server, kiosk):
    server.add_fault("reply_lost_freeze", on="11")
    kiosk.show_book(BOOK)
    assert kiosk.lines_for(BOOK) == ["unconfirmed"]
    line = next(x for x in kiosk.view.lines if x.detail == BOOK)
    assert line.note == "error.outcome_unknown"
    server.thaw()
    kiosk.show_book(BOOK)  # shown again: the library is asked, the loan found, nothing renewed
    assert kiosk.lines_for(BOOK) == ["ok"]
    assert server.received["11"] == 1 and server.store.loan(BOOK).renewals == 0
    assert_agrees(server, kiosk, finish(kiosk), BOOK)


def test_a_receipt_prints_not_confirmed_when_the_library_never_answers_again(server, kiosk):
    server.add_fault("reply_lost_freeze", on="11")
    kiosk.show_book(BOOK)
    assert kiosk.lines_for(BOOK) == ["unconfirmed"]
    receipt = finish(kiosk)  # the library is still hung: end session is not answered either
    text = " ".join(" ".join(line.split()) for line in receipt)  # wrapped lines joined
    assert "확인 필요 1권" in text and "안내데스크에 문의해 주세요" in text
    assert sections(receipt).keys() == {"unconfirmed"}
    assert [x.status for x in kiosk.view.lines] == ["unconfirmed"]  # the goodbye screen
    server.thaw()
    assert server.store.loan(BOOK) is not None  # it was lent: "not confirmed" was the truth


def test_a_visit_with_a_checkout_dropped_before_commit_borrows_it_once(server, kiosk):
    server.add_fault("drop", on="11")
    kiosk.show_book(BOOK)
    assert kiosk.lines_for(BOOK) == ["ok"]
    assert server.received["11"] == 2
    assert_agrees(server, kiosk, finish(kiosk), BOOK)


def test_a_visit_says_the_outage_at_once_and_borrows_when_the_library_is_back():
    """The link dies: the first book shown brings the outage banner (no refused line for a
    request never sent); when the library answers again the next showing borrows it."""
    from simulators.ils.server import start_server
    from simulators.ils.store import CirculationStore

    store = CirculationStore()  # the library's records outlive its server process
    first = start_server(today=dt.date(2026, 3, 2), store=store)
    library = Sip2Library(first.host, first.port, "kiosk", "kiosk", "MA", timeout=0.4, recovery_s=1.5)
    k = tapped_in(library)
    try:
        k.runtime.post(DeviceStatus(device="library", ok=False, detail="link down"))
        k.until(lambda v: v.message == "borrow.library_down")
        k.runtime.post(DeviceStatus(device="library", ok=True, detail=""))
        k.until(lambda v: v.message == "borrow.greeting")
        first.stop()
        k.show_book(BOOK)
        assert k.view.message == "borrow.library_down"
        assert k.lines_for(BOOK) == []
        with start_server(today=dt.date(2026, 3, 2), port=first.port, store=store) as back:
            k.show_book(BOOK)  # a patron waiting: the kiosk connects at once, no back-off
            assert k.lines_for(BOOK) == ["ok"]
            assert k.view.message == "borrow.greeting"
            assert_agrees(back, k, finish(k), BOOK)
    finally:
        k.runtime.stop()
        store.close()
