"""The whole LibrarySystem port through the real client and embedded server: checkin, renewals,
holds and closed-stack requests, item information, fees and patron details."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.messages import CATALOGUES
from kiosk.core.model import Allowance, Circulation, Language, LoanLimit
from simulators.ils import seed

pytestmark = pytest.mark.timeout(30)


def days(today: dt.date, n: int) -> dt.date:
    return today + dt.timedelta(days=n)


# -- checkin ------------------------------------------------------------------------------


def test_checkin_of_a_loan(library, server):
    assert library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]).ok
    result = library.checkin(seed.DEMO_ITEMS[0])
    assert result.ok and result.title == "채식주의자" and not result.alert and result.late_days == 0
    assert server.store.loan(seed.DEMO_ITEMS[0]) is None
    history = server.store.history_of(seed.DEMO_PATRON_ID)
    assert any(item == seed.DEMO_ITEMS[0] and returned is not None for _, item, _, _, returned in history)


def test_late_checkin_tells_the_days_and_suspends(library, server, today):
    result = library.checkin(seed.OVERDUE_ITEM)
    assert result.ok and result.late_days == 3 and result.alert
    patron = library.lookup_patron(seed.OVERDUE_PATRON_ID)
    assert patron.blocks == ("refusal.suspended",)


def test_checkin_of_a_reserved_item_goes_to_the_hold_shelf(library, server, today):
    result = library.checkin(seed.WAITING_HOLD_ITEM)
    assert result.ok and result.for_hold and result.alert and result.sort_bin == "HOLD"
    holder = library.lookup_patron(seed.HOLDER_PATRON_ID)
    ready = {h.item_id: h for h in holder.details.holds_ready}
    assert ready[seed.WAITING_HOLD_ITEM].collect_by == days(today, 3)


@pytest.mark.parametrize(
    ("item_id", "reason"),
    [(seed.DEMO_ITEMS[0], "refusal.not_on_loan"), (seed.UNKNOWN_ITEM, "refusal.item_unknown"),
     ("EM|1", "refusal.item_unknown")],
)  # fmt: skip
def test_checkin_refusals(library, item_id, reason):
    result = library.checkin(item_id)
    assert not result.ok and result.reason == reason
    assert reason in CATALOGUES[Language.KO] and reason in CATALOGUES[Language.EN]


# -- renewals -----------------------------------------------------------------------------


def test_renew_once_for_seven_days(library, today):
    first = library.renew(seed.DEMO_PATRON_ID, seed.DEMO_LOAN_ITEM)
    assert first.ok and first.due == days(today, 5 + 7) and first.title == "트렌드 코리아 2026"
    assert first.print_lines  # the server's receipt line comes through (AG)
    second = library.renew(seed.DEMO_PATRON_ID, seed.DEMO_LOAN_ITEM)
    assert not second.ok and second.reason == "refusal.renewal_limit"


@pytest.mark.parametrize(
    ("patron_id", "item_id", "reason"),
    [
        (seed.HOLDER_PATRON_ID, seed.RESERVED_LOAN_ITEM, "refusal.renewal_reserved"),
        (seed.OVERDUE_PATRON_ID, seed.OVERDUE_ITEM, "refusal.renewal_overdue"),
        (seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM, "refusal.not_on_loan"),
        (seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0], "refusal.not_on_loan"),
    ],
)
def test_renewal_refusals(library, patron_id, item_id, reason):
    result = library.renew(patron_id, item_id)
    assert not result.ok and result.reason == reason and result.due is None
    assert reason in CATALOGUES[Language.KO]


def test_renew_all(library, today):
    result = library.renew_all(seed.DISABLED_PATRON_ID)
    assert result.ok and len(result.renewed) == 7 and result.refused == ()
    assert {loan.due for loan in result.renewed} == {days(today, 25 + 7)}
    again = library.renew_all(seed.DISABLED_PATRON_ID)
    assert again.renewed == () and len(again.refused) == 7


# -- holds and closed-stack requests --------------------------------------------------------


def test_hold_on_a_loaned_item_joins_the_queue_and_can_be_cancelled(library, server):
    placed = library.place_hold(seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM)
    assert placed.ok and not placed.available and placed.queue_position == 1
    patron = library.lookup_patron(seed.DEMO_PATRON_ID)
    assert [h.item_id for h in patron.details.holds if not h.ready] == [seed.ON_LOAN_ITEM]
    assert library.cancel_hold(seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM).ok
    again = library.cancel_hold(seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM)
    assert not again.ok and again.reason == "refusal.hold_unknown"


def test_closed_stack_request_is_a_hold_to_collect_within_three_days(library, server, today):
    info = library.item_information(seed.CLOSED_STACK_ITEM)
    assert info.not_for_loan == "refusal.not_for_loan" and info.location == "보존서고"
    assert (
        library.checkout(seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM).reason == "refusal.closed_stack"
    )  # not "cannot be borrowed": request it
    request = library.place_hold(seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM)
    assert request.ok and request.available and request.collect_by == days(today, 3)
    assert request.pickup_location and "3" not in request.reason
    (hold,) = library.lookup_patron(seed.DEMO_PATRON_ID).details.holds_ready
    assert (hold.item_id, hold.collect_by) == (seed.CLOSED_STACK_ITEM, days(today, 3))
    assert library.item_information(seed.CLOSED_STACK_ITEM).circulation is Circulation.ON_HOLD_SHELF


@pytest.mark.parametrize(
    ("item_id", "reason"),
    [(seed.NOT_FOR_LOAN_ITEM, "refusal.hold_refused"), (seed.DEMO_ITEMS[0], "refusal.hold_refused"),
     (seed.UNKNOWN_ITEM, "refusal.item_unknown")],
)  # fmt: skip
def test_hold_refusals(library, item_id, reason):
    result = library.place_hold(seed.DEMO_PATRON_ID, item_id)
    assert not result.ok and result.reason == reason


# -- items, fees, patron details ------------------------------------------------------------


def test_item_information(library, today):
    info = library.item_information(seed.DEMO_LOAN_ITEM)
    assert info.known and info.circulation is Circulation.ON_LOAN and info.due == days(today, 5)
    assert info.home_library == "MA" and info.media == "001"
    isbn, add_on = info.isbn.split()
    assert len(isbn) == 13 and isbn.startswith("979") and add_on == "03320"  # 트렌드 코리아: KDC 320
    assert library.item_information(seed.DEMO_ITEMS[0]).circulation is Circulation.AVAILABLE
    assert library.item_information(seed.ON_HOLD_ITEM).circulation is Circulation.ON_HOLD_SHELF
    unknown = library.item_information(seed.UNKNOWN_ITEM)
    assert not unknown.known and unknown.circulation is Circulation.UNKNOWN


def test_fee_paid_once_per_transaction(library, server):
    before = library.lookup_patron(seed.BLOCKED_PATRON_ID)
    assert before.details.fees_owed == 5000 and "refusal.fees" in before.blocks
    paid = library.fee_paid(seed.BLOCKED_PATRON_ID, 5000, "TX-0001")
    assert paid.ok and paid.print_lines
    again = library.fee_paid(seed.BLOCKED_PATRON_ID, 5000, "TX-0001")
    assert again.ok  # the same transaction gets the same answer, and is not paid twice
    after = library.lookup_patron(seed.BLOCKED_PATRON_ID)
    assert after.details.fees_owed == 0 and after.blocks == ()
    over = library.fee_paid(seed.BLOCKED_PATRON_ID, 100, "TX-0002")
    assert not over.ok and over.reason == "refusal.fee_refused"


def test_a_membership_number_typed_names_the_card(library):
    """The number printed on the card finds the patron; the library answers with the card's id,
    which the kiosk then uses for every request."""
    patron = library.lookup_patron(seed.MEMBER_NUMBERS[seed.DEMO_PATRON_ID])
    assert patron.valid and patron.patron_id == seed.DEMO_PATRON_ID
    assert [loan.item_id for loan in patron.loans] == [seed.DEMO_LOAN_ITEM]
    result = library.checkout(patron.patron_id, seed.DEMO_ITEMS[0])
    assert result.ok
    unknown = library.lookup_patron("1199999999")
    assert not unknown.valid and unknown.blocks == ("refusal.patron_unknown",)


def test_patron_details(library, today):
    holder = library.lookup_patron(seed.HOLDER_PATRON_ID)
    (ready,) = holder.details.holds_ready
    assert (ready.item_id, ready.collect_by) == (seed.ON_HOLD_ITEM, days(today, 2))
    waiting = {h.item_id: (h.position, h.in_transit) for h in holder.details.holds if not h.ready}
    # First in line, second behind another patron, and one on its way from another library.
    assert waiting == {
        seed.WAITING_HOLD_ITEM: (1, False),
        seed.QUEUED_HOLD_ITEM: (2, False),
        seed.IN_TRANSIT_HOLD_ITEM: (1, True),
    }
    overdue = library.lookup_patron(seed.OVERDUE_PATRON_ID)
    assert overdue.details.overdue == (seed.OVERDUE_ITEM,)
    demo = library.lookup_patron(seed.DEMO_PATRON_ID)
    assert demo.details.quota_remaining == 6 and demo.details.network_loans == 1
    assert demo.details.network_limit == 20 and not demo.details.bring_in_needed
    assert (demo.details.loans_here, demo.details.loan_limit_here, demo.details.loans_elsewhere) == (1, 7, 0)
    disabled = library.lookup_patron(seed.DISABLED_PATRON_ID)
    assert disabled.loan_limit == 10 and disabled.details.quota_remaining == 3
    assert disabled.details.allowance() == Allowance(3, 10, LoanLimit.LIBRARY)


def test_patron_status_message(library):
    assert library.patron_status(seed.DEMO_PATRON_ID, seed.DEMO_PATRON_PIN) == ()
    assert library.patron_status(seed.DEMO_PATRON_ID, "0000") == ("refusal.pin_wrong",)
    assert library.patron_status(seed.BLOCKED_PATRON_ID) == ("refusal.pin_wrong", "refusal.fees")
    assert library.patron_status("04FFFFFFFFFFFF") == ("refusal.patron_unknown",)
