"""Embedded SIP2 library server: threaded TCP, one session per kiosk, backed by the SQLite store."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import socket
import socketserver
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

from kiosk.core.privacy import mask_card
from kiosk.ils.sip2.codec import (
    ChecksumError,
    Codec,
    MalformedMessage,
    Message,
)
from simulators.ils import account, replies
from simulators.ils.rules import Rules
from simulators.ils.seed import LIBRARY_NAME, MEMBER_LIBRARIES, seed
from simulators.ils.store import CirculationStore

log = logging.getLogger(__name__)

# Faults a test can queue; each is used up by the next request any session receives (or the
# next with the command code it was queued for). no_reply and drop lose the request before it
# is carried out; reply_lost and reply_dropped carry it out (the loan is committed) and then
# lose the answer; reply_lost_freeze carries it out and then the whole server hangs, every
# session and every new login, until ServerHandle.thaw(); garbage carries it out and answers
# with bytes that are no SIP2 message at all.
FAULTS = frozenset(
    {"bad_checksum", "no_reply", "drop", "reply_lost", "reply_dropped", "reply_lost_freeze", "garbage"}
)
# What a garbled line from the library looks like: no command code, no checksum.
GARBAGE = b"\x00\xff<html>502 Bad Gateway</html>"


@dataclass
class ServerConfig:
    login_id: str
    password: str
    institution: str
    today: dt.date | None
    rules: Rules
    codec: Codec
    library_name: str = LIBRARY_NAME
    # Announced in the 98 reply (tenths of a second): kiosks send a status that often.
    timeout_period: str = "300"
    # A connection with no request for this long is closed (None: kept open for ever).
    idle_timeout_s: float | None = 300.0
    received: collections.Counter[str] = field(default_factory=collections.Counter)
    # The status code (0 OK, 1 out of paper, 2 shutting down) of each status (99) read, the
    # latest thousand.
    status_codes: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=1000))
    faults: collections.deque[tuple[str, str | None]] = field(default_factory=collections.deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Cleared while the server is frozen: requests are read and left unanswered.
    thawed: threading.Event = field(default_factory=threading.Event)
    # A slow library: every answer waits this long first.
    delay_s: float = 0.0
    # What the status message (98) says the library does now: on-line, checkin ok, checkout ok.
    serving: str = "YYY"
    # The kiosk's account password was changed at the library: every login is refused.
    refuse_logins: bool = False

    def __post_init__(self) -> None:
        self.thawed.set()

    def now(self) -> dt.datetime:
        now = dt.datetime.now()
        return dt.datetime.combine(self.today, now.time()) if self.today else now

    def take_fault(self, code: str = "") -> str | None:
        with self.lock:
            for entry in self.faults:
                fault, on = entry
                if on is None or on == code:
                    self.faults.remove(entry)
                    return fault
            return None


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    # The listen backlog: connections the kernel completes while the accept loop is busy.
    # socketserver's default of 5 is too small for a burst (every kiosk of a network logging
    # in again after a restart or an outage, or a load test): Linux then drops the overflowing
    # SYNs and those clients retry only after 1, 3, 7, 15, 31 s, so some miss their connect
    # timeout. The kernel caps it at net.core.somaxconn (4096 since Linux 5.4, 128 before).
    request_queue_size = 1024
    daemon_threads = False  # server_close() joins every session thread
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        config: ServerConfig,
        store: CirculationStore,
        tls: ssl.SSLContext | None = None,
    ):
        self.config = config
        self.tls = tls
        self.store = store
        self.sessions: set[socket.socket] = set()
        self.sessions_lock = threading.Lock()
        self.closing = False
        super().__init__(address, _Session)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, address = self.socket.accept()
        if self.tls is not None:
            # The handshake happens on the session's thread, so a silent client cannot stall accept.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def close_sessions(self, final: bool = False) -> None:
        with self.sessions_lock:
            self.closing = self.closing or final
            sessions = list(self.sessions)
        for sock in sessions:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Session(socketserver.BaseRequestHandler):
    """One kiosk's connection: login first, then requests answered in order."""

    server: _Server

    def setup(self) -> None:
        self.config = self.server.config
        if self.config.idle_timeout_s:
            # Every read waits at most this long, so a silent kiosk's session ends by itself.
            self.request.settimeout(self.config.idle_timeout_s)
        self.logged_in = False
        self.location = ""
        self.last_reply = b""
        self.last_request = b""
        with self.server.sessions_lock:
            self.server.sessions.add(self.request)
            closing = self.server.closing
        if closing:  # accepted just as the server stopped
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish(self) -> None:
        with self.server.sessions_lock:
            self.server.sessions.discard(self.request)

    def handle(self) -> None:
        try:
            for frame in _frames(self.request):
                if not self._answer(frame):
                    break
        except TimeoutError:
            # Ends like any session: socketserver shuts the socket down for writing and
            # closes it, so the kiosk reads a clean end of stream and logs in again.
            log.info(
                "no request from %s for %g s: closing the idle connection",
                self.client_address[0],
                self.config.idle_timeout_s,
            )

    def _answer(self, frame: bytes) -> bool:
        """Answer one request; False ends the session."""
        codec = self.config.codec
        try:
            request = codec.decode(frame)
        except (ChecksumError, MalformedMessage) as exc:
            log.info("asking for a resend: %s", exc)
            return self._send(codec.encode(Message("96")))
        while not self.config.thawed.wait(0.05):
            if self.server.closing:
                return False
        if not self._slow():
            return False
        with self.config.lock:
            self.config.received[request.code] += 1
            if request.code == "99":
                self.config.status_codes.append(request.fixed[:1])
        fault = self.config.take_fault(request.code)
        if fault == "drop":
            return False
        if fault == "no_reply":
            return True
        if request.code == "97":
            data = self.last_reply or codec.encode(Message("96"))
        elif frame == self.last_request and request.sequence is not None and self.last_reply:
            # The same request again (same sequence and checksum): the same answer, not a
            # second loan, as pysip2 and the spec's error detection intend.
            data = self.last_reply
        elif not self.logged_in and request.code != "93":
            log.warning("message %s before login: closing the connection", request.code)
            return False
        else:
            try:
                reply = self._dispatch(request)
            except (sqlite3.Error, ValueError, MalformedMessage) as exc:
                log.error("cannot answer message %s: %s; closing the session", request.code, exc)
                return False
            if reply is None:
                log.warning("unsupported message %s: no answer", request.code)
                return True
            data = codec.encode(reply.with_sequence(request.sequence))
            self.last_reply = data
            self.last_request = frame
        if fault == "reply_dropped":
            return False
        if fault == "reply_lost":
            return True
        if fault == "reply_lost_freeze":
            log.info("frozen after carrying out message %s", request.code)
            self.config.thawed.clear()
            return True
        if fault == "bad_checksum" and codec.checksums:
            data = _corrupt_checksum(data, codec.terminator)
        if fault == "garbage":
            data = GARBAGE + codec.terminator.encode("ascii")
        return self._send(data)

    def _slow(self) -> bool:
        """Wait out the slow library's delay; False when the server stops meanwhile."""
        end = time.monotonic() + self.config.delay_s
        while (left := end - time.monotonic()) > 0:
            if self.server.closing:
                return False
            time.sleep(min(left, 0.05))
        return True

    def _dispatch(self, request: Message) -> Message | None:
        config, store = self.config, self.server.store
        now = config.now()
        if request.code == "93":
            ok = request.get("CN") == config.login_id and request.get("CO") == config.password
            ok = ok and not config.refuse_logins
            self.logged_in = ok
            self.location = request.get("CP")
            log.info("login %s for %r", "accepted" if ok else "refused", request.get("CN"))
            return Message("94", "1" if ok else "0")
        handler = _HANDLERS.get(request.code)
        if handler is None:
            return None
        if request.get("AA"):
            log.debug("message %s for patron %s", request.code, mask_card(request.get("AA")))
            # A membership number typed at a kiosk names the patron as well as the card does;
            # the reply gives the card id, which the kiosk uses from then on (as Koha does).
            card = store.card_for(request.get("AA"))
            if card is not None and card != request.get("AA"):
                fields = tuple(("AA", card) if fid == "AA" else (fid, v) for fid, v in request.fields)
                request = dataclasses.replace(request, fields=fields)
        return handler(
            replies.Context(
                store,
                config.rules,
                config.institution,
                config.library_name,
                self.location,
                now,
                config.codec.encoding,
                config.timeout_period,
                config.serving,
            ),
            request,
        )

    def _send(self, data: bytes) -> bool:
        try:
            self.request.sendall(data)
        except OSError:
            return False
        return True


