"""deploy/udev/99-chaekieum-kiosk.rules: well-formed rule by rule (a parser of udev(7)'s
syntax, always), `udevadm verify` where udevadm has it (systemd 254 and newer), and the devices
it covers: every reader nfcpy drives, the USB-serial adapters, the camera's capture node."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.deploy.units import RULES, Pair, parse_rule, parse_rules

TEXT = RULES.read_text(encoding="utf-8")
PARSED = parse_rules(TEXT)


def _ids(pairs: list[Pair]) -> tuple[str, str] | None:
    values = {p.attribute: p.value for p in pairs if p.key in ("ATTR", "ATTRS") and p.matches}
    if "idVendor" in values and "idProduct" in values:
        return values["idVendor"], values["idProduct"]
    return None


def _assigned(pairs: list[Pair], key: str) -> str | None:
    return next((p.value for p in pairs if p.key == key and not p.matches), None)


def _by_symlink(name: str) -> list[list[Pair]]:
    return [pairs for _, pairs in PARSED if _assigned(pairs, "SYMLINK") == name]


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('SUBSYSTEM="usb", GROUP="plugdev"', "SUBSYSTEM only matches"),
        ('SUBSYSTEM=="usb", GROUP=="plugdev"', "GROUP only assigns"),
        ('SUBSYSTEM=="usb" GROUP="plugdev"', "expected a comma"),
        ("SUBSYSTEM==usb", "not KEY"),
        ('SUBSYTEM=="usb", GROUP="plugdev"', "unknown key SUBSYTEM"),
        ('ATTR=="x", GROUP="plugdev"', "ATTR needs an {attribute}"),
        ('GROUP{x}="plugdev"', "GROUP takes no {attribute}"),
    ],
)
def test_the_parser_refuses_what_udev_would(line, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_rule(line)


def test_every_rule_matches_something_and_does_something():
    assert PARSED, "no rules"
    for number, pairs in PARSED:
        keys = {p.key for p in pairs}
        if keys == {"LABEL"}:
            continue
        assert any(p.matches for p in pairs), f"line {number}: no match key"
        assert any(not p.matches for p in pairs), f"line {number}: assigns nothing"


def test_gotos_reach_a_label_below_them():
    labels = {p.value: n for n, pairs in PARSED for p in pairs if p.key == "LABEL"}
    gotos = [(n, p.value) for n, pairs in PARSED for p in pairs if p.key == "GOTO"]
    assert gotos
    for number, target in gotos:
        assert target in labels and labels[target] > number, f"line {number}: GOTO {target}"


def test_each_named_device_gets_a_group_and_a_mode_for_the_kiosk_user():
    for number, pairs in PARSED:
        if _assigned(pairs, "SYMLINK") is None:
            continue
        assert _assigned(pairs, "GROUP") in ("plugdev", "dialout", "video"), f"line {number}"
        assert _assigned(pairs, "MODE") == "0660", f"line {number}"


def test_every_reader_nfcpy_drives_is_readable_by_plugdev():
    from nfc.clf.device import usb_device_map

    rules = _by_symlink("kiosk-nfc")
    readers = {_ids(pairs) for pairs in rules}
    assert readers == {(f"{v:04x}", f"{p:04x}") for v, p in usb_device_map}
    for pairs in rules:
        assert {(p.key, p.value) for p in pairs} >= {("SUBSYSTEM", "usb"), ("GROUP", "plugdev")}
        assert ("ENV", "DEVTYPE", "usb_device") in {(p.key, p.attribute, p.value) for p in pairs}


def test_the_printer_is_one_name_over_the_usual_usb_serial_adapters():
    rules = _by_symlink("kiosk-printer")
    assert {_ids(pairs) for pairs in rules} == {("0403", "6001"), ("067b", "2303"), ("1a86", "7523")}
    for pairs in rules:
        assert {(p.key, p.value) for p in pairs} >= {("SUBSYSTEM", "tty"), ("GROUP", "dialout")}


def test_the_camera_is_its_capture_node():
    (pairs,) = _by_symlink("kiosk-camera")
    found = {(p.key, p.attribute, p.op, p.value) for p in pairs}
    assert ("SUBSYSTEM", None, "==", "video4linux") in found
    assert ("ATTR", "index", "==", "0") in found
    assert ("ENV", "ID_V4L_CAPABILITIES", "==", "*:capture:*") in found
    assert ("GROUP", None, "=", "video") in found


def _udevadm_verify() -> str:
    udevadm = shutil.which("udevadm")
    if udevadm is None:
        pytest.skip("udevadm is not installed (apt-get install udev)")
    probe = subprocess.run([udevadm, "verify", "--help"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        version = subprocess.run([udevadm, "--version"], capture_output=True, text=True, timeout=30)
        pytest.skip(f"udevadm {version.stdout.strip()} has no verify (systemd 254 or newer)")
    return udevadm


def test_udevadm_verify_accepts_the_rules(tmp_path):
    udevadm = _udevadm_verify()
    done = subprocess.run([udevadm, "verify", str(RULES)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "99-bad.rules"
    bad.write_text('SUBSYSTEM=="usb", GROUP=="plugdev"\n')
    refused = subprocess.run([udevadm, "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
