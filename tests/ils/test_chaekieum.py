"""Chaekieum through the real client and servers: member libraries sharing one network store, the
20-item limit across them, the bring-in (MembershipService), history; rules from a TOML file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.model import Allowance, LoanLimit
from kiosk.core.ports import MembershipService
from kiosk.ils.library import Sip2Library
from simulators.ils import seed
from simulators.ils.rules import Rules, load_rules
from simulators.ils.server import ServerHandle, start_server
from simulators.ils.store import CirculationStore

pytestmark = pytest.mark.timeout(30)

RULES_FILE = Path(__file__).resolve().parents[2] / "simulators" / "ils" / "rules.toml"


@pytest.fixture
def network(today) -> Iterator[tuple[ServerHandle, ServerHandle]]:
    """Two member libraries (MA, GN), each its own SIP2 server, on one network store."""
    store = CirculationStore()
    with start_server(today=today, store=store) as ma, start_server(today=today, store=store,
                                                                    institution="GN") as gn:  # fmt: skip
        yield ma, gn
    store.close()


def kiosk_of(server: ServerHandle, institution: str) -> Sip2Library:
    return Sip2Library(server.host, server.port, "kiosk", "kiosk", institution, timeout=5.0)


def test_twenty_items_across_member_libraries(network):
    ma, gn = network
    here, there = kiosk_of(ma, "MA"), kiosk_of(gn, "GN")
    try:
        patron = here.lookup_patron(seed.NETWORK_LIMIT_PATRON_ID)
        assert patron.can_borrow and patron.details.network_loans == 19
        assert patron.details.quota_remaining == 1 and len(patron.loans) == 5
        assert here.checkout(seed.NETWORK_LIMIT_PATRON_ID, seed.DEMO_ITEMS[0]).ok
        refused = here.checkout(seed.NETWORK_LIMIT_PATRON_ID, seed.DEMO_ITEMS[1])
        assert not refused.ok and refused.reason == "refusal.network_limit"
        assert here.lookup_patron(seed.NETWORK_LIMIT_PATRON_ID).blocks == ("refusal.network_limit",)
        # Returning a book at the other library frees a place here.
        assert there.checkin(seed.other_item_id(4)).ok
        assert here.checkout(seed.NETWORK_LIMIT_PATRON_ID, seed.DEMO_ITEMS[1]).ok
    finally:
        here.close()
        there.close()


@pytest.mark.parametrize(
    ("patron_id", "here", "network", "allowance"),
    [
        # 5 of 7 here, 2 at GN: this library's limit leaves 2 (the network's would leave 13).
        (seed.LIBRARY_BOUND_PATRON_ID, 5, 7, Allowance(2, 7, LoanLimit.LIBRARY)),
        # 2 here, 6 at GN, 10 outside the simulation: the network's leaves 2 (this library's 5).
        (seed.NETWORK_BOUND_PATRON_ID, 2, 18, Allowance(2, 20, LoanLimit.NETWORK)),
        (seed.NETWORK_LIMIT_PATRON_ID, 5, 19, Allowance(1, 20, LoanLimit.NETWORK)),
        (seed.CHAEKIEUM_PATRON_ID, 0, 20, Allowance(0, 20, LoanLimit.NETWORK)),
        (seed.LIMIT_PATRON_ID, 7, 7, Allowance(0, 7, LoanLimit.LIBRARY)),
    ],
)
def test_loans_here_and_across_the_network_and_the_limit_that_binds(library, patron_id, here, network,
                                                                    allowance):  # fmt: skip
    details = library.lookup_patron(patron_id).details
    assert (details.loans_here, details.loan_limit_here) == (here, 7)
    assert (details.network_loans, details.network_limit) == (network, 20)
    assert details.loans_elsewhere == network - here
    assert details.allowance() == allowance and details.quota_remaining == allowance.left


def test_each_limit_binds_at_the_library_as_the_patron_is_told(library):
    """The seeded patrons are refused by the very limit their details say binds."""
    for item in seed.DEMO_ITEMS[:2]:
        assert library.checkout(seed.LIBRARY_BOUND_PATRON_ID, item).ok
    refused = library.checkout(seed.LIBRARY_BOUND_PATRON_ID, seed.DEMO_ITEMS[2])
    assert not refused.ok and refused.reason == "refusal.limit"
    for item in seed.DEMO_ITEMS[2:4]:
        assert library.checkout(seed.NETWORK_BOUND_PATRON_ID, item).ok
    refused = library.checkout(seed.NETWORK_BOUND_PATRON_ID, seed.DEMO_ITEMS[4])
    assert not refused.ok and refused.reason == "refusal.network_limit"
    details = library.lookup_patron(seed.NETWORK_BOUND_PATRON_ID).details
    assert (details.loans_here, details.network_loans, details.allowance()) == (
        4, 20, Allowance(0, 20, LoanLimit.NETWORK))  # fmt: skip


def test_an_item_of_another_member_library_is_not_lent_here(library):
    result = library.checkout(seed.DEMO_PATRON_ID, seed.other_item_id(25))
    assert not result.ok and result.reason == "refusal.other_library_item"


def test_member_of_another_library_is_told_and_can_bring_in(library, server):
    membership: MembershipService = library.membership  # mypy checks the structural match
    patron = library.lookup_patron(seed.BRING_IN_PATRON_ID)
    assert patron.valid and patron.home_library == "GN" and patron.blocks == ("refusal.bring_in_needed",)
    assert patron.details.bring_in_needed
    refused = library.checkout(seed.BRING_IN_PATRON_ID, seed.DEMO_ITEMS[0])
    assert refused.reason == "refusal.bring_in_needed"

    wrong = membership.bring_in(seed.BRING_IN_PATRON_ID, dt.date(1991, 3, 15), "4321")
    assert not wrong.ok and wrong.reason == "refusal.identity_not_confirmed"
    short = membership.bring_in(seed.BRING_IN_PATRON_ID, seed.BRING_IN_BIRTH_DATE, "12")
    assert not short.ok and short.reason == "refusal.pin_unacceptable"
    done = membership.bring_in(seed.BRING_IN_PATRON_ID, seed.BRING_IN_BIRTH_DATE, "4321")
    assert done.ok and done.library == "MA" and done.reason == ""

    joined = library.lookup_patron(seed.BRING_IN_PATRON_ID, pin="4321")
    assert joined.blocks == () and not joined.details.bring_in_needed
    assert library.lookup_patron(seed.BRING_IN_PATRON_ID, pin="1111").blocks == ("refusal.pin_wrong",)
    assert library.checkout(seed.BRING_IN_PATRON_ID, seed.DEMO_ITEMS[0]).ok
    again = membership.bring_in(seed.BRING_IN_PATRON_ID, seed.BRING_IN_BIRTH_DATE, "4321")
    assert again.ok and again.reason == "refusal.already_member"


def test_bring_in_of_an_unknown_card(library):
    result = library.membership.bring_in("04FFFFFFFFFFFF", seed.BRING_IN_BIRTH_DATE, "4321")
    assert not result.ok and result.reason == "refusal.not_a_member"


def test_borrowing_history_across_member_libraries(network, today):
    ma, gn = network
    here, there = kiosk_of(ma, "MA"), kiosk_of(gn, "GN")
    try:
        history = here.membership.borrowing_history(seed.NETWORK_PATRON_ID)
        assert {entry.library for entry in history} == {"MA", "GN"}
        returned = [e for e in history if e.returned is not None]
        assert {e.item_id for e in returned} == {seed.HISTORY_ITEM, seed.other_item_id(20)}
        assert there.checkout(seed.NETWORK_PATRON_ID, seed.other_item_id(26)).ok
        assert there.checkin(seed.other_item_id(26)).ok
        latest = here.membership.borrowing_history(seed.NETWORK_PATRON_ID)
        (entry,) = [e for e in latest if e.item_id == seed.other_item_id(26)]
        assert (entry.library, entry.checked_out, entry.returned) == ("GN", today, today) and entry.title
    finally:
        here.close()
        there.close()


def test_rules_file_holds_the_seoul_defaults():
    assert load_rules(RULES_FILE) == Rules()


def test_rules_from_a_file_change_what_the_server_does(tmp_path, today):
    path = tmp_path / "rules.toml"
    path.write_text("[circulation]\nloan_limit = 2\nloan_days = 14\n", encoding="utf-8")
    rules = load_rules(path)
    assert dataclasses.replace(Rules(), loan_limit=2, loan_days=14) == rules
    with start_server(today=today, rules=rules) as handle:
        library = kiosk_of(handle, "MA")
        try:
            first = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
            assert first.ok and first.due == today + dt.timedelta(days=14)
            assert library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[1]).reason == "refusal.limit"
        finally:
            library.close()


@pytest.mark.parametrize(
    ("text", "error"),
    [("[circulation]\nloan_limt = 2\n", "loan_limt"), ("[circulation]\nloan_limit = -1\n", "loan_limit"),
     ("[circulation]\nloan_limit = true\n", "loan_limit"), ("[other]\n", "other")],
)  # fmt: skip
def test_a_wrong_rules_file_names_the_key(tmp_path, text, error):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_rules(path)


def test_seed_covers_every_case(today):
    store = CirculationStore()
    try:
        seed.seed(store, today)
        items = seed.items()
        assert all(len(i.add_on) == 5 and i.add_on.isdigit() for i in items)
        assert {i.loan_type for i in items} == {"normal", "reference", "closed_stack"}
        assert {i.home_library for i in items} == {"MA", "GN"}
        cases = [
            seed.DEMO_PATRON_ID,
            seed.BLOCKED_PATRON_ID,
            seed.SUSPENDED_PATRON_ID,
            seed.EXPIRED_PATRON_ID,
            seed.BRING_IN_PATRON_ID,
            seed.CHAEKIEUM_PATRON_ID,
            seed.NETWORK_LIMIT_PATRON_ID,
            seed.LIBRARY_BOUND_PATRON_ID,
            seed.NETWORK_BOUND_PATRON_ID,
            seed.HOLDER_PATRON_ID,
            seed.LOST_CARD_PATRON_ID,
            seed.DISABLED_PATRON_ID,
        ]
        assert all(store.patron(card) is not None for card in cases)
        assert len(store.holds_of(seed.HOLDER_PATRON_ID, today)) == 4  # ready, 1st, 2nd, in transit
        # Every patron can sign in by the number on the card, each number once.
        numbers = seed.MEMBER_NUMBERS
        assert len(set(numbers.values())) == len(numbers)
        assert all(store.card_for(numbers[card]) == card for card in cases)
    finally:
        store.close()
