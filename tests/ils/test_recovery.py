"""A lost answer never loses or doubles a loan: the server commits, its reply is lost (fault
injection), and the adapter finds out what happened (17/63) before sending anything again."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.errors import OutcomeUnknown
from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.codec import Message
from simulators.ils import seed

pytestmark = pytest.mark.timeout(30)

FAULTS = ["reply_lost", "reply_dropped"]


@pytest.fixture
def quick(server):
    """A kiosk that waits 0.4 s for an answer, so a lost one costs the test little."""
    library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=0.4)
    library.connect()
    yield library
    library.close()


def loans_of(server, patron_id: str, item_id: str) -> int:
    return [loan.item_id for loan in server.store.loans_of(patron_id)].count(item_id)


@pytest.mark.parametrize("fault", FAULTS)
def test_checkout_committed_but_answer_lost_is_recovered_not_doubled(server, quick, today, fault, caplog):
    quick.lookup_patron(seed.DEMO_PATRON_ID)
    server.add_fault(fault)
    result = quick.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert result.ok and result.recovered and not result.renewed
    assert result.due == today + dt.timedelta(days=15) and result.title == "채식주의자"
    assert server.received["11"] == 1  # never sent again
    assert loans_of(server, seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]) == 1
    assert "asking the library what happened" in caplog.text  # what the technician reads
    assert seed.DEMO_PATRON_ID not in caplog.text


def test_renewal_by_checkout_with_lost_answer_is_told_from_nothing_done(server, quick, today):
    """The patron's own loan checked out again is a renewal: a moved due date says it happened."""
    quick.lookup_patron(seed.DEMO_PATRON_ID)
    server.add_fault("reply_lost")
    result = quick.checkout(seed.DEMO_PATRON_ID, seed.DEMO_LOAN_ITEM)
    assert result.ok and result.recovered and result.renewed
    assert result.due == today + dt.timedelta(days=5 + 7)
    assert server.received["11"] == 1 and server.store.loan(seed.DEMO_LOAN_ITEM).renewals == 1


def test_checkout_lost_before_the_server_read_it_is_sent_again_once(server, quick):
    server.add_fault("no_reply")
    result = quick.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert result.ok and not result.recovered
    assert server.received["11"] == 2 and loans_of(server, seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]) == 1


def test_refused_checkout_with_lost_answer_is_asked_again_and_refused(server, quick):
    server.add_fault("reply_lost")
    result = quick.checkout(seed.BLOCKED_PATRON_ID, seed.DEMO_ITEMS[0])
    assert not result.ok and result.reason == "refusal.fees"
    assert server.received["11"] == 2 and server.store.loan(seed.DEMO_ITEMS[0]) is None


@pytest.mark.parametrize("fault", FAULTS)
def test_checkin_with_lost_answer(server, quick, fault):
    server.add_fault(fault)
    result = quick.checkin(seed.DEMO_LOAN_ITEM)
    assert result.ok and result.recovered and server.received["09"] == 1
    assert server.store.loan(seed.DEMO_LOAN_ITEM) is None


def test_renewal_with_lost_answer_renews_once(server, quick, today):
    quick.lookup_patron(seed.DEMO_PATRON_ID)
    server.add_fault("reply_lost")
    result = quick.renew(seed.DEMO_PATRON_ID, seed.DEMO_LOAN_ITEM)
    assert result.ok and result.recovered and result.due == today + dt.timedelta(days=12)
    assert server.received["29"] == 1 and server.store.loan(seed.DEMO_LOAN_ITEM).renewals == 1


def test_hold_with_lost_answer_is_placed_once(server, quick):
    server.add_fault("reply_lost")
    result = quick.place_hold(seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM)
    assert result.ok and result.recovered and server.received["15"] == 1
    assert [h.item_id for h in server.store.holds_of(seed.DEMO_PATRON_ID)] == [seed.CLOSED_STACK_ITEM]


def test_fee_payment_with_lost_answer_is_paid_once(server, quick):
    quick.lookup_patron(seed.BLOCKED_PATRON_ID)
    server.add_fault("reply_lost")
    result = quick.fee_paid(seed.BLOCKED_PATRON_ID, 3000, "TX-9")
    assert result.ok and result.recovered and server.received["37"] == 1
    assert server.store.patron(seed.BLOCKED_PATRON_ID).fees == 2000


def test_when_the_library_cannot_be_asked_the_outcome_is_unknown_and_nothing_is_resent(server, quick, caplog):
    server.add_fault("reply_lost")
    server.add_fault("no_reply")  # the item information asked afterwards is lost too
    server.add_fault("no_reply")  # and its one retry
    with pytest.raises(OutcomeUnknown) as info:
        quick.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert info.value.message_id == "error.outcome_unknown"  # "not confirmed": never "refused"
    assert info.value.item_id == seed.DEMO_ITEMS[0] and info.value.operation == "checkout"
    assert "no answer from SIP2 server" in str(info.value)  # what the technician reads
    assert "could not find out what happened" in caplog.text
    assert server.received["11"] == 1 and loans_of(server, seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]) == 1


def test_the_same_request_repeated_gets_the_same_answer(raw, server):
    """Error detection: the very same bytes (same AY, same AZ) are answered from memory."""
    raw.login()
    request = Message("11", "YN" + "20260302    120000" + " " * 18,
                      (("AO", "MA"), ("AA", seed.DEMO_PATRON_ID), ("AB", seed.DEMO_ITEMS[2]),
                       ("AC", ""))).with_sequence(3)  # fmt: skip
    raw.send(request)
    first = raw.read_bytes()
    raw.send(request)
    assert raw.read_bytes() == first
    assert server.store.loan(seed.DEMO_ITEMS[2]).renewals == 0  # not renewed by the repeat