_HANDLERS: dict[str, Callable[[replies.Context, Message], Message]] = {
    "99": replies.status,
    "23": replies.patron_status_reply,
    "63": replies.patron_information,
    "11": replies.checkout,
    "09": replies.checkin,
    "17": replies.item_information,
    "35": replies.end_session,
    "29": account.renew,
    "65": account.renew_all,
    "15": account.hold,
    "37": account.fee_paid,
    "01": account.block_patron,
    "25": account.patron_enable,
}


def _frames(sock: socket.socket) -> Iterable[bytes]:
    """Messages from the stream until it closes; CR, LF or CRLF end each one. Raises
    TimeoutError when the socket's timeout passes with nothing read."""
    buffer = bytearray()
    while True:
        while True:
            ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            frame = bytes(buffer[:end])
            del buffer[: end + 1]
            if frame:
                yield frame
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            raise
        except OSError:
            return
        if not chunk or len(buffer) > 64 * 1024:
            return
        buffer += chunk


def _corrupt_checksum(data: bytes, terminator: str) -> bytes:
    body = data[: len(data) - len(terminator)]
    digit = b"0" if body[-1:] != b"0" else b"1"
    return body[:-1] + digit + terminator.encode("ascii")


class ServerHandle:
    """A running server: `.host`, `.port`, `.stop()`; a context manager."""

    def __init__(self, server: _Server, thread: threading.Thread, owns_store: bool) -> None:
        self._server = server
        self._thread = thread
        self._owns_store = owns_store
        address = server.server_address
        self.host: str = str(address[0])
        self.port: int = int(address[1])
        self.store = server.store
        self._stopped = False
        self._down = False
        self._state = threading.Lock()

    @property
    def received(self) -> collections.Counter[str]:
        """How many requests of each command code the server has read (for tests)."""
        with self._server.config.lock:
            return collections.Counter(self._server.config.received)

    @property
    def status_codes(self) -> list[str]:
        """The status code of the status messages (99) the server has read, oldest first (the
        latest thousand; for tests)."""
        with self._server.config.lock:
            return list(self._server.config.status_codes)

    def add_fault(self, fault: str, on: str | None = None) -> None:
        """Queue a fault for the next request (see FAULTS), or for the next request with
        command code `on` (e.g. "11": the next checkout, whatever heartbeats come first)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {sorted(FAULTS)}")
        with self._server.config.lock:
            self._server.config.faults.append((fault, on))

    def freeze(self) -> None:
        """Hang the whole server: connections are accepted and requests read, none answered."""
        self._server.config.thawed.clear()

    def thaw(self) -> None:
        self._server.config.thawed.set()

    @property
    def frozen(self) -> bool:
        return not self._server.config.thawed.is_set()

    @property
    def open_sessions(self) -> int:
        """How many kiosk connections are open now."""
        with self._server.sessions_lock:
            return len(self._server.sessions)

    def drop_connections(self) -> None:
        """Close every kiosk's connection, as a server restart or idle timeout does."""
        self._server.close_sessions()

    # -- the library going away and coming back (scripted faults) ---------------------------

    @property
    def down(self) -> bool:
        return self._down

    def go_down(self) -> None:
        """The library is unreachable: every connection is cut and new ones are refused (the
        port is closed) until come_up(). The records stay as they are."""
        with self._state:
            if self._down or self._stopped:
                return
            self._down = True
            self._close_server()

    def come_up(self) -> None:
        """Listen again on the same address, with the same records and settings."""
        with self._state:
            if not self._down or self._stopped:
                return
            old = self._server
            server = _Server((self.host, self.port), old.config, old.store, old.tls)
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sip2-server"
            )
            self._thread.start()
            self._down = False

    def slow(self, seconds: float) -> None:
        """Every answer from now on waits `seconds` first (0: answers at once again)."""
        if seconds < 0:
            raise ValueError(f"a delay is 0 or more seconds, not {seconds}")
        self._server.config.delay_s = seconds

    def serve(self, online: bool = True, checkin: bool = True, checkout: bool = True) -> None:
        """What the status message says from now on (as a library announces a pause in
        lending or returns, or that its system is offline); requests are answered as before."""
        self._server.config.serving = "".join("Y" if ok else "N" for ok in (online, checkin, checkout))

    def refuse_logins(self, refused: bool = True) -> None:
        """As when the kiosk's SIP2 password is changed at the library: every connection is
        cut and every login refused, until refuse_logins(False)."""
        self._server.config.refuse_logins = refused
        if refused:
            self._server.close_sessions()

    def clear_faults(self) -> None:
        """Back to a healthy library: queued faults dropped, no delay, logins accepted, thawed."""
        config = self._server.config
        with config.lock:
            config.faults.clear()
        config.delay_s = 0.0
        config.serving = "YYY"
        config.refuse_logins = False
        config.thawed.set()

    def _close_server(self) -> None:
        self._server.closing = True
        self._server.shutdown()
        self._server.close_sessions(final=True)
        self._server.server_close()
        self._thread.join()

    def stop(self) -> None:
        with self._state:
            if self._stopped:
                return
            self._stopped = True
            if not self._down:
                self._close_server()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    host: str = "127.0.0.1",
    port: int = 0,
    db_path: str | None = None,
    login_id: str = "kiosk",
    password: str = "kiosk",
    institution: str = "MA",
    today: dt.date | None = None,
    *,
    rules: Rules | None = None,
    encoding: str = "utf-8",
    terminator: str = "\r",
    tls_cert: str | None = None,
    tls_key: str | None = None,
    tls_client_ca: str | None = None,
    store: CirculationStore | None = None,
    library_name: str | None = None,
    heartbeat_s: float = 30.0,
    idle_timeout_s: float | None = 300.0,
) -> ServerHandle:
    """Start the SIP2 server on a background thread; port 0 picks a free port. An empty
    store (always so for db_path None, i.e. in memory) is seeded relative to `today`.
    With `tls_cert` (PEM, and `tls_key` unless the key is in it) it speaks TLS only; with
    `tls_client_ca` too it wants a client certificate signed by it. Servers of several
    member libraries (`institution`) may share one `store`, the Chaekieum network's.
    A connection with no request for `idle_timeout_s` seconds is closed (0 or None: never);
    a kiosk with its heartbeat on sends a status more often than that."""
    if idle_timeout_s is not None and idle_timeout_s < 0:
        raise ValueError(f"idle_timeout_s must be 0 or more, not {idle_timeout_s}")
    tls = None
    if tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(tls_cert, tls_key)
        if tls_client_ca:
            tls.load_verify_locations(tls_client_ca)
            tls.verify_mode = ssl.CERT_REQUIRED
    owns_store = store is None
    if store is None:
        store = CirculationStore(db_path)
    if store.is_empty():
        seed(store, today or dt.date.today())
    # Hangul a code page cannot hold goes out as '?', as Evergreen does in ASCII mode.
    codec = Codec(encoding=encoding, terminator=terminator, encode_errors="replace")
    config = ServerConfig(login_id, password, institution, today, rules or Rules(), codec,
                          library_name or MEMBER_LIBRARIES.get(institution, LIBRARY_NAME),
                          f"{min(999, max(1, round(heartbeat_s * 10))):03d}",
                          idle_timeout_s or None)  # fmt: skip
    try:
        server = _Server((host, port), config, store, tls)
    except OSError:
        if owns_store:
            store.close()
        raise
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sip2-server")
    thread.start()
    log.info("SIP2 server listening on %s:%s", *server.server_address[:2])
    return ServerHandle(server, thread, owns_store=owns_store)
