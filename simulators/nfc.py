"""Patron card emulator for an nfcpy `udp:HOST:PORT` reader, built on nfcpy's own listen mode.

How nfcpy's udp driver pairs an initiator (reader) with a target (card), from nfc/clf/udp.py:

* Every frame is one datagram, `b"<brty> <hex>"` (e.g. `b"106A 26"` is a SENS_REQ), and the
  initiator sends `b"RFOFF"` when it drops its field.
* The target binds `0.0.0.0:PORT` (the host part is ignored) in `listen()` and answers each
  frame to whatever address it came from.
* The initiator never binds: each `sense()` call opens a fresh socket, sends to HOST:PORT from
  an ephemeral port and reads the answer there. A frame nobody answers costs the initiator
  its fixed wait (1 s for SENS_REQ/SENSB_REQ/SENSF_REQ); a datagram it cannot split into
  `brty data` raises TransmissionError("no data") at once, which `sense()` reports as no card.

A real reader learns in milliseconds that its field is empty; a bare nfcpy target is either
bound (and answers as a card) or not (and the reader waits out 1 s per technology). So this
emulator keeps HOST:PORT bound for its whole life with a relay socket that plays the field:

* no card, or a card of another technology: answer the frame with its brty alone ("no data"),
  so an empty poll returns in well under a millisecond;
* a card of the polled technology: forward the frame to an nfcpy `ContactlessFrontend` that
  runs `listen(LocalTarget(...))` on a private port (its own thread) and relay the answer back.

`tap()` returns once the card answers on its private port; `lift()` takes it off the field
at once (the relay stops forwarding) and ends its listen() with frames that complete an
activation (nfcpy's listen returns on the first command after selection).
Type A cards with 4- and 7-byte UIDs (listen_tta cannot select 10-byte UIDs) and FeliCa
(212F/424F, UID = IDm) are emulated; nfcpy's type B listen ends after one poll, so no 106B.
"""

from __future__ import annotations

import argparse
import functools
import operator
import select
import socket
import sys
import threading
import time
from dataclasses import dataclass

import nfc
import nfc.clf

TECHNOLOGIES = ("106A", "212F", "424F")
MIFARE_CLASSIC_SAK = 0x08
_ANSWER_WAIT_S = 0.1  # a live nfcpy target answers in about a millisecond
_TICK_S = 0.02
_READY_WAIT_S = 2.0
_LISTEN_S = 3600.0  # never restart listen() while a card is held: a restart drops frames


