"""The kiosk as built journals what it asks of the library, and on start reconciles what a
crash left open, against the embedded server (its records in a file, as a library's outlive
a kiosk)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from kiosk.app import build
from kiosk.core.events import BarcodeRead, CardRead
from kiosk.ils.journal import Journal
from simulators.ils import seed
from tests.kiosk_settings import kiosk_settings

pytestmark = pytest.mark.timeout(120)


def settings(tmp_path):
    return kiosk_settings(tmp_path, journal=str(tmp_path / "j.sqlite"))


def until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


def test_a_checkout_through_the_kiosk_is_journaled(tmp_path):
    k = build(settings(tmp_path))
    k.runtime.start()
    try:
        k.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        assert k.runtime.run_until(
            lambda: k.flow.activity is not None and k.flow.activity.name == "borrow", 30
        )
        k.runtime.post(BarcodeRead(text=seed.DEMO_ITEMS[0], symbology="Code128"))
        assert k.runtime.run_until(lambda: bool(k.flow.visit.borrowed), 30)
        assert k.journal is not None
        (entry,) = k.journal.entries()
        assert (entry.kind, entry.patron_id, entry.item_id, entry.state, entry.told) == (
            "checkout", seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0], "done", True,
        )  # fmt: skip
    finally:
        k.stop()


def test_an_outcome_is_told_only_once_a_screen_shows_it(tmp_path):
    """Killed between the library's answer and the screen, the patron saw nothing: the entry
    must still read untold then (kept for staff, told at the next tap), so it is marked told
    only after the screen showing it is on."""
    k = build(settings(tmp_path))
    assert k.journal is not None
    journal = k.journal
    on_screen: list[list[bool]] = []
    show = k.runtime.show

    def watching(view):
        if seed.DEMO_ITEMS[0] in repr(view):
            on_screen.append([e.told for e in journal.entries()])
        show(view)

    k.runtime.show = watching
    k.runtime.start()
    try:
        k.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        borrowing = lambda: k.flow.activity is not None and k.flow.activity.name == "borrow"  # noqa: E731
        assert k.runtime.run_until(borrowing, 30)
        k.runtime.post(BarcodeRead(text=seed.DEMO_ITEMS[0], symbology="Code128"))
        assert k.runtime.run_until(lambda: bool(k.flow.visit.borrowed), 30)
        assert on_screen and on_screen[0] == [False]  # settled in the journal, not told yet
        assert [e.told for e in journal.entries()] == [True]
    finally:
        k.stop()


def test_what_a_crash_left_open_is_settled_at_start(tmp_path):
    """A kiosk died after sending a checkout the library carried out, and before sending a
    return: the next start finds the loan (done, untold) and the book still out (not done)."""
    s = settings(tmp_path)
    first = build(s)  # the library's records (the embedded server's file) exist now
    first.stop()
    from simulators.ils.store import CirculationStore

    store = CirculationStore(s.library.db)
    from simulators.ils.store import LoanRecord

    today = dt.date.today()
    store.add_loan(LoanRecord(seed.DEMO_ITEMS[0], seed.DEMO_PATRON_ID, today, today + dt.timedelta(days=14)))
    store.close()
    journal = Journal(s.library.journal)
    out = journal.begin("checkout", dt.datetime.now(), seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    journal.sent(out)
    back = journal.begin("checkin", dt.datetime.now(), item_id=seed.DEMO_LOAN_ITEM)
    journal.close()
    k = build(s)
    try:
        assert k.journal is not None
        until(lambda: not k.journal.open_entries())
        states = {e.id: (e.state, e.told) for e in k.journal.entries()}
        assert states == {out: ("done", False), back: ("not_done", False)}
    finally:
        k.stop()


def test_a_kiosk_lends_offline_and_the_library_gets_the_loan_when_it_is_back(tmp_path):
    """The whole kiosk, its library cut mid-visit: the patron the library let borrow a moment
    ago goes on borrowing offline; the screen says so and marks the loan; when the library
    is back the loan reaches it once, from the kiosk's own replay."""
    k = build(kiosk_settings(tmp_path, journal=str(tmp_path / "j.sqlite"), offline_borrowing=True))
    k.runtime.start()
    try:
        k.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        assert k.runtime.run_until(
            lambda: k.flow.activity is not None and k.flow.activity.name == "borrow", 30
        )
        k.sims.ils.go_down()
        k.runtime.post(BarcodeRead(text=seed.DEMO_ITEMS[0], symbology="Code128"))
        assert k.runtime.run_until(lambda: bool(k.flow.visit.borrowed), 30)
        (loan,) = k.flow.visit.borrowed
        assert loan.offline and loan.due is not None
        assert k.runtime.run_until(lambda: k.flow.visit.banner == "borrow.went_offline", 10)
        assert k.sims.ils.store.loan(seed.DEMO_ITEMS[0]) is None  # not in the library yet
        k.sims.ils.come_up()
        assert k.journal is not None
        until(lambda: not k.journal.open_entries(), 30)  # sent, and the answer recorded
        record = k.sims.ils.store.loan(seed.DEMO_ITEMS[0])
        assert record is not None and (record.card_id, record.due) == (seed.DEMO_PATRON_ID, loan.due)
        (entry,) = k.journal.entries()
        assert (entry.kind, entry.state, entry.offline, entry.told) == ("checkout", "done", True, True)
    finally:
        k.stop()


