"""The virtual printer's side of the line: a pty (as a USB-serial printer appears) or a TCP
port 9100 (a network printer), each able to drop the connection on demand."""

from __future__ import annotations

import errno
import os
import select
import socket
import tty

_POLL = 0.05  # seconds; how promptly a blocked read notices close()


class PtyLink:
    def __init__(self) -> None:
        self._open()

    def _open(self) -> None:
        self.master, self.slave = os.openpty()
        # Raw on our side too: no echo, no CR/LF translation of the byte stream.
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.url = os.ttyname(self.slave)

    def read(self, n: int, timeout: float) -> bytes:
        master = self.master
        try:
            ready, _, _ = select.select([master], [], [], timeout)
        except (OSError, ValueError):
            return b""  # drop() closed the fd under us: the next call uses the new one
        if not ready:
            return b""
        try:
            return os.read(master, n)
        except BlockingIOError:
            return b""
        except OSError as e:  # EIO while no one holds the slave open; EBADF after drop()
            if e.errno not in (errno.EIO, errno.EBADF):
                raise
            return b""

    def write(self, data: bytes) -> None:
        try:
            os.write(self.master, data)
        except OSError:
            pass  # nobody reading: a reply on an unplugged cable is lost too

    def close(self) -> None:
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def drop(self) -> None:
        """Unplug: the kiosk's open port sees a hang-up; a new pty (new path) takes its place."""
        self.close()
        self._open()


class TcpLink:
    """One client at a time, like a printer's port 9100; a new client replaces the old."""

    def __init__(self, host: str, port: int) -> None:
        self.listener = socket.create_server((host, port))
        self.listener.setblocking(False)
        self.client: socket.socket | None = None
        h, p = self.listener.getsockname()[:2]
        self.url = f"socket://{h}:{p}"

    def read(self, n: int, timeout: float) -> bytes:
        socks = [self.listener] + ([self.client] if self.client else [])
        ready, _, _ = select.select(socks, [], [], timeout)
        if self.listener in ready:
            conn, _ = self.listener.accept()
            conn.setblocking(True)
            self._drop_client()
            self.client = conn
            return b""
        if self.client is None or self.client not in ready:
            return b""
        try:
            data = self.client.recv(n)
        except OSError:
            data = b""
        if not data:
            self._drop_client()
        return data

    def write(self, data: bytes) -> None:
        if self.client is not None:
            try:
                self.client.sendall(data)
            except OSError:
                self._drop_client()

    def _drop_client(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def drop(self) -> None:
        """Unplug: the connected client is cut off; the next one is accepted as usual."""
        self._drop_client()

    def close(self) -> None:
        self._drop_client()
        self.listener.close()
