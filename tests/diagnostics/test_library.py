"""`kiosk diag library` against the embedded server on a real port, and against nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import library as diag
from kiosk.ils.journal import Journal
from kiosk.ils.sip2.codec import Codec, Message
from simulators.ils.server import start_server

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
        '[library]\nembedded = false\nhost = "192.0.2.1"\nport = 6001\npassword = "kiosk"\ntimeout_s = 0.5\n'
        "plaintext_ok = true\n",
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


# -- the verdict, the status flags, TLS and the journal ------------------------------------


def test_a_clean_link_is_an_ok_verdict_with_every_status_flag(server, tmp_path):
    result = diag.check(config.load(settings_file(tmp_path, server.port)))
    d = result.details
    assert d["verdict"] == "ok" and d["tls"] is None
    # The embedded server answers YYYYNN: no status updates, no offline mode.
    assert d["status_flags"] == {
        "online": "yes",
        "checkin_ok": "yes",
        "checkout_ok": "yes",
        "renewal_policy": "yes",
        "status_update_ok": "no",
        "offline_ok": "no",
    }
    assert d["status_update_ok"] is False and d["offline_ok"] is False
    assert d["journal"] == {"path": "", "kept": "in memory: nothing outlives the kiosk"}


class ScriptedStatus:
    """A SIP2 server that logs anyone in and answers every status with the given flags: what
    servers other than ours may announce."""

    def __init__(self, flags: str) -> None:
        self.flags = flags
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, name="scripted-sip2")
        self.thread.start()

    def _serve(self) -> None:
        codec = Codec()
        self.listener.settimeout(10)
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            buffer = b""
            while True:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while b"\r" in buffer:
                    frame, _, buffer = buffer.partition(b"\r")
                    request = codec.decode(frame)
                    if request.code == "93":
                        reply = Message("94", "1", sequence=request.sequence)
                    else:
                        fixed = self.flags + "600003" + "20260302    120000" + "2.00"
                        fields = (("AO", "ZZ"), ("AM", "\x1b[2JScripted\tLibrary"), ("BX", "Y" * 16))
                        reply = Message("98", fixed, fields, request.sequence)
                    conn.sendall(codec.encode(reply))

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=15)


@pytest.mark.parametrize(
    ("flags", "said", "ok"),
    [
        ("NYNYYY", ["no", "yes", "no", "yes", "yes", "yes"], False),
        ("YNYNNY", ["yes", "no", "yes", "no", "no", "yes"], True),
        ("Y?Y N1", ["yes", "unreadable", "yes", "unreadable", "no", "unreadable"], True),
    ],
)
def test_status_flags_are_decoded_one_by_one(tmp_path, flags, said, ok):
    scripted = ScriptedStatus(flags)
    try:
        result = diag.check(config.load(settings_file(tmp_path, scripted.port)))
    finally:
        scripted.close()
    assert list(result.details["status_flags"].values()) == said
    assert result.ok is ok and result.details["verdict"] == ("ok" if ok else "fail")
    if "unreadable" in said:
        assert "status flags are not Y or N: checkin_ok, renewal_policy, offline_ok" in result.summary
    if flags[0] == "N":
        assert "the server says it is offline" in result.summary
    # What the server calls itself reaches the technician cleaned.
    assert result.details["library_name"] == "Scripted Library"


def local_address() -> str:
    """This machine's address on its network (not loopback), or skip."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # no packet is sent: only a route is chosen
        except OSError:
            pytest.skip("no network interface besides loopback")
        address = probe.getsockname()[0]
    if config.is_loopback(address):
        pytest.skip("no network interface besides loopback")
    return address


def test_a_working_plaintext_link_off_this_machine_is_a_warning_verdict(tmp_path, today):
    address = local_address()
    with start_server(host=address, today=today) as remote:
        path = tmp_path / "remote.toml"
        path.write_text(
            f'[library]\nembedded = false\nhost = "{address}"\nport = {remote.port}\npassword = "kiosk"\n'
            "plaintext_ok = true\n",
            encoding="utf-8",
        )
        result = diag.check(config.load(path))
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "diag", "library", "--config", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.ok and result.details["verdict"] == "warning"
    assert len(result.warnings) == 1 and "[library] tls = false" in result.warnings[0]
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("WARN logged in to") and "tls = false" in lines[1]


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=20)


