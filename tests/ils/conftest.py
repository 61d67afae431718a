"""Fixtures for the library link: the embedded SIP2 server on a free port, and clients of it."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest

from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.codec import Codec, Message
from simulators.ils.server import ServerHandle, start_server

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with start_server(today=TODAY) as handle:
        yield handle


@pytest.fixture
def library(server: ServerHandle) -> Iterator[Sip2Library]:
    lib = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", location_code="KIOSK1", timeout=5.0)
    yield lib
    lib.close()


class RawSip2:
    """A bare SIP2 connection for tests that must send what our client never would."""

    def __init__(self, host: str, port: int, codec: Codec | None = None, timeout: float = 5.0) -> None:
        self.codec = codec or Codec()
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, message: Message) -> None:
        self.send_bytes(self.codec.encode(message))

    def read_bytes(self) -> bytes:
        """One message's bytes, or b"" when the server closed the connection."""
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                return b""
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(b"\r")
        self.buffer = self.buffer.lstrip(b"\n")
        return frame

    def read(self) -> Message:
        return self.codec.decode(self.read_bytes())

    def login(self, login_id: str = "kiosk", password: str = "kiosk") -> Message:
        self.send(Message("93", "00", (("CN", login_id), ("CO", password), ("CP", "TEST"))))
        return self.read()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(server: ServerHandle) -> Iterator[RawSip2]:
    conn = RawSip2(server.host, server.port)
    yield conn
    conn.close()


@pytest.fixture
def connect_raw() -> Iterator[type[RawSip2]]:
    """Open RawSip2 connections to any server; all are closed after the test."""
    opened: list[RawSip2] = []

    class Tracked(RawSip2):
        def __init__(self, host: str, port: int, codec: Codec | None = None) -> None:
            super().__init__(host, port, codec)
            opened.append(self)

    yield Tracked
    for conn in opened:
        conn.close()
