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
