"""SIP2 client against the embedded server over real TCP: login, resends, faults, timeouts."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kiosk.core.errors import LibraryProtocolError, LibraryTimeout, LibraryUnavailable, LoginRejected
from kiosk.core.model import CheckoutResult
from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import ChecksumError, Codec, Message
from simulators.ils import seed
from simulators.ils.server import start_server

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[2]


def client_for(server, **kw) -> Sip2Client:
    kw.setdefault("timeout", 5.0)
    return Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk", **kw)


def patron_request(patron_id: str) -> Message:
    return Message("63", "000" + "20260302    120000" + " " * 10, (("AO", "MA"), ("AA", patron_id)))


def test_login_then_status(server):
    client = client_for(server, location_code="KIOSK1")
    try:
        status = client.connect()
        assert status.code == "98" and status.flag(0) == "Y"
        assert status.get("AO") == "MA" and status.get("AN") == "KIOSK1"
        assert server.received["93"] == 1 and server.received["99"] == 1
    finally:
        client.close()


def test_requests_before_login_are_refused(raw):
    raw.send(patron_request(seed.DEMO_PATRON_ID))
    assert raw.read_bytes() == b""  # the server hangs up, as Koha does


def test_login_with_raw_socket_then_lookup(raw):
    assert raw.login().fixed == "1"
    raw.send(patron_request(seed.DEMO_PATRON_ID).with_sequence(4))
    reply = raw.read()
    assert reply.code == "64" and reply.get("AE") == "김민수" and reply.sequence == 4


def test_wrong_password_is_login_rejected(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="wrong", timeout=5.0)
    with pytest.raises(LoginRejected, match="login id 'kiosk'"):
        client.connect()
    client.close()


def test_wrong_password_never_appears_in_the_error(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="s3cret-pw", timeout=5.0)
    with pytest.raises(LoginRejected) as info:
        client.request(patron_request(seed.DEMO_PATRON_ID))
    assert "s3cret-pw" not in str(info.value)


def test_bad_checksum_reply_is_resent_once(server, library):
    library.connect()
    server.add_fault("bad_checksum")
    patron = library.lookup_patron(seed.DEMO_PATRON_ID)
    assert patron.name == "김민수"
    assert server.received["97"] == 1


def test_second_bad_checksum_is_a_protocol_error(server, library):
    library.connect()
    server.add_fault("bad_checksum")
    server.add_fault("bad_checksum")
    with pytest.raises(ChecksumError):
        library.lookup_patron(seed.DEMO_PATRON_ID)
    assert server.received["97"] == 1
    # The connection was dropped; the next request logs in again and works.
    assert library.lookup_patron(seed.DEMO_PATRON_ID).valid
    assert server.received["93"] == 2


def test_garbled_request_gets_a_resend_request(raw):
    raw.login()
    raw.send_bytes(b"63000bad|AY1AZ0000\r")
    assert raw.read().code == "96"


def test_client_repeats_a_request_the_server_could_not_read(server, caplog):
    """A 96 from the server makes the client send its request once more."""
    client = client_for(server)
    try:
        client.connect()
        original = client._send
        garbled: list[bytes] = []

        def garble_first(data: bytes) -> None:
            if not garbled and data.startswith(b"63"):
                garbled.append(data)
                wrong = b"0000" if data[-5:-1] != b"0000" else b"1111"
                data = data[:-5] + wrong + b"\r"  # corrupt the checksum on the wire
            original(data)

        client._send = garble_first  # type: ignore[method-assign]
        reply = client.request(patron_request(seed.DEMO_PATRON_ID))
        assert reply.get("AE") == "김민수" and garbled
        assert server.received["63"] == 1  # the garbled copy never counted as a request
        assert "could not read" in caplog.text
    finally:
        client.close()


def test_stopped_server_is_library_unavailable(today):
    handle = start_server(today=today)
    library = Sip2Library(handle.host, handle.port, "kiosk", "kiosk", "MA", timeout=5.0)
    try:
        assert library.lookup_patron(seed.DEMO_PATRON_ID).valid
        handle.stop()
        with pytest.raises(LibraryUnavailable):
            library.lookup_patron(seed.DEMO_PATRON_ID)
    finally:
        library.close()
        handle.stop()


def test_nothing_listening_is_library_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Sip2Client("127.0.0.1", port, login_id="kiosk", password="kiosk", timeout=2.0)
    with pytest.raises(LibraryUnavailable, match="refused"):
        client.connect()


def test_server_that_never_answers_is_library_timeout():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = Sip2Client("127.0.0.1", port, login_id="kiosk", password="kiosk", timeout=0.3)
        with pytest.raises(LibraryTimeout, match="login"):
            client.connect()
        client.close()


def test_idle_connection_dropped_by_server_is_reopened(server, library):
    library.connect()
    server.drop_connections()
    assert library.lookup_patron(seed.DEMO_PATRON_ID).name == "김민수"
    assert server.received["93"] == 2
    assert library.client.connects == 2


def test_checkout_after_an_idle_drop_goes_out_on_a_new_connection(server, library):
    """A checkout is never sent twice, so the dead idle connection must be noticed before."""
    library.connect()
    server.drop_connections()
    result = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert result.ok and server.received["11"] == 1 and server.received["93"] == 2


def test_checkout_dropped_before_the_server_read_it_is_found_not_done_and_sent_again(server, library):
    """The connection drops under a checkout: the adapter asks first (17), finds the item
    still on the shelf, and only then sends the checkout again: lent once."""
    library.connect()
    server.add_fault("drop")
    result = library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
    assert result.ok and not result.recovered
    assert server.received["11"] == 2 and server.received["17"] >= 1
    assert [loan.item_id for loan in server.store.loans_of(seed.DEMO_PATRON_ID)].count(
        seed.DEMO_ITEMS[0]
    ) == 1
    assert server.received["93"] == 2


def test_lookup_is_repeated_once_when_the_connection_drops_under_it(server, library):
    library.connect()
    server.add_fault("drop")
    assert library.lookup_patron(seed.DEMO_PATRON_ID).valid
    assert server.received["63"] == 2


def test_lost_reply_is_a_timeout_and_the_late_connection_is_not_reused(server):
    client = client_for(server)
    try:
        client.connect()
        server.add_fault("no_reply")
        with pytest.raises(LibraryTimeout, match=r"within 0\.3 s"):
            client.request(patron_request(seed.DEMO_PATRON_ID), timeout=0.3)
        reply = client.request(patron_request(seed.DEMO_PATRON_ID))
        assert reply.get("AE") == "김민수"
        assert server.received["93"] == 2 and client.connects == 2
    finally:
        client.close()


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_encoding_and_crlf_agreed_per_connection(today, encoding):
    with start_server(today=today, encoding=encoding, terminator="\r\n") as handle:
        library = Sip2Library(
            handle.host,
            handle.port,
            "kiosk",
            "kiosk",
            "MA",
            encoding=encoding,
            terminator="\r\n",
            timeout=5.0,
        )
        try:
            for _ in range(3):  # the LF after each CR must not look like a dropped connection
                patron = library.lookup_patron(seed.DEMO_PATRON_ID)
                assert patron.name == "김민수" and patron.loans[0].title == "트렌드 코리아 2026"
            assert library.client.connects == 1
        finally:
            library.close()


def test_encoding_mismatch_is_a_protocol_error(today):
    with start_server(today=today, encoding="cp949") as handle:
        library = Sip2Library(handle.host, handle.port, "kiosk", "kiosk", "MA", timeout=5.0)
        try:
            with pytest.raises(LibraryProtocolError, match="encoding"):
                library.lookup_patron(seed.DEMO_PATRON_ID)
        finally:
            library.close()


def run_in_threads(target, args_list) -> list:
    """Run target(*args) on one thread each; exceptions are raised here, in the test."""
    with ThreadPoolExecutor(max_workers=len(args_list)) as pool:
        futures = [pool.submit(target, *args) for args in args_list]
        return [f.result(timeout=20) for f in futures]


def test_several_kiosks_at_once(server):
    """Four kiosks, each on its own connection, borrow different books at the same time."""
    patrons = [seed.DEMO_PATRON_ID, seed.HOLDER_PATRON_ID, seed.DISABLED_PATRON_ID, seed.OVERDUE_PATRON_ID]

    def kiosk(n: int) -> list[CheckoutResult]:
        library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        try:
            return [library.checkout(patrons[n], seed.item_id(30 + n * 3 + k)) for k in range(3)]
        finally:
            library.close()

    results = run_in_threads(kiosk, [(n,) for n in range(4)])
    assert [[r.ok for r in kiosk_results] for kiosk_results in results] == [[True] * 3] * 3 + [[False] * 3]
    assert {r.reason for r in results[3]} == {"refusal.suspended"}
    assert len(server.store.loans_of(seed.DEMO_PATRON_ID)) == 4
    assert server.received["93"] == 4


def test_one_client_shared_by_threads(server, library):
    def lookups() -> list[str]:
        return [library.lookup_patron(seed.DEMO_PATRON_ID).name for _ in range(10)]

    names = run_in_threads(lookups, [()] * 4)
    assert names == [["김민수"] * 10] * 4
    assert library.client.connects == 1


def test_same_item_raced_by_two_kiosks_is_lent_once(server):
    results = []

    def borrow(patron: str) -> None:
        library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        try:
            results.append(library.checkout(patron, seed.DEMO_ITEMS[4]))
        finally:
            library.close()

    threads = [
        threading.Thread(target=borrow, args=(p,)) for p in (seed.DEMO_PATRON_ID, seed.HOLDER_PATRON_ID)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(r.ok for r in results) == [False, True]
    assert [r.reason for r in results if not r.ok] == ["refusal.already_on_loan"]


def test_file_database_persists_between_runs(tmp_path, today):
    db = str(tmp_path / "ils.sqlite")
    with start_server(db_path=db, today=today) as handle:
        library = Sip2Library(handle.host, handle.port, "kiosk", "kiosk", "MA", timeout=5.0)
        assert library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]).ok
        library.close()
    with start_server(db_path=db, today=today) as handle:
        library = Sip2Library(handle.host, handle.port, "kiosk", "kiosk", "MA", timeout=5.0)
        assert len(library.lookup_patron(seed.DEMO_PATRON_ID).loans) == 2
        library.close()
    assert (tmp_path / "ils.sqlite-wal").exists() or (tmp_path / "ils.sqlite").exists()


def test_stop_is_prompt_with_kiosks_connected(today):
    before = set(threading.enumerate())
    handle = start_server(today=today)
    clients = [client_for(handle) for _ in range(3)]
    for client in clients:
        client.connect()
    assert len(set(threading.enumerate()) - before) == 4  # acceptor + three sessions
    handle.stop()  # must return although three sessions are blocked reading
    assert set(threading.enumerate()) - before == set()
    for client in clients:
        client.close()


@pytest.mark.parametrize(
    "command",
    [["-m", "simulators.ils"], ["-m", "kiosk", "sim", "ils", "--rules", "simulators/ils/rules.toml"]],
)
def test_command_line_server(tmp_path, command):
    proc = subprocess.Popen(
        [sys.executable, *command, "--port", "0", "--today", "2026-03-02", "--db", str(tmp_path / "ils.db")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = int(line.split(":")[1].split()[0])
        library = Sip2Library("127.0.0.1", port, "kiosk", "kiosk", "MA", timeout=5.0)
        assert library.lookup_patron(seed.DEMO_PATRON_ID).name == "김민수"
        library.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_codec_class_used_by_raw_clients_matches_server(connect_raw, server):
    conn = connect_raw(server.host, server.port, Codec(terminator="\r"))
    assert conn.login("kiosk", "nope").fixed == "0"
    assert conn.login().fixed == "1"


@pytest.fixture
def certificate(tmp_path) -> tuple[str, str]:
    """A throw-away self-signed certificate for localhost, made with the openssl tool."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl command not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=20,
    )  # fmt: skip
    return str(cert), str(key)


