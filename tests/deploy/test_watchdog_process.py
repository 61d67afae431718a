"""`kiosk run` under a stand-in service manager: the test binds the notification socket, starts
the kiosk headless with NOTIFY_SOCKET and WATCHDOG_USEC set, and reads what it says: READY=1
with the first screen, WATCHDOG=1 while the Qt main thread turns, none while that thread is
frozen (the process still alive: systemd would kill and restart it), again once it thaws, and
STOPPING=1 on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = Path(__file__).with_name("freezable_kiosk.py")
WATCHDOG_USEC = 1_000_000  # a ping every 0.5 s
# How long a frozen kiosk is watched for pings: several intervals.
FROZEN_WATCH_S = 2.5


class ServiceManager:
    """The notification socket's end a service manager holds: an abstract unix datagram socket."""

    def __init__(self) -> None:
        self.name = f"chaekieum-test-{os.getpid()}-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(b"\0" + self.name.encode())
        self.messages: list[str] = []

    def receive(self, timeout: float) -> str | None:
        self.sock.settimeout(timeout)
        try:
            message = self.sock.recv(4096).decode()
        except (TimeoutError, BlockingIOError):
            return None
        self.messages.append(message)
        return message

    def wait_for(self, line: str, kiosk: subprocess.Popen[bytes], timeout: float = 60) -> None:
        """Until a datagram holding `line` arrives; fails if the kiosk exits or it never comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(0.2)
            if message is not None and line in message.splitlines():
                return
            assert kiosk.poll() is None or message is not None, f"the kiosk exited ({kiosk.returncode})"
        raise AssertionError(f"no {line} within {timeout} s; got {self.messages[-10:]}")

    def drain(self) -> list[str]:
        got = []
        while (message := self.receive(0)) is not None:
            got.append(message)
        return got

    def close(self) -> None:
        self.sock.close()


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "[library]\n"
        "port = 0\n"
        f'db = "{tmp_path / "ils.sqlite"}"\n'
        f'journal = "{tmp_path / "journal.sqlite"}"\n'
        "[printer]\n"
        f'sim_out = "{tmp_path / "receipts"}"\n'
        "sim_baud = 0\n",
        encoding="utf-8",
    )
    return config


def test_the_watchdog_is_fed_from_the_ui_thread_and_stops_when_it_freezes(tmp_path):
    manager = ServiceManager()
    frozen, thaw = tmp_path / "frozen", tmp_path / "thaw"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "WATCHDOG_PID")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        NOTIFY_SOCKET="@" + manager.name,
        WATCHDOG_USEC=str(WATCHDOG_USEC),
        KIOSK_TEST_FROZEN_MARK=str(frozen),
        KIOSK_TEST_THAW_MARK=str(thaw),
    )
    log = (tmp_path / "kiosk.log").open("wb")
    kiosk = subprocess.Popen(
        [sys.executable, str(WRAPPER), "run", "--config", str(_config(tmp_path))],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        manager.wait_for("READY=1", kiosk)
        assert any(m.startswith("READY=1\nSTATUS=serving patrons: screen ") for m in manager.messages)
        for _ in range(2):
            manager.wait_for("WATCHDOG=1", kiosk, timeout=30)

        kiosk.send_signal(signal.SIGUSR1)  # the main thread stops in the handler
        deadline = time.monotonic() + 30
        while not frozen.exists():
            assert time.monotonic() < deadline, "the main thread never ran the freezing handler"
            time.sleep(0.05)
        manager.drain()  # pings sent before the freeze
        during: list[str] = []
        watch_until = time.monotonic() + FROZEN_WATCH_S
        while time.monotonic() < watch_until:
            message = manager.receive(0.1)
            if message is not None:
                during.append(message)
        assert "WATCHDOG=1" not in during, "pings went on while the UI thread was frozen"
        assert kiosk.poll() is None  # alive, but silent: systemd would restart it

        thaw.touch()
        manager.wait_for("WATCHDOG=1", kiosk, timeout=30)

        kiosk.send_signal(signal.SIGTERM)
        manager.wait_for("STOPPING=1", kiosk, timeout=30)
        assert kiosk.wait(timeout=60) == 0
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        log.close()
        manager.close()
    output = (tmp_path / "kiosk.log").read_text(errors="replace")
    assert "Traceback" not in output, output[-3000:]
