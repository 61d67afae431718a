"""The SIP2 decoder and what reads its messages, against anything a server may send: any bytes
in every encoding and delimiter, valid messages damaged byte by byte, hostile field values. Only
LibraryProtocolError escapes the decoder, with a one-line message; whatever decodes is read by
the layouts and answer parsers without an untyped error, and reaches a log only cleaned.
(tests/ils/test_codec.py has the peer vectors, round trips and short random bytes.)"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.errors import LibraryProtocolError
from kiosk.core.privacy import has_controls
from kiosk.ils import answers
from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import FIXED_LENGTHS, Codec, Message, decode, parse_date
from kiosk.ils.sip2.layout import LAYOUTS, parse_fixed, patron_flags, patron_status, supported_messages
from tests.fuzz.hostile_text import UNICODE, hostile_text

FUZZ = settings(max_examples=150, deadline=None)
ENCODINGS = ("utf-8", "cp949", "cp850", "ascii")
DELIMITERS = ("|", "^")


def clear(error: LibraryProtocolError) -> None:
    """A message a technician can read in one line of a log."""
    text = str(error)
    assert text and len(text) < 300 and not has_controls(text), text


def decoded_or_typed(data: bytes, **codec: object) -> Message | None:
    try:
        return decode(data, **codec)  # type: ignore[arg-type]
    except LibraryProtocolError as exc:
        clear(exc)
        return None


@FUZZ
@given(
    data=st.binary(max_size=600),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from(DELIMITERS),
    check=st.booleans(),
)
def test_any_bytes_decode_or_are_a_clear_protocol_error(data, encoding, delimiter, check):
    message = decoded_or_typed(data, encoding=encoding, delimiter=delimiter, check=check)
    if message is not None:
        assert message.code in FIXED_LENGTHS and len(message.fixed) == FIXED_LENGTHS[message.code]
        assert all(delimiter not in value for _, value in message.fields)


def _valid_wire(code: str, values: list[str], sequence: int) -> bytes:
    fixed = "".join("Y" if i % 3 else "0" for i in range(FIXED_LENGTHS[code]))
    fields = tuple(("AF" if i % 2 else "AJ", v) for i, v in enumerate(values))
    return Codec().encode(Message(code, fixed, fields, sequence))


INSERTS = [b"|", b"\r", b"\n", b"AZ", b"AY", b"\x00", b"\xff", b"\xea\xb0"]


@st.composite
def damaged_messages(draw: st.DrawFn) -> bytes:
    """A valid message with bytes flipped, cut, doubled or inserted."""
    code = draw(st.sampled_from(sorted(LAYOUTS)))
    values = draw(st.lists(st.text(FIELD_CHARS, max_size=20), max_size=4))
    data = bytearray(_valid_wire(code, values, draw(st.integers(0, 9))))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "double"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from([b"|", b"\r", b"\n", b"AZ", b"AY", b"\x00", b"\xff", b"\xea\xb0"])
            )
        else:
            data[at:at] = data[at : at + 8]
    return bytes(data)


@FUZZ
@given(damaged_messages(), st.booleans())
def test_damaged_messages_decode_or_are_a_clear_protocol_error(data, check):
    decoded_or_typed(data, check=check)


@FUZZ
@given(values=st.lists(hostile_text(), min_size=1, max_size=4))
def test_hostile_field_values_arrive_exactly_and_are_logged_cleaned(values):
    """Whatever a field carries (bar the delimiter and line breaks, which end it) is data: it
    decodes as sent, and the log line of the message holds no control character."""
    values = [_field(v) for v in values]
    wire = _valid_wire("18", values, 3)
    message = decode(wire)
    assert [v for _, v in message.fields] == [_nfc(v) for v in values]
    logged = message.redacted()
    assert not has_controls(logged) and len(logged) < 200 * len(values) + 400


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


FIELD_CHARS = st.characters(exclude_characters="|\r\n", exclude_categories=("Cs",))
FIELD_IDS = [
    "AA",
    "AB",
    "AE",
    "AF",
    "AG",
    "AH",
    "AJ",
    "AS",
    "AT",
    "AU",
    "BV",
    "CC",
    "BH",
    "BL",
    "CB",
    "CD",
    "CF",
    "CH",
    "CK",
    "XN",
    "XM",
    "XB",
    "XR",
    "XP",
    "XU",
    "PA",
]
ODD_VALUES = ["", "Y", "N", "0", "-1", "1,000", "20260302", "2026-02-30", "99999999", "x^2026013^T", "٣", "²"]


@st.composite
def any_decoded(draw: st.DrawFn, code: str) -> Message:
    """A decoded message of `code` with any fixed text and any fields a server may send."""
    size = FIXED_LENGTHS[code]
    # ASCII, as servers send fixed fields: a decomposed character there would change its length
    # once normalised (the decoder then refuses the message, typed).
    fixed = draw(
        st.text(st.characters(codec="ascii", exclude_characters="|\r\n"), min_size=size, max_size=size)
    )
    ids = st.sampled_from(FIELD_IDS)
    values = st.sampled_from(ODD_VALUES) | hostile_text(max_size=30)
    fields = draw(st.lists(st.tuples(ids, values), max_size=8))
    wire = Codec(checksums=False).encode(Message(code, fixed, tuple((f, _field(v)) for f, v in fields)))
    return decode(wire, check=False)


def _field(text: str) -> str:
    """`text` as a field value: no delimiter or line break, and no combining mark first (it would
    join the field id when the message is normalised)."""
    text = text.replace("|", "/").replace("\r", " ").replace("\n", " ")
    return "x" + text if text and unicodedata.combining(text[0]) else text


# What a 64 reply's fee fields may say that float() reads but int() cannot.
NOT_FINITE = {"inf", "nan", "1e400"}


def _finite_fees(message: Message) -> bool:
    return not any(v.strip().lower().replace(",", "") in NOT_FINITE | {"-inf", "+inf", "infinity"}
                   or "e4" in v.lower() for f, v in message.fields if f in ("BV", "CC"))  # fmt: skip


@FUZZ
@given(data=st.data(), code=st.sampled_from(sorted(LAYOUTS)))
def test_layouts_and_dates_read_any_decoded_message(data, code):
    message = data.draw(any_decoded(code))
    fixed = parse_fixed(message)
    assert "".join(fixed.values()) == message.fixed
    patron_flags(message.fixed[:14])
    supported_messages(message.get("BX"))
    for _, value in message.fields:
        got = parse_date(value)
        assert got is None or isinstance(got, dt.date)


@FUZZ
@given(data=st.data())
def test_patron_and_item_answers_read_any_reply(data):
    reply = data.draw(any_decoded("64"))
    if not _finite_fees(reply):
        return  # the known fault below
    details = answers.patron_details(reply, 0, 7)
    assert isinstance(details.fees_owed, int)
    answers.patron_blocks(reply, dt.date(2026, 3, 2))
    answers.holds(reply)
    answers.refusal_reason(" ".join(reply.get_all("AF")))
    answers.item_info("EM0000100001", data.draw(any_decoded("18")))


@pytest.mark.parametrize("fee", sorted(NOT_FINITE))
def test_a_fee_that_is_not_a_finite_number_is_read_without_a_crash(fee):
    reply = Message(
        "64", patron_status() + "000" + "20260302    120000" + "0000" * 6, (("AA", "X"), ("BV", fee))
    )
    answers.patron_details(reply, 0, 7)


def test_a_timeout_period_of_other_digits_is_the_default_heartbeat():
    client = Sip2Client("127.0.0.1", 9, login_id="kiosk", password="kiosk")
    try:
        client.acs_status = Message("98", "YYYYNN" + "²00" + "003" + "20260302    120000" + "2.00")
        assert client.heartbeat_interval > 0
    finally:
        client.close()


def test_the_corpus_reaches_the_decoder():
    # Every corpus text that a field can hold comes back as sent: a decoder that dropped or
    # rewrote fields must fail here, not pass because the property tests drew little.
    for text in UNICODE:
        value = _field(text)
        assert decode(_valid_wire("18", [value], 1)).get("AJ") == _nfc(value)
