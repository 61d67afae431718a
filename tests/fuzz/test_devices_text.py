"""What devices hand the kiosk, fuzzed: the printer's DLE EOT status bytes, barcode text through
the one gate (admit) and the privacy helpers, and card identifiers (UIDs, NDEF records,
transit-card answers). Only the documented errors escape; what passes is what the patterns
say; what is logged holds no control character."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.privacy import clean, has_controls, mask_card, mask_email, mask_name, shown_code, summary
from kiosk.devices.card_id import MAX_UID_BYTES, CardIdRule, CardIdSources
from kiosk.devices.codes import CodePatterns, Decoded, admit, rejection, valid
from kiosk.devices.escpos import parse_status
from kiosk.devices.transit_card import serial_from_fci
from tests.fuzz.hostile_text import SURROGATES, UNICODE, hostile_text

FUZZ = settings(max_examples=200, deadline=None)
SYMBOLOGIES = ["Code128", "Code39", "EAN13", "QRCode", "Codabar", "DataMatrix", "ITF"]

# -- printer status -------------------------------------------------------------------------


@FUZZ
@given(n=st.integers(1, 4), reply=st.none() | st.binary(max_size=4) | st.integers(-(2**70), 2**70))
def test_any_status_reply_is_known_or_unknown_never_an_error(n, reply):
    got = parse_status(n, reply)
    assert got["n"] == n and isinstance(got["known"], bool)
    conditions = {k: v for k, v in got.items() if k not in ("n", "raw", "known")}
    if not got["known"]:
        assert conditions == {}  # no reply, or not a status byte: nothing claimed either way
    else:
        assert all(isinstance(v, bool) for v in conditions.values()) and conditions
        byte = reply[0] if isinstance(reply, bytes) else reply
        assert byte & 0x93 == 0x12


def test_no_reply_is_never_fine():
    for n in (1, 2, 3, 4):
        for silence in (None, b"", b"\x12\x12"):
            assert parse_status(n, silence)["known"] is False


@FUZZ
@given(st.integers() | st.text(max_size=3) | st.none())
def test_a_status_query_number_outside_1_to_4_is_a_value_error_saying_so(n):
    if n in (1, 2, 3, 4):
        return
    with pytest.raises(ValueError, match="DLE EOT status n must be 1-4"):
        parse_status(n, 0x12)  # type: ignore[arg-type]


# -- barcodes -------------------------------------------------------------------------------

PATTERNS = CodePatterns()


@FUZZ
@given(symbology=st.sampled_from(SYMBOLOGIES), text=hostile_text(surrogates=True, max_size=80))
def test_admit_takes_only_what_the_patterns_say_and_never_a_control(symbology, text):
    decoded = Decoded(symbology, text)
    event = admit(decoded, PATTERNS)
    why = rejection(decoded, PATTERNS)
    assert (event is None) == (why is not None)
    assert why in (None, "empty", "blank", "control", "pattern")
    valid(symbology, text)  # a verdict on any text, never an error
    if event is None:
        return
    assert not has_controls(event.text) and event.text.strip()
    assert event.kind in ("item", "isbn", "member")
    if event.kind == "item":
        assert re.fullmatch(PATTERNS.item, event.text)
    if event.kind == "member":
        assert re.fullmatch(r"[0-9A-Za-z-]{4,32}", event.text)
    # What a log may show of it: an item as it is, a card masked, anything else by fingerprint.
    shown = shown_code(event.kind, event.text)
    assert not has_controls(shown)


@pytest.mark.parametrize("text", UNICODE + SURROGATES, ids=range(len(UNICODE + SURROGATES)))
def test_no_hostile_text_is_admitted(text):
    for symbology in SYMBOLOGIES:
        assert admit(Decoded(symbology, text)) is None
        assert admit(Decoded(symbology, "EM0000100001" + text)) is None
        assert admit(Decoded("QRCode", "CHAEKIEUM:" + text)) is None


def test_an_item_number_is_ascii_digits_only():
    # Arabic-Indic and full-width digits are no library's item numbers.
    for text in ("EM٠٠٠٠١٠٠٠٠١", "EM０００００１００００１"):
        assert admit(Decoded("Code128", text)) is None


@FUZZ
@given(text=hostile_text(surrogates=True, max_size=200), limit=st.none() | st.integers(0, 300))
def test_privacy_helpers_take_any_text(text, limit):
    cleaned = clean(text, limit)
    assert not has_controls(cleaned)
    assert "\x1b" not in cleaned and "\n" not in cleaned and "\r" not in cleaned
    if limit is not None and len(cleaned) > limit:
        assert cleaned.endswith(" chars)")
    for masked in (mask_card(text), mask_name(text), mask_email(text)):
        assert not has_controls(masked)
    assert not has_controls(summary(text)) and re.fullmatch(r"\d+ chars?, sha256:[0-9a-f]{8}", summary(text))
    for kind in ("item", "isbn", "member", "unknown"):
        shown = shown_code(kind, text)
        assert not has_controls(shown)
        if kind == "member" and len(clean(text).strip()) > 4:
            assert shown.startswith("****")


# -- card identifiers -----------------------------------------------------------------------


@FUZZ
@given(
    uid=st.binary(max_size=16) | st.text(max_size=4) | st.integers() | st.none(),
    fmt=st.sampled_from(["hex", "decimal"]),
    order=st.sampled_from(["as-read", "reversed"]),
    width=st.integers(0, 32),
)
def test_any_uid_is_an_identifier_or_a_value_error_saying_why(uid, fmt, order, width):
    rule = CardIdRule(format=fmt, byte_order=order, width=width)
    try:
        ident = rule.identifier(uid)  # type: ignore[arg-type]
    except ValueError as exc:
        assert str(exc).startswith("card UID must be")
        assert not isinstance(uid, bytes) or not 1 <= len(uid) <= MAX_UID_BYTES
        return
    assert ident.isascii() and ident.isalnum() and len(ident) >= width


@FUZZ
@given(
    setting=st.sampled_from(["format", "byte_order", "case", "width", "prefix"]),
    value=hostile_text(surrogates=True, max_size=20) | st.integers() | st.none() | st.booleans(),
)
def test_any_rule_setting_is_taken_or_refused_with_a_value_error(setting, value):
    try:
        rule = CardIdRule.from_mapping({setting: value})
    except ValueError as exc:
        assert str(exc).startswith("card id ") and setting.replace("_", " ") in str(exc).replace("_", " ")
        return
    ident = rule.identifier(b"\x04\xa1\xb2\xc3")
    assert not has_controls(ident) and " " not in ident


@FUZZ
@given(records=st.lists(st.tuples(st.sampled_from(["text", "uri"]), hostile_text(max_size=80)), max_size=4))
def test_ndef_records_give_a_member_number_or_none(records):
    member = CardIdSources(order=("ndef",)).member_from_ndef(records)
    assert member is None or re.fullmatch(r"[0-9A-Za-z-]{4,32}", member)


@FUZZ
@given(st.binary(max_size=300))
def test_any_transit_answer_is_a_serial_or_a_value_error(answer):
    try:
        serial = serial_from_fci(answer)
    except ValueError as exc:
        assert str(exc) and len(str(exc)) < 200
        return
    assert len(serial) == 16 and serial.isdigit()


def test_a_deeply_nested_answer_is_refused_not_a_recursion_error():
    # A card may answer up to 256 bytes; nesting constructed objects as deep as it allows.
    nested = b""
    for _ in range(120):
        nested = (
            bytes([0x21, len(nested)]) + nested
            if len(nested) < 0x80
            else b"\x21\x81" + bytes([len(nested)]) + nested
        )
        if len(nested) > 250:
            break
    with pytest.raises(ValueError, match="no FCI template"):
        serial_from_fci(nested)
