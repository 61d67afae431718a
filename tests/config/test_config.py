"""Configuration: the shipped files load; every bad input stops start-up with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.core.errors import ConfigError
from kiosk.devices.card_id import CardIdRule

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "k.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_embedded_default_loads_and_uses_simulators():
    s = config.load(ROOT / "config" / "kiosk.toml")
    assert s.library.embedded and s.library.host == "127.0.0.1"
    assert (s.nfc.device, s.camera.source, s.printer.device) == ("sim", "sim", "sim")


def test_hardware_example_loads_with_password_from_environment(monkeypatch):
    monkeypatch.setenv("KIOSK_SIP2_PASSWORD", "s3cret")
    s = config.load(ROOT / "config" / "hardware.example.toml")
    assert s.sip2_password() == "s3cret" and s.library.tls and s.nfc.device == "usb"
    assert s.printer.device == "/dev/ttyUSB0?baud=19200"


def test_hardware_example_without_password_says_which_variable(monkeypatch):
    monkeypatch.delenv("KIOSK_SIP2_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="KIOSK_SIP2_PASSWORD"):
        config.load(ROOT / "config" / "hardware.example.toml")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[nfc]\ndevcie = 'usb'\n", r"\[nfc\] unknown key 'devcie' \(expected one of: device,"),
        ("[printers]\n", r"unknown section \[printers\]"),
        ("[library]\nport = '6001'\n", r"\[library\] port = '6001': expected an integer"),
        ("[library]\nport = 70000\n", r"port = 70000: expected a number from 0 to 65535"),
        ("[display]\nfullscreen = 1\n", r"fullscreen = 1: expected true or false"),
        ("[display]\npx_per_mm = true\n", r"px_per_mm = True: expected an integer or a number"),
        ("[nfc]\ndevice = 'usb:zz'\n", r"\[nfc\] device = 'usb:zz': expected 'sim' or an nfcpy path"),
        ("[printer]\ndevice = 'http://x'\n", r"\[printer\] device = 'http://x': expected 'sim', a serial"),
        ("[printer]\ndevice = 'socket://host'\n", r"expected 'sim', a serial device"),
        ("[printer]\ndevice = '/dev/ttyUSB0?flow=maybe'\n", r"expected 'sim', a serial device"),
        ("[camera]\nsource = 'webcam'\n", r"\[camera\] source = 'webcam': expected 'sim', a camera index"),
        ("[camera]\nitem_pattern = '(['\n", r"item_pattern = '\(\[': expected a valid regular expression"),
        ("[kiosk]\nlanguage = 'jp'\n", r"language = 'jp': expected one of 'ko', 'en'"),
        ("[nfc]\ntechnologies = ['106X']\n", r"technologies = \['106X'\]: expected a non-empty list"),
        ("[library]\nembedded = false\npassword_env = 'NOPE_NOT_SET'\n", r"NOPE_NOT_SET"),
        ("kiosk = 3\n", r"\[kiosk\] must be a table"),
        ("[kiosk\n", r"not valid TOML"),
    ],
)
def test_bad_input_names_file_key_and_expectation(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as info:
        config.load(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        config.load(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    "url",
    [
        "/dev/ttyUSB0",
        "/dev/ttyUSB0?baud=9600",
        "/dev/ttyS1?baud=19200&flow=rtscts",
        "/dev/ttyUSB0?flow=xonxoff",
        "socket://10.0.0.5:9100",
        "sim",
    ],
)
def test_printer_urls_accepted(tmp_path, url):
    assert config.load(write(tmp_path, f"[printer]\ndevice = '{url}'\n")).printer.device == url


@pytest.mark.parametrize(
    "path", ["usb", "usb:054c:06c1", "usb:001:004", "tty:USB0:pn532", "udp:127.0.0.1:6010"]
)
def test_nfc_paths_accepted(tmp_path, path):
    assert config.load(write(tmp_path, f"[nfc]\ndevice = '{path}'\n")).nfc.device == path


@pytest.mark.parametrize(
    "text, expected",
    [
        # The card identity code refuses these: the schema must say so, not a traceback later.
        ("[nfc]\nuid_width = 33\n", r"\[nfc\] uid_width = 33: must be between 0 and 32 digits"),
        ("[nfc]\nuid_width = 40\n", r"\[nfc\] uid_width = 40: must be between 0 and 32 digits"),
        ("[nfc]\nuid_width = -1\n", r"\[nfc\] uid_width = -1: must be between 0 and 32 digits"),
        ("[nfc]\nuid_prefix = 'LIB 01'\n", r"uid_prefix = 'LIB 01': must not contain spaces or control"),
        ('[nfc]\nuid_prefix = "P\\t"\n', r"uid_prefix = 'P\\t': must not contain spaces or control"),
        (
            "[nfc]\nuid_prefix = '12345678901234567'\n",
            r"uid_prefix = '1234567890123456\d': must be at most 16",
        ),
        ("[nfc]\nid_sources = ['uid', 'uid']\n", r"\[nfc\] id_sources = \['uid', 'uid'\]: must list"),
        ("[nfc]\nid_sources = []\n", r"\[nfc\] id_sources = \[\]: must be a non-empty list"),
        (
            "[nfc]\nid_sources = ['transit']\ntransit_aids = []\n",
            r"\[nfc\] transit_aids = \[\] with id_sources",
        ),
        ("[nfc]\ntransit_aids = ['D410']\n", r"\[nfc\] transit_aids = \['D410'\]: must be application ids"),
        (
            "[nfc]\ntechnologies = [['106A']]\n",
            r"\[nfc\] technologies = \[\['106A'\]\]: expected a non-empty",
        ),
        # The SIP2 field delimiter: the terminator's characters would end every message early.
        ('[library]\ndelimiter = "\\r"\n', r"\[library\] delimiter = '\\r': must not be a CR or LF"),
        (
            "[library]\nterminator = 'CRLF'\ndelimiter = \"\\r\"\n",
            r"delimiter = '\\r': must not be a CR or LF",
        ),
        (
            "[library]\nterminator = 'CRLF'\ndelimiter = \"\\n\"\n",
            r"delimiter = '\\n': must not be a CR or LF",
        ),
        ('[library]\ndelimiter = "\\r\\n"\n', r"delimiter = '\\r\\n': must not be a CR or LF"),
        ("[library]\ndelimiter = ''\n", r"delimiter = '': expected one ASCII punctuation character"),
        ("[library]\ndelimiter = '||'\n", r"delimiter = '\|\|': expected one ASCII punctuation character"),
        ("[library]\ndelimiter = 'A'\n", r"delimiter = 'A': expected one ASCII punctuation character"),
        ("[library]\ndelimiter = ' '\n", r"delimiter = ' ': expected one ASCII punctuation character"),
        # Account fields go out in SIP2 fields.
        (
            "[library]\nlogin_id = 'kiosk|3'\n",
            r"\[library\] login_id = 'kiosk\|3': must not contain the field",
        ),
        (
            "[library]\nencoding = 'ascii'\ninstitution = '서울'\n",
            r"institution = '서울': must be writable in",
        ),
        ("[camera]\nitem_pattern = 'a{4294967296}'\n", r"item_pattern = 'a\{4294967296\}': expected a valid"),
        ("[printer]\ndevice = '/dev/ttyUSB0?baud=000'\n", r"\[printer\] device = '/dev/ttyUSB0\?baud=000'"),
        ('[library]\ndb = "a\\u0000b"\n', r"\[library\] db = 'a\\x00b': expected a path without NUL"),
        # Keypad login: a membership number's digits, a registration number's letters.
        ("[patron]\nnumber_min = 12\nnumber_max = 8\n", r"\[patron\] number_min = 12 is more than"),
        (
            "[patron]\nregistration_prefix = 'em'\n",
            r"registration_prefix = 'em': expected up to four capital",
        ),
        ("[patron]\npin_attempts = 0\n", r"\[patron\] pin_attempts = 0"),
    ],
)
def test_values_the_kiosk_cannot_use_are_refused_at_load(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as info:
        config.load(path)
    assert str(path) in str(info.value)


def test_a_refused_password_is_never_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_SIP2_PASSWORD", "se|cret")
    path = write(tmp_path, "[library]\nembedded = false\nport = 6001\n")
    with pytest.raises(ConfigError, match=r"\[library\] password = \(hidden\): must not contain") as info:
        config.load(path)
    assert "se|cret" not in str(info.value)


@pytest.mark.parametrize("width", range(-3, 45))
def test_schema_and_card_identity_agree_on_every_width(tmp_path, width):
    from kiosk.app import card_identity

    try:
        settings = config.load(write(tmp_path, f"[nfc]\nuid_width = {width}\n"))
    except ConfigError as exc:
        assert "[nfc] uid_width" in str(exc)
        with pytest.raises(ValueError):
            CardIdRule(width=width)
    else:
        assert card_identity(settings)[0].width == width


@pytest.mark.parametrize(
    "prefix", ["", "P", "LIB-", "도서관", "X" * 16, "X" * 17, "A B", "A\u00a0", "A\u200b"]
)
def test_schema_and_card_identity_agree_on_prefixes(prefix):
    from kiosk.app import card_identity

    try:
        settings = config.validate({"nfc": {"uid_prefix": prefix}}, "<test>")
    except ConfigError as exc:
        assert "[nfc] uid_prefix" in str(exc)
        with pytest.raises(ValueError):
            CardIdRule(prefix=prefix)
    else:
        assert card_identity(settings)[0].prefix == prefix


@pytest.mark.parametrize("delimiter", ["|", "^", "~", "!", "\\\\"])
def test_punctuation_delimiters_are_accepted(tmp_path, delimiter):
    settings = config.load(write(tmp_path, f'[library]\ndelimiter = "{delimiter}"\n'))
    assert settings.library.delimiter == delimiter.replace("\\\\", "\\")


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "k.toml"
    path.write_bytes("\ufeff[kiosk]\nid = 'KIOSK-BOM'\n".encode())
    assert config.load(path).kiosk.id == "KIOSK-BOM"
    # Written by an editor that adds it to every UTF-8 file it saves.
    path.write_text("[kiosk]\nlibrary_name = '서울도서관'\n", encoding="utf-8-sig")
    assert config.load(path).kiosk.library_name == "서울도서관"


def test_a_byte_order_mark_elsewhere_is_still_an_error(tmp_path):
    path = tmp_path / "k.toml"
    path.write_bytes(b"[kiosk]\n\xef\xbb\xbfid = 'K'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(path)


def test_the_patron_section_reaches_the_visit(tmp_path):
    """The keypad login's and the bring-in's settings, as the session gets them."""
    from kiosk.app import visit_settings
    from kiosk.core.model import Language

    text = "[patron]\npin_after_card = true\nlockout_min = 5\nbring_in_consent_en = 'Our text.'\n"
    v = visit_settings(config.load(write(tmp_path, text)))
    assert v.pin_after_card and v.lockout_s == 300 and v.pin_attempts == 3
    assert v.bring_in_consent == {Language.KO: "", Language.EN: "Our text."}
    assert (v.registration_prefix, v.registration_digits, v.number_digits) == ("EM", 10, (6, 16))