def test_the_patron_is_shown_what_an_interrupted_visit_did_at_the_next_tap(tmp_path):
    """A kiosk died after the library lent a book and before the screen showed it: after the
    restart the patron's next tap lists that loan (and the receipt prints it); the journal
    then counts it as told."""
    s = settings(tmp_path)
    first = build(s)
    first.stop()
    from simulators.ils.store import CirculationStore, LoanRecord

    today = dt.date.today()
    due = today + dt.timedelta(days=14)
    store = CirculationStore(s.library.db)
    store.add_loan(LoanRecord(seed.DEMO_ITEMS[0], seed.DEMO_PATRON_ID, today, due))
    store.close()
    journal = Journal(s.library.journal)
    journal.sent(journal.begin("checkout", dt.datetime.now(), seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]))
    journal.close()
    k = build(s)
    k.runtime.start()
    try:
        assert k.journal is not None
        until(lambda: not k.journal.open_entries())
        assert [e.told for e in k.journal.entries()] == [False]
        k.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        assert k.runtime.run_until(
            lambda: k.flow.activity is not None and k.flow.activity.name == "borrow", 30
        )
        assert k.flow.visit.banner == "borrow.earlier"
        (loan,) = k.flow.visit.borrowed
        assert (loan.item_id, loan.due, loan.earlier) == (seed.DEMO_ITEMS[0], due, True)
        assert [e.told for e in k.journal.entries()] == [True]
    finally:
        k.stop()


def test_an_outcome_handed_back_but_never_on_a_screen_stays_untold(tmp_path):
    """The library answered, but the screen that followed does not list the book (here: the
    reply arrives while another screen is up): the entry stays untold until one does."""
    from kiosk.core.effects import Show
    from kiosk.core.model import Language
    from kiosk.core.views import Line, View

    k = build(settings(tmp_path))
    assert k.journal is not None
    journal = k.journal
    k.runtime.start()
    try:
        k.runtime.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
        borrowing = lambda: k.flow.activity is not None and k.flow.activity.name == "borrow"  # noqa: E731
        assert k.runtime.run_until(borrowing, 30)
        entry = journal.begin("checkout", dt.datetime.now(), seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[1])
        journal.settle(entry, "done", dt.datetime.now())
        k.runtime._unshown.append((entry, seed.DEMO_ITEMS[1]))  # as a reply dispatched leaves it
        other = View("notice", Language.KO, "notice.title", lines=(Line("x", seed.DEMO_ITEMS[0]),))
        k.runtime._show(Show(other))
        assert [e.told for e in journal.entries() if e.id == entry] == [False]
        listing = View("borrow", Language.KO, "borrow.title", lines=(Line("x", seed.DEMO_ITEMS[1]),))
        k.runtime._show(Show(listing))
        assert [e.told for e in journal.entries() if e.id == entry] == [True]
    finally:
        k.stop()
