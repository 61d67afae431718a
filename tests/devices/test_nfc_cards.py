"""What the reader makes of the cards on the field: identifier sources, two cards, unreadable cards.

Real nfcpy on both sides: NfcReader polls through the udp driver, the emulated cards answer
with nfcpy's listen/exchange (Type 3 emulation, ISO-DEP APDUs)."""

from __future__ import annotations

import logging

import nfc
import nfc.clf
import pytest

from kiosk.core.events import CardProblem, CardRead, CardRemoved
from kiosk.core.messages import CATALOGUES
from kiosk.core.model import Language
from kiosk.devices.card_id import CardIdRule, CardIdSources
from simulators.nfc import CardEmulator
from tests.devices.test_nfc import IDM, UID4, UID7, field, let_reader_poll, ready, start_reader

__all__ = ["field", "start_reader"]  # fixtures shared with test_nfc.py

pytestmark = pytest.mark.timeout(30)

MEMBER = "29123456789"
SERIAL = "1010123456789012"
NDEF_FIRST = CardIdSources(order=("ndef", "uid"))


def test_felica_member_number_from_type3_ndef_text(field, start_reader) -> None:
    _, events = start_reader(field.path, sources=CardIdSources(order=("ndef",)))
    ready(events)
    field.tap(IDM, "212F", member=MEMBER)
    assert events.next() == CardRead(technology="212F", uid=IDM, identifier=MEMBER)
    let_reader_poll(field)
    assert events.pending() == []  # held: one tap, the NDEF is not read again
    field.lift()
    assert events.next() == CardRemoved()


def test_type4_member_number_from_ndef_uri(field, start_reader) -> None:
    _, events = start_reader(field.path, sources=NDEF_FIRST)
    ready(events)
    field.tap(UID7, member=f"https://lib.example/member/{MEMBER}")
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=MEMBER)


def test_card_without_ndef_falls_back_to_uid_rule_when_configured(field, start_reader) -> None:
    _, events = start_reader(field.path, CardIdRule(format="decimal"), sources=NDEF_FIRST)
    ready(events)
    field.tap(UID4)  # MIFARE Classic-like (SAK 08): nfcpy reads its UID only
    assert events.next() == CardRead(technology="106A", uid=UID4, identifier="3735928559")
    field.tap(IDM, "212F")  # a FeliCa card with no NDEF system
    assert events.next() == CardRemoved()
    assert events.next() == CardRead(technology="212F", uid=IDM, identifier=str(int(IDM, 16)))


def test_card_without_any_configured_identifier_is_not_supported(field, start_reader) -> None:
    _, events = start_reader(field.path, sources=CardIdSources(order=("ndef", "transit")))
    ready(events)
    field.tap(UID4)
    problem = events.next()
    assert problem == CardProblem(reason="not_supported", technology="106A")
    assert problem.message_id == "card.not_supported"  # type: ignore[attr-defined]
    let_reader_poll(field)
    assert events.pending() == []  # once per tap
    field.lift()
    let_reader_poll(field)
    assert events.pending() == []  # it never started a visit: no CardRemoved


@pytest.mark.parametrize("aid_order", [("D4100000030001",), ("D4100000140001", "D4100000030001")])
def test_transit_card_serial_through_ks_x_6924_select(field, start_reader, aid_order) -> None:
    sources = CardIdSources(order=("transit", "uid"), transit_aids=aid_order)
    _, events = start_reader(field.path, sources=sources)
    ready(events)
    field.tap(UID4, transit_serial=SERIAL)
    assert events.next() == CardRead(technology="106A", uid=UID4, identifier=SERIAL)


def test_transit_serial_is_not_taken_from_a_library_only_card(field, start_reader) -> None:
    _, events = start_reader(field.path, sources=CardIdSources(order=("transit", "ndef", "uid")))
    ready(events)
    field.tap(UID7, member=MEMBER)  # ISO-DEP with NDEF, no purse: SELECT answers 6A82
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=MEMBER)


def test_two_cards_of_different_technologies_ask_for_one_card(field, start_reader) -> None:
    # Both cards on the field before the first poll: nothing is read, the patron is asked.
    field.tap(UID7)
    field.add(IDM, "212F")
    _, events = start_reader(field.path, technologies=("106A", "212F"))
    ready(events)
    first = events.next()
    assert first == CardProblem(reason="two_cards")
    assert first.message_id == "card.one_please"  # type: ignore[attr-defined]
    let_reader_poll(field)
    assert [e for e in events.pending() if not isinstance(e, CardRemoved)] == []


