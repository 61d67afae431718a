"""The journaled library port over SIP2 on TCP against the embedded server: each transaction
is journaled before it is sent and settled with the answer; a lost answer stays open; after
a crash the open entries are reconciled by asking the library, never by sending again."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.errors import LibraryUnreachable, LoginRejected, OutcomeUnknown
from kiosk.ils.journal import Journal
from kiosk.ils.journaled import JournaledLibrary
from kiosk.ils.library import Sip2Library
from simulators.ils import seed

PATRON, BOOK, OTHER = seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0], seed.DEMO_ITEMS[1]
AT = dt.datetime(2026, 12, 2, 15, 0)


def adapter(server, timeout: float = 5.0, recovery_s: float = 8.0) -> Sip2Library:
    return Sip2Library(
        server.host, server.port, "kiosk", "kiosk", "MA", timeout=timeout, recovery_s=recovery_s
    )


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite")
    yield j
    j.close()


def states(journal: Journal) -> list[tuple[str, str, str, bool]]:
    return [(e.kind, e.item_id, e.state, e.told) for e in journal.entries()]


def test_each_transaction_is_journaled_and_settled(server, journal):
    lib = JournaledLibrary(adapter(server), journal, lambda: AT)
    try:
        lib.lookup_patron(PATRON)
        assert lib.checkout(PATRON, BOOK).ok
        assert not lib.checkout(PATRON, seed.ON_LOAN_ITEM).ok
        assert lib.checkin(BOOK).ok
        assert lib.renew(PATRON, seed.DEMO_LOAN_ITEM).ok
        assert lib.place_hold(PATRON, seed.ON_LOAN_ITEM).ok
        assert lib.cancel_hold(PATRON, seed.ON_LOAN_ITEM).ok
        # Handed back, not yet on a screen: not told until the runtime says a screen showed them.
        assert [told for *_, told in states(journal)] == [False] * 6
        handed = lib.take_handed()
        assert [item for _, item in handed] == [BOOK, seed.ON_LOAN_ITEM, BOOK, seed.DEMO_LOAN_ITEM,
                                                seed.ON_LOAN_ITEM, seed.ON_LOAN_ITEM]  # fmt: skip
        assert not lib.take_handed()
        lib.shown(entry for entry, _ in handed[:2])
        assert [told for *_, told in states(journal)] == [True, True] + [False] * 4
        lib.shown(entry for entry, _ in handed[2:])
    finally:
        lib.close()
    assert states(journal) == [
        ("checkout", BOOK, "done", True),
        ("checkout", seed.ON_LOAN_ITEM, "refused", True),
        ("checkin", BOOK, "done", True),
        ("renew", seed.DEMO_LOAN_ITEM, "done", True),
        ("place_hold", seed.ON_LOAN_ITEM, "done", True),
        ("cancel_hold", seed.ON_LOAN_ITEM, "done", True),
    ]
    assert journal.entries()[1].message  # the library's reason, for staff


def test_a_crash_between_sending_and_the_answer_is_reconciled_by_asking(server, journal):
    """The kiosk wrote and sent two checkouts and died: the library carried out one. The
    restarted kiosk asks (17, 63), records the truth, and sends nothing again."""
    done = journal.begin("checkout", AT, PATRON, BOOK)
    journal.sent(done)
    lost = journal.begin("checkout", AT, PATRON, OTHER)
    journal.sent(lost)
    returned = journal.begin("checkin", AT, item_id=seed.DEMO_LOAN_ITEM)
    before = adapter(server)
    try:
        assert (
            before.checkout(PATRON, BOOK).ok and before.checkin(seed.DEMO_LOAN_ITEM).ok
        )  # what the library did
    finally:
        before.close()
    sent = dict(server.received)
    lib = JournaledLibrary(adapter(server), journal, lambda: AT)
    try:
        settled = lib.reconcile()
    finally:
        lib.close()
    assert {(e.id, e.state) for e in settled} == {(done, "done"), (lost, "not_done"), (returned, "done")}
    assert not journal.open_entries()
    assert {e.id for e in journal.untold()} == {done, lost, returned}  # the patron never saw these
    assert server.received["11"] == sent["11"] and server.received["09"] == sent["09"]  # nothing re-sent
    assert server.store.loan(OTHER) is None and server.store.loan(BOOK).card_id == PATRON


def test_a_lost_answer_stays_open_until_the_library_can_say(server, journal):
    lib = JournaledLibrary(adapter(server, timeout=0.4, recovery_s=1.5), journal, lambda: AT)
    try:
        lib.lookup_patron(PATRON)
        server.add_fault("reply_lost_freeze", on="11")
        with pytest.raises(OutcomeUnknown):
            lib.checkout(PATRON, BOOK)
        assert states(journal) == [("checkout", BOOK, "unknown", False)]
        assert lib.reconcile() == [] and journal.open_entries()  # still frozen: still open
        server.thaw()
        (entry,) = lib.reconcile()
        assert (entry.state, entry.told) == ("done", False)
    finally:
        server.thaw()
        lib.close()


def test_nothing_sent_to_a_library_that_is_down_is_not_done(server, journal):
    lib = JournaledLibrary(adapter(server, timeout=0.5), journal, lambda: AT)
    server.stop()
    try:
        with pytest.raises(LibraryUnreachable):
            lib.checkout(PATRON, BOOK)
    finally:
        lib.close()
    assert states(journal) == [("checkout", BOOK, "not_done", False)]


@pytest.mark.parametrize("refused", ["login", "garbled status"])
def test_a_request_refused_at_login_was_not_sent_and_is_not_done(server, journal, refused):
    """The kiosk's SIP2 password changed, or the library garbled its answer to the login's
    status request: the checkout never went out, so it is not done, and a later return of
    the same book cannot make the reconciliation call it done."""
    lib = JournaledLibrary(adapter(server), journal, lambda: AT)
    try:
        lib.lookup_patron(PATRON)
        if refused == "login":
            server.refuse_logins()
        else:
            server.add_fault("garbage", on="99")
        lib.library.client._drop()  # the next request logs in again
        with pytest.raises((LoginRejected, LibraryUnreachable)):
            lib.checkout(PATRON, BOOK)
        assert states(journal) == [("checkout", BOOK, "not_done", False)]
        assert server.store.loan(BOOK) is None
    finally:
        server.refuse_logins(False)
        server.clear_faults()
        lib.close()


def test_returns_taken_offline_are_replayed_in_order_exactly_once(journal):
    """The library goes down: returns are journaled and taken (the patron puts the books in
    the bin); when it is back they are sent in order with the time they were taken and the
    no-block flag, each once; one the library already has counts as done."""
    from simulators.ils.server import start_server
    from simulators.ils.store import CirculationStore

    store = CirculationStore()
    first = start_server(today=dt.date(2026, 3, 2), store=store)
    lib = JournaledLibrary(adapter(first, timeout=0.5), journal, lambda: AT)
    try:
        lib.lookup_patron(PATRON)
        first.stop()
        books = (seed.DEMO_LOAN_ITEM, seed.ON_LOAN_ITEM, BOOK)  # the last was never lent
        for book in books:
            result = lib.checkin(book)
            assert result.ok and result.offline
        assert [(e.item_id, e.state, e.offline) for e in journal.open_entries()] == [
            (b, "new", True) for b in books
        ]
        assert lib.replay() == (0, 3)  # still down: nothing lost, nothing marked sent
        assert [e.state for e in journal.open_entries()] == ["new"] * 3
        assert lib.reconcile() == []  # never sent: not for reconcile to settle as "not done"
        with start_server(today=dt.date(2026, 3, 2), port=first.port, store=store) as back:
            assert lib.replay() == (3, 0)
            assert lib.replay() == (0, 0)
            assert back.received["09"] == 3  # each once
        assert [(e.item_id, e.state) for e in journal.entries()] == [(b, "done") for b in books]
        assert store.loan(seed.DEMO_LOAN_ITEM) is None and store.loan(seed.ON_LOAN_ITEM) is None
    finally:
        lib.close()
        store.close()


def ticking():
    """A clock that moves one second each time it is read: the order things were settled in."""
    ticks = iter(range(10_000))
    return lambda: AT + dt.timedelta(seconds=next(ticks))


def test_a_return_while_others_wait_goes_after_them(server, journal):
    lib = JournaledLibrary(adapter(server), journal, ticking())
    try:
        waiting = journal.begin("checkin", AT, item_id=seed.DEMO_LOAN_ITEM, offline=True)
        result = lib.checkin(seed.ON_LOAN_ITEM)  # the library is up, but one waits before it
        assert result.ok and not result.offline and server.received["09"] == 2
        first, second = journal.entries()
        assert (first.id, first.state, second.item_id, second.state) == (
            waiting, "done", seed.ON_LOAN_ITEM, "done",
        )  # fmt: skip
        assert first.settled_at is not None and second.settled_at is not None
        assert first.settled_at < second.settled_at  # the waiting one drained first
        assert lib.replay() == (0, 0)
    finally:
        lib.close()


def test_a_return_while_others_wait_and_the_link_is_down_queues_behind_them(server, journal):
    lib = JournaledLibrary(adapter(server, timeout=0.5), journal, ticking())
    try:
        waiting = journal.begin("checkin", AT, item_id=seed.DEMO_LOAN_ITEM, offline=True)
        server.stop()
        result = lib.checkin(seed.ON_LOAN_ITEM)
        assert result.offline and next(e.id for e in journal.waiting_offline()) == waiting
        assert [e.item_id for e in journal.waiting_offline()] == [seed.DEMO_LOAN_ITEM, seed.ON_LOAN_ITEM]
    finally:
        lib.close()


def test_offline_returns_can_be_switched_off(server, journal):
    lib = JournaledLibrary(adapter(server, timeout=0.5), journal, lambda: AT, offline_returns=False)
    server.stop()
    try:
        with pytest.raises(LibraryUnreachable):
            lib.checkin(BOOK)
    finally:
        lib.close()
