"""What a read code is: its symbology's validity rules, and what the kiosk takes it for
(item registration number, ISBN, mobile membership card). Pure: no decoder imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk.core.errors import DeviceError
from kiosk.core.events import BarcodeRead
from kiosk.core.privacy import has_controls

_CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
_CODABAR_DATA = frozenset("0123456789-$:/.+")
_CODABAR_ENDS = frozenset("ABCD")


class DecodeError(DeviceError):
    """The image handed to decode() is not one (wrong type, shape or dtype), or a symbology
    name is unknown."""


@dataclass(frozen=True)
class Decoded:
    """One code read from an image. Texts follow zxing-cpp: Codabar keeps its start/stop
    characters; an EAN-13 add-on (2 or 5 digits, e.g. the Korean ISBN add-on) is appended."""

    symbology: str
    text: str
    # False for a reading only one decoder made, on a transformed view of a camera frame:
    # the camera posts it once another frame agrees. Not part of what the code is.
    sure: bool = field(default=True, compare=False)


def ean13_ok(digits: str) -> bool:
    """EAN-13 check digit of the first 13 digits; an appended 2- or 5-digit add-on is allowed."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (13, 15, 18):
        return False
    body = [int(c) for c in digits[:12]]
    total = sum(body[0::2]) + 3 * sum(body[1::2])
    return (10 - total % 10) % 10 == int(digits[12])


def valid(symbology: str, text: str) -> bool:
    """Whether `text` is something `symbology` can carry: catches misreads the decoders let by."""
    if not text or "\ufffd" in text:
        return False
    if symbology == "EAN13":
        return ean13_ok(text)
    if symbology == "Code39":
        return set(text) <= _CODE39_CHARS
    if symbology == "Codabar":
        return (
            len(text) >= 3
            and text[0] in _CODABAR_ENDS
            and text[-1] in _CODABAR_ENDS
            and set(text[1:-1]) <= _CODABAR_DATA
        )
    if symbology == "Code128":
        return all(c.isprintable() or c == "\x1d" for c in text)
    return True


# --- what a read code is to the kiosk -----------------------------------------------------

MEMBER_PREFIX = "CHAEKIEUM:"


@dataclass(frozen=True)
class CodePatterns:
    """Regular expressions (full match) saying what a text is. `member` is the mobile
    membership card's QR content; its group `id` is the patron identifier."""

    item: str = r"^[A-Z]{2}\d{10}$"
    isbn: str = r"^97[89]\d{10}(\d{2}|\d{5})?$"
    member: str = r"^CHAEKIEUM:(?P<id>[0-9A-Za-z-]{4,32})$"

    def __post_init__(self) -> None:
        for field_name in ("item", "isbn", "member"):
            try:
                re.compile(getattr(self, field_name))
            except re.error as e:
                raise DecodeError(f"barcode pattern {field_name!r} is not a regex: {e}") from e


def payload(decoded: Decoded) -> str:
    """The data a code carries: Codabar without its start/stop characters, else the text."""
    if decoded.symbology == "Codabar" and len(decoded.text) >= 2:
        return decoded.text[1:-1]
    return decoded.text


def classify(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> str:
    """What the code is: "item", "isbn", "member" or "unknown". ISBNs only come as EAN-13 and
    member cards only as QR; an item label can be any linear code."""
    text = payload(decoded)
    if decoded.symbology == "QRCode" and re.fullmatch(patterns.member, text, re.ASCII):
        return "member"
    if decoded.symbology == "EAN13" and re.fullmatch(patterns.isbn, text, re.ASCII):
        return "isbn"
    if decoded.symbology != "QRCode" and re.fullmatch(patterns.item, text, re.ASCII):
        return "item"
    return "unknown"


def member_identifier(text: str, patterns: CodePatterns = CodePatterns()) -> str | None:
    """The patron identifier in a mobile card's QR text, or None if it is not one."""
    m = re.fullmatch(patterns.member, text, re.ASCII)
    if m is None:
        return None
    return m.groupdict().get("id") or text


def member_qr_text(identifier: str) -> str:
    """What a mobile membership card's QR code holds for `identifier` (inverse of the above)."""
    return MEMBER_PREFIX + identifier


def to_event(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> BarcodeRead:
    """What a read code is, as an event. Its text is what the library system needs: the
    item's registration number, the ISBN digits, or, for a member card, the patron
    identifier. Only admit() decides whether it may be posted."""
    kind = classify(decoded, patterns)
    text = payload(decoded)
    if kind == "member":
        text = member_identifier(text, patterns) or text
    return BarcodeRead(text=text, symbology=decoded.symbology, kind=kind)


def rejection(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> str | None:
    """Why a read must never reach a flow, or None when it may: "empty", "blank" (only
    whitespace), "control" (control characters: a terminal or log attack, or a misread) or
    "pattern" (neither an item, an ISBN nor a mobile card by the configured patterns). The
    first three are checked on their own because a configured pattern may be loose."""
    text = payload(decoded)
    if not text:
        return "empty"
    if not text.strip():
        return "blank"
    if has_controls(text):
        return "control"
    if classify(decoded, patterns) == "unknown":
        return "pattern"
    return None


def admit(decoded: Decoded, patterns: CodePatterns = CodePatterns()) -> BarcodeRead | None:
    """The event a read code becomes, or None when rejection() refuses it: the one gate
    between the decoders and the flows."""
    if rejection(decoded, patterns) is not None:
        return None
    return to_event(decoded, patterns)
