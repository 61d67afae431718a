"""How a card becomes the patron identifier the library system knows: its UID by a per-library
rule, or a member number / transit serial the card carries (which of these, in what order)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from kiosk.devices.transit_card import DEFAULT_AIDS, parse_aid

Format = Literal["hex", "decimal"]
ByteOrder = Literal["as-read", "reversed"]
Case = Literal["upper", "lower"]

FORMATS: tuple[str, ...] = ("hex", "decimal")
BYTE_ORDERS: tuple[str, ...] = ("as-read", "reversed")
CASES: tuple[str, ...] = ("upper", "lower")

# Longest UID any supported technology yields: ISO 14443 A triple size (10 bytes).
MAX_UID_BYTES = 10
# A 10-byte UID is 25 decimal digits; anything wider is a typo in the configuration.
MAX_WIDTH = 32
MAX_PREFIX = 16
# Where an identifier may come from, tried in the configured order.
ID_SOURCES: tuple[str, ...] = ("uid", "ndef", "transit")


@dataclass(frozen=True)
class CardIdRule:
    """One library's way of writing a card UID as its patron identifier.

    `format` "hex" writes the bytes as hexadecimal digits, "decimal" reads them as one
    big-endian unsigned number (after `byte_order` is applied). `byte_order` "reversed" is for
    readers/libraries that store the UID least-significant byte first. `width` zero-pads the
    digits on the left to at least that many (0 = no padding; a longer value is never
    truncated). `case` only matters for hex. `prefix` is prepended verbatim.
    """

    format: Format = "hex"
    byte_order: ByteOrder = "as-read"
    case: Case = "upper"
    width: int = 0
    prefix: str = ""

    def __post_init__(self) -> None:
        _check_choice("format", self.format, FORMATS)
        _check_choice("byte_order", self.byte_order, BYTE_ORDERS)
        _check_choice("case", self.case, CASES)
        problem = width_problem(self.width)
        if problem:
            raise ValueError(f"card id width {problem}, got {self.width!r}")
        problem = prefix_problem(self.prefix)
        if problem:
            raise ValueError(f"card id prefix {problem}, got {self.prefix!r}")

    @classmethod
    def from_mapping(cls, settings: Mapping[str, object]) -> CardIdRule:
        """Build a rule from a config table (e.g. `[nfc.card_id]` in kiosk.toml)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(
                f"unknown card id setting(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(known))}"
            )
        return cls(**settings)  # type: ignore[arg-type]  # __post_init__ checks every value

    def identifier(self, uid: bytes) -> str:
        """The patron identifier for `uid` as read from the card (e.g. b"\\x04\\xa2...")."""
        if not isinstance(uid, bytes | bytearray):
            raise ValueError(f"card UID must be bytes, got {type(uid).__name__}")
        if not 1 <= len(uid) <= MAX_UID_BYTES:
            raise ValueError(f"card UID must be 1 to {MAX_UID_BYTES} bytes long, got {len(uid)} bytes")
        ordered = bytes(reversed(uid)) if self.byte_order == "reversed" else bytes(uid)
        if self.format == "hex":
            digits = ordered.hex()
            digits = digits.upper() if self.case == "upper" else digits
        else:
            digits = str(int.from_bytes(ordered, "big"))
        return self.prefix + digits.zfill(self.width)


# The rules for each setting live here, once: CardIdRule and CardIdSources refuse what they
# say, and the configuration schema checks them at start-up. Each returns what is wrong
# ("must ...") or None.


def width_problem(width: object) -> str | None:
    if isinstance(width, bool) or not isinstance(width, int):
        return "must be a whole number"
    if not 0 <= width <= MAX_WIDTH:
        return f"must be between 0 and {MAX_WIDTH} digits (0 = no padding)"
    return None


def prefix_problem(prefix: object) -> str | None:
    if not isinstance(prefix, str):
        return "must be text"
    if len(prefix) > MAX_PREFIX:
        return f"must be at most {MAX_PREFIX} characters"
    if any(not ch.isprintable() or ch.isspace() for ch in prefix):
        return "must not contain spaces or control characters"
    return None


