"""KS X 6924 SELECT answers to card serials, and the identifier sources' configuration (pure)."""

from __future__ import annotations

import pytest

from kiosk.devices.card_id import CardIdSources
from kiosk.devices.transit_card import CASHBEE_AID, TMONEY_AID, parse_aid, serial_from_fci

SERIAL = "1010123456789012"


def fci(serial: str = SERIAL, *, purse_len: int = 47, wrap_a5: bool = False, pad: bool = False) -> bytes:
    purse = bytes([0x00, 0x00, 0x01, 0x08]) + bytes.fromhex(serial) + bytes(purse_len - 12)
    purse_tlv = bytes([0xB0, len(purse)]) + purse
    if wrap_a5:
        purse_tlv = bytes([0xA5, len(purse_tlv)]) + purse_tlv
    body = bytes([0x84, 7]) + bytes.fromhex(TMONEY_AID) + purse_tlv
    out = bytes([0x6F, len(body)]) + body
    return out + b"\x00\x00" if pad else out


def test_serial_from_a_t_money_select_answer() -> None:
    assert serial_from_fci(fci()) == SERIAL


def test_serial_inside_a_proprietary_template_and_with_padding() -> None:
    assert serial_from_fci(fci(wrap_a5=True, pad=True)) == SERIAL


def test_long_form_lengths_are_read() -> None:
    body = bytes([0xB0, 47]) + bytes(4) + bytes.fromhex(SERIAL) + bytes(35)
    assert serial_from_fci(bytes([0x6F, 0x81, len(body)]) + body) == SERIAL


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"", "no FCI template"),
        (bytes.fromhex("8407D4100000030001"), "no FCI template"),
        (bytes([0x6F, 0x09, 0x84, 0x07]) + bytes.fromhex(TMONEY_AID), "no KS X 6924 purse"),
        (fci(purse_len=40), "40 bytes, expected 47"),
        (fci("ABCDEF0123456789"), "not binary-coded decimal"),
        (fci()[:20], "no FCI template"),  # truncated: the template is incomplete
    ],
)
def test_bad_answers_are_refused_clearly(answer: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        serial_from_fci(answer)


def test_aids() -> None:
    assert parse_aid(CASHBEE_AID) == bytes.fromhex("D4100000140001")
    with pytest.raises(ValueError, match="5 to 16 bytes"):
        parse_aid("D410")
    with pytest.raises(ValueError, match="hex digits"):
        parse_aid("T-money")


def test_sources_defaults_and_validation() -> None:
    assert CardIdSources().order == ("uid",)
    assert CardIdSources(order=["ndef", "uid"]).order == ("ndef", "uid")  # type: ignore[arg-type]
    for order in [(), ("uid", "uid"), ("serial",), "uid"]:
        with pytest.raises(ValueError, match="card id sources"):
            CardIdSources(order=order)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="regular expression"):
        CardIdSources(ndef_pattern="(")
    with pytest.raises(ValueError, match="at least one AID"):
        CardIdSources(order=("transit",), transit_aids=())
    with pytest.raises(ValueError, match="hex digits"):
        CardIdSources(transit_aids=("xyz",))


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([("text", "29123456789")], "29123456789"),
        ([("text", " 29123456789\n")], "29123456789"),
        ([("uri", "https://lib.example/member/29123456789")], "29123456789"),
        ([("uri", "https://lib.example/m?no=SE-0042")], "SE-0042"),
        ([("text", "hello world!"), ("text", "29123456789")], "29123456789"),
        ([("text", "abc")], None),
        ([], None),
    ],
)
def test_member_number_from_ndef_records(records: list[tuple[str, str]], expected: str | None) -> None:
    assert CardIdSources().member_from_ndef(records) == expected


def test_a_pattern_without_an_id_group_gives_the_whole_match() -> None:
    sources = CardIdSources(ndef_pattern=r"\d{11}")
    assert sources.member_from_ndef([("text", "member 29123456789 Seoul")]) == "29123456789"
