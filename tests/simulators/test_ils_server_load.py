"""The embedded SIP2 server under load and over time: a burst of kiosks logging in at once is
answered in full, idle connections are closed cleanly, and nothing is left open afterwards."""

from __future__ import annotations

import datetime as dt
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import Codec, Message
from simulators.ils.server import ServerHandle, start_server
from tests import waiting
from tests.ils.conftest import RawSip2

pytestmark = pytest.mark.timeout(240)

TODAY = dt.date(2026, 3, 2)
KIOSKS = 200
# Hang guards only: what they bound takes milliseconds when the server is right.
GUARD_S = 60.0
CODEC = Codec()
LOGIN = Message("93", "00", (("CN", "kiosk"), ("CO", "kiosk"), ("CP", "LOAD")))
STATUS = Message("99", "0" + "080" + "2.00")


def wait_for(condition: Callable[[], bool], seconds: float = GUARD_S) -> bool:
    return waiting.wait_for(condition, seconds)


def somaxconn() -> int | None:
    """The kernel's cap on any listen backlog (None where /proc is not there)."""
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except OSError:
        return None


def open_fds() -> int | None:
    """File descriptors this process holds (None where /proc is not there)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


class Kiosk(RawSip2):
    """A bare SIP2 connection: one request, one answer."""

    @classmethod
    def connect(cls, server: ServerHandle, timeout: float = 10.0) -> Kiosk:
        return cls(server.host, server.port, timeout=timeout)

    def ask(self, message: Message) -> Message:
        self.send(message)
        frame = self.read_frame()
        assert frame, f"the server closed the connection instead of answering {message.code}"
        return self.codec.decode(frame)

    def read_frame(self) -> bytes:
        """One message's bytes, or b"" at a clean end of stream."""
        return self.read_bytes()


@pytest.mark.skipif(
    (somaxconn() or KIOSKS) < KIOSKS, reason="net.core.somaxconn caps every backlog below the burst"
)
def test_two_hundred_kiosks_logging_in_at_once_are_all_answered(monkeypatch):
    """Every kiosk connects before the server accepts any (as when a busy accept loop falls
    behind a burst), then logs in and asks status. The connections must wait in the listen
    backlog: with socketserver's default of 5, Linux drops the SYNs beyond it and those kiosks
    cannot connect until the server accepts again, so they never all connect first."""
    with start_server(today=TODAY) as server:
        gate = threading.Event()
        accept = server._server.get_request

        def accept_after_gate() -> tuple[socket.socket, tuple[str, int]]:
            gate.wait(GUARD_S)
            return accept()

        monkeypatch.setattr(server._server, "get_request", accept_after_gate)
        threads_before, fds_before = threading.active_count(), open_fds()
        start = threading.Barrier(KIOSKS)
        connected = threading.Condition()
        connections = 0
        answers: list[tuple[Message, Message] | Exception | None] = [None] * KIOSKS

        def kiosk(index: int) -> None:
            nonlocal connections
            try:
                start.wait(GUARD_S)
                conn = Kiosk.connect(server, timeout=GUARD_S)
            except (OSError, threading.BrokenBarrierError) as exc:
                answers[index] = exc
                return
            try:
                with connected:
                    connections += 1
                    connected.notify_all()
                gate.wait(GUARD_S)
                answers[index] = (conn.ask(LOGIN), conn.ask(STATUS))
            except (OSError, AssertionError) as exc:
                answers[index] = exc
            finally:
                conn.close()

        kiosks = [threading.Thread(target=kiosk, args=(i,), name=f"kiosk-{i}") for i in range(KIOSKS)]
        try:
            for thread in kiosks:
                thread.start()
            with connected:
                connected.wait_for(lambda: connections == KIOSKS, timeout=GUARD_S)
                connected_before_serving = connections
        finally:
            gate.set()
            for thread in kiosks:
                thread.join(GUARD_S)

        assert connected_before_serving == KIOSKS, (
            f"only {connected_before_serving} of {KIOSKS} kiosks could connect while the server was "
            "accepting none: the listen backlog is too small for a burst"
        )
        answered = [a for a in answers if isinstance(a, tuple)]
        failures = [a for a in answers if not isinstance(a, tuple)]
        assert not failures, f"{len(failures)} of {KIOSKS} kiosks not answered, e.g. {failures[:3]}"
        for login, status in answered:
            assert (login.code, login.fixed) == ("94", "1")
            assert status.code == "98" and status.flag(0) == "Y"
        assert server.received["93"] == KIOSKS and server.received["99"] == KIOSKS

        # Every session ends with its kiosk: no session, thread or socket is left behind.
        assert wait_for(lambda: server.open_sessions == 0), f"{server.open_sessions} sessions still open"
        assert wait_for(lambda: threading.active_count() <= threads_before), [
            t.name for t in threading.enumerate()
        ]
        if fds_before is not None:
            assert wait_for(lambda: (open_fds() or 0) <= fds_before), f"{open_fds()} fds, {fds_before} before"


