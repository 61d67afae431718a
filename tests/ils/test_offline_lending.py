"""Lending while the library is unreachable, over SIP2 on TCP against the embedded server:
only cards the library let borrow lately, up to the policy's allowance, each loan journaled
and sent once, in order, when the library is back, with the no-block flag; the library's
records then hold exactly the loans the patron was shown."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.errors import LibraryUnreachable
from kiosk.ils.journal import Journal
from kiosk.ils.journaled import JournaledLibrary, OfflineLending
from kiosk.ils.library import Sip2Library
from simulators.ils import seed
from simulators.ils.server import start_server
from simulators.ils.store import CirculationStore, LoanRecord
from tests.waiting import wait_for

PATRON = seed.DEMO_PATRON_ID
TODAY = dt.date(2026, 3, 2)
AT = dt.datetime.combine(TODAY, dt.time(15, 0))
POLICY = OfflineLending(items=2, seen_days=7, loan_days=14)


@pytest.fixture
def store(tmp_path):
    s = CirculationStore(tmp_path / "library.sqlite")
    yield s
    s.close()


@pytest.fixture
def library(store):
    with start_server(today=TODAY, store=store) as server:
        yield server


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite")
    yield j
    j.close()


def kiosk_port(server, journal, policy=POLICY, now=lambda: AT) -> JournaledLibrary:
    adapter = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=1.0, heartbeat=False)
    return JournaledLibrary(adapter, journal, now, offline_lending=policy)


def on_loan_to(store: CirculationStore, item_id: str) -> str | None:
    loan = store.loan(item_id)
    return loan.card_id if loan else None


def test_a_card_seen_online_borrows_offline_up_to_the_allowance_and_the_library_gets_each_loan_once(
    library, store, journal
):
    lib = kiosk_port(library, journal)
    try:
        assert lib.lookup_patron(PATRON).can_borrow  # seen online: remembered
        library.go_down()
        patron = lib.lookup_patron(PATRON)
        assert (patron.offline, patron.offline_left, patron.name) == (True, 2, "")
        first, second, third = (lib.checkout(PATRON, item) for item in seed.DEMO_ITEMS[:3])
        due = TODAY + dt.timedelta(days=14)
        assert (first.ok, first.offline, first.due) == (True, True, due)
        assert (second.ok, second.offline) == (True, True)
        assert (third.ok, third.reason) == (False, "refusal.offline_limit")
        assert on_loan_to(store, seed.DEMO_ITEMS[0]) is None  # nothing reached the library yet
        library.come_up()
        assert lib.replay() == (2, 0)
        assert lib.replay() == (0, 0)
        sent = library.received["11"]
    finally:
        lib.close()
    assert [on_loan_to(store, item) for item in seed.DEMO_ITEMS[:3]] == [PATRON, PATRON, None]
    assert sent == 2  # each loan sent once
    assert [(e.item_id, e.state, e.offline) for e in journal.entries() if e.kind == "checkout"] == [
        (seed.DEMO_ITEMS[0], "done", True),
        (seed.DEMO_ITEMS[1], "done", True),
        (seed.DEMO_ITEMS[2], "not_done", False),
    ]


def test_a_loan_the_library_already_has_is_not_sent_again(library, store, journal):
    """A crash after the replayed checkout reached the library, and the entry found waiting
    again: the library is asked first, since a second checkout would renew the loan."""
    lib = kiosk_port(library, journal)
    try:
        lib.lookup_patron(PATRON)
        library.go_down()
        assert lib.checkout(PATRON, seed.DEMO_ITEMS[0]).offline
        library.come_up()
        lib.library.checkout(PATRON, seed.DEMO_ITEMS[0])  # the library has it by another way
        due = store.loan(seed.DEMO_ITEMS[0]).due
        before = library.received["11"]
        assert lib.replay() == (1, 0)
        assert library.received["11"] == before  # asked (17), not sent again
    finally:
        lib.close()
    assert store.loan(seed.DEMO_ITEMS[0]).due == due  # not renewed
    assert journal.entries()[0].state == "done"


def test_the_library_records_the_loan_as_made_offline_with_the_due_date_given(library, store, journal):
    """Sent with the no-block flag, the time it was made and the due date the patron was
    given: the loan dates from the outage, and a patron at the limit meanwhile is not refused."""
    made = AT - dt.timedelta(days=1)
    lib = kiosk_port(library, journal, now=lambda: made)
    try:
        lib.lookup_patron(PATRON)
        library.go_down()
        shown = lib.checkout(PATRON, seed.DEMO_ITEMS[0])
        library.come_up()
        assert lib.replay() == (1, 0)
    finally:
        lib.close()
    loan = store.loan(seed.DEMO_ITEMS[0])
    assert loan is not None
    assert (loan.card_id, loan.checked_out, loan.due) == (PATRON, made.date(), shown.due)


def test_a_return_taken_offline_counts_lateness_to_the_day_it_was_taken(library, store, journal):
    """Due three days before the library came back, returned at the kiosk on the day."""
    book, due = seed.DEMO_ITEMS[3], TODAY - dt.timedelta(days=3)
    store.add_loan(LoanRecord(book, PATRON, due - dt.timedelta(days=14), due))
    taken = dt.datetime.combine(due, dt.time(18, 0))
    lib = kiosk_port(library, journal, now=lambda: taken)
    try:
        library.go_down()
        assert lib.checkin(book).offline
        library.come_up()
        assert lib.replay() == (1, 0)
    finally:
        lib.close()
    assert store.loan(book) is None
    assert store.patron(PATRON).suspended_until is None  # on time: no suspension


@pytest.mark.parametrize(
    ("why", "prepare"),
    [
        ("never seen by this kiosk", lambda journal: None),
        ("seen blocked", lambda journal: journal.card_seen(PATRON, TODAY, may_borrow=False)),
        ("seen too long ago", lambda journal: journal.card_seen(PATRON, TODAY - dt.timedelta(days=8), True)),
    ],
)
def test_other_cards_are_told_the_library_is_down(library, journal, why, prepare):
    lib = kiosk_port(library, journal)
    try:
        prepare(journal)
        library.go_down()
        with pytest.raises(LibraryUnreachable):
            lib.lookup_patron(PATRON)
    finally:
        lib.close()
    assert not journal.waiting_offline(), why


def test_a_pin_cannot_be_checked_offline(library, journal):
    lib = kiosk_port(library, journal)
    try:
        lib.lookup_patron(PATRON)
        library.go_down()
        with pytest.raises(LibraryUnreachable):
            lib.lookup_patron(PATRON, pin="1234")
    finally:
        lib.close()


def test_without_the_policy_nothing_is_lent_offline(library, store, journal):
    lib = kiosk_port(library, journal, policy=None)
    try:
        lib.lookup_patron(PATRON)
        library.go_down()
        with pytest.raises(LibraryUnreachable):
            lib.lookup_patron(PATRON)
        with pytest.raises(LibraryUnreachable):  # admitted online, then the link went
            lib.checkout(PATRON, seed.DEMO_ITEMS[0])
    finally:
        lib.close()
    assert not journal.waiting_offline()
    assert [(e.kind, e.state) for e in journal.entries()] == [("checkout", "not_done")]


def test_the_card_is_kept_only_as_a_salted_hash(library, journal, tmp_path):
    lib = kiosk_port(library, journal)
    try:
        lib.lookup_patron(PATRON)
    finally:
        lib.close()
    raw = (tmp_path / "journal.sqlite").read_bytes() + (tmp_path / "journal.sqlite-wal").read_bytes()
    assert PATRON.encode() not in raw
    assert journal.card_last_seen(PATRON) == (TODAY, True)


def test_a_refused_replay_is_kept_with_the_library_message(library, store, journal):
    """Lent offline, but meanwhile the library lent the book to someone else (it was never
    on the shelf record): the replay is refused, kept for staff with the reason."""
    lib = kiosk_port(library, journal)
    try:
        lib.lookup_patron(PATRON)
        library.go_down()
        assert lib.checkout(PATRON, seed.ON_LOAN_ITEM).offline  # on loan to another patron
        library.come_up()
        assert lib.replay() == (1, 0)
    finally:
        lib.close()
    (entry,) = journal.entries()
    assert entry.state == "refused" and entry.message
    assert on_loan_to(store, seed.ON_LOAN_ITEM) != PATRON


def test_a_library_whose_status_says_no_loans_or_returns_is_worked_offline(store, journal):
    """The link is up, but the status message says the library takes no loans (then no
    returns) for now: nothing is sent that it would refuse; the kiosk works offline and
    sends it all, in order, once the status says it serves again."""
    with start_server(today=TODAY, store=store, heartbeat_s=0.1) as server:
        changes: list[bool] = []
        adapter = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=1.0, heartbeat=True,
                              on_link=lambda up, _detail: changes.append(up))  # fmt: skip
        lib = JournaledLibrary(adapter, journal, lambda: AT, offline_lending=POLICY)
        try:
            lib.lookup_patron(PATRON)
            server.serve(checkout=False)
            assert wait_for(lambda: changes[-1:] == [False])
            assert "no loans" in lib.offline_for("checkout") and not lib.offline_for("checkin")
            assert lib.checkout(PATRON, seed.DEMO_ITEMS[0]).offline
            server.serve(checkin=False, checkout=False)
            assert wait_for(lambda: "no returns" in lib.offline_for("checkin"))
            assert lib.checkin(seed.DEMO_LOAN_ITEM).offline
            assert server.received["11"] == 0 and server.received["09"] == 0  # nothing sent meanwhile
            server.serve()
            assert wait_for(lambda: changes[-1:] == [True])
            assert lib.replay() == (2, 0)
        finally:
            lib.close()
    assert on_loan_to(store, seed.DEMO_ITEMS[0]) == PATRON and store.loan(seed.DEMO_LOAN_ITEM) is None


def test_an_offline_loan_is_due_when_the_library_would_have_made_it_due(library, store, journal):
    """The loan period is the library's, as its last loan to the card showed it (15 days in
    the embedded rules), not the policy's fallback (14)."""
    lib = kiosk_port(library, journal)
    try:
        lib.lookup_patron(PATRON)
        online = lib.checkout(PATRON, seed.DEMO_ITEMS[0])
        assert online.ok and online.due is not None
        library.go_down()
        offline = lib.checkout(PATRON, seed.DEMO_ITEMS[1])
    finally:
        lib.close()
    assert offline.offline and offline.due == online.due  # both made today
    assert (online.due - TODAY).days != POLICY.loan_days


def test_cards_are_forgotten_after_the_policy_days_and_entries_after_the_retention(library, journal):
    later = {"now": AT}
    lib = kiosk_port(library, journal, now=lambda: later["now"])
    try:
        lib.lookup_patron(PATRON)
        assert lib.checkout(PATRON, seed.DEMO_ITEMS[0]).ok
        lib.shown(entry for entry, _ in lib.take_handed())  # on screen: purged after the retention
        assert lib.tidy() == (0, 0)  # all still needed
        later["now"] = AT + dt.timedelta(days=POLICY.seen_days + 1)
        assert journal.card_last_seen(PATRON) is not None
        assert lib.tidy() == (1, 1)  # past the retention (7 days) and the policy's days
        assert journal.card_last_seen(PATRON) is None and not journal.entries()
    finally:
        lib.close()
