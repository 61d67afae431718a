"""SIP2 client: one TCP (optionally TLS) connection, logged in, one request at a time, kept alive."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kiosk.core.errors import (
    LibraryError,
    LibraryProtocolError,
    LibraryTimeout,
    LibraryUnavailable,
    LibraryUnreachable,
    LoginRejected,
    LoginUnreadable,
)
from kiosk.ils.sip2.codec import (
    ChecksumError,
    Codec,
    MalformedMessage,
    Message,
    response_code,
    sip_datetime,
)
from kiosk.ils.sip2.sockets import peer_closed, wrap_tls

log = logging.getLogger(__name__)

# A reply longer than this is not SIP2; stop reading rather than fill memory.
MAX_MESSAGE_BYTES = 64 * 1024
# Heartbeat interval when the server announces no timeout period (98: 000 or 999).
DEFAULT_HEARTBEAT_S = 60.0
# The heartbeat's reconnect back-off after a failed connect: first wait, doubling up to the
# last. A request (a patron waiting) always tries at once, so the link is back as soon as
# the library answers again.
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 4.0

# The most a status sent at once (set_status_code(now=True): shutting down) may take.
STATUS_NOW_S = 2.0

# Called with (online, detail) when the link goes up or down.
LinkListener = Callable[[bool, str], None]
# Called with (message code, seconds) after each request the library answered.
RoundTripListener = Callable[[str, float], None]


class Sip2Client:
    """Talks SIP2 to one server. Logs in (93) and asks status (99) on connect; reconnects
    and logs in again when the connection was dropped. Thread-safe: one request at a time.
    Raises LibraryUnavailable, LibraryTimeout, LibraryProtocolError or LoginRejected.

    With `heartbeat` on, a thread sends status (99) whenever the link has been idle for the
    interval (`heartbeat_s`, or 0: the timeout period the server announces in its 98 reply),
    and reconnects with back-off after the link went down, telling `on_link`."""

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
        tls_cert: str | None = None,
        tls_key: str | None = None,
        retries: int = 1,
        heartbeat: bool = False,
        heartbeat_s: float = 0.0,
        on_link: LinkListener | None = None,
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
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        # How many times a lookup (never a checkout) is sent again after the link failed.
        self.retries = retries
        self.heartbeat_s = heartbeat_s
        self.on_link = on_link
        # Set by whoever measures the library's answer times (kiosk.metrics); None: not measured.
        self.on_round_trip: RoundTripListener | None = None
        self.online: bool | None = None
        self.heartbeats = 0
        # The SC status code every status (99) carries: 0 OK, 1 printer out of paper, 2 about
        # to shut down (staff alerts set it); a change goes with the heartbeat's next tick.
        self.status_code = "0"
        self._status_due = False
        self._last_activity = time.monotonic()
        self._failures = 0
        self._retry_at = 0.0
        self._stop = threading.Event()
        self._local = threading.local()  # .deadline: see bounded()
        self._heartbeat: threading.Thread | None = None
        if heartbeat:
            self._heartbeat = threading.Thread(target=self._beat, name="sip2-heartbeat", daemon=True)
            self._heartbeat.start()

    def __repr__(self) -> str:
        return f"Sip2Client({self.host}:{self.port}, login_id={self.login_id!r})"

    @property
    def watched(self) -> bool:
        """A heartbeat keeps `online` true to the link (without one it is the last request's word)."""
        return self._heartbeat is not None and self._heartbeat.is_alive()

    @property
    def where(self) -> str:
        return f"SIP2 server {self.host}:{self.port}"

    # -- public API -------------------------------------------------------------------

    def connect(self) -> Message:
        """Connect and log in now (rather than on the first request); the 98 status reply."""
        with self._lock:
            try:
                self._ensure_connected()
            except LibraryError as exc:
                self._set_online(False, str(exc))
                raise
            self._set_serving()
            assert self.acs_status is not None
            return self.acs_status

    @contextmanager
    def bounded(self, seconds: float) -> Iterator[None]:
        """Requests made by this thread inside the block, connecting included, all end within
        `seconds` from now (LibraryTimeout past it)."""
        outer = getattr(self._local, "deadline", None)
        deadline = time.monotonic() + seconds
        self._local.deadline = deadline if outer is None else min(outer, deadline)
        try:
            yield
        finally:
            self._local.deadline = outer

    def _time_left(self, wanted: float | None = None) -> float:
        """The wait allowed for the next step: `wanted` (default the timeout), cut to what is
        left of a bounded() block."""
        wait = self.timeout if wanted is None else wanted
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return wait
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise LibraryTimeout(f"{self.where}: the time allowed to ask was used up")
        return min(wait, left)

    def request(self, message: Message, *, idempotent: bool = False, timeout: float | None = None) -> Message:
        """Send `message` and return the server's answer to it. An `idempotent` request
        (a lookup) is sent again (`retries` times) after a reconnect if the link fails under
        it; a checkout never is, since it may already have been carried out: the caller
        finds out what happened first (kiosk.ils.recovery). LibraryUnreachable means no
        connection could be made, so nothing was sent."""
        attempts = 1 + (self.retries if idempotent else 0)
        with self._lock:
            for attempt in range(attempts):
                try:
                    self._ensure_connected(patient=False)
                except (LibraryUnavailable, LibraryTimeout) as exc:
                    self._set_online(False, str(exc))
                    raise LibraryUnreachable(str(exc)) from exc
                except LibraryProtocolError as exc:
                    self._set_online(False, str(exc))
                    raise LoginUnreadable(str(exc)) from exc
                except LibraryError as exc:  # LoginRejected: nothing was sent either
                    self._set_online(False, str(exc))
                    raise
                try:
                    sent = time.monotonic()
                    reply = self._exchange(message, timeout=timeout)  # cut to a bounded() deadline there
                    self._round_trip(message.code, time.monotonic() - sent)
                    self._set_serving()
                    return reply
                except (LibraryUnavailable, LibraryTimeout) as exc:
                    self._set_online(False, str(exc))
                    if attempt + 1 >= attempts:
                        raise
                    log.info("%s failed under a lookup (%s); trying again", self.where, type(exc).__name__)
        raise AssertionError("unreachable")  # pragma: no cover

    def _round_trip(self, code: str, seconds: float) -> None:
        # A listener's fault must never turn an answered request (a loan made) into a failed one.
        if self.on_round_trip is None:
            return
        try:
            self.on_round_trip(code, seconds)
        except Exception:
            log.exception("round-trip listener failed")

    @property
    def heartbeat_interval(self) -> float:
        """Seconds of idle link between two status (99) messages."""
        if self.heartbeat_s > 0:
            return self.heartbeat_s
        announced = self.acs_status.fixed[6:9] if self.acs_status is not None else ""
        if announced.isascii() and announced.isdigit() and announced not in ("000", "999"):
            return int(announced) / 10  # tenths of a second
        return DEFAULT_HEARTBEAT_S

    def close(self) -> None:
        self._stop.set()
        if self._heartbeat is not None and self._heartbeat is not threading.current_thread():
            self._heartbeat.join(timeout=self.timeout + 1)
        with self._lock:
            self._drop()

    # -- heartbeat and reconnection ---------------------------------------------------

    def _beat(self) -> None:
        while not self._stop.wait(max(0.02, min(1.0, self.heartbeat_interval / 4))):
            # A request in progress is a heartbeat of its own: never queue behind it.
            if not self._lock.acquire(blocking=False):
                continue
            try:
                if self._stop.is_set():
                    return
                if self._sock is None:
                    if self.connects and time.monotonic() >= self._retry_at:
                        self._ensure_connected()
                        self._set_serving()
                elif self._status_due or time.monotonic() - self._last_activity >= self.heartbeat_interval:
                    self.acs_status = self._exchange(self._status(), what="status (99)")
                    self.heartbeats += 1
                    self._set_serving()
            except LibraryError as exc:
                self._set_online(False, str(exc))
            finally:
                self._lock.release()

    def set_status_code(self, code: str, now: bool = False) -> None:
        """The status code the next status (99) carries: "0" OK, "1" out of paper, "2" about to
        shut down. Sent with the heartbeat's next tick, or by the next connect; with `now`, at
        once on a link that is up, all within STATUS_NOW_S."""
        if code not in ("0", "1", "2"):
            raise ValueError(f"SIP2 status code must be 0, 1 or 2, not {code!r}")
        self.status_code, self._status_due = code, True
        # Shutting down: a library that does not answer at once is not waited for long.
        if now and self._sock is not None and self._lock.acquire(timeout=min(self.timeout, STATUS_NOW_S)):
            try:
                if self._sock is not None:
                    with self.bounded(STATUS_NOW_S):
                        self.acs_status = self._exchange(self._status(), what="status (99)")
            except LibraryError as exc:
                log.warning("%s: status %s not sent: %s", self.where, code, exc)
            finally:
                self._lock.release()

    def _status(self) -> Message:
        self._status_due = False
        return Message("99", self.status_code + "080" + "2.00")

    def _set_serving(self) -> None:
        """Connected: up when the library's last status says it lends and takes returns."""
        problem = not_serving(self.acs_status)
        self._set_online(not problem, problem)

    def _set_online(self, online: bool, detail: str) -> None:
        if online == self.online:
            return
        self.online = online
        if online:
            log.info("%s link is up", self.where)
        else:
            log.warning("%s link is down: %s", self.where, detail)
        if self.on_link is not None:
            try:
                self.on_link(online, detail)
            except Exception:
                log.exception("link listener failed")

    # -- connection -------------------------------------------------------------------

    def _ensure_connected(self, patient: bool = True) -> None:
        if self._sock is not None and peer_closed(self._sock):
            log.info("%s closed the idle connection; logging in again", self.where)
            self._drop()
        if self._sock is None:
            self._open(patient)

    def _open(self, patient: bool = True) -> None:
        """Connect and log in. `patient` (the heartbeat, start-up) keeps to the back-off
        after failures; a request tries at once."""
        wait = self._retry_at - time.monotonic()
        if patient and wait > 0 and self._failures:
            raise LibraryUnavailable(f"{self.where} was unreachable; next connection attempt in {wait:.1f} s")
        try:
            self._connect()
        except LibraryError:
            self._failures += 1
            backoff = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (self._failures - 1))
            self._retry_at = time.monotonic() + backoff
            raise
        self._failures = 0
        self._retry_at = 0.0

    def _connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self._time_left())
        except ConnectionRefusedError as exc:
            raise LibraryUnavailable(f"{self.where} refused the connection: is it running?") from exc
        except TimeoutError as exc:
            raise LibraryUnavailable(f"{self.where} did not accept a connection in time") from exc
        except OSError as exc:
            raise LibraryUnavailable(f"cannot reach {self.where}: {exc}") from exc
        if self.tls:
            sock = wrap_tls(sock, self.host, self.where, self.tls_ca, self.tls_cert, self.tls_key)
        self._sock = sock
        self._buffer.clear()
        try:
            self._login()
            self.acs_status = self._exchange(self._status(), what="status (99)")
        except LibraryError:
            self._drop()
            raise
        self.connects += 1

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

    def _exchange(self, message: Message, what: str = "", timeout: float | None = None) -> Message:
        """Send, then read the answer; asks for a resend (97) once on a bad checksum and
        repeats the request once when the server asks (96). Any failure drops the
        connection: a late reply must never be read as the answer to the next request."""
        what = what or f"message {message.code}"
        self._sequence = (self._sequence + 1) % 10
        data = self.codec.encode(message.with_sequence(self._sequence))
        wait = self._time_left(timeout)
        deadline = time.monotonic() + wait
        log.debug("-> %s", message.redacted())
        try:
            self._send(data)
            return self._await_reply(message.code, data, deadline, what, wait)
        except LibraryError:
            self._drop()
            raise
        finally:
            self._last_activity = time.monotonic()

    def _await_reply(self, code: str, data: bytes, deadline: float, what: str, wait: float) -> Message:
        expected = response_code(code)
        retried = False
        while True:
            frame = self._read_frame(deadline, what, wait)
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

    def _read_frame(self, deadline: float, what: str, wait: float) -> bytes:
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
                raise LibraryTimeout(f"no answer from {self.where} to {what} within {wait:g} s")
            try:
                self._sock.settimeout(remaining)
                chunk = self._sock.recv(4096)
            except TimeoutError as exc:
                raise LibraryTimeout(f"no answer from {self.where} to {what} within {wait:g} s") from exc
            except OSError as exc:
                raise LibraryUnavailable(f"lost the connection to {self.where}: {exc}") from exc
            if not chunk:
                raise LibraryUnavailable(f"{self.where} closed the connection")
            self._buffer += chunk


def _frame_end(buffer: bytearray) -> int:
    ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
    return min(ends) if ends else -1


# The status message's (98) flags the kiosk depends on: position, what it allows.
SERVING_FLAGS = ((0, "it is offline"), (1, "no returns"), (2, "no loans"))


def not_serving(status: Message | None) -> str:
    """What the library's status message says it does not do now ("" when it serves, or no
    status was seen): a kiosk whose library says it takes no loans or returns works offline."""
    if status is None:
        return ""
    refused = [what for index, what in SERVING_FLAGS if status.flag(index) == "N"]
    if not refused:
        return ""
    return "server says " + ", ".join(refused)


def now_field() -> str:
    """The transaction date field for a request sent now."""
    return sip_datetime(dt.datetime.now())