@dataclass(frozen=True)
class EmulatedCard:
    """What the card answers during anticollision; `uid` is the NFCID1 or the FeliCa IDm."""

    technology: str
    uid: bytes
    sak: int = MIFARE_CLASSIC_SAK

    @classmethod
    def parse(cls, uid_hex: str, technology: str = "106A", sak: int = MIFARE_CLASSIC_SAK) -> EmulatedCard:
        if technology not in TECHNOLOGIES:
            raise ValueError(
                f"cannot emulate technology {technology!r}; use one of {', '.join(TECHNOLOGIES)}"
            )
        try:
            uid = bytes.fromhex(uid_hex.replace(":", "").replace(" ", ""))
        except (ValueError, AttributeError):
            raise ValueError(f"card UID must be hex digits, got {uid_hex!r}") from None
        sizes = (4, 7) if technology == "106A" else (8,)
        if len(uid) not in sizes:
            raise ValueError(
                f"a {technology} card UID is {' or '.join(map(str, sizes))} bytes, "
                f"got {len(uid)} ({uid_hex!r})"
            )
        if not 0 <= sak <= 0xFF:
            raise ValueError(f"SAK must be one byte, got {sak!r}")
        return cls(technology, uid, sak)

    def local_target(self) -> nfc.clf.LocalTarget:
        if self.technology == "106A":
            # ATQA bit 6 announces a double-size UID; bit 2 is the usual anticollision bit.
            atqa0 = 0x44 if len(self.uid) == 7 else 0x04
            return nfc.clf.LocalTarget(
                "106A",
                sens_res=bytearray([atqa0, 0x00]),
                sdd_res=bytearray(self.uid),
                sel_res=bytearray([self.sak]),
            )
        pmm, system_code = bytes.fromhex("0120220427674EFF"), bytes.fromhex("0003")
        return nfc.clf.LocalTarget(
            self.technology, sensf_res=bytearray(b"\x01" + self.uid + pmm + system_code)
        )

    def probe_frames(self) -> list[bytes]:
        """A frame the listening card answers: proof it is on the field."""
        if self.technology == "106A":
            return [b"106A 26"]
        return [self.technology.encode() + b" 0600ffff0100"]

    def release_frames(self) -> list[bytes]:
        """Frames that complete an activation so nfcpy's listen() returns."""
        brty = self.technology.encode()
        if self.technology == "106A":
            levels = [self.uid] if len(self.uid) == 4 else [b"\x88" + self.uid[:3], self.uid[3:]]
            last = levels[-1]
            bcc = functools.reduce(operator.xor, last)
            select_cmd = b"\x93" if len(levels) == 1 else b"\x95"
            select_last = select_cmd + b"\x70" + last + bytes([bcc])
            return [brty + b" " + select_last.hex().encode(), brty + b" 3000"]
        poll = brty + b" 0600ffff0000"
        command = bytes([10, 0x06]) + self.uid
        return [poll, brty + b" " + command.hex().encode()]