def sources_problem(order: object) -> str | None:
    """`order` as CardIdSources takes it: a list (or tuple) naming sources once each."""
    if not isinstance(order, list | tuple) or not order:
        return f"must be a non-empty list of {', '.join(map(repr, ID_SOURCES))}"
    if any(source not in ID_SOURCES for source in order) or len(set(order)) != len(order):
        return f"must list some of {', '.join(map(repr, ID_SOURCES))}, each once"
    return None


def transit_aids_problem(aids: object, order: Sequence[str] = ()) -> str | None:
    """`aids` as CardIdSources takes them, given the sources `order` they serve."""
    if not isinstance(aids, list | tuple):
        return "must be a list of application ids in hex"
    for aid in aids:
        try:
            parse_aid(aid)
        except ValueError as error:
            return f"must be application ids in hex, 5 to 16 bytes each ({error})"
    if not aids and "transit" in order:
        return "must name at least one AID to select when the sources include 'transit'"
    return None


def _check_choice(setting: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"card id {setting} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


# A member number at the end of an NDEF text ("29123456") or URI (".../member/29123456").
DEFAULT_NDEF_PATTERN = r"(?P<id>[0-9A-Za-z-]{4,32})$"


@dataclass(frozen=True)
class CardIdSources:
    """Which identifier a card gives, tried in `order` until one is found:

    - "uid": the card's UID written by the CardIdRule (every card has one);
    - "ndef": a member number in the card's NDEF text or URI record (NFC Forum Type 3 tags on
      FeliCa, Type 4 tags on ISO 14443-4): the first record `ndef_pattern` finds (its group
      named id, else the whole match);
    - "transit": the 16-digit serial of a KS X 6924 transit card (T-money, Cashbee), read by
      selecting one of `transit_aids`.
    A card that gives none of them is "not supported" (no UID fallback unless "uid" is listed).
    """

    order: tuple[str, ...] = ("uid",)
    ndef_pattern: str = DEFAULT_NDEF_PATTERN
    transit_aids: tuple[str, ...] = DEFAULT_AIDS

    def __post_init__(self) -> None:
        problem = sources_problem(self.order)
        if problem:
            raise ValueError(f"card id sources {problem}, got {self.order!r}")
        order = tuple(self.order)
        object.__setattr__(self, "order", order)
        try:
            re.compile(self.ndef_pattern)
        except (re.error, TypeError, OverflowError, RecursionError) as error:
            raise ValueError(
                f"NDEF member pattern {self.ndef_pattern!r} is not a regular expression: {error}"
            ) from None
        problem = transit_aids_problem(self.transit_aids, order)
        if problem:
            raise ValueError(f"transit AIDs {problem}, got {self.transit_aids!r}")
        object.__setattr__(self, "transit_aids", tuple(self.transit_aids))

    @property
    def aids(self) -> tuple[bytes, ...]:
        return tuple(parse_aid(aid) for aid in self.transit_aids)

    def member_from_ndef(self, records: Sequence[tuple[str, str]]) -> str | None:
        """The member number in NDEF records given as (kind, text) with kind "text" or "uri"."""
        pattern = re.compile(self.ndef_pattern)
        for _kind, value in records:
            found = pattern.search(value.strip())
            if found:
                member = found.group("id") if "id" in pattern.groupindex else found.group(0)
                if member:
                    return member
        return None


def card_identity(nfc: Any) -> tuple[CardIdRule, CardIdSources]:
    """How a card becomes a patron identifier, as the settings' [nfc] section says."""
    rule = CardIdRule(
        format=nfc.uid_format,
        byte_order=nfc.uid_byte_order,
        case=nfc.uid_case,
        width=nfc.uid_width,
        prefix=nfc.uid_prefix,
    )
    sources = CardIdSources(
        order=tuple(nfc.id_sources), ndef_pattern=nfc.ndef_pattern, transit_aids=tuple(nfc.transit_aids)
    )
    return rule, sources
