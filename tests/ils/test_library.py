"""Sip2Library (the LibrarySystem port) against the embedded server: patrons, checkouts, rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kiosk.core.messages import CATALOGUES
from kiosk.core.model import CheckoutResult, Language, Patron
from kiosk.core.ports import LibrarySystem
from kiosk.ils.library import Sip2Library, patron_blocks, refusal_reason
from kiosk.ils.sip2.codec import Message
from simulators.ils import seed
from simulators.ils.seed import ean13_check_digit
from simulators.ils.store import CirculationStore

pytestmark = pytest.mark.timeout(30)


def test_is_a_library_system(library):
    port: LibrarySystem = library  # mypy checks the structural match
    assert callable(port.lookup_patron) and callable(port.checkout)


def test_demo_patron(library, today):
    patron = library.lookup_patron(seed.DEMO_PATRON_ID)
    assert isinstance(patron, Patron)
    assert (patron.name, patron.valid, patron.blocks, patron.home_library) == ("김민수", True, (), "MA")
    assert patron.can_borrow and patron.loan_limit == 7
    (loan,) = patron.loans
    assert loan.item_id == seed.DEMO_LOAN_ITEM and loan.title == "트렌드 코리아 2026"
    assert loan.due == today + dt.timedelta(days=5)


def test_pin_is_checked_when_given(library):
    assert library.lookup_patron(seed.DEMO_PATRON_ID, pin=seed.DEMO_PATRON_PIN).blocks == ()
    assert library.lookup_patron(seed.DEMO_PATRON_ID, pin="0000").blocks == ("refusal.pin_wrong",)


def test_unknown_patron_is_not_valid(library):
    patron = library.lookup_patron("04FFFFFFFFFFFF")
    assert not patron.valid and patron.blocks == ("refusal.patron_unknown",)
    assert not patron.can_borrow


@pytest.mark.parametrize(
    ("patron_id", "block"),
    [
        (seed.BLOCKED_PATRON_ID, "refusal.fees"),
        (seed.LOST_CARD_PATRON_ID, "refusal.card_invalid"),
        (seed.SUSPENDED_PATRON_ID, "refusal.suspended"),
        (seed.OVERDUE_PATRON_ID, "refusal.suspended"),
        (seed.LIMIT_PATRON_ID, "refusal.limit"),
        (seed.CHAEKIEUM_PATRON_ID, "refusal.network_limit"),
        (seed.EXPIRED_PATRON_ID, "refusal.card_expired"),
        (seed.BRING_IN_PATRON_ID, "refusal.bring_in_needed"),
    ],
)
def test_patron_blocks(library, patron_id, block):
    patron = library.lookup_patron(patron_id)
    assert patron.valid and patron.blocks == (block,)
    assert patron.screen_message  # the server's own words, for staff and the screen
    assert block in CATALOGUES[Language.KO]


def test_blocked_patron_details(library):
    patron = library.lookup_patron(seed.BLOCKED_PATRON_ID)
    assert patron.name == "이서연" and "연체료" in patron.screen_message


def test_checkout_lends_for_15_days(library, today):
    result = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert result == CheckoutResult(
        ok=True,
        item_id=seed.DEMO_ITEMS[0],
        title="채식주의자",
        due=today + dt.timedelta(days=15),
        screen_message="대출되었습니다",
    )
    loans = library.lookup_patron(seed.DEMO_PATRON_ID).loans
    assert [loan.item_id for loan in loans] == [seed.DEMO_LOAN_ITEM, seed.DEMO_ITEMS[0]]


def test_all_demo_items_can_be_borrowed(library):
    for item in seed.DEMO_ITEMS:
        result = library.checkout(seed.DEMO_PATRON_ID, item)
        assert result.ok and re.search("[가-힣]", result.title), result


def test_registered_disabled_patron_borrows_10_for_30_days(library, today):
    # Seeded with 7 loans: 3 more are allowed, then the limit.
    results = [library.checkout(seed.DISABLED_PATRON_ID, seed.item_id(n)) for n in range(60, 64)]
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[0].due == today + dt.timedelta(days=30)
    assert results[3].reason == "refusal.limit"


def test_limit_of_seven(library):
    for n in range(60, 66):
        assert library.checkout(seed.DEMO_PATRON_ID, seed.item_id(n)).ok  # 1 + 6 = 7 loans
    refused = library.checkout(seed.DEMO_PATRON_ID, seed.item_id(66))
    assert not refused.ok and refused.reason == "refusal.limit"


def test_checkout_of_own_loan_renews_once(library, today):
    first = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    again = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert again.ok and again.renewed and again.due == first.due + dt.timedelta(days=7)
    third = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert not third.ok and third.reason == "refusal.checkout_refused"


def test_renewal_is_allowed_at_the_loan_limit(library):
    result = library.checkout(seed.LIMIT_PATRON_ID, seed.ON_LOAN_ITEM)
    assert result.ok and result.renewed


@pytest.mark.parametrize(
    ("patron_id", "item_id", "reason"),
    [
        (seed.DEMO_PATRON_ID, seed.NOT_FOR_LOAN_ITEM, "refusal.not_for_loan"),
        (seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM, "refusal.closed_stack"),
        (seed.DEMO_PATRON_ID, seed.ON_HOLD_ITEM, "refusal.on_hold"),
        (seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM, "refusal.already_on_loan"),
        (seed.DEMO_PATRON_ID, seed.UNKNOWN_ITEM, "refusal.item_unknown"),
        (seed.BLOCKED_PATRON_ID, seed.DEMO_ITEMS[1], "refusal.fees"),
        (seed.LOST_CARD_PATRON_ID, seed.DEMO_ITEMS[1], "refusal.card_invalid"),
        (seed.SUSPENDED_PATRON_ID, seed.DEMO_ITEMS[1], "refusal.suspended"),
        (seed.LIMIT_PATRON_ID, seed.DEMO_ITEMS[1], "refusal.limit"),
        (seed.CHAEKIEUM_PATRON_ID, seed.DEMO_ITEMS[1], "refusal.network_limit"),
        ("04FFFFFFFFFFFF", seed.DEMO_ITEMS[1], "refusal.patron_unknown"),
    ],
)
def test_checkout_refusals(library, patron_id, item_id, reason):
    result = library.checkout(patron_id, item_id)
    assert not result.ok and result.reason == reason and result.due is None
    assert result.screen_message


def test_hold_shelf_item_goes_to_its_holder(library):
    result = library.checkout(seed.HOLDER_PATRON_ID, seed.ON_HOLD_ITEM)
    assert result.ok
    assert library.checkout(seed.DEMO_PATRON_ID, seed.ON_HOLD_ITEM).reason == "refusal.already_on_loan"


def test_late_checkin_suspends_for_the_days_late(library, today):
    reply = library.client.request(
        Message(
            "09", "N" + "20260302    120000" * 2, (("AP", "KIOSK"), ("AO", "MA"), ("AB", seed.OVERDUE_ITEM))
        )
    )
    assert reply.code == "10" and reply.flag(0) == "1" and reply.get("AA") == seed.OVERDUE_PATRON_ID
    patron = library.lookup_patron(seed.OVERDUE_PATRON_ID)
    assert patron.blocks == ("refusal.suspended",) and patron.loans == ()
    assert (today + dt.timedelta(days=3)).isoformat() in patron.screen_message


def test_end_session(server, library):
    library.end_session(seed.DEMO_PATRON_ID)
    assert server.received["35"] == 1


def test_close_is_idempotent(library):
    library.lookup_patron(seed.DEMO_PATRON_ID)
    library.close()
    library.close()


def test_no_patron_data_in_logs(library, caplog):
    caplog.set_level("DEBUG")
    library.lookup_patron(seed.DEMO_PATRON_ID, pin=seed.DEMO_PATRON_PIN)
    library.checkout(seed.DEMO_PATRON_ID, seed.NOT_FOR_LOAN_ITEM)
    library.lookup_patron("04FFFFFFFFFFFF")
    assert caplog.records  # debug logging was on
    for secret in (seed.DEMO_PATRON_ID, "04FFFFFFFFFFFF", "김민수", "kiosk|", "AD1234", "=1234"):
        assert secret not in caplog.text


# -- mapping real servers' words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "reason"),
    [
        ("Invalid Item", "refusal.item_unknown"),
        ("Item not found", "refusal.item_unknown"),
        ("Item is on hold shelf for another patron.", "refusal.on_hold"),
        ("Item is reserved for another patron upon return.", "refusal.on_hold"),
        ("Item checked out to another patron", "refusal.already_on_loan"),
        ("Item not for loan", "refusal.not_for_loan"),
        ("Patron has reached the maximum number of checkouts", "refusal.limit"),
        ("Patron has outstanding fines", "refusal.fees"),
        ("Patron is debarred", "refusal.suspended"),
        ("Invalid Patron", "refusal.patron_unknown"),
        ("연장할 수 없는 자료입니다", "refusal.checkout_refused"),
        ("", "refusal.checkout_refused"),
        ("Something unexpected", "refusal.checkout_refused"),
    ],
)
def test_refusal_reason_from_screen_messages(screen, reason):
    assert refusal_reason(screen) == reason


def test_patron_blocks_from_flags_and_fees():
    def reply(flags: str, **fields: str) -> Message:
        return Message(
            "64", flags.ljust(14) + "000" + "20260302    120000" + "0000" * 6, tuple(fields.items())
        )

    assert patron_blocks(reply("", BL="Y")) == ()
    assert patron_blocks(reply("Y", BL="Y")) == ("refusal.patron_blocked",)
    assert patron_blocks(reply("Y   Y", BL="Y")) == ("refusal.card_invalid",)
    assert patron_blocks(reply("", BL="Y", BV="5000", CC="0")) == ("refusal.fees",)
    assert patron_blocks(reply("Y         Y", BL="Y", BV="5,000.00")) == ("refusal.fees",)
    assert patron_blocks(reply("YYYY", BL="N")) == ("refusal.patron_unknown",)
    assert patron_blocks(reply("Y", BL="Y", AF="Patron is debarred until 2026-04-01")) == (
        "refusal.suspended",
    )
    assert patron_blocks(reply("Y", BL="Y", AF="Item not for loan")) == ("refusal.patron_blocked",)


# -- seed data ----------------------------------------------------------------------------


def test_seed_is_deterministic_and_well_formed(today):
    first, second = CirculationStore(), CirculationStore()
    try:
        seed.seed(first, today)
        seed.seed(second, today)
        items = seed.items()
        assert len(items) == 330 and len({i.item_id for i in items}) == 330
        assert all(re.fullmatch(r"[A-Z]{2}\d{10}", i.item_id) for i in items)
        assert all(len(i.isbn) == 13 and i.isbn[-1] == ean13_check_digit(i.isbn[:12]) for i in items)
        assert seed.DEMO_ITEMS[:3] == ("EM0000100001", "EM0000100002", "EM0000100003")
        assert len(seed.DEMO_ITEMS) == 5
        for item_id in seed.DEMO_ITEMS:
            record = first.item(item_id)
            assert record is not None and record.loan_type == "normal" and first.loan(item_id) is None
            assert re.search("[가-힣]", record.title)
        for card in (seed.DEMO_PATRON_ID, seed.BLOCKED_PATRON_ID, seed.HOLDER_PATRON_ID):
            assert first.patron(card) == second.patron(card)
            assert first.loans_of(card) == second.loans_of(card)
        demo = first.patron(seed.DEMO_PATRON_ID)
        assert demo is not None and (demo.name, demo.pin) == ("김민수", "1234")
        blocked = first.patron(seed.BLOCKED_PATRON_ID)
        assert blocked is not None and (blocked.name, blocked.fees) == ("이서연", 5000)
        assert first.hold_for(seed.ON_HOLD_ITEM) == seed.HOLDER_PATRON_ID
        assert {i.title for i in items} >= {
            "채식주의자",
            "소년이 온다",
            "82년생 김지영",
            "토지 1",
            "The Little Prince",
        }
    finally:
        first.close()
        second.close()


def test_ean13_check_digit_of_a_real_isbn():
    assert ean13_check_digit("978030640615") == "7"  # 978-0-306-40615-7, the ISBN handbook example
    assert ean13_check_digit("978000000000") == "2"


@pytest.mark.parametrize("item_id", ["EM00|00100001", "EM0000\r100001", ""])
def test_unsendable_item_ids_are_unknown_items_without_a_request(server, library, item_id):
    result = library.checkout(seed.DEMO_PATRON_ID, item_id)
    assert not result.ok and result.reason == "refusal.item_unknown"
    assert server.received["11"] == 0


def test_unsendable_patron_id_is_unknown(server, library):
    assert library.lookup_patron("04A1|B2").blocks == ("refusal.patron_unknown",)
    assert server.received["63"] == 0


def test_hangul_item_id_on_a_cp850_connection_is_unknown(server):
    library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", encoding="cp850", timeout=5.0)
    try:
        assert library.checkout(seed.DEMO_PATRON_ID, "가나다").reason == "refusal.item_unknown"
    finally:
        library.close()
