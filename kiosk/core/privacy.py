"""What of a patron and of outside text may leave the session (logs, transcripts, receipts,
screens): masked identifiers and names, and text cleaned of terminal controls."""

from __future__ import annotations

import hashlib
import re

# Terminal escape sequences, 7-bit (ESC ...) and 8-bit (C1) forms: CSI with its parameters
# and final byte; OSC, DCS, SOS, PM and APC strings up to their terminator (or the end of
# the text); the short ESC sequences. Removed whole, so no parameter residue is left behind.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# What may not appear in a log line or a written file: C0 and C1 controls and DEL, bidi
# overrides, embeddings, isolates and marks (they reorder what a reader sees), line and
# paragraph separators (they forge log lines), and lone surrogates (undecodable bytes).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_SPACES = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def has_controls(text: str) -> bool:
    """Whether `text` holds anything clean() would take out."""
    return _UNSAFE.search(text) is not None


def clean(text: str, limit: int | None = None) -> str:
    """Text that came from outside (a code, a server's message, a script) made safe to log or
    write: escape sequences removed, line breaks and tabs turned into spaces, every other
    control, bidi control and lone surrogate removed; past `limit` characters, cut with a
    note of how many more there were."""
    text = _ESCAPES.sub("", text)
    text = _UNSAFE.sub(lambda m: " " if m.group() in _SPACES else "", text)
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}...(+{len(text) - limit} chars)"
    return text


def digest(text: str) -> str:
    """A short fingerprint (the first 8 hex digits of SHA-256): tells repeated reads of one
    code apart from different codes without saying what either holds."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def summary(text: str) -> str:
    """What a log may say about text that may not be shown: its length and fingerprint."""
    return f"{len(text)} char{'' if len(text) == 1 else 's'}, sha256:{digest(text)}"


def mask_card(card: str, keep: int = 4) -> str:
    """Card numbers and patron identifiers: `29123456781234` -> `****1234`; short values are
    fully masked."""
    card = clean(card).strip()
    if len(card) <= keep:
        return "*" * len(card)
    return "****" + card[-keep:]


def mask_secret(secret: str) -> str:
    """PINs and passwords: nothing of them, not even their length."""
    return "****" if secret else ""


def mask_name(name: str) -> str:
    """`김민수` -> `김*수`, `Jane Doe` -> `J*** D**`: enough for the patron to recognise."""
    name = clean(name).strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(p[0] + "*" * (len(p) - 1) for p in name.split() if p)
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_email(email: str) -> str:
    """`minsu.kim@example.org` -> `m***@example.org`."""
    email = clean(email).strip()
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return mask_card(email)
    return f"{local[0]}***@{domain}"


def shown_code(kind: str, text: str) -> str:
    """How a read code may appear in a log or transcript. `kind` as in BarcodeRead: a mobile
    card's patron identifier masked; an item number or ISBN as it is (it names a book, not a
    person); anything else, which may be another card's payload, a PIN or a terminal
    attack, only by its length and fingerprint."""
    if kind == "member":
        return mask_card(text)
    if kind in ("item", "isbn") and text and not has_controls(text) and len(text) <= 64:
        return text
    return summary(text)
