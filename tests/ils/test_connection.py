"""The link itself: heartbeat at the announced interval, reconnect with back-off, TLS client
certificates, and every message's fixed fields both directions."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading

import pytest

from kiosk.core.errors import LibraryUnavailable, LibraryUnreachable
from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.codec import FIXED_LENGTHS, Codec, MalformedMessage
from kiosk.ils.sip2.layout import (
    LAYOUTS,
    SUPPORTED_ORDER,
    build,
    bx_field,
    parse_fixed,
    patron_flags,
    patron_status,
    supported_messages,
)
from simulators.ils import seed
from simulators.ils.server import start_server
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)


def test_every_message_has_a_layout_and_round_trips():
    codec = Codec()
    assert set(LAYOUTS) == set(FIXED_LENGTHS)
    for code, layout in LAYOUTS.items():
        values = {
            name: ("Y" * width if width < 4 else str(width).rjust(width, "0")) for name, width in layout
        }
        message = build(code, (("AO", "MA"), ("ZZ", "kept")), **values)
        decoded = codec.decode(codec.encode(message.with_sequence(1)))
        assert decoded == message.with_sequence(1) and parse_fixed(decoded) == values


def test_layout_builders_refuse_wrong_fields():
    with pytest.raises(MalformedMessage, match="no fixed field"):
        build("11", no_such="Y")
    with pytest.raises(MalformedMessage, match="needs 1"):
        build("11", no_block="YN")
    flags = patron_status(card_lost=True, excessive_fees=True)
    assert len(flags) == 14 and patron_flags(flags) == {"card_lost", "excessive_fees"}
    assert supported_messages(bx_field({"11", "65"})) == {"11", "65"} and len(SUPPORTED_ORDER) == 16


def test_server_announces_what_it_supports(library):
    library.connect()
    status = library.client.acs_status
    assert status is not None
    assert supported_messages(status.get("BX")) >= {
        "23",
        "11",
        "09",
        "63",
        "17",
        "15",
        "29",
        "65",
        "37",
        "35",
    }


def test_heartbeat_at_the_interval_the_server_announces(today):
    earlier = {t for t in threading.enumerate() if t.name == "sip2-heartbeat"}
    with start_server(today=today, heartbeat_s=0.2) as server:
        changes: list[bool] = []
        library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=2.0, heartbeat=True,
                              on_link=lambda up, _detail: changes.append(up))  # fmt: skip
        try:
            library.connect()
            assert library.client.heartbeat_interval == pytest.approx(0.2)
            assert wait_for(lambda: library.client.heartbeats >= 3)
            assert server.received["93"] == 1  # one connection kept alive
            # The server goes away: the heartbeat notices and reconnects when it can.
            server.drop_connections()
            assert wait_for(lambda: server.received["93"] >= 2)
            assert wait_for(lambda: changes[-1:] == [True])
        finally:
            library.close()
        # Its own heartbeat ends with it (another test's leftovers are not this test's business).
        assert not [t for t in threading.enumerate() if t.name == "sip2-heartbeat" and t not in earlier]


def test_heartbeat_reports_a_dead_link(today):
    server = start_server(today=today, heartbeat_s=0.1)
    changes: list[tuple[bool, str]] = []
    library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=1.0, heartbeat=True,
                          on_link=lambda up, detail: changes.append((up, detail)))  # fmt: skip
    try:
        library.connect()
        server.stop()
        assert wait_for(lambda: any(not up for up, _ in changes))
        down = next(detail for up, detail in changes if not up)
        assert "SIP2 server 127.0.0.1" in down  # says what to check
    finally:
        library.close()
        server.stop()


def test_reconnect_backs_off_after_a_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    library = Sip2Library("127.0.0.1", port, "kiosk", "kiosk", "MA", timeout=1.0)
    try:
        with pytest.raises(LibraryUnreachable, match="refused"):
            library.lookup_patron(seed.DEMO_PATRON_ID)
        # A patron waiting: tried again at once, so the link is back as soon as the library is.
        with pytest.raises(LibraryUnreachable, match="refused"):
            library.lookup_patron(seed.DEMO_PATRON_ID)
        # The heartbeat's reconnects keep to the back-off.
        with pytest.raises(LibraryUnavailable, match="next connection attempt in"):
            library.client._open(patient=True)
    finally:
        library.close()


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=20)


@pytest.fixture
def pki(tmp_path):
    """A CA, a server certificate for localhost and a kiosk (client) certificate, all signed by it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    d = tmp_path
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        f"{d}/ca.key",
        "-out",
        f"{d}/ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
    )
    for name, extra in (("server", "subjectAltName=DNS:localhost"), ("kiosk", "extendedKeyUsage=clientAuth")):
        _openssl("req", *ec, "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", f"/CN={name}")
        (d / f"{name}.ext").write_text(extra + "\n")
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{d}/{name}.csr",
            "-CA",
            f"{d}/ca.pem",
            "-CAkey",
            f"{d}/ca.key",
            "-CAcreateserial",
            "-out",
            f"{d}/{name}.pem",
            "-days",
            "2",
            "-extfile",
            f"{d}/{name}.ext",
        )
    return d


def test_tls_with_a_client_certificate(today, pki):
    with start_server(today=today, tls_cert=f"{pki}/server.pem", tls_key=f"{pki}/server.key",
                      tls_client_ca=f"{pki}/ca.pem") as server:  # fmt: skip
        good = Sip2Library("localhost", server.port, "kiosk", "kiosk", "MA", tls=True, tls_ca=f"{pki}/ca.pem",
                           timeout=3.0, tls_cert=f"{pki}/kiosk.pem", tls_key=f"{pki}/kiosk.key")  # fmt: skip
        bare = Sip2Library("localhost", server.port, "kiosk", "kiosk", "MA", tls=True, tls_ca=f"{pki}/ca.pem",
                           timeout=3.0)  # fmt: skip
        try:
            assert good.lookup_patron(seed.DEMO_PATRON_ID).name == "김민수"
            with pytest.raises(LibraryUnavailable):
                bare.lookup_patron(seed.DEMO_PATRON_ID)
            assert server.received["93"] == 1
        finally:
            good.close()
            bare.close()


def test_missing_client_certificate_file_says_what_to_check(server, pki):
    library = Sip2Library(
        server.host, server.port, "kiosk", "kiosk", "MA", tls=True, tls_cert=f"{pki}/nope.pem"
    )
    with pytest.raises(LibraryUnavailable, match="check tls_ca, tls_cert and tls_key"):
        library.lookup_patron(seed.DEMO_PATRON_ID)
    library.close()
