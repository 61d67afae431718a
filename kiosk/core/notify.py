"""The service manager's notification protocol (sd_notify): datagrams to $NOTIFY_SOCKET.

No dependency on libsystemd: the protocol is one datagram of newline-separated KEY=VALUE
lines to a unix socket, a path or (when the name starts with "@") an abstract one. Under
`cage` the process systemd starts is the compositor, not the kiosk, so the kiosk notifies as
a child (the unit's NotifyAccess=all) and does not insist that $WATCHDOG_PID is its own."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("kiosk.notify")

# A status line longer than this says nothing more to a technician reading `systemctl status`.
STATUS_MAX = 200


def socket_address(value: str) -> str | bytes | None:
    """The address in $NOTIFY_SOCKET: a path, or an abstract name ("@name" -> b"\\0name");
    None for what is no unix socket (empty, relative, or another family such as vsock:)."""
    if value.startswith("@") and len(value) > 1:
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between two WATCHDOG=1 pings: half of $WATCHDOG_USEC, as sd_watchdog_enabled(3)
    advises; None when the service has no watchdog (unset, not a positive integer)."""
    env = os.environ if environ is None else environ
    value = env.get("WATCHDOG_USEC", "").strip()
    if not value.isascii() or not value.isdigit() or int(value) <= 0:
        return None
    return int(value) / 1_000_000 / 2


def status_line(text: str) -> str:
    """One STATUS= line: no newline (it would start another assignment), bounded length."""
    flat = " ".join(text.split())
    return "STATUS=" + flat[:STATUS_MAX]


class Notifier:
    """Sends notifications to the service manager. A failed send is logged once and never
    raised: a kiosk whose supervisor went away still serves patrons."""

    def __init__(self, address: str | bytes) -> None:
        self.address = address
        self.sent = 0
        self._warned = False
        self._sock: socket.socket | None = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier | None:
        """A notifier for $NOTIFY_SOCKET, or None when the kiosk runs without a service manager."""
        env = os.environ if environ is None else environ
        address = socket_address(env.get("NOTIFY_SOCKET", ""))
        return None if address is None else cls(address)

    def send(self, *lines: str) -> bool:
        """One datagram holding these KEY=VALUE lines; False when it could not be sent."""
        if self._sock is None:
            return False
        payload = "\n".join(lines).encode("utf-8", "replace")
        try:
            self._sock.sendto(payload, self.address)
        except OSError as exc:
            if not self._warned:
                log.warning("cannot notify the service manager at %r: %s", self.address, exc)
                self._warned = True
            return False
        self.sent += 1
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([status_line(status)] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.send(status_line(text))

    def stopping(self, status: str = "") -> bool:
        return self.send("STOPPING=1", *([status_line(status)] if status else []))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
