"""How a card's UID becomes the patron identifier the library system knows (per-library rule)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

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
        if isinstance(self.width, bool) or not isinstance(self.width, int):
            raise ValueError(f"card id width must be a whole number, got {self.width!r}")
        if not 0 <= self.width <= MAX_WIDTH:
            raise ValueError(f"card id width must be between 0 and {MAX_WIDTH} digits, got {self.width}")
        if not isinstance(self.prefix, str):
            raise ValueError(f"card id prefix must be text, got {self.prefix!r}")
        if len(self.prefix) > MAX_PREFIX:
            raise ValueError(
                f"card id prefix must be at most {MAX_PREFIX} characters, got {len(self.prefix)}"
            )
        if any(not ch.isprintable() or ch.isspace() for ch in self.prefix):
            raise ValueError(f"card id prefix {self.prefix!r} must not contain spaces or control characters")

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


def _check_choice(setting: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"card id {setting} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
