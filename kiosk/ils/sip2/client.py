"""SIP2 client: one TCP (optionally TLS) connection, logged in, one request at a time."""

from __future__ import annotations

import datetime as dt
import logging
import select
import socket
import ssl
import threading
import time

from kiosk.core.errors import (
    LibraryError,
    LibraryProtocolError,
    LibraryTimeout,
    LibraryUnavailable,
    LoginRejected,
)
from kiosk.ils.sip2.codec import (
    ChecksumError,
    Codec,
    MalformedMessage,
    Message,
    response_code,
    sip_datetime,
)

log = logging.getLogger(__name__)

# A reply longer than this is not SIP2; stop reading rather than fill memory.
MAX_MESSAGE_BYTES = 64 * 1024


class Sip2Client:
    """Talks SIP2 to one server. Logs in (93) and asks status (99) on connect; reconnects
    and logs in again when the connection was dropped. Thread-safe: one request at a time.
    Raises LibraryUnavailable, LibraryTimeout, LibraryProtocolError or LoginRejected."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        login_id: str,
        password: str,
        location_code: str = "",
        terminator: str = "\r",
        encoding: str = "utf-8",
        delimiter: str = "|",
        tls: bool = False,
        tls_ca: str | None = None,
        timeout: float = 10.0,
        checksums: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.login_id = login_id
        self._password = password
        self.location_code = location_code
        self.tls = tls
        self.tls_ca = tls_ca
        self.timeout = timeout
        self.codec = Codec(encoding=encoding, delimiter=delimiter, terminator=terminator, checksums=checksums)
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._buffer = bytearray()
        self._sequence = -1
        self.acs_status: Message | None = None
        self.connects = 0

    def __repr__(self) -> str:
        return f"Sip2Client({self.host}:{self.port}, login_id={self.login_id!r})"

    @property
    def where(self) -> str:
        return f"SIP2 server {self.host}:{self.port}"

    # -- public API -------------------------------------------------------------------

    def connect(self) -> Message:
        """Connect and log in now (rather than on the first request); the 98 status reply."""
        with self._lock:
            self._ensure_connected()
            assert self.acs_status is not None
            return self.acs_status

    def request(self, message: Message, *, idempotent: bool = False) -> Message:
        """Send `message` and return the server's answer to it. An `idempotent` request
        (a lookup) is sent once more after a reconnect if the connection drops under it;
        a checkout never is, since it may already have been carried out."""
        with self._lock:
            self._ensure_connected()
            try:
                return self._exchange(message)
            except LibraryUnavailable:
                if not idempotent:
                    raise
                log.info("%s dropped the connection; reconnecting once", self.where)
            self._ensure_connected()
            return self._exchange(message)

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- connection -------------------------------------------------------------------

    def _ensure_connected(self) -> None:
        if self._sock is not None and self._peer_closed(self._sock):
            log.info("%s closed the idle connection; logging in again", self.where)
            self._drop()
        if self._sock is None:
            self._open()

    @staticmethod
    def _peer_closed(sock: socket.socket) -> bool:
        """Whether an idle connection is unusable: closed by the server, or holding a stray
        reply we must not mistake for the next answer. A lone LF (the end of a CRLF) is fine."""
        while True:
            pending = sock.pending() if isinstance(sock, ssl.SSLSocket) else 0
            try:
                readable, _, _ = select.select([sock], [], [], 0)
            except (OSError, ValueError):
                return True
            if not readable and not pending:
                return False
            try:
                sock.settimeout(0.0)
                chunk = sock.recv(4096)
            except (BlockingIOError, ssl.SSLWantReadError):
                return False
            except OSError:
                return True
            if not chunk or chunk.strip(b"\r\n"):
                return True

    def _open(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except ConnectionRefusedError as exc:
            raise LibraryUnavailable(f"{self.where} refused the connection: is it running?") from exc
        except TimeoutError as exc:
            raise LibraryUnavailable(f"{self.where} did not accept a connection in time") from exc
        except OSError as exc:
            raise LibraryUnavailable(f"cannot reach {self.where}: {exc}") from exc
        if self.tls:
            sock = self._wrap_tls(sock)
        self._sock = sock
        self._buffer.clear()
        try:
            self._login()
            self.acs_status = self._exchange(Message("99", "0" + "080" + "2.00"), what="status (99)")
        except LibraryError:
            self._drop()
            raise
        self.connects += 1

    def _wrap_tls(self, sock: socket.socket) -> ssl.SSLSocket:
        try:
            context = ssl.create_default_context(cafile=self.tls_ca)
            return context.wrap_socket(sock, server_hostname=self.host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise LibraryUnavailable(
                f"{self.where}: TLS certificate not trusted ({exc.verify_message}); check tls_ca"
            ) from exc
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            raise LibraryUnavailable(f"{self.where}: TLS handshake failed: {exc}") from exc

    def _login(self) -> None:
        login = Message(
            "93",
            "00",
            (("CN", self.login_id), ("CO", self._password), ("CP", self.location_code)),
        )
        reply = self._exchange(login, what="login (93)")
        if reply.flag(0) != "1":
            raise LoginRejected(
                f"{self.where} refused SIP2 login id {self.login_id!r}: "
                "check login id and password in the server's SIP2 account"
            )

    def _drop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buffer.clear()

    # -- one exchange -----------------------------------------------------------------

    def _exchange(self, message: Message, what: str = "") -> Message:
        """Send, then read the answer; asks for a resend (97) once on a bad checksum and
        repeats the request once when the server asks (96). Any failure drops the
        connection: a late reply must never be read as the answer to the next request."""
        what = what or f"message {message.code}"
        self._sequence = (self._sequence + 1) % 10
        data = self.codec.encode(message.with_sequence(self._sequence))
        deadline = time.monotonic() + self.timeout
        log.debug("-> %s", message.redacted())
        try:
            self._send(data)
            return self._await_reply(message.code, data, deadline, what)
        except LibraryError:
            self._drop()
            raise

    def _await_reply(self, code: str, data: bytes, deadline: float, what: str) -> Message:
        expected = response_code(code)
        retried = False
        while True:
            frame = self._read_frame(deadline, what)
            try:
                reply = self.codec.decode(frame)
            except ChecksumError:
                if retried:
                    raise
                retried = True
                log.warning("%s sent a reply with a bad checksum; asking to resend", self.where)
                self._send(self.codec.encode(Message("97")))
                continue
            except MalformedMessage as exc:
                raise LibraryProtocolError(f"{self.where} answered {what} with: {exc}") from exc
            log.debug("<- %s", reply.redacted())
            if reply.code == "96" and not retried:
                retried = True
                log.warning("%s could not read %s; sending it again", self.where, what)
                self._send(data)
                continue
            if reply.code != expected:
                raise LibraryProtocolError(
                    f"{self.where} answered {what} with message {reply.code}, expected {expected}"
                )
            return reply

    def _send(self, data: bytes) -> None:
        assert self._sock is not None
        try:
            self._sock.settimeout(self.timeout)
            self._sock.sendall(data)
        except TimeoutError as exc:
            raise LibraryTimeout(f"{self.where} did not take our request in time") from exc
        except OSError as exc:
            raise LibraryUnavailable(f"lost the connection to {self.where}: {exc}") from exc

    def _read_frame(self, deadline: float, what: str) -> bytes:
        """One message from the stream; CR, LF and CRLF all end a message."""
        assert self._sock is not None
        while True:
            while self._buffer[:1] in (b"\r", b"\n"):
                del self._buffer[:1]
            end = _frame_end(self._buffer)
            if end >= 0:
                frame = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return frame
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                raise LibraryProtocolError(
                    f"{self.where} sent {len(self._buffer)} bytes without a message terminator"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LibraryTimeout(f"no answer from {self.where} to {what} within {self.timeout:g} s")
            try:
                self._sock.settimeout(remaining)
                chunk = self._sock.recv(4096)
            except TimeoutError as exc:
                raise LibraryTimeout(
                    f"no answer from {self.where} to {what} within {self.timeout:g} s"
                ) from exc
            except OSError as exc:
                raise LibraryUnavailable(f"lost the connection to {self.where}: {exc}") from exc
            if not chunk:
                raise LibraryUnavailable(f"{self.where} closed the connection")
            self._buffer += chunk


def _frame_end(buffer: bytearray) -> int:
    ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
    return min(ends) if ends else -1


def now_field() -> str:
    """The transaction date field for a request sent now."""
    return sip_datetime(dt.datetime.now())
