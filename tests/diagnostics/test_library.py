"""The library check against the embedded SIP2 server on a real port: healthy, down, refusing the
password, over TLS (good, ending soon, expired), with a journal; standalone and on the kiosk's link."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import Live
from kiosk.diagnostics import library as diag
from kiosk.ils.journal import Journal
from kiosk.ils.sip2.codec import Codec, Message
from simulators.ils.server import ServerHandle, start_server
from tests.diagnostics.conftest import library_keys

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def lib_file(settings_file: Callable[..., Path], sip2: ServerHandle) -> Callable[..., Path]:
    def write(**more: object) -> Path:
        return settings_file(library=library_keys(sip2, **more))

    return write


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_healthy_link_is_ok_with_every_status_flag(lib_file):
    result = diag.check(config.load(lib_file()))
    assert result.verdict == "ok" and result.ok and result.advice == ()
    assert result.summary.startswith("logged in to SIP2 server") and "round trip" in result.summary
    e = result.evidence
    # The embedded server answers YYYYNN: no status updates, no offline mode.
    assert e["status_flags"] == {
        "online": "yes", "checkin_ok": "yes", "checkout_ok": "yes",
        "renewal_policy": "yes", "status_update_ok": "no", "offline_ok": "no",
    }  # fmt: skip
    assert e["offline_allowed"] is False and e["missing"] == {} and e["tls"] is None
    assert e["institution"] == "MA" and e["heartbeat_s"] == pytest.approx(30.0)
    assert e["link"] == "own connection" and e["login_ms"] > 0 and e["round_trip_ms"] > 0
    assert {"11", "09", "63", "29", "65", "15", "37"} <= set(e["supported_messages"])
    assert e["journal"] == {"path": "", "kept": "in memory: nothing outlives the kiosk"}
    assert json.loads(json.dumps(result.as_dict()))["verdict"] == "ok"


def test_library_down_fails_and_says_what_to_check(lib_file, sip2):
    sip2.go_down()
    result = diag.check(config.load(lib_file()))
    assert result.verdict == "failed" and "refused the connection: is it running?" in result.summary
    assert result.advice == (diag.ADVICE_REACH,)
    assert "firewall" in result.advice[0]


def test_nothing_listening_for_the_embedded_server_points_to_the_kiosk(settings_file):
    path = settings_file(library={"embedded": True, "port": free_port()})
    result = diag.check(config.load(path))
    assert result.verdict == "failed" and result.advice == (diag.ADVICE_EMBEDDED,)


def test_wrong_password_fails_with_the_login_advice(lib_file):
    result = diag.check(config.load(lib_file(password="nope")))
    assert result.verdict == "failed" and "refused SIP2 login id 'kiosk'" in result.summary
    assert result.advice == (diag.ADVICE_LOGIN,) and "password_env" in result.advice[0]
    assert "nope" not in json.dumps(result.as_dict())


def test_a_library_that_refuses_logins_on_the_kiosks_link(lib_file, sip2, built):
    kiosk = built(config.load(lib_file()))
    live = Live.of(kiosk)
    assert diag.check(kiosk.settings, live).verdict == "ok"
    sip2.refuse_logins()
    result = diag.check(kiosk.settings, live)
    assert result.verdict == "failed" and result.advice == (diag.ADVICE_LOGIN,)


def test_live_check_uses_the_kiosks_link_and_journal(lib_file, sip2, built):
    kiosk = built(config.load(lib_file()))
    live = Live.of(kiosk)
    result = diag.check(kiosk.settings, live, rounds=4)
    assert result.verdict == "ok", result.summary
    e = result.evidence
    assert e["link"] == "the kiosk's" and e["login_ms"] is None and e["connects"] >= 1
    assert e["journal"]["entries"] == 0 and e["journal"]["path"] == ""
    logins = sip2.received["93"]
    assert diag.check(kiosk.settings, live).verdict == "ok"
    # The kiosk's own connection, no login of the check's own.
    assert sip2.open_sessions == 1 and sip2.received["93"] == logins


def test_live_check_sees_the_library_go_down(lib_file, sip2, built):
    kiosk = built(config.load(lib_file()))
    sip2.go_down()
    result = diag.check(kiosk.settings, Live.of(kiosk))
    assert result.verdict == "failed" and result.advice == (diag.ADVICE_REACH,)


def test_a_server_saying_it_is_offline_fails(lib_file, sip2):
    sip2.serve(online=False)
    result = diag.check(config.load(lib_file()))
    assert result.verdict == "failed" and "the server says it is offline" in result.summary
    assert diag.ADVICE_OFFLINE in result.advice


def test_checkin_refused_is_a_warning(lib_file, sip2):
    sip2.serve(checkin=False)
    result = diag.check(config.load(lib_file()))
    assert result.verdict == "warning" and result.summary == "checkin not allowed for this account"
    assert result.advice == (diag.ADVICE_RIGHTS,)


def plaintext_remote_file(settings_file) -> Path:
    # 192.0.2.0/24 (TEST-NET-1) is never reachable: the check fails fast, the warning still shows.
    return settings_file(
        "remote.toml",
        library={"embedded": False, "host": "192.0.2.1", "port": 6001, "password": "kiosk",
                 "timeout_s": 0.5, "plaintext_ok": True},
    )  # fmt: skip


def test_a_plaintext_link_off_this_machine_is_said_even_when_it_fails(settings_file):
    result = diag.check(config.load(plaintext_remote_file(settings_file)))
    assert result.verdict == "failed"
    assert any("set [library] tls = true" in line for line in result.advice)


def test_command_refuses_a_delimiter_that_ends_messages(lib_file, run_kiosk):
    path = lib_file()
    path.write_text(path.read_text() + 'delimiter = "\\r"\n', encoding="utf-8")
    done = run_kiosk("diag", "library", "--config", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "[library] delimiter = '\\r': must not be a CR or LF" in done.stderr
    assert "Traceback" not in done.stderr


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
    ("flags", "said", "verdict"),
    [
        ("NYNYYY", ["no", "yes", "no", "yes", "yes", "yes"], "failed"),
        ("YNYNNY", ["yes", "no", "yes", "no", "no", "yes"], "warning"),
        ("Y?Y N1", ["yes", "unreadable", "yes", "unreadable", "no", "unreadable"], "warning"),
    ],
)
def test_status_flags_are_decoded_one_by_one(settings_file, flags, said, verdict):
    scripted = ScriptedStatus(flags)
    try:
        path = settings_file(library={"embedded": False, "host": "127.0.0.1", "port": scripted.port,
                                      "password": "kiosk", "timeout_s": 2})  # fmt: skip
        result = diag.check(config.load(path))
    finally:
        scripted.close()
    assert list(result.evidence["status_flags"].values()) == said
    assert result.verdict == verdict
    if "unreadable" in said:
        assert "status flags are not Y or N: checkin_ok, renewal_policy, offline_ok" in result.summary
    if flags[0] == "N":
        assert "the server says it is offline" in result.summary and diag.ADVICE_OFFLINE in result.advice
    # What the server calls itself reaches the technician cleaned.
    assert result.evidence["library_name"] == "Scripted Library"


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


def expired_pki(folder: Path) -> Path:
    """pki(), but the server certificate ended in 2020 (openssl ca takes explicit dates)."""
    d = pki(folder, 30)
    (d / "index.txt").write_text("")
    (d / "serial").write_text("01\n")
    (d / "ca.cnf").write_text(
        "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
        "default_md = sha256\npolicy = any\nx509_extensions = ext\n[any]\ncommonName = supplied\n"
        "[ext]\nsubjectAltName = DNS:localhost\n"
    )
    subprocess.run(
        ["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
         "-in", "server.csr", "-out", "server.pem", "-startdate", "20200101000000Z",
         "-enddate", "20200201000000Z", "-notext"],
        cwd=d, check=True, capture_output=True, timeout=20,
    )  # fmt: skip
    return d


def tls_file(settings_file, d: Path, port: int) -> Path:
    return settings_file(
        "tls.toml",
        library={"embedded": False, "host": "localhost", "port": port, "password": "kiosk", "tls": True,
                 "tls_ca": f"{d}/ca.pem", "timeout_s": 3},
    )  # fmt: skip


@pytest.mark.parametrize(("days", "verdict"), [(400, "ok"), (12, "warning")])
def test_tls_evidence_says_verification_and_when_the_certificate_ends(settings_file, tmp_path, days, verdict):
    d = pki(tmp_path, days)
    with start_server(tls_cert=f"{d}/server.pem", tls_key=f"{d}/server.key") as tls_server:
        result = diag.check(config.load(tls_file(settings_file, d, tls_server.port)))
    assert result.verdict == verdict, result.summary
    tls = result.evidence["tls"]
    assert tls["verified"] is True and tls["hostname_checked"] is True and tls["ca"] == f"{d}/ca.pem"
    assert tls["version"] in ("TLSv1.2", "TLSv1.3") and tls["certificate_subject"] == "sip2.test"
    assert tls["certificate_issuer"] == "Diag Test CA"
    assert tls["certificate_expires"] == _not_after(d / "server.pem")
    assert days - 2 <= tls["certificate_days_left"] <= days
    if verdict == "warning":
        assert f"in {tls['certificate_days_left']} days" in result.summary
        assert result.advice == (diag.ADVICE_RENEW,)


def test_an_expired_certificate_fails_with_the_renewal_advice(settings_file, tmp_path):
    d = expired_pki(tmp_path)
    with start_server(tls_cert=f"{d}/server.pem", tls_key=f"{d}/server.key") as tls_server:
        result = diag.check(config.load(tls_file(settings_file, d, tls_server.port)))
    assert result.verdict == "failed" and "certificate has expired" in result.summary
    assert result.advice == (diag.ADVICE_EXPIRED,)


def test_the_journal_says_what_is_open_waiting_refused_and_untold(lib_file, tmp_path):
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
    result = diag.check(config.load(lib_file(journal=str(path))))
    assert result.verdict == "warning"
    journal = result.evidence["journal"]
    assert {k: journal[k] for k in ("entries", "open", "waiting", "refused", "untold")} == {
        "entries": 3, "open": 2, "waiting": 1, "refused": 1, "untold": 1,
    }  # fmt: skip
    assert journal["oldest_open"] == (now - dt.timedelta(hours=3)).isoformat()
    assert 3 * 3600 <= journal["oldest_open_age_s"] < 4 * 3600
    assert "2 entries open, the oldest for 3 h" in result.summary
    assert "1 taken offline, waiting to be replayed" in result.summary
    assert "1 outcomes the patron was not told" in result.summary and diag.ADVICE_EXPORT in result.advice
    assert "04A1B2C3D4E5F6" not in json.dumps(result.as_dict())  # counts only: no patron


def test_a_quiet_journal_adds_no_warning(lib_file, tmp_path):
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    done = j.begin("checkin", dt.datetime.now().astimezone(), item_id="EM0000100002")
    j.settle(done, "done", dt.datetime.now().astimezone())
    j.told(done)
    j.close()
    result = diag.check(config.load(lib_file(journal=str(path))))
    assert result.verdict == "ok" and result.advice == ()
    assert result.evidence["journal"]["entries"] == 1 and result.evidence["journal"]["oldest_open"] is None


def test_a_missing_journal_is_a_warning_and_is_not_made(lib_file, tmp_path):
    path = tmp_path / "not-yet" / "journal.sqlite"
    result = diag.check(config.load(lib_file(journal=str(path))))
    assert result.verdict == "warning" and result.evidence["journal"] == {"path": str(path), "exists": False}
    assert result.advice == ("start the kiosk once: it makes the journal",)
    assert not path.parent.exists()


def test_a_damaged_journal_fails_the_check_and_says_which(lib_file, tmp_path):
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    j.begin("checkout", dt.datetime.now(), "P", "EM0000100001")
    j.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET at='\x1b[2Jsoon'")
    result = diag.check(config.load(lib_file(journal=str(path))))
    assert result.verdict == "failed" and result.advice == (diag.ADVICE_JOURNAL_DAMAGED,)
    assert result.summary.startswith(f"journal {path}: entry #1 is damaged: at is not a datetime")
    assert "the kiosk cannot take transactions" in result.summary and "\x1b" not in result.summary
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    result = diag.check(config.load(lib_file(journal=str(garbage))))
    assert result.verdict == "failed" and "file is not a database" in result.summary


def test_unreachable_library_and_damaged_journal_both_said(settings_file, tmp_path):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\0" * 4096)
    path = settings_file(library={"embedded": False, "host": "127.0.0.1", "port": free_port(),
                                  "password": "x", "timeout_s": 2, "journal": str(garbage)})  # fmt: skip
    result = diag.check(config.load(path))
    assert result.verdict == "failed"
    assert "refused the connection" in result.summary and f"journal {garbage}" in result.summary
    assert result.advice == (diag.ADVICE_REACH, diag.ADVICE_JOURNAL_DAMAGED)
