"""`kiosk diag nfc` against the card emulator through nfcpy's udp driver, and with readers that fail."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kiosk.commands import load_settings
from kiosk.diagnostics import nfc as diag
from tests.devices.test_nfc import IDM, UID7, field

__all__ = ["field"]

pytestmark = pytest.mark.timeout(30)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    diag.register(parser)
    return diag.main(parser.parse_args(list(argv)))


def settings_file(tmp_path: Path, device: str, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[nfc]\ndevice = "{device}"\ntechnologies = ["106A", "212F"]\n{extra}', encoding="utf-8")
    return path


def test_one_tap_as_json(field, capsys) -> None:
    field.tap(IDM, "212F")
    assert run("--device", field.path, "--once", "--json", "--timeout", "10") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"reader": field.path, "ok": True, "model": lines[0]["model"]}
    assert "UDP" in lines[0]["model"]
    tap = lines[1]
    assert (tap["technology"], tap["uid"], tap["identifier"]) == ("212F", IDM, IDM)
    assert 0 <= tap["ms"] < 10_000
    assert len(lines) == 2


def test_configured_rule_is_applied_and_text_output(field, capsys, tmp_path) -> None:
    config = settings_file(tmp_path, field.path, 'uid_format = "decimal"\n')
    field.tap(UID7)
    assert run("--config", str(config), "--once", "--timeout", "10") == 0
    out = capsys.readouterr().out
    assert f"on {field.path}" in out
    assert f"106A  UID {UID7}  ->  {int(UID7, 16)}" in out


def test_no_tap_within_timeout_fails(field, capsys) -> None:
    assert run("--device", field.path, "--once", "--timeout", "0.3") == 1
    assert "no card" in capsys.readouterr().err


def test_absent_reader_says_what_to_check(capsys) -> None:
    assert run("--device", "usb:ffff:ffff", "--json") == 1
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert record["ok"] is False and "lsusb" in record["detail"] and "modprobe -r" in record["detail"]


def test_sim_device_points_to_the_emulator_command(capsys) -> None:
    assert run("--device", "sim") == 2
    assert "python -m simulators.nfc" in capsys.readouterr().err


def test_check_for_the_diagnostics_screen(field, tmp_path) -> None:
    ok = diag.check(load_settings(settings_file(tmp_path, field.path)))
    assert ok.ok and field.path in ok.summary and ok.device == "nfc"
    bad = diag.check(load_settings(settings_file(tmp_path, "usb:ffff:ffff")))
    assert not bad.ok and "lsusb" in bad.summary
    assert diag.check(load_settings(None)).ok  # the default: the kiosk's own emulator
