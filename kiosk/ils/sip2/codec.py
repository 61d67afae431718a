"""SIP2 wire codec: messages as data, encoded to and decoded from bytes with AY/AZ checksums."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace

from kiosk.core.errors import LibraryProtocolError
from kiosk.core.privacy import clean, mask_card, mask_email, mask_name, mask_secret, summary

DEFAULT_DELIMITER = "|"
# Spec limit for a variable field; servers count it in bytes, not characters.
FIELD_LIMIT_BYTES = 255

# Length of the fixed-field part of every SIP2 2.00 message, by command code.
FIXED_LENGTHS: dict[str, int] = {
    "01": 19, "09": 37, "10": 22, "11": 38, "12": 22, "15": 19, "16": 20, "17": 18,
    "18": 24, "19": 18, "20": 19, "23": 21, "24": 35, "25": 18, "26": 35, "29": 38,
    "30": 22, "35": 18, "36": 19, "37": 25, "38": 19, "63": 31, "64": 59, "65": 18,
    "66": 27, "93": 2, "94": 1, "96": 0, "97": 0, "98": 34, "99": 8,
}  # fmt: skip

# How redacted() shows a field's value, by what the value is. Passwords, PINs and personal
# details (home address BD, home phone BF, birth date PB and the Chaekieum bring-in's XD)
# show nothing; a patron's reading history (Chaekieum XH) only its size.
_SECRET_FIELDS = frozenset({"CO", "AC", "AD", "BD", "BF", "PB", "XD"})
_CARD_FIELDS = frozenset({"AA"})
_NAME_FIELDS = frozenset({"AE"})
_EMAIL_FIELDS = frozenset({"BE"})
_HISTORY_FIELDS = frozenset({"XH"})
# Every other value (screen messages, print lines, titles...) is cleaned and cut to this.
_LOGGED_VALUE_LIMIT = 200

_TRAILER = re.compile(r"(?:AY(\d))?AZ([0-9A-Fa-f]{4})?$")
_FIELD_ID = re.compile(r"[A-Z0-9]{2}")
_CODE = re.compile(r"\d\d")


class MalformedMessage(LibraryProtocolError):
    """The bytes are not a SIP2 message we can read (wrong length, bad field, bad encoding)."""


class ChecksumError(LibraryProtocolError):
    """The AZ checksum does not match the message's bytes."""


@dataclass(frozen=True)
class Message:
    """One SIP2 message. `fields` keeps order, repeats and unknown ids; AY/AZ are not in it."""

    code: str
    fixed: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    sequence: int | None = None

    def get(self, field_id: str, default: str = "") -> str:
        """The first value of `field_id`, or `default` when absent."""
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return default

    def get_all(self, field_id: str) -> list[str]:
        return [value for fid, value in self.fields if fid == field_id]

    def has(self, field_id: str) -> bool:
        return any(fid == field_id for fid, _ in self.fields)

    def with_sequence(self, sequence: int | None) -> Message:
        return replace(self, sequence=sequence)

    def flag(self, index: int) -> str:
        """One character of the fixed part, "" when the part is shorter."""
        return self.fixed[index : index + 1]

    def redacted(self) -> str:
        """A log-safe rendering: passwords, PINs and personal details hidden, card numbers,
        names and e-mail addresses masked, every other value cleaned of controls and cut."""
        parts = [f"{self.code} {self.fixed!r}"]
        parts.extend(f"{fid}={_redacted_value(fid, value)}" for fid, value in self.fields)
        if self.sequence is not None:
            parts.append(f"AY={self.sequence}")
        return " ".join(parts)


def _redacted_value(field_id: str, value: str) -> str:
    """How one field's value may appear in a log (see the field sets above)."""
    if field_id in _SECRET_FIELDS:
        return mask_secret(value)
    if field_id in _CARD_FIELDS:
        return mask_card(value)
    if field_id in _NAME_FIELDS:
        return mask_name(value)
    if field_id in _EMAIL_FIELDS:
        return mask_email(value)
    if field_id in _HISTORY_FIELDS and len(value) > 1:  # not the request's Y/N
        return f"<{summary(value)}>"
    return clean(value, _LOGGED_VALUE_LIMIT)


@dataclass(frozen=True)
class Codec:
    """Encoding settings of one connection (the words of Koha's SIPconfig.xml)."""

    encoding: str = "utf-8"
    delimiter: str = DEFAULT_DELIMITER
    terminator: str = "\r"
    checksums: bool = True
    # "strict" on the kiosk (a barcode must never change); a server may pick "replace".
    encode_errors: str = field(default="strict")

    def encode(self, message: Message) -> bytes:
        return encode(
            message,
            encoding=self.encoding,
            delimiter=self.delimiter,
            terminator=self.terminator,
            checksum=self.checksums,
            errors=self.encode_errors,
        )

    def decode(self, data: bytes) -> Message:
        return decode(data, encoding=self.encoding, delimiter=self.delimiter, check=self.checksums)


