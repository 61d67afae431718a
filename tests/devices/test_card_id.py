"""CardIdRule: UID bytes to patron identifier, and its validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.devices.card_id import CardIdRule

UID7 = bytes.fromhex("04A1B2C3D4E5F6")
UID4 = bytes.fromhex("DEADBEEF")
uids = st.binary(min_size=1, max_size=10)


@pytest.mark.parametrize(
    ("rule", "uid", "expected"),
    [
        (CardIdRule(), UID7, "04A1B2C3D4E5F6"),
        (CardIdRule(case="lower"), UID7, "04a1b2c3d4e5f6"),
        (CardIdRule(byte_order="reversed"), UID7, "F6E5D4C3B2A104"),
        (CardIdRule(format="decimal"), UID4, "3735928559"),
        (CardIdRule(format="decimal", byte_order="reversed"), UID4, "4022250974"),
        (CardIdRule(format="decimal", width=12), UID4, "003735928559"),
        (CardIdRule(format="decimal", width=4), UID4, "3735928559"),  # never truncated
        (CardIdRule(width=10), bytes.fromhex("00AB"), "00000000AB"),
        (CardIdRule(prefix="SE"), UID4, "SEDEADBEEF"),
        (CardIdRule(format="decimal", prefix="29", width=12), b"\x01", "29000000000001"),
        (CardIdRule(format="decimal"), b"\x00\x00", "0"),
        (CardIdRule(), bytearray(b"\x0a"), "0A"),
    ],
)
def test_identifier_examples(rule: CardIdRule, uid: bytes, expected: str) -> None:
    assert rule.identifier(uid) == expected


@given(uids)
def test_hex_round_trips_and_keeps_every_byte(uid: bytes) -> None:
    text = CardIdRule().identifier(uid)
    assert len(text) == 2 * len(uid)
    assert bytes.fromhex(text) == uid
    assert text == text.upper()


@given(uids)
def test_reversed_hex_is_the_bytes_backwards(uid: bytes) -> None:
    text = CardIdRule(byte_order="reversed", case="lower").identifier(uid)
    assert bytes.fromhex(text)[::-1] == uid
    assert text == text.lower()


@given(uids, st.sampled_from(["as-read", "reversed"]))
def test_decimal_is_the_unsigned_number(uid: bytes, byte_order: str) -> None:
    rule = CardIdRule(format="decimal", byte_order=byte_order)  # type: ignore[arg-type]
    expected = int.from_bytes(uid, "big" if byte_order == "as-read" else "little")
    assert int(rule.identifier(uid)) == expected
    assert rule.identifier(uid).isdigit()


@given(uids, st.integers(min_value=0, max_value=32), st.sampled_from(["hex", "decimal"]))
def test_width_pads_on_the_left_only(uid: bytes, width: int, fmt: str) -> None:
    plain = CardIdRule(format=fmt).identifier(uid)  # type: ignore[arg-type]
    padded = CardIdRule(format=fmt, width=width).identifier(uid)  # type: ignore[arg-type]
    assert len(padded) == max(width, len(plain))
    assert padded.lstrip("0") == plain.lstrip("0")
    assert padded.endswith(plain)


@given(uids, st.text(alphabet="ABCXYZ0129-_", max_size=16))
def test_prefix_is_prepended_verbatim(uid: bytes, prefix: str) -> None:
    assert CardIdRule(prefix=prefix).identifier(uid) == prefix + uid.hex().upper()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"format": "octal"}, "format must be one of 'hex', 'decimal'"),
        ({"byte_order": "little"}, "byte_order must be one of"),
        ({"case": "title"}, "case must be one of"),
        ({"width": -1}, "width must be between 0 and 32"),
        ({"width": 33}, "width must be between 0 and 32"),
        ({"width": 2.5}, "width must be a whole number"),
        ({"width": True}, "width must be a whole number"),
        ({"prefix": 29}, "prefix must be text"),
        ({"prefix": "A B"}, "must not contain spaces"),
        ({"prefix": "A\n"}, "must not contain spaces"),
        ({"prefix": "X" * 17}, "at most 16 characters"),
    ],
)
def test_bad_settings_are_refused_clearly(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CardIdRule(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("uid", "message"),
    [(b"", "1 to 10 bytes"), (bytes(11), "1 to 10 bytes"), ("04A1B2", "must be bytes")],
)
def test_bad_uids_are_refused_clearly(uid: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CardIdRule().identifier(uid)  # type: ignore[arg-type]


def test_from_mapping_builds_and_validates() -> None:
    rule = CardIdRule.from_mapping({"format": "decimal", "byte_order": "reversed", "width": 10})
    assert rule == CardIdRule(format="decimal", byte_order="reversed", width=10)
    with pytest.raises(ValueError, match=r"unknown card id setting.*endian"):
        CardIdRule.from_mapping({"endian": "little"})
    with pytest.raises(ValueError, match="format must be one of"):
        CardIdRule.from_mapping({"format": "HEX"})


def test_rule_is_immutable() -> None:
    rule = CardIdRule()
    with pytest.raises(AttributeError):
        rule.format = "decimal"  # type: ignore[misc]
