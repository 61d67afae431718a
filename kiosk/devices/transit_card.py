"""KS X 6924 transit cards (T-money, Cashbee): the SELECT command and the card serial in its answer."""

from __future__ import annotations

# Applications of the KS X 6924 purse as public readers select them: T-money (also Snapper) and
# Cashbee. A library that enrolled other issuers' cards configures their AIDs.
TMONEY_AID = "D4100000030001"
CASHBEE_AID = "D4100000140001"
DEFAULT_AIDS: tuple[str, ...] = (TMONEY_AID, CASHBEE_AID)

_FCI, _PURSE_INFO = 0x6F, 0xB0
_PURSE_INFO_BYTES = 47
_SERIAL = slice(4, 12)  # after card type, algorithm, key version and issuer: 8 bytes of BCD


def parse_aid(text: str) -> bytes:
    """An application identifier from hex text; ISO 7816-4 AIDs are 5 to 16 bytes."""
    try:
        aid = bytes.fromhex(text)
    except (ValueError, TypeError):
        raise ValueError(f"transit AID must be hex digits, got {text!r}") from None
    if not 5 <= len(aid) <= 16:
        raise ValueError(f"transit AID must be 5 to 16 bytes, got {len(aid)} ({text!r})")
    return aid


def serial_from_fci(fci: bytes) -> str:
    """The 16-digit card serial (CSN) from the answer to SELECT (status word removed): the
    purse information, tag B0 inside the FCI template 6F, holds it as 8 bytes of BCD."""
    template = _find(fci, _FCI)
    if template is None:
        raise ValueError("no FCI template (6F) in the SELECT answer")
    purse = _find(template, _PURSE_INFO)
    if purse is None:
        raise ValueError("no KS X 6924 purse information (B0) in the FCI")
    if len(purse) != _PURSE_INFO_BYTES:
        raise ValueError(f"purse information is {len(purse)} bytes, expected {_PURSE_INFO_BYTES}")
    serial = purse[_SERIAL].hex()
    if not serial.isdigit():
        raise ValueError("card serial is not binary-coded decimal")
    return serial


def _find(data: bytes, wanted: int) -> bytes | None:
    """The value of the first BER-TLV object tagged `wanted`, searching constructed objects."""
    for tag, value in _objects(data):
        if tag == wanted:
            return value
        if (tag >> 8 if tag > 0xFF else tag) & 0x20:  # constructed: look inside
            inner = _find(value, wanted)
            if inner is not None:
                return inner
    return None


def _objects(data: bytes) -> list[tuple[int, bytes]]:
    found: list[tuple[int, bytes]] = []
    i = 0
    while i < len(data):
        if data[i] in (0x00, 0xFF):  # padding between objects
            i += 1
            continue
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:  # two-byte tag
            if i >= len(data):
                break
            tag = tag << 8 | data[i]
            i += 1
        if i >= len(data):
            break
        length = data[i]
        i += 1
        if length & 0x80:
            count = length & 0x7F
            if count not in (1, 2) or i + count > len(data):
                break
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + length > len(data):
            break  # truncated answer: what came before still counts
        found.append((tag, data[i : i + length]))
        i += length
    return found
