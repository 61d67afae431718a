"""Hypothesis strategies drawn from the settings schema itself, so a key added to SCHEMA is
covered without touching the tests: values each key accepts, and values it refuses."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from kiosk.config import (
    SCHEMA,
    FilePath,
    InRange,
    Key,
    ListOf,
    Matches,
    OneOf,
    Regex,
    Rule,
)

# Patterns a technician might write; the schema's own default is always among them.
SAMPLE_PATTERNS = [r".*", r"^\d{8,14}$", r"(?P<id>[0-9]{4,16})", r"^MEMBER:(?P<id>\w+)$", r"[A-Z]{2}\d+"]

# Every TOML value type, nested a little.
_SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
ANY_TOML = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def kinds(key: Key) -> tuple[type, ...]:
    return key.kind if isinstance(key.kind, tuple) else (key.kind,)


def of_kind(key: Key) -> st.SearchStrategy[Any]:
    """Any value of the key's type, whatever its check says."""
    options: list[st.SearchStrategy[Any]] = []
    for kind in kinds(key):
        if kind is bool:
            options.append(st.booleans())
        elif kind is int:
            options.append(st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.integers(-100, 100))
        elif kind is float:
            options.append(st.floats(allow_nan=True, allow_infinity=True))
        elif kind is str:
            options.append(
                st.text(max_size=24)
                | st.characters(codec="ascii")
                | st.sampled_from(["", " ", "\r", "\n", "\r\n", "|", "\0", "\ufeff"])
            )
        elif kind is list:
            options.append(st.lists(_SCALARS, max_size=4))
        elif kind is dict:
            keys = st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True) | st.text(max_size=6)
            options.append(st.dictionaries(keys, _SCALARS, max_size=4))
        else:
            raise AssertionError(f"no strategy for {kind}")
    return st.one_of(options)


def _near(key: Key) -> st.SearchStrategy[Any]:
    """Values of the key's type of the size settings have, where a rule's limits usually are."""
    options: list[st.SearchStrategy[Any]] = []
    for kind in kinds(key):
        if kind is int:
            options.append(st.integers(-8, 64))
        elif kind is str:
            options.append(st.text(max_size=20) | st.characters(codec="ascii"))
        else:
            options.append(of_kind(Key(kind, key.default, key.doc)))
    return st.one_of(options)


def _in_range(key: Key, check: InRange) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = []
    if int in kinds(key):
        options.append(st.integers(math.ceil(check.lo), math.floor(check.hi)))
    if float in kinds(key):
        options.append(st.floats(float(check.lo), float(check.hi)))
    return st.one_of(options)


def _item(check: Any) -> st.SearchStrategy[Any]:
    if isinstance(check, OneOf):
        return st.sampled_from(check.choices)
    if isinstance(check, Matches):
        return st.from_regex(check.pattern, fullmatch=True)
    raise AssertionError(f"no strategy for list items checked by {check!r}")


def accepted(key: Key) -> st.SearchStrategy[Any]:
    """Values the key accepts on its own (rules that tie keys together may still refuse them)."""
    check = key.check
    if check is None:
        return of_kind(key)
    if isinstance(check, OneOf):
        return st.sampled_from(check.choices)
    if isinstance(check, InRange):
        return _in_range(key, check)
    if isinstance(check, Matches):
        return st.from_regex(check.pattern, fullmatch=True)
    if isinstance(check, Regex):
        return st.sampled_from([key.default, *SAMPLE_PATTERNS])
    if isinstance(check, ListOf):
        # Choices (technologies, sources) are listed once each, at least one; free items any number.
        choices = isinstance(check.item, OneOf)
        items = st.lists(_item(check.item), min_size=int(choices), max_size=4, unique=choices)
        return items.filter(lambda v: check(v) is None)
    if isinstance(check, Rule | FilePath):
        return (st.just(key.default) | _near(key)).filter(lambda v: check(v) is None)
    raise AssertionError(f"tests/config/schema_strategies.py has no strategy for {check!r}")


def refused(key: Key) -> st.SearchStrategy[Any]:
    """Values the key refuses on its own: the wrong type, or the right type its check refuses."""
    wrong_type = ANY_TOML.filter(
        lambda v: not isinstance(v, kinds(key)) or (isinstance(v, bool) and bool not in kinds(key))
    )
    check = key.check
    if check is None:
        return wrong_type
    if isinstance(check, Regex):
        return wrong_type | st.sampled_from(["(", "[a-", "a{4294967296}", "(?P<id>a)(?P<id>b)", "*"])
    if isinstance(check, FilePath):
        return wrong_type | st.text(max_size=8).map(lambda text: text + "\0")
    return wrong_type | of_kind(key).filter(lambda v: check(v) is not None)


KEYS = [(section, name) for section, keys in SCHEMA.items() for name in keys]
