"""`kiosk diag` in a process of its own against the simulators: the table, JSON, exit codes 0/1/2,
per-check options, and the support bundle holding no secret and no card number."""

from __future__ import annotations

import json
import zipfile

import pytest

from simulators.ils.seed import CHAEKIEUM_PATRON_ID, DEMO_PATRON_ID, DEMO_PATRON_PIN
from tests.diagnostics.conftest import PASSWORD

pytestmark = pytest.mark.timeout(180)


def test_all_healthy_is_exit_0_as_json(healthy, run_kiosk):
    done = run_kiosk("diag", "--json", "--config", str(healthy))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [c["name"] for c in report] == ["library", "nfc", "camera", "printer", "host"]
    assert {c["verdict"] for c in report} == {"ok"}


def test_a_warning_is_exit_1_and_a_failure_exit_2(healthy, printer, run_kiosk):
    printer.paper_near_end(True)
    done = run_kiosk("diag", "printer", "library", "--json", "--config", str(healthy))
    assert done.returncode == 1, done.stdout + done.stderr
    assert [(c["name"], c["verdict"]) for c in json.loads(done.stdout)] == [
        ("printer", "warning"),
        ("library", "ok"),
    ]
    printer.paper_out()
    done = run_kiosk("diag", "printer", "--json", "--config", str(healthy))
    assert done.returncode == 2
    (check,) = json.loads(done.stdout)
    assert check["verdict"] == "failed" and check["advice"] == [
        "load a new roll of thermal paper and close the cover"
    ]


def test_the_table_and_per_check_options(healthy, printer, card_field, run_kiosk, tmp_path):
    card_field.tap("04A1B2C3D4E5F6")
    preview = tmp_path / "out.png"
    done = run_kiosk(
        "diag", "nfc", "camera", "printer", "--tap", "10", "--preview", str(preview), "--test-page",
        "--config", str(healthy),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("nfc      OK    ") and "read a 106A card" in lines[0]
    assert any(line.startswith("camera   OK    camera file:") for line in lines)
    assert any(line.startswith("printer  OK    ") and "test page printed" in line for line in lines)
    assert '    tap: {"technology": "106A", "uid": "****E5F6"' in done.stdout
    assert preview.is_file() and printer.wait_for_receipt(timeout=10).exists()


def test_failed_checks_print_their_advice(settings_file, run_kiosk):
    path = settings_file(nfc={"device": "usb:ffff:ffff"})
    done = run_kiosk("diag", "nfc", "--config", str(path))
    assert done.returncode == 2
    assert done.stdout.startswith("nfc  FAIL  no NFC reader 'usb:ffff:ffff' found")
    assert "    -> check it is plugged in (`lsusb`)" in done.stdout


def test_an_unknown_check_is_refused(run_kiosk):
    done = run_kiosk("diag", "modem")
    assert done.returncode == 2 and "no check modem" in done.stdout


def test_the_bundle_holds_settings_logs_versions_and_checks_without_secrets(healthy, run_kiosk, tmp_path):
    log = tmp_path / "kiosk.log"
    log.write_text(
        f"12:00:01 INFO card read: patron {DEMO_PATRON_ID}\n"
        f'12:00:02 INFO {{"event": "login", "patron": "{CHAEKIEUM_PATRON_ID}", "pin": "{DEMO_PATRON_PIN}"}}\n'
        f"12:00:03 DEBUG sip2 login CO{PASSWORD}|CPKIOSK1 password={PASSWORD}\n"
        "12:00:04 INFO checkout EM0000100001 done\n",
        encoding="utf-8",
    )
    out = tmp_path / "bundle" / "support.zip"
    done = run_kiosk("diag", "bundle", str(out), "--config", str(healthy), "--log", str(log))
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        texts = {name: z.read(name).decode("utf-8") for name in names}
    assert names == ["settings.json", "versions.json", "checks.json", "logs/00-kiosk.log"]
    everything = "\n".join(texts.values())
    for secret in (PASSWORD, DEMO_PATRON_ID, CHAEKIEUM_PATRON_ID, f'"pin": "{DEMO_PATRON_PIN}"'):
        assert secret not in everything, secret
    settings = json.loads(texts["settings.json"])
    assert settings["library"]["password"] == "***" and settings["library"]["login_id"] == "kiosk"
    assert "****E5F6" in texts["logs/00-kiosk.log"] and "card read: patron" in texts["logs/00-kiosk.log"]
    versions = json.loads(texts["versions.json"])
    assert set(versions) >= {
        "python",
        "kiosk",
        "PySide6",
        "nfcpy",
        "opencv",
        "zxing-cpp",
        "pyzbar",
        "pyserial",
    }
    assert versions["kiosk"] != "not installed"
    assert [c["name"] for c in json.loads(texts["checks.json"])] == [
        "library",
        "nfc",
        "camera",
        "printer",
        "host",
    ]
