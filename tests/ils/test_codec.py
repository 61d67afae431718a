"""SIP2 codec: peer conformance vectors, exact bytes, encodings, checksums, round trips."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.errors import LibraryProtocolError
from kiosk.ils.sip2.codec import (
    FIXED_LENGTHS,
    ChecksumError,
    Codec,
    MalformedMessage,
    Message,
    checksum,
    decode,
    encode,
    parse_date,
    response_code,
    truncate_bytes,
    verify_checksum,
)

PEERS = Path("/work/shared/data/sip2/peer-messages.tsv")
if not PEERS.exists():  # the vectors live beside the repository in this workspace
    PEERS = Path(__file__).resolve().parents[3] / "shared/data/sip2/peer-messages.tsv"


def peer_rows() -> list[dict[str, str]]:
    with PEERS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = peer_rows() if PEERS.exists() else []
needs_peers = pytest.mark.skipif(not ROWS, reason="peer-messages.tsv not found")


@needs_peers
def test_every_peer_message_decodes_or_fails_typed():
    decoded = rejected = 0
    for row in ROWS:
        try:
            message = decode(row["message"].encode("utf-8"))
        except LibraryProtocolError:
            rejected += 1
            continue
        decoded += 1
        assert message.code == row["code"]
    assert len(ROWS) == 198
    # Most of the corpus is well-formed: a codec rejecting everything must not pass.
    assert decoded >= 150, (decoded, rejected)


@needs_peers
def test_checksum_verdicts_agree_with_the_file():
    checked = 0
    for row in ROWS:
        data = row["message"].encode("utf-8")
        if row["has_checksum"] == "N":
            assert verify_checksum(data) is None, row["message"]
            continue
        valid = row["checksum_valid_over_utf8"] == "Y"
        assert verify_checksum(data) is valid, row["message"]
        if valid:
            try:
                decode(data)
            except ChecksumError:  # pragma: no cover - the failure we test for
                pytest.fail(f"good checksum rejected: {row['message']}")
            except MalformedMessage:
                pass  # e.g. sip2-ruby's '64FOOBAR' stub: right checksum, no fixed fields
        else:
            with pytest.raises(ChecksumError):
                decode(data)
        checked += 1
    assert checked > 100


@needs_peers
def test_bad_checksums_pass_when_checking_is_off():
    bad = [r for r in ROWS if r["checksum_valid_over_utf8"] == "N"]
    assert bad
    for row in bad:
        try:
            decode(row["message"].encode("utf-8"), check=False)
        except ChecksumError:  # pragma: no cover
            pytest.fail(row["message"])
        except MalformedMessage:
            pass


@needs_peers
def test_evergreen_decomposed_titles_are_nfc_after_decoding():
    rows = [r for r in ROWS if r["source_repo"].startswith("evergreen") and r["code"] == "18"]
    assert len(rows) == 18
    titles = [decode(r["message"].encode("utf-8")).get("AJ") for r in rows]
    assert "Le Piège de Bogota" in titles
    assert all(unicodedata.is_normalized("NFC", t) for t in titles)
    # The checksum was over the decomposed bytes: still valid.
    assert all(verify_checksum(r["message"].encode("utf-8")) for r in rows)


@needs_peers
def test_unknown_and_repeated_fields_are_kept_in_order():
    row = next(r for r in ROWS if "ZZSomeUnexpectedFieldValue" in r["message"])
    message = decode(row["message"].encode("utf-8"))
    assert [fid for fid, _ in message.fields] == ["AO", "ZZ", "BX", "AM", "AN", "XZ"]
    assert message.get("ZZ") == "SomeUnexpectedFieldValue"
    assert message.sequence == 1
    checkin = next(r for r in ROWS if "AUChargeItem1|AUChargeItem2" in r["message"])
    with pytest.raises(MalformedMessage):  # its fixed part is three characters short
        decode(checkin["message"].encode("utf-8"), check=False)
    node = decode(b"36Y19980723    110658AOInst|AAPatronID|AFone|AFtwo|AGprint|AY5AZ", check=False)
    assert node.get_all("AF") == ["one", "two"] and node.get("AG") == "print"


def test_known_good_bytes_from_jsip2():
    login = Message("93", "00", (("CN", "user"), ("CO", "passwd"), ("CP", "location")), sequence=0)
    assert encode(login) == b"9300CNuser|COpasswd|CPlocation|AY0AZF2FB\r"
    status = Message("99", "0" + "080" + "2.00", sequence=1)
    assert encode(status) == b"9900802.00AY1AZFCA0\r"  # invenio-sip2, ub-library/sip2-ruby
    resend = Message("97")
    assert encode(resend) == b"97AZFEF5\r"


def test_checksum_formula():
    data = b"9300CNuser|COpasswd|CPlocation|AY0AZ"
    assert checksum(data) == "F2FB"
    assert int(checksum(data), 16) + sum(data) & 0xFFFF == 0


@pytest.mark.parametrize("terminator", [b"\r", b"\r\n", b"\n", b""])
def test_any_line_ending_is_accepted(terminator):
    message = decode(b"941AY3AZFDFA" + terminator)
    assert (message.code, message.fixed, message.sequence) == ("94", "1", 3)


def test_encoding_is_per_connection():
    reply = Message("64", " " * 14 + "000" + "20260302    120000" + "0000" * 6, (("AE", "김민수"),))
    for encoding in ("utf-8", "cp949"):
        codec = Codec(encoding=encoding)
        data = codec.encode(reply)
        assert "김민수".encode(encoding) in data
        assert verify_checksum(data)
        assert codec.decode(data).get("AE") == "김민수"
    # The checksum is over the bytes on the wire, so it differs between encodings.
    assert Codec(encoding="utf-8").encode(reply)[-5:] != Codec(encoding="cp949").encode(reply)[-5:]


def test_cp850_cannot_carry_hangul_unless_told_to_replace():
    message = Message("18", "03" + "02" + "01" + "20260302    120000", (("AJ", "채식주의자"), ("AB", "X")))
    with pytest.raises(MalformedMessage, match="cp850"):
        Codec(encoding="cp850").encode(message)
    data = Codec(encoding="cp850", encode_errors="replace").encode(message)
    assert Codec(encoding="cp850").decode(data).get("AJ") == "?????"
    assert (
        Codec(encoding="cp850")
        .decode(Codec(encoding="cp850").encode(Message("18", message.fixed, (("AJ", "Le Piège"),))))
        .get("AJ")
        == "Le Piège"
    )


def test_wrong_encoding_is_a_typed_error():
    data = Codec(encoding="cp949").encode(Message("94", "1", (("AF", "로그인"),)))
    with pytest.raises(MalformedMessage, match="utf-8"):
        decode(data)


def test_configurable_delimiter():
    codec = Codec(delimiter="^")
    message = Message("17", "20260302    120000", (("AO", "MA"), ("AB", "a|b")))
    data = codec.encode(message)
    assert b"AOMA^ABa|b^" in data
    assert codec.decode(data) == message.with_sequence(None)


@pytest.mark.parametrize(
    "bad",
    [
        Message("9", "00"),
        Message("93", "0"),
        Message("93", "00", (("CN", "a|b"),)),
        Message("93", "00", (("CN", "a\rb"),)),
        Message("93", "00", (("cn", "a"),)),
    ],
)
def test_bad_messages_are_refused_on_encode(bad):
    with pytest.raises(MalformedMessage):
        encode(bad)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"X",
        b"XXSomeUnknownData",
        b"55abc",
        b"64FOOBAR|",
        b"9300cnuser|",
        "94\udcff".encode("utf-8", "surrogatepass"),
        b"941AY1AZ",
        b"\x00\x01\x02",
    ],
)
def test_garbage_is_a_typed_error(data):
    with pytest.raises(LibraryProtocolError):
        decode(data)


def test_empty_checksum_is_accepted_only_when_checking_is_off():
    with pytest.raises(ChecksumError):
        decode(b"941AY1AZ")
    assert decode(b"941AY1AZ", check=False).sequence == 1


def test_redacted_hides_passwords_cards_and_names():
    message = Message("63", "", (("AA", "04A1B2C3D4E5F6"), ("AD", "1234"), ("AE", "김민수"), ("CO", "pw")))
    text = message.redacted()
    for secret in ("04A1B2C3D4E5F6", "1234", "김민수", "pw"):
        assert secret not in text
    assert "****E5F6" in text and "김*수" in text


# A 64 reply as a hostile or careless server may send it: terminal attacks in the screen
# message and print line, a flood of a title, and every personal detail SIP2 can carry.
HOSTILE_64 = Message(
    "64",
    "              00020260302    120000000000000000000000000000",
    (
        ("AO", "MA"),
        ("AA", "29123456781234"),
        ("AE", "김민수"),
        ("AD", "AD1234"),
        ("AF", "\x1b]0;pwned\x07Welcome\x1b[2J"),
        ("AG", "receipt\u202e1009 line\x9b31m"),
        ("AJ", "T" * 2000),
        ("BE", "minsu.kim@example.org"),
        ("BF", "010-1234-5678"),
        ("BD", "서울특별시 중구 세종대로 110"),
        ("PB", "19850701"),
        ("XD", "19900315"),
        ("XH", "MA^EM0000100132^20260101^20260111^지구 끝의 온실"),
    ),
    sequence=2,
)
HOSTILE_64_SECRETS = (
    "29123456781234",
    "김민수",
    "AD1234",
    "pwned",
    "\x1b",
    "\x07",
    "\x9b",
    "\u202e",
    "T" * 201,
    "minsu.kim",
    "1234-5678",
    "세종대로",
    "19850701",
    "19900315",
    "지구 끝의 온실",
    "EM0000100132",
)


def test_redacted_cleans_every_value_and_masks_personal_details():
    text = HOSTILE_64.redacted()
    for secret in HOSTILE_64_SECRETS:
        assert secret not in text, f"{secret[:20]!r} reached the log"
    assert "AA=****1234" in text and "AE=김*수" in text and "AD=****" in text
    assert "AF=Welcome" in text and "AG=receipt1009 line" in text
    assert f"AJ={'T' * 200}...(+1800 chars)" in text
    assert "BE=m***@example.org" in text
    assert "BF=****" in text and "BD=****" in text and "PB=****" in text and "XD=****" in text
    assert "XH=<" in text and text.endswith("AY=2")
    assert len(text) < 700


def test_redacted_keeps_what_names_no_one():
    request = Message(
        "63",
        "00020260302    120000          ",
        (("AO", "MA"), ("AA", "04A1B2C3D4E5F6"), ("XH", "Y"), ("AB", "EM0000100001"), ("BE", "")),
    )
    assert request.redacted() == (
        "63 '00020260302    120000          ' AO=MA AA=****E5F6 XH=Y AB=EM0000100001 BE="
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20260317    235959", dt.date(2026, 3, 17)),
        ("20260317", dt.date(2026, 3, 17)),
        ("20260317Z   235959", dt.date(2026, 3, 17)),
        ("2026-03-17", dt.date(2026, 3, 17)),
        ("2023-08-31 23:59:00 CEST", dt.date(2023, 8, 31)),
        ("2011-10-28 23:59:59", dt.date(2011, 10, 28)),
        ("03/17/2026", dt.date(2026, 3, 17)),
        (" " * 18, None),
        ("", None),
        ("tomorrow", None),
        ("20261317    000000", None),
    ],
)
def test_due_dates_as_servers_send_them(text, expected):
    assert parse_date(text) == expected


def test_truncate_counts_bytes_not_characters():
    title = "가" * 100  # 300 bytes in UTF-8
    cut = truncate_bytes(title, "utf-8")
    assert len(cut.encode("utf-8")) <= 255 and cut == "가" * 85
    assert truncate_bytes(title, "cp949") == "가" * 100 if len(title.encode("cp949")) <= 255 else True


def test_response_codes():
    assert [response_code(c) for c in ("93", "99", "63", "11", "35", "17", "09")] == [
        "94",
        "98",
        "64",
        "12",
        "36",
        "18",
        "10",
    ]


# -- round trip ------------------------------------------------------------------------

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters="|")
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
LATIN = st.sampled_from("éèüñçÅøß€")
ALPHABETS = {
    "utf-8": st.one_of(ASCII, HANGUL, LATIN),
    "cp949": st.one_of(ASCII, HANGUL),
    "cp850": st.one_of(ASCII, st.sampled_from("éèüñçÅøß")),
}
FIELD_IDS = st.from_regex(r"\A[A-Z][A-Z0-9]\Z").filter(lambda f: f not in ("AY", "AZ"))


@st.composite
def messages(draw: st.DrawFn, encoding: str) -> Message:
    alphabet = ALPHABETS[encoding]
    code = draw(st.sampled_from(sorted(FIXED_LENGTHS)))
    fixed = draw(st.text(alphabet, min_size=FIXED_LENGTHS[code], max_size=FIXED_LENGTHS[code]))
    fields = draw(st.lists(st.tuples(FIELD_IDS, st.text(alphabet, max_size=30)), max_size=8))
    sequence = draw(st.none() | st.integers(0, 9))
    return Message(code, fixed, tuple(fields), sequence)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    encoding=st.sampled_from(sorted(ALPHABETS)),
    checksums=st.booleans(),
    terminator=st.sampled_from(["\r", "\r\n"]),
)
def test_round_trip(data, encoding, checksums, terminator):
    message = data.draw(messages(encoding))
    codec = Codec(encoding=encoding, checksums=checksums, terminator=terminator)
    wire = codec.encode(message)
    back = codec.decode(wire)
    expected = message if checksums else message.with_sequence(None)
    assert back == expected
    assert verify_checksum(wire) is (True if checksums else None)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=80))
def test_random_bytes_never_raise_untyped(data):
    try:
        decode(data)
    except LibraryProtocolError:
        pass


def test_fixed_part_ending_like_a_trailer_is_not_a_trailer():
    message = Message("17", "20260302    1AZ123")
    wire = encode(message, checksum=False)
    assert decode(wire, check=False) == message
