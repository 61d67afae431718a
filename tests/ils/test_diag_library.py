"""`kiosk diag library` against the embedded server on a real port, and against nothing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import library as diag

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]


def settings_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[library]\nembedded = false\nhost = "127.0.0.1"\nport = {port}\n'
        'password = "kiosk"\ntimeout_s = 2\n',
        encoding="utf-8",
    )
    return path


def test_check_reads_the_server_status(server, tmp_path):
    result = diag.check(config.load(settings_file(tmp_path, server.port)))
    assert result.ok and "online" in result.summary and "round trip" in result.summary
    d = result.details
    assert d["checkin_ok"] and d["checkout_ok"] and d["renewal_policy"] and d["missing"] == {}
    assert d["institution"] == "MA" and d["heartbeat_s"] == pytest.approx(30.0)
    assert {"11", "09", "63", "29", "65", "15", "37"} <= set(d["supported_messages"])


def test_command_prints_json(server, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "diag",
            "library",
            "--config",
            str(settings_file(tmp_path, server.port)),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["online"] and report["round_trip_ms"] > 0
    assert report["warnings"] == []


def test_nothing_listening_says_what_to_check(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = diag.check(config.load(settings_file(tmp_path, port)))
    assert not result.ok and "refused the connection: is it running?" in result.summary


def test_wrong_password_says_so(server, tmp_path):
    path = settings_file(tmp_path, server.port)
    path.write_text(path.read_text().replace('password = "kiosk"', 'password = "nope"'))
    result = diag.check(config.load(path))
    assert not result.ok and "login id 'kiosk'" in result.summary and "nope" not in result.summary


def plaintext_remote_file(tmp_path: Path) -> Path:
    # 192.0.2.0/24 (TEST-NET-1) is never reachable: the check fails fast, the warning still shows.
    path = tmp_path / "remote.toml"
    path.write_text(
        '[library]\nembedded = false\nhost = "192.0.2.1"\nport = 6001\npassword = "kiosk"\ntimeout_s = 0.5\n',
        encoding="utf-8",
    )
    return path


def test_check_warns_of_a_plaintext_link_off_this_machine(tmp_path):
    result = diag.check(config.load(plaintext_remote_file(tmp_path)))
    assert len(result.warnings) == 1
    assert "[library] tls = false" in result.warnings[0] and "192.0.2.1:6001" in result.warnings[0]


def test_check_over_loopback_has_no_warning(server, tmp_path):
    assert diag.check(config.load(settings_file(tmp_path, server.port))).warnings == ()


def test_command_prints_the_plaintext_warning_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "library", "--config", str(plaintext_remote_file(tmp_path))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    warnings = [line for line in done.stdout.splitlines() if line.startswith("WARN ")]
    assert len(warnings) == 1, done.stdout + done.stderr
    assert (
        "tls = false" in warnings[0] and "192.0.2.1:6001" in warnings[0] and "set tls = true" in warnings[0]
    )


def test_command_refuses_a_delimiter_that_ends_messages(server, tmp_path):
    path = settings_file(tmp_path, server.port)
    path.write_text(path.read_text() + 'delimiter = "\\r"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "library", "--config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "[library] delimiter = '\\r': must not be a CR or LF" in done.stdout
    assert "Traceback" not in done.stderr