class CardEmulator:
    """A card field on `udp:HOST:PORT`: tap a card, hold it, lift it. Threads start at once."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._field = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._field.bind((host, port))
        except OSError as error:
            self._field.close()
            raise OSError(
                error.errno, f"cannot bind the card field to {host}:{port}: {error.strerror}"
            ) from error
        self._host, self._port = self._field.getsockname()[:2]
        self._card_link = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._card_link.bind(("127.0.0.1", 0))
        self._card_port = _free_udp_port()
        self._lock = threading.Lock()
        self._card: EmulatedCard | None = None
        self._card_thread: threading.Thread | None = None
        self._card_stop = threading.Event()
        self._closed = threading.Event()
        self._polls = 0
        self._relay = threading.Thread(target=self._run_relay, name="nfc-field", daemon=True)
        self._relay.start()

    @property
    def path(self) -> str:
        """The nfcpy path a reader opens to poll this field."""
        return f"udp:{self._host}:{self._port}"

    @property
    def present(self) -> bool:
        return self._card is not None

    @property
    def polls(self) -> int:
        """Frames received from readers so far (lets tests wait for poll cycles, not time)."""
        return self._polls

    def tap(self, uid_hex: str, technology: str = "106A", sak: int = MIFARE_CLASSIC_SAK) -> None:
        """Put a card on the field; returns once it answers. Replaces a card already there."""
        card = EmulatedCard.parse(uid_hex, technology, sak)
        if self._closed.is_set():
            raise RuntimeError("card emulator is closed")
        self.lift()
        stop = threading.Event()
        thread = threading.Thread(target=self._run_card, args=(card, stop), name="nfc-card", daemon=True)
        with self._lock:
            self._card_stop, self._card_thread = stop, thread
        thread.start()
        if not self._wait_until_answering(card):
            self._end_card(card)
            raise RuntimeError(f"emulated card did not start listening on udp port {self._card_port}")
        self._card = card

    def lift(self) -> None:
        """Take the card off the field (no-op when there is none)."""
        with self._lock:
            card, self._card = self._card, None
        if card is not None:
            self._end_card(card)

    def close(self) -> None:
        self.lift()
        self._closed.set()
        _send(self._card_link, b"RFOFF", (self._host, self._port))  # wakes the relay's select()
        self._relay.join(timeout=2.0)
        self._field.close()
        self._card_link.close()

    def __enter__(self) -> CardEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- card side: nfcpy listen() on a private port ------------------------------------

    def _run_card(self, card: EmulatedCard, stop: threading.Event) -> None:
        clf = nfc.ContactlessFrontend(f"udp:127.0.0.1:{self._card_port}")
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    clf.listen(card.local_target(), _LISTEN_S)
                except nfc.clf.CommunicationError:
                    continue
                if time.monotonic() - started < 0.005:
                    stop.wait(0.01)  # port still taken: do not spin
        finally:
            clf.close()

    def _wait_until_answering(self, card: EmulatedCard) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            deadline = time.monotonic() + _READY_WAIT_S
            while time.monotonic() < deadline:
                for frame in card.probe_frames():
                    probe.sendto(frame, ("127.0.0.1", self._card_port))
                if select.select([probe], [], [], 0.005)[0]:
                    return True
        return False

    def _end_card(self, card: EmulatedCard) -> None:
        with self._lock:
            stop, thread = self._card_stop, self._card_thread
            self._card_thread = None
        stop.set()
        if thread is None:
            return
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as poke:
            deadline = time.monotonic() + _READY_WAIT_S
            while thread.is_alive() and time.monotonic() < deadline:
                for frame in card.release_frames():
                    poke.sendto(frame, ("127.0.0.1", self._card_port))
                thread.join(timeout=0.01)

    # -- field side: one socket on the public port for the emulator's life -----------------

    def _run_relay(self) -> None:
        reader: tuple[str, int] | None = None
        waiting_since: float | None = None
        waiting_brty = b""
        while not self._closed.is_set():
            try:
                ready = select.select([self._field, self._card_link], [], [], _TICK_S)[0]
            except (OSError, ValueError):
                return
            now = time.monotonic()
            if self._card_link in ready:
                answer = _recv(self._card_link)
                if answer and waiting_since is not None and reader is not None:
                    _send(self._field, answer[0], reader)
                    waiting_since = None
            if self._field in ready:
                frame = _recv(self._field)
                if frame is not None and not frame[0].startswith(b"RFOFF"):
                    self._polls += 1
                    reader, waiting_brty = frame[1], frame[0].split(b" ", 1)[0]
                    card = self._card
                    if card is not None and waiting_brty == card.technology.encode():
                        _drain(self._card_link)
                        _send(self._card_link, frame[0], ("127.0.0.1", self._card_port))
                        waiting_since = now
                    else:
                        _send(self._field, waiting_brty, reader)
                        waiting_since = None
            if waiting_since is not None and now - waiting_since > _ANSWER_WAIT_S and reader:
                _send(self._field, waiting_brty, reader)
                waiting_since = None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("0.0.0.0", 0))
        port: int = probe.getsockname()[1]
        return port


def _recv(sock: socket.socket) -> tuple[bytes, tuple[str, int]] | None:
    try:
        data, addr = sock.recvfrom(1024)
    except OSError:
        return None
    return data, addr


def _send(sock: socket.socket, data: bytes, addr: tuple[str, int]) -> None:
    try:
        sock.sendto(data, addr)
    except OSError:
        pass  # the reader's socket is gone: it opens a new one for its next poll


def _drain(sock: socket.socket) -> None:
    while select.select([sock], [], [], 0)[0]:
        if _recv(sock) is None:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.nfc", description="Emulated patron card field for nfcpy."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6010)
    args = parser.parse_args(argv)
    with CardEmulator(args.host, args.port) as field:
        print(f"card field on {field.path}; commands: tap UID [106A|212F|424F] | lift | quit")
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                if words[0] == "tap" and len(words) in (2, 3):
                    field.tap(*words[1:])
                    print("card on the field")
                elif words[0] == "lift":
                    field.lift()
                    print("field empty")
                elif words[0] in ("quit", "exit"):
                    break
                else:
                    print("commands: tap UID [106A|212F|424F] | lift | quit")
            except (ValueError, RuntimeError) as error:
                print(f"error: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
