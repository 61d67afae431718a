"""deploy/kiosk.toml starts a kiosk's settings (kiosk.config, as `kiosk run` loads it) and names
the devices the udev rules create; deploy/README.md installs every file shipped in deploy/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk import config
from tests.deploy.units import DEPLOY, RULES, parse_rules

PASSWORD_FILE = "/etc/chaekieum-kiosk/sip2-password"


def _load(tmp_path: Path) -> config.Settings:
    # The password file as deploy/README.md makes it, here in the test's directory.
    password = tmp_path / "sip2-password"
    password.write_text("secret\n", encoding="utf-8")
    os.chmod(password, 0o600)
    text = (DEPLOY / "kiosk.toml").read_text(encoding="utf-8")
    assert PASSWORD_FILE in text
    copy = tmp_path / "kiosk.toml"
    copy.write_text(text.replace(PASSWORD_FILE, str(password)), encoding="utf-8")
    return config.load(copy)


def _symlinks() -> set[str]:
    return {
        "/dev/" + p.value for _, pairs in parse_rules(RULES.read_text(encoding="utf-8")) for p in pairs
        if p.key == "SYMLINK"
    }  # fmt: skip


def test_the_deployed_settings_load_and_name_the_udev_devices(tmp_path):
    settings = _load(tmp_path)
    assert settings.library.embedded is False
    assert settings.library.tls is True
    assert settings.display.fullscreen is True
    assert settings.camera.source in _symlinks()
    assert settings.printer.device.split("?")[0] in _symlinks()
    assert settings.nfc.device.startswith("usb")  # nfcpy opens readers by bus, not by node


# What goes onto the box (deploy/ also holds monitoring files for another machine).
BOX = ("systemd", "udev", "pam", "modprobe")


def test_every_file_for_the_box_is_installed_by_the_readme():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    shipped = [p for d in BOX for p in (DEPLOY / d).rglob("*") if p.is_file()] + [DEPLOY / "kiosk.toml"]
    assert len(shipped) >= 6
    for path in shipped:
        assert str(path.relative_to(DEPLOY.parent)) in readme, f"deploy/README.md never mentions {path.name}"


def test_a_camera_by_its_udev_name_is_opened_as_a_camera(tmp_path):
    """Not as a video file: a /dev name that is missing is a camera to check, not a file."""
    from kiosk.devices.camera import CameraError, open_capture

    with pytest.raises(CameraError, match="check the USB cable"):
        open_capture(f"/dev/kiosk-camera-{tmp_path.name}")
