"""Configuration: the shipped files load; every bad input stops start-up with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.core.errors import ConfigError

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
