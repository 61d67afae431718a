"""Configuration files as a technician (or a broken editor) may leave them: any bytes, TOML
that almost parses, every key given a value of the wrong type or hostile text. Loading either
gives settings or a ConfigError naming the file, never another exception; hostile text in a
string key is data. (tests/config/test_schema_properties.py draws values from the schema as
Python data; this starts from the file's text.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import config
from kiosk.config import SCHEMA
from kiosk.core.errors import ConfigError
from tests.fuzz.hostile_text import UNICODE, hostile_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYS = [(section, key) for section, keys in SCHEMA.items() for key in keys]


def loaded_or_refused(path: Path) -> config.Settings | None:
    try:
        return config.load(path)
    except ConfigError as exc:
        text = str(exc)
        assert text.startswith(f"{path}: "), text
        assert "Traceback" not in text
        return None


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_load_or_are_a_config_error(tmp_path, data):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    loaded_or_refused(path)


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string: every character escaped that TOML would refuse raw."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}" if ch not in '"\\' else "\\" + ch)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


TOML_VALUES = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(
        [
            "true",
            "false",
            "nan",
            "inf",
            "-inf",
            "1e999",
            "0x1F",
            "1979-05-27",
            "[]",
            "{}",
            "[1, 'a']",
            "{ a = 1 }",
            "''",
            '"""x"""',
            "'''\n'''",
            "07:32:00",
        ]
    ),
    hostile_text(max_size=40).map(_toml_string),
)


@FUZZ
@given(
    picks=st.lists(st.tuples(st.sampled_from(KEYS), TOML_VALUES), min_size=1, max_size=6),
    mangle=st.sampled_from(
        ["", "[library", "= =", "[[library]]", "\x00", "a = 1\na = 2", "[kiosk]\n[kiosk]"]
    ),
)
def test_any_values_in_the_file_load_or_are_a_config_error(tmp_path, picks, mangle):
    by_section: dict[str, list[str]] = {}
    for (section, key), value in picks:
        by_section.setdefault(section, []).append(f"{key} = {value}")
    text = "".join(f"[{s}]\n" + "\n".join(dict.fromkeys(lines)) + "\n" for s, lines in by_section.items())
    path = tmp_path / "kiosk.toml"
    path.write_text(text + mangle + "\n", encoding="utf-8")
    loaded_or_refused(path)


STRING_KEYS = [
    ("kiosk", "id"),
    ("kiosk", "library_name"),
    ("kiosk", "footer"),
    ("kiosk", "account_url"),
    ("patron", "bring_in_consent_ko"),
]


@pytest.mark.parametrize("text", UNICODE, ids=range(len(UNICODE)))
def test_hostile_text_in_a_free_text_key_is_data(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    for section, key in STRING_KEYS:
        path.write_text(f"[{section}]\n{key} = {_toml_string(text)}\n", encoding="utf-8")
        loaded = config.load(path)
        assert getattr(getattr(loaded, section), key) == text


@pytest.mark.parametrize("text", UNICODE, ids=range(len(UNICODE)))
def test_hostile_text_in_a_checked_key_is_taken_as_is_or_refused_without_raw_controls(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    for section, key in [("nfc", "device"), ("printer", "device"), ("camera", "source"), ("library", "host")]:
        path.write_text(f"[{section}]\n{key} = {_toml_string(text)}\n", encoding="utf-8")
        try:
            loaded = config.load(path)
        except ConfigError as exc:
            message = str(exc)
            assert message.startswith(f"{path}: [{section}] {key} = ")
            # The value is shown as repr: a control character cannot reach the terminal raw.
            assert not any(c in message for c in "\x00\x1b\r\n\x85\u2028")
        else:
            assert getattr(getattr(loaded, section), key) == text
            # A device address or host name that loads holds no control or shell character.
            assert not any(c in text for c in "\x00\x1b\r\n;|$`")