def test_two_cards_placed_together_then_one_taken_away_reads_the_other(field, start_reader) -> None:
    # Both cards lie on the field before the reader's first poll.
    field.tap(IDM, "212F")
    field.add(UID4, "106A")
    _, events = start_reader(field.path, technologies=("106A", "212F"))
    ready(events)
    let_reader_poll(field, frames=20)
    seen = events.pending()
    assert CardProblem(reason="two_cards") in seen
    field.lift(IDM)
    read = events.next()
    while not isinstance(read, CardRead):
        read = events.next()
    assert read == CardRead(technology="106A", uid=UID4, identifier=UID4)


def test_two_type_a_cards_collide_and_nothing_wrong_is_read(field, start_reader) -> None:
    """The documented limit: nfcpy's sense() turns an anticollision failure into "no card"
    (udp and RC-S380 drivers alike), so neither card is read and no problem can be named."""
    _, events = start_reader(field.path, technologies=("106A",))
    ready(events)
    field.tap(UID4)
    assert events.next() == CardRead(technology="106A", uid=UID4, identifier=UID4)  # alone at first
    field.add(UID7)
    assert events.next() == CardRemoved()  # the collision hides it
    let_reader_poll(field)
    assert events.pending() == []
    field.lift(UID7)
    let_reader_poll(field)
    assert events.pending() == []  # back within the hold-off: the same tap, not a new one


def test_collision_is_answered_at_once_not_by_a_timeout(field) -> None:
    field.tap(UID4)
    field.add(UID7)
    clf = nfc.ContactlessFrontend(field.path)
    try:
        before = field.polls
        assert clf.sense(nfc.clf.RemoteTarget("106A")) is None
        # SENS_REQ and SDD_REQ reached the field: the reader saw a card answer, then garble.
        assert field.polls - before == 2
    finally:
        clf.close()


@pytest.mark.parametrize(("uid", "technology"), [(IDM, "212F"), (UID7, "106A")])
def test_unreadable_card_asks_to_retry_then_reads_when_held_properly(
    field, start_reader, uid, technology
) -> None:
    _, events = start_reader(field.path, sources=CardIdSources(order=("ndef",)), read_attempts=50)
    ready(events)
    field.tap(uid, technology, member=MEMBER, readable=False)
    problem = events.next()
    assert problem == CardProblem(reason="unreadable", technology=technology)
    assert problem.message_id == "card.retry"  # type: ignore[attr-defined]
    let_reader_poll(field)
    assert events.pending() == []  # retried quietly, told once
    field.tap(uid, technology, member=MEMBER)  # the patron holds it flat on the reader
    read = events.next()
    assert read == CardRead(technology=technology, uid=uid, identifier=MEMBER)


def test_unreadable_card_is_tried_a_bounded_number_of_times(field, start_reader) -> None:
    _, events = start_reader(field.path, sources=CardIdSources(order=("ndef",)), read_attempts=2)
    ready(events)
    field.tap(IDM, "212F", member=MEMBER, readable=False)
    assert events.next() == CardProblem(reason="unreadable", technology="212F")
    before = field.polls
    let_reader_poll(field, frames=60)
    # Two read attempts, then only the polls of a settled card (one SENSF_REQ per round).
    assert events.pending() == []
    assert field.polls - before == 60


def test_member_numbers_never_reach_the_logs(field, start_reader, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _, events = start_reader(field.path, sources=CardIdSources(order=("ndef",)))
    ready(events)
    field.tap(IDM, "212F", member=MEMBER)
    assert isinstance(events.next(), CardRead)
    assert MEMBER not in caplog.text and MEMBER[-6:] not in caplog.text
    assert IDM not in caplog.text.upper()


def test_card_problem_texts_exist_in_both_languages() -> None:
    for reason in ("two_cards", "unreadable", "not_supported"):
        message_id = CardProblem(reason=reason).message_id
        assert CATALOGUES[Language.KO][message_id] and CATALOGUES[Language.EN][message_id]


def test_emulator_refuses_impossible_cards() -> None:
    with CardEmulator() as emulator:
        with pytest.raises(ValueError, match="16 digits"):
            emulator.tap(UID4, transit_serial="123")
        with pytest.raises(ValueError, match="type A"):
            emulator.tap(IDM, "212F", transit_serial=SERIAL)
        with pytest.raises(ValueError, match="SAK"):
            emulator.tap(UID4, sak=0x08, member=MEMBER)
        emulator.tap(UID4)
        with pytest.raises(ValueError, match="already on the field"):
            emulator.add(UID4)
        assert len(emulator.cards) == 1