def pki(folder: Path, server_days: int) -> Path:
    """A CA and a server certificate for localhost valid for `server_days`."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    d = folder
    _openssl("req", "-x509", *ec, "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "800",
             "-subj", "/CN=Diag Test CA")  # fmt: skip
    _openssl("req", *ec, "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr", "-subj", "/CN=sip2.test")
    (d / "server.ext").write_text("subjectAltName=DNS:localhost\n")
    _openssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
             "-CAcreateserial", "-out", f"{d}/server.pem", "-days", str(server_days),
             "-extfile", f"{d}/server.ext")  # fmt: skip
    return d


def _not_after(pem: Path) -> str:
    done = subprocess.run(
        ["openssl", "x509", "-noout", "-enddate", "-in", str(pem)], capture_output=True, text=True, timeout=20
    )
    stamp = ssl.cert_time_to_seconds(done.stdout.strip().partition("=")[2])
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat()


@pytest.mark.parametrize(("days", "warned"), [(400, False), (12, True)])
def test_tls_evidence_says_verification_and_when_the_certificate_ends(tmp_path, today, days, warned):
    d = pki(tmp_path, days)
    with start_server(today=today, tls_cert=f"{d}/server.pem", tls_key=f"{d}/server.key") as tls_server:
        path = tmp_path / "tls.toml"
        path.write_text(
            f'[library]\nembedded = false\nhost = "localhost"\nport = {tls_server.port}\npassword = "kiosk"\n'
            f'tls = true\ntls_ca = "{d}/ca.pem"\ntimeout_s = 3\n',
            encoding="utf-8",
        )
        result = diag.check(config.load(path))
    assert result.ok, result.summary
    tls = result.details["tls"]
    assert tls["verified"] is True and tls["hostname_checked"] is True and tls["ca"] == f"{d}/ca.pem"
    assert tls["version"] in ("TLSv1.2", "TLSv1.3") and tls["certificate_subject"] == "sip2.test"
    assert tls["certificate_issuer"] == "Diag Test CA"
    assert tls["certificate_expires"] == _not_after(d / "server.pem")
    assert days - 2 <= tls["certificate_days_left"] <= days
    expiring = [w for w in result.warnings if "TLS certificate expires on" in w]
    assert bool(expiring) is warned and result.details["verdict"] == ("warning" if warned else "ok")
    if warned:
        assert f"in {tls['certificate_days_left']} days" in expiring[0] and "renew it" in expiring[0]


def with_journal(tmp_path: Path, port: int, journal: Path) -> Path:
    path = settings_file(tmp_path, port)
    path.write_text(path.read_text() + f'journal = "{journal}"\n', encoding="utf-8")
    return path


def test_the_journal_says_what_is_open_waiting_refused_and_untold(server, tmp_path):
    now = dt.datetime.now().astimezone()
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    lost = j.begin("checkout", now - dt.timedelta(hours=3), "04A1B2C3D4E5F6", "EM0000100001")
    j.sent(lost)
    j.settle(lost, "unknown", now - dt.timedelta(hours=3))
    back = j.begin("checkin", now - dt.timedelta(minutes=20), item_id="EM0000100002")
    j.take_offline(back)
    refused = j.begin("renew", now - dt.timedelta(minutes=10), "04A1B2C3D4E5F6", "EM0000100003")
    j.settle(refused, "refused", now, "reserved")
    j.close()
    result = diag.check(config.load(with_journal(tmp_path, server.port, path)))
    assert result.ok and result.details["verdict"] == "warning"
    journal = result.details["journal"]
    assert {k: journal[k] for k in ("entries", "open", "waiting", "refused", "untold")} == {
        "entries": 3, "open": 2, "waiting": 1, "refused": 1, "untold": 1,
    }  # fmt: skip
    assert journal["oldest_open"] == (now - dt.timedelta(hours=3)).isoformat()
    assert 3 * 3600 <= journal["oldest_open_age_s"] < 4 * 3600
    said = "\n".join(result.warnings)
    assert "2 entries open, the oldest for 3 h" in said
    assert "1 taken offline, waiting to be replayed" in said and "1 outcomes the patron was not told" in said
    assert "04A1B2C3D4E5F6" not in said + json.dumps(journal)  # counts only: no patron


def test_a_quiet_journal_adds_no_warning(server, tmp_path):
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    done = j.begin("checkin", dt.datetime.now().astimezone(), item_id="EM0000100002")
    j.settle(done, "done", dt.datetime.now().astimezone())
    j.told(done)
    j.close()
    result = diag.check(config.load(with_journal(tmp_path, server.port, path)))
    assert result.details["verdict"] == "ok" and result.warnings == ()
    assert result.details["journal"]["entries"] == 1 and result.details["journal"]["oldest_open"] is None


def test_a_missing_journal_is_a_warning_and_is_not_made(server, tmp_path):
    path = tmp_path / "not-yet" / "journal.sqlite"
    result = diag.check(config.load(with_journal(tmp_path, server.port, path)))
    assert result.ok and result.details["verdict"] == "warning"
    assert result.details["journal"] == {"path": str(path), "exists": False}
    assert not path.parent.exists()


def test_a_damaged_journal_fails_the_check_and_says_which(server, tmp_path):
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    j.begin("checkout", dt.datetime.now(), "P", "EM0000100001")
    j.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET at='\x1b[2Jsoon'")
    result = diag.check(config.load(with_journal(tmp_path, server.port, path)))
    assert not result.ok and result.details["verdict"] == "fail"
    assert result.summary.startswith(f"journal {path}: entry #1 is damaged: at is not a datetime")
    assert "the kiosk cannot take transactions" in result.summary and "\x1b" not in result.summary
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    result = diag.check(config.load(with_journal(tmp_path, server.port, garbage)))
    assert not result.ok and "file is not a database" in result.summary


def test_unreachable_library_and_damaged_journal_both_said(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\0" * 4096)
    result = diag.check(config.load(with_journal(tmp_path, port, garbage)))
    assert (
        not result.ok
        and "refused the connection" in result.summary
        and f"journal {garbage}" in result.summary
    )


def test_command_json_carries_the_verdict_flags_and_journal(server, tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "library", "--json", "--config",
         str(with_journal(tmp_path, server.port, path))],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "ok" and report["status_flags"]["offline_ok"] == "no"
    assert report["journal"]["entries"] == 0 and report["tls"] is None
