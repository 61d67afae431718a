"""JSON transcript of a run's events and effects, with patron identifiers masked and outside
text cleaned."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
from collections.abc import Callable
from typing import Any

from kiosk.core.privacy import clean, mask_card, mask_email, mask_name, mask_secret, shown_code

# Masking goes by what a value is, never by every string: a timer called "notice" is not a
# person. Fields and dictionary keys that are identifiers or secrets wherever they occur:
IDENTIFIER_KEYS = frozenset({"uid", "identifier", "patron_id", "card", "card_number", "member_id"})
SECRET_KEYS = frozenset({"pin", "new_pin", "password", "passwd"})
# Personal details that are not identifiers.
DETAIL_MASKS: dict[str, Callable[[str], str]] = {
    "email": mask_email,
    "patron_name": mask_name,
    "birth_date": mask_secret,
}
# `name` is a person's only on these types (StartTimer.name is a timer's).
PERSON_TYPES = frozenset({"Patron"})
# Message arguments are (placeholder, value) pairs; {name} is the patron's name.
ARGUMENT_FIELDS = frozenset({"message_args", "note_args"})
ARGUMENT_MASKS: dict[str, Callable[[str], str]] = {"name": mask_name}
# A key of the on-screen keypad says which digit of a PIN, a card number or a birth date was
# typed: every one is written as this, in a Pressed event and in a flow's log line alike.
KEYPAD_KEY = re.compile(r"key\.[^\s'\"]*\d")
KEY_SHOWN = "key.•"
# Nothing of a visit is longer (titles, a library's messages); a longer text is a flood.
TEXT_LIMIT = 1000
ERROR_LIMIT = 300


def _masked(key: str, value: Any) -> Any:
    """The masked form of `value` under `key`, or None when the key is not a private one."""
    if value is None or (isinstance(value, str) and not value):
        return None
    if key in SECRET_KEYS:
        return mask_secret(str(value))
    if key in IDENTIFIER_KEYS and isinstance(value, str):
        return mask_card(value)
    mask = DETAIL_MASKS.get(key)
    if mask is not None and isinstance(value, (str, dt.date)):
        return mask(value if isinstance(value, str) else value.isoformat())
    return None


def _dataclass(obj: Any) -> dict[str, Any]:
    kind = type(obj).__name__
    out: dict[str, Any] = {"type": kind}
    # A typed request names its own secrets (a PIN, a birth date).
    secret = getattr(type(obj), "private_fields", ())
    for f in dataclasses.fields(obj):
        if not f.repr:
            continue
        value = getattr(obj, f.name)
        if f.name in secret and value:
            out[f.name] = mask_secret(str(value))
        elif f.name == "name" and kind in PERSON_TYPES and isinstance(value, str):
            out[f.name] = mask_name(value)
        elif f.name in ARGUMENT_FIELDS and isinstance(value, tuple):
            out[f.name] = [_argument(pair) for pair in value]
        else:
            out[f.name] = jsonable(value, f.name)
    if kind == "Input" and obj.value:
        # A PIN typed: its length is not kept either; a card number or a birth date typed is
        # the patron's as much, kept only as how many digits there are.
        out["value"] = mask_secret(str(obj.value)) if obj.secret else "•" * len(str(obj.value))
    if kind == "Pressed" and isinstance(obj.control, str) and is_keypad_digit(obj.control):
        out["control"] = KEY_SHOWN
    if kind == "Log" and isinstance(getattr(obj, "message", None), str):
        out["message"] = keypad_masked(out["message"])
    if kind == "BarcodeRead" and isinstance(obj.text, str):
        # A mobile card's code is the patron's identifier; a code that is neither an item
        # nor an ISBN may be anything, a card with its PIN included.
        out["text"] = shown_code(str(obj.kind), obj.text)
    return out


def is_keypad_digit(control: str) -> bool:
    return control.startswith("key.") and control[-1:].isdigit()


def keypad_masked(text: str) -> str:
    """`text` with every keypad key that ends in a digit (`key.7`) as `key.•`."""
    return KEYPAD_KEY.sub(KEY_SHOWN, text)


def _argument(pair: Any) -> Any:
    if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str):
        key, value = pair
        mask = ARGUMENT_MASKS.get(key)
        if mask is not None and isinstance(value, str):
            return [clean(key, TEXT_LIMIT), mask(value)]
    return jsonable(pair)


def jsonable(obj: Any, key: str = "") -> Any:
    """`obj` as JSON data: private values under `key` masked, every string cleaned."""
    masked = _masked(key, obj)
    if masked is not None:
        return masked
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _dataclass(obj)
    if isinstance(obj, dict):
        return {clean(str(k), TEXT_LIMIT): jsonable(v, str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, key) for v in obj]
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value, key)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, BaseException):
        return clean(f"{type(obj).__name__}: {obj}", ERROR_LIMIT)
    if isinstance(obj, bytes):
        return f"<{len(obj)} bytes>"
    if isinstance(obj, str):
        return clean(obj, TEXT_LIMIT)
    if obj is None or isinstance(obj, (int, float, bool)):
        return obj
    return clean(repr(obj), TEXT_LIMIT)


class Transcript:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def __call__(self, kind: str, obj: Any) -> None:
        self.entries.append({"kind": kind, **jsonable(obj)})

    def dump(self) -> str:
        return json.dumps(self.entries, ensure_ascii=False, indent=1)
