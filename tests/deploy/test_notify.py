"""The service manager's notification protocol: addresses, the watchdog interval, datagrams
sent to a real unix socket, and the Qt timer that feeds the watchdog from the main thread."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.notify import Notifier, socket_address, status_line, watchdog_interval_s


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(5)
    yield sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on the socket, without blocking."""
    got = []
    sock.setblocking(False)
    try:
        while True:
            got.append(sock.recv(4096).decode())
    except BlockingIOError:
        return got
    finally:
        sock.settimeout(5)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("/run/systemd/notify", "/run/systemd/notify"),
        ("@/org/freedesktop/systemd1/notify/123", b"\0/org/freedesktop/systemd1/notify/123"),
        ("", None),
        ("@", None),
        ("notify", None),
        ("vsock:2:1234", None),
    ],
)
def test_socket_address_is_a_path_or_an_abstract_name(value, address):
    assert socket_address(value) == address


@pytest.mark.parametrize(
    ("usec", "interval"),
    [("30000000", 15.0), ("1000000", 0.5), (" 2000000\n", 1.0), ("0", None), ("-5", None), ("", None),
     ("abc", None), ("٣٠٠٠٠٠٠", None), ("1e6", None)],
)  # fmt: skip
def test_watchdog_interval_is_half_of_watchdog_usec(usec, interval):
    assert watchdog_interval_s({"WATCHDOG_USEC": usec}) == interval


def test_no_watchdog_without_watchdog_usec():
    assert watchdog_interval_s({}) is None


def test_a_status_line_stays_one_line():
    assert status_line("screen\nborrow\r\nREADY=1") == "STATUS=screen borrow READY=1"
    assert len(status_line("x" * 1000)) == len("STATUS=") + 200


def test_no_notifier_without_a_socket():
    assert Notifier.from_environment({}) is None
    assert Notifier.from_environment({"NOTIFY_SOCKET": "relative/path"}) is None


def test_notifications_arrive_as_datagrams_at_a_path(tmp_path, listener):
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "notify")})
    assert notifier is not None
    try:
        assert notifier.ready("serving\npatrons")
        assert notifier.watchdog()
        assert notifier.status("screen borrow")
        assert notifier.stopping()
    finally:
        notifier.close()
    assert received(listener) == [
        "READY=1\nSTATUS=serving patrons",
        "WATCHDOG=1",
        "STATUS=screen borrow",
        "STOPPING=1",
    ]
    assert notifier.sent == 4
    assert not notifier.watchdog()  # closed: nothing more is sent


def test_notifications_reach_an_abstract_socket():
    name = f"chaekieum-test-{os.getpid()}-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(5)
        notifier = Notifier.from_environment({"NOTIFY_SOCKET": "@" + name})
        assert notifier is not None
        try:
            assert notifier.watchdog()
        finally:
            notifier.close()
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_a_missing_service_manager_is_logged_once_and_never_raised(tmp_path, caplog):
    notifier = Notifier(str(tmp_path / "nobody-listens"))
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.notify"):
            assert not notifier.watchdog()
            assert not notifier.watchdog()
    finally:
        notifier.close()
    assert len([r for r in caplog.records if "cannot notify" in r.getMessage()]) == 1
    assert notifier.sent == 0


def test_the_ui_watchdog_pings_from_a_qt_timer(qtbot, tmp_path, listener):
    from kiosk.ui.watchdog import UiWatchdog

    watchdog = UiWatchdog(Notifier(str(tmp_path / "notify")), interval_s=0.01)
    try:
        qtbot.waitUntil(lambda: watchdog.pings >= 3, timeout=10_000)
        watchdog.screen_shown("idle")
        watchdog.screen_shown("idle")
        watchdog.screen_shown("borrow")
        watchdog.stopping()
        pings = watchdog.pings
        qtbot.wait(50)
        assert watchdog.pings == pings  # stopped with STOPPING=1
    finally:
        watchdog.deleteLater()
    got = received(listener)
    assert got.count("WATCHDOG=1") == pings
    others = [m for m in got if m != "WATCHDOG=1"]
    assert others == [
        "READY=1\nSTATUS=serving patrons: screen idle",
        "STATUS=serving patrons: screen borrow",
        "STOPPING=1\nSTATUS=stopping",
    ]


def test_no_pings_when_the_service_has_no_watchdog(qtbot, tmp_path, listener):
    from kiosk.ui.watchdog import UiWatchdog

    watchdog = UiWatchdog(Notifier(str(tmp_path / "notify")), interval_s=None)
    try:
        qtbot.wait(50)
        watchdog.screen_shown("idle")
    finally:
        watchdog.stopping()
        watchdog.deleteLater()
    assert watchdog.pings == 0
    assert received(listener) == [
        "READY=1\nSTATUS=serving patrons: screen idle",
        "STOPPING=1\nSTATUS=stopping",
    ]
