"""The `kiosk` command as a user runs it: help, configuration errors, the headless demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def kiosk(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
    )


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["demo", "--help"]])
def test_help(args):
    done = kiosk(*args)
    assert done.returncode == 0 and "usage: kiosk" in done.stdout


def test_bad_config_stops_with_the_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[printer]\ndevice = 'lpt1'\n")
    done = kiosk("demo", "--headless", "--config", str(bad), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert str(bad) in done.stderr and "[printer] device = 'lpt1'" in done.stderr


def test_bad_script_is_refused_before_anything_starts(tmp_path):
    script = tmp_path / "v.visit"
    script.write_text("tap_card\n")
    done = kiosk("demo", "--headless", "--script", str(script), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "v.visit:1: tap_card takes 1..2 arguments" in done.stderr


@pytest.mark.timeout(300)
def test_demo_without_a_display_runs_the_scripted_visit(tmp_path):
    out = tmp_path / "demo"
    # No --headless: with no DISPLAY the demo chooses the scripted visit itself.
    done = kiosk("demo", "--out", str(out), timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ok"] and summary["receipt"] == "receipt.png"
    names = " ".join(summary["screens"])
    for screen in ("idle", "working", "borrow", "goodbye"):
        assert screen in names
    assert all((out / "screens" / n).stat().st_size > 5000 for n in summary["screens"])
    assert (out / "receipt.png").stat().st_size > 5000
    transcript = json.loads((out / "transcript.json").read_text())
    kinds = {entry["type"] for entry in transcript}
    assert {
        "CardRead",
        "BarcodeRead",
        "CallLibrary",
        "LibraryReplied",
        "PrintReceipt",
        "ReceiptPrinted",
    } <= kinds
    assert "04A1B2C3D4E5F6" not in (out / "transcript.json").read_text()
    # Nor in the log, nor the patron's name.
    assert "04A1B2C3D4E5F6" not in done.stdout + done.stderr
    assert "김민수" not in done.stdout + done.stderr


def test_failing_script_exits_non_zero(tmp_path):
    script = tmp_path / "v.visit"
    script.write_text("expect_screen borrow 2\n")
    done = kiosk("demo", "--headless", "--script", str(script), "--out", str(tmp_path / "o"), timeout=120)
    assert (
        done.returncode == 1
        and "visit FAILED" in done.stderr
        and "waiting for screen 'borrow'" in done.stderr
    )


@pytest.mark.timeout(120)
def test_run_starts_on_simulators_and_stops_on_sigterm(tmp_path):
    import signal

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "device nfc: ok" in line:
                break
        else:
            raise AssertionError("the kiosk never reported its card reader ready")
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest[-3000:]
    assert "Traceback" not in rest


@pytest.mark.parametrize(
    "settings, expected",
    [
        ("[nfc]\nuid_width = 36\n", "[nfc] uid_width = 36: must be between 0 and 32 digits"),
        ("[nfc]\nuid_prefix = 'LIB 01'\n", "[nfc] uid_prefix = 'LIB 01': must not contain spaces"),
        ('[library]\ndelimiter = "\\r"\n', "[library] delimiter = '\\r': must not be a CR or LF"),
    ],
)
def test_settings_the_card_or_library_code_cannot_use_stop_start_up_cleanly(tmp_path, settings, expected):
    path = tmp_path / "k.toml"
    path.write_text(settings)
    done = kiosk("demo", "--headless", "--config", str(path), "--out", str(tmp_path / "o"))
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert f"kiosk: configuration error: {path}: {expected}" in done.stderr


def test_a_settings_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "k.toml"
    # A key that stops start-up: the error shows the file was read past its first line.
    path.write_text("[printer]\ndevice = 'lpt1'\n", encoding="utf-8-sig")
    done = kiosk("demo", "--headless", "--config", str(path), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "[printer] device = 'lpt1'" in done.stderr
    assert "not valid TOML" not in done.stderr


@pytest.mark.timeout(120)
def test_run_warns_once_of_a_plaintext_library_link(tmp_path):
    import signal

    settings = tmp_path / "k.toml"
    # TEST-NET-1: never reachable, so the kiosk starts offline; the warning is about the setting.
    settings.write_text(
        '[library]\nembedded = false\nhost = "192.0.2.1"\nport = 6001\npassword = "pw"\ntimeout_s = 0.5\n'
        "plaintext_ok = true\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(settings)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if "device nfc: ok" in line:
                break
        else:
            raise AssertionError("the kiosk never reported its card reader ready:\n" + "".join(seen)[-3000:])
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = "".join(seen) + rest
    warnings = [line for line in output.splitlines() if "tls = false" in line]
    assert len(warnings) == 1, output[-3000:]
    assert "WARNING kiosk.app" in warnings[0] and "192.0.2.1:6001" in warnings[0]
    assert "Traceback" not in output