def test_tls_with_a_trusted_certificate(today, certificate):
    cert, key = certificate
    with start_server(today=today, tls_cert=cert, tls_key=key) as handle:
        library = Sip2Library(
            "localhost", handle.port, "kiosk", "kiosk", "MA", tls=True, tls_ca=cert, timeout=5.0
        )
        try:
            assert library.lookup_patron(seed.DEMO_PATRON_ID).name == "김민수"
            assert library.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]).ok
            assert library.client.connects == 1
        finally:
            library.close()


def test_tls_refuses_an_untrusted_certificate(today, certificate):
    cert, key = certificate
    with start_server(today=today, tls_cert=cert, tls_key=key) as handle:
        library = Sip2Library("localhost", handle.port, "kiosk", "kiosk", "MA", tls=True, timeout=5.0)
        try:
            with pytest.raises(LibraryUnavailable, match="not trusted"):
                library.lookup_patron(seed.DEMO_PATRON_ID)
            assert handle.received["93"] == 0
        finally:
            library.close()


def test_plain_client_against_tls_server_fails_typed(today, certificate):
    cert, key = certificate
    with start_server(today=today, tls_cert=cert, tls_key=key) as handle:
        library = Sip2Library("127.0.0.1", handle.port, "kiosk", "kiosk", "MA", timeout=2.0)
        try:
            with pytest.raises((LibraryUnavailable, LibraryTimeout)):
                library.lookup_patron(seed.DEMO_PATRON_ID)
        finally:
            library.close()