def checksum(data: bytes) -> str:
    """The AZ value for `data`, which runs from the first byte through 'AZ'."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def verify_checksum(data: bytes) -> bool | None:
    """True/False when `data` (one message, terminator optional) carries an AZ checksum,
    None when it carries none."""
    raw = data.rstrip(b"\r\n")
    if len(raw) < 6 or raw[-6:-4] != b"AZ":
        return None
    try:
        given = raw[-4:].decode("ascii")
        int(given, 16)
    except (UnicodeDecodeError, ValueError):
        return None
    return given.upper() == checksum(raw[:-4])


def encode(
    message: Message,
    *,
    encoding: str = "utf-8",
    delimiter: str = DEFAULT_DELIMITER,
    terminator: str = "\r",
    checksum: bool = True,
    errors: str = "strict",
) -> bytes:
    """`message` as bytes, with the AY sequence and AZ checksum when `checksum` is on."""
    if not _CODE.fullmatch(message.code):
        raise MalformedMessage(f"command code must be two digits, got {message.code!r}")
    expected = FIXED_LENGTHS.get(message.code)
    if expected is not None and len(message.fixed) != expected:
        raise MalformedMessage(
            f"message {message.code} needs {expected} fixed-field characters, got {len(message.fixed)}"
        )
    _check_text(message.fixed, delimiter, "fixed fields")
    body = [message.code, message.fixed]
    for fid, value in message.fields:
        if not _FIELD_ID.fullmatch(fid):
            raise MalformedMessage(f"field id must be two capital letters or digits: {fid!r}")
        _check_text(value, delimiter, f"field {fid}")
        body.append(f"{fid}{value}{delimiter}")
    if checksum:
        if message.sequence is not None:
            body.append(f"AY{message.sequence % 10}")
        body.append("AZ")
    try:
        data = "".join(body).encode(encoding, errors)
    except UnicodeEncodeError as exc:
        raise MalformedMessage(
            f"message {message.code} cannot be written in {encoding}: {exc.reason}"
        ) from exc
    except LookupError as exc:
        raise MalformedMessage(f"unknown encoding {encoding!r}") from exc
    if checksum:
        data += _checksum_bytes(data)
    return data + terminator.encode("ascii")


def _checksum_bytes(data: bytes) -> bytes:
    return checksum(data).encode("ascii")


def _check_text(text: str, delimiter: str, what: str) -> None:
    if delimiter in text or "\r" in text or "\n" in text:
        raise MalformedMessage(f"{what} may not contain the delimiter or a line break")


def decode(
    data: bytes,
    *,
    encoding: str = "utf-8",
    delimiter: str = DEFAULT_DELIMITER,
    check: bool = True,
) -> Message:
    """One message from `data` (CR, CRLF or LF terminator optional). The checksum is verified
    over the raw bytes before anything else; text is NFC-normalised after decoding, since
    Evergreen sends Hangul decomposed."""
    raw = data.rstrip(b"\r\n")
    if check:
        verdict = verify_checksum(raw)
        if verdict is False:
            raise ChecksumError(f"bad checksum on message {raw[:2]!r}")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise MalformedMessage(
            f"message is not valid {encoding} at byte {exc.start}: check the encoding setting"
        ) from exc
    except LookupError as exc:
        raise MalformedMessage(f"unknown encoding {encoding!r}") from exc
    text = unicodedata.normalize("NFC", text)
    code = text[:2]
    if not _CODE.fullmatch(code):
        raise MalformedMessage(f"not a SIP2 command code: {code!r}")
    length = FIXED_LENGTHS.get(code)
    if length is None:
        raise MalformedMessage(f"unsupported SIP2 command {code}")
    fixed = text[2 : 2 + length]
    if len(fixed) < length or delimiter in fixed:
        raise MalformedMessage(f"message {code} has incomplete fixed fields")
    # The trailer is looked for after the fixed part only: fixed text may end in 'AZ...'.
    rest, sequence, empty_checksum = _split_trailer(text[2 + length :])
    if check and empty_checksum:
        raise ChecksumError(f"message {code} has an empty AZ checksum")
    return Message(code, fixed, _split_fields(rest, delimiter, code), sequence)


def _split_trailer(text: str) -> tuple[str, int | None, bool]:
    """Strip `AY<n>AZ<hhhh>`; the flag says 'AZ' was there with no checksum after it."""
    match = _TRAILER.search(text)
    # A bare 'AZ' ending a value is ambiguous: only an 'AY<n>' before it makes it a trailer.
    if match is None or (match.group(2) is None and match.group(1) is None):
        return text, None, False
    sequence = int(match.group(1)) if match.group(1) is not None else None
    return text[: match.start()], sequence, match.group(2) is None


def _split_fields(text: str, delimiter: str, code: str) -> tuple[tuple[str, str], ...]:
    fields: list[tuple[str, str]] = []
    for part in text.split(delimiter):
        if not part:
            continue  # servers emit a delimiter before AY, or a doubled one
        fid = part[:2]
        if not _FIELD_ID.fullmatch(fid):
            raise MalformedMessage(f"message {code} has a bad field id {fid!r}")
        fields.append((fid, part[2:]))
    return tuple(fields)


def sip_datetime(moment: dt.datetime) -> str:
    """The 18-character SIP2 timestamp 'YYYYMMDDZZZZHHMMSS' (local time, blank zone)."""
    return moment.strftime("%Y%m%d    %H%M%S")


def parse_date(text: str) -> dt.date | None:
    """A due date as real servers send it: 'YYYYMMDD    HHMMSS', 'YYYYMMDD', ISO
    'YYYY-MM-DD[ ...]', 'MM/DD/YYYY'. Blanks (a no-block checkout) and unreadable text
    give None: the loan exists either way."""
    text = text.strip()
    if not text:
        return None
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{2})/(\d{2})"), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "mdy"),
)


def truncate_bytes(text: str, encoding: str, limit: int = FIELD_LIMIT_BYTES) -> str:
    """`text` cut to at most `limit` encoded bytes without splitting a character."""
    data = text.encode(encoding, "replace")
    if len(data) <= limit:
        return text
    return data[:limit].decode(encoding, "ignore")


def response_code(request_code: str) -> str:
    """The command code that answers `request_code` (99 -> 98, 11 -> 12, ...)."""
    if request_code == "99":
        return "98"
    return f"{int(request_code) + 1:02d}"