def test_an_idle_connection_is_closed_cleanly_and_a_talking_one_is_kept():
    idle_timeout_s = 0.5
    with start_server(today=TODAY, idle_timeout_s=idle_timeout_s) as server:
        idle, talker = Kiosk.connect(server), Kiosk.connect(server)
        try:
            assert idle.ask(LOGIN).fixed == "1" and talker.ask(LOGIN).fixed == "1"
            statuses, closed_at = 0, None
            # The talker asks status ten times per idle timeout, until it has outlived the idle
            # kiosk's session by two idle timeouts.
            while closed_at is None or statuses < closed_at + 20:
                assert talker.ask(STATUS).code == "98"
                statuses += 1
                if closed_at is None and select.select([idle.sock], [], [], 0)[0]:
                    # A clean end of stream (no reset, no stray bytes): the kiosk logs in again.
                    assert idle.read_frame() == b""
                    closed_at = statuses
                assert statuses < 300, "the idle connection was never closed"
                time.sleep(idle_timeout_s / 10)
            assert server.open_sessions == 1
            assert talker.ask(STATUS).code == "98"
        finally:
            idle.close()
            talker.close()


@pytest.mark.parametrize("idle_timeout_s", [0, None])
def test_no_idle_timeout_keeps_a_silent_connection(idle_timeout_s):
    with start_server(today=TODAY, idle_timeout_s=idle_timeout_s) as server:
        conn = Kiosk.connect(server)
        try:
            assert conn.ask(LOGIN).fixed == "1"
            time.sleep(0.5)
            assert conn.ask(STATUS).code == "98"
        finally:
            conn.close()


def test_idle_timeout_must_not_be_negative():
    with pytest.raises(ValueError, match="idle_timeout_s"):
        start_server(today=TODAY, idle_timeout_s=-1)


def test_the_kiosk_client_logs_in_again_after_an_idle_close():
    with start_server(today=TODAY, idle_timeout_s=0.3) as server:
        client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk", timeout=10.0)
        try:
            client.connect()
            assert wait_for(lambda: server.open_sessions == 0)
            assert client.request(STATUS, idempotent=True).code == "98"
            assert client.connects == 2 and server.received["93"] == 2
        finally:
            client.close()


def test_kiosk_sim_ils_takes_the_idle_timeout_from_the_command_line():
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sim", "ils", "--port", "0", "--idle-timeout", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("SIP2 server on "), line
        host, _, port = line.split()[3].rpartition(":")
        conn = Kiosk(host, int(port), timeout=GUARD_S)
        try:
            assert conn.ask(LOGIN).fixed == "1"
            assert conn.read_frame() == b""  # closed once idle
        finally:
            conn.close()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(GUARD_S) == 0


def test_kiosk_sim_ils_refuses_a_negative_idle_timeout():
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "sim", "ils", "--idle-timeout", "-1"],
        capture_output=True,
        text=True,
        timeout=GUARD_S,
    )
    assert result.returncode == 2 and "--idle-timeout" in result.stderr
