"""Patron card field for an nfcpy `udp:HOST:PORT` reader: cards tapped, held, lifted, stacked.

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

* no card of the polled technology: answer the frame with its brty alone ("no data"), so an
  empty poll returns in well under a millisecond;
* one card of the polled technology: forward the frame to that card, an nfcpy
  `ContactlessFrontend` in `listen()` on a private port (simulators/nfc_cards.py), and relay
  its answer back;
* two or more cards of the polled technology: they answer at the same time and their frames
  collide. The udp wire carries whole bytes, not bits, so a collision is sent as what a reader
  makes of it: type A cards' SENS_RES still arrives (ATQA bits OR-ed, as on the air), their
  SDD_RES is a broken frame ("no data"); FeliCa cards polled with one time slot collide in it
  (broken frame), with more slots one of them answers. nfcpy's `sense()` reports both as "no
  card" (it does the same for an RC-S380's COLLISION_ERROR); cards of different technologies
  do not collide and each answers its own poll.

`tap()` returns once the card answers on its private port; `lift()` takes cards off the field
at once (the relay stops forwarding) and ends their listen() with frames that complete an
activation. Type A cards with 4- and 7-byte UIDs (listen_tta cannot select 10-byte UIDs) and
FeliCa (212F/424F, UID = IDm) are emulated; nfcpy's type B listen ends after one poll, so no
106B.
"""

from __future__ import annotations

import argparse
import functools
import random
import select
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

from simulators.nfc_cards import MIFARE_CLASSIC_SAK, TECHNOLOGIES, EmulatedCard, run_card

__all__ = ["MIFARE_CLASSIC_SAK", "TECHNOLOGIES", "CardEmulator", "EmulatedCard", "main"]

_ANSWER_WAIT_S = 0.1  # a live nfcpy target answers in about a millisecond
_TICK_S = 0.02
_READY_WAIT_S = 2.0
# What a failing reader hands its driver: not hexadecimal, so nfcpy cannot parse the frame.
_BROKEN = b"zz"


@dataclass
class _Slot:
    card: EmulatedCard
    port: int
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)


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
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []  # cards on the field, in the order they came
        self._closed = threading.Event()
        self._unplugged = False
        self._polls = 0
        self._relay = threading.Thread(target=self._run_relay, name="nfc-field", daemon=True)
        self._relay.start()

    @property
    def path(self) -> str:
        """The nfcpy path a reader opens to poll this field."""
        return f"udp:{self._host}:{self._port}"

    @property
    def present(self) -> bool:
        return bool(self._slots)

    @property
    def cards(self) -> list[EmulatedCard]:
        return [slot.card for slot in self._slots]

    @property
    def polls(self) -> int:
        """Frames received from readers so far (lets tests wait for poll cycles, not time)."""
        return self._polls

    def tap(
        self,
        uid_hex: str,
        technology: str = "106A",
        sak: int | None = None,
        *,
        member: str | None = None,
        transit_serial: str | None = None,
        readable: bool = True,
    ) -> EmulatedCard:
        """Put a card on the field, replacing any there; returns once it answers.

        `member` gives the card an NDEF member number (text, or a URI when it contains "://"):
        a FeliCa card becomes a Type 3 Tag, a type A card an ISO-DEP Type 4 Tag. `transit_serial`
        makes a type A card a KS X 6924 transit card (T-money/Cashbee). `readable=False` is a
        card that answers polls but loses every data frame."""
        card = EmulatedCard.parse(
            uid_hex, technology, sak, member=member, transit_serial=transit_serial, readable=readable
        )
        self.lift()
        return self._place(card)

    def add(
        self,
        uid_hex: str,
        technology: str = "106A",
        sak: int | None = None,
        *,
        member: str | None = None,
        transit_serial: str | None = None,
        readable: bool = True,
    ) -> EmulatedCard:
        """Put one more card on the field beside those there (a wallet with two cards)."""
        card = EmulatedCard.parse(
            uid_hex, technology, sak, member=member, transit_serial=transit_serial, readable=readable
        )
        if any(slot.card.uid == card.uid for slot in self._slots):
            raise ValueError(f"a card with UID {uid_hex} is already on the field")
        return self._place(card)

    def lift(self, uid_hex: str | None = None) -> None:
        """Take the card with this UID (default: every card) off the field."""
        uid = None if uid_hex is None else bytes.fromhex(uid_hex.replace(":", "").replace(" ", ""))
        with self._lock:
            leaving = [s for s in self._slots if uid is None or s.card.uid == uid]
            self._slots = [s for s in self._slots if s not in leaving]
        for slot in leaving:
            self._end_card(slot)

    def unplug(self, unplugged: bool = True) -> None:
        """The reader fails on its bus, as one pulled from the USB port does: every frame the
        driver gets back is one it cannot parse, so the kiosk's sense() raises and the reader
        is reported lost (and reopened, failing again) until plug(). Cards on the field are
        taken off it."""
        if unplugged:
            self.lift()
        self._unplugged = unplugged

    def plug(self) -> None:
        self.unplug(False)

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

    def _place(self, card: EmulatedCard) -> EmulatedCard:
        if self._closed.is_set():
            raise RuntimeError("card emulator is closed")
        slot = _Slot(card, _free_udp_port())
        slot.thread = threading.Thread(
            target=run_card, args=(card, slot.port, slot.stop), name="nfc-card", daemon=True
        )
        slot.thread.start()
        if not self._wait_until_answering(slot):
            self._end_card(slot)
            raise RuntimeError(f"emulated card did not start listening on udp port {slot.port}")
        with self._lock:
            self._slots.append(slot)
        return card

    def _wait_until_answering(self, slot: _Slot) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            deadline = time.monotonic() + _READY_WAIT_S
            while time.monotonic() < deadline:
                for frame in slot.card.probe_frames():
                    probe.sendto(frame, ("127.0.0.1", slot.port))
                if select.select([probe], [], [], 0.005)[0]:
                    return True
        return False

    def _end_card(self, slot: _Slot) -> None:
        slot.stop.set()
        thread = slot.thread
        if thread is None:
            return
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as poke:
            deadline = time.monotonic() + _READY_WAIT_S
            while thread.is_alive() and time.monotonic() < deadline:
                for frame in slot.card.release_frames():
                    poke.sendto(frame, ("127.0.0.1", slot.port))
                thread.join(timeout=0.01)

    # -- field side: one socket on the public port for the emulator's life -----------------

    def _run_relay(self) -> None:
        reader: tuple[str, int] | None = None
        waiting_since: float | None = None
        waiting_port = 0
        waiting_brty = b""
        while not self._closed.is_set():
            try:
                ready = select.select([self._field, self._card_link], [], [], _TICK_S)[0]
            except (OSError, ValueError):
                return
            now = time.monotonic()
            if self._card_link in ready:
                answer = _recv(self._card_link)
                ours = answer is not None and answer[1][1] == waiting_port
                if answer and ours and waiting_since is not None and reader is not None:
                    _send(self._field, answer[0], reader)
                    waiting_since = None
            if self._field in ready:
                frame = _recv(self._field)
                if frame is not None and not frame[0].startswith(b"RFOFF"):
                    self._polls += 1
                    reader = frame[1]
                    waiting_brty, _, hex_data = frame[0].partition(b" ")
                    port, reply = self._route(waiting_brty.decode("latin-1"), hex_data)
                    if port:
                        _drain(self._card_link)
                        _send(self._card_link, frame[0], ("127.0.0.1", port))
                        waiting_since, waiting_port = now, port
                    else:
                        _send(self._field, reply, reader)
                        waiting_since = None
            if waiting_since is not None and now - waiting_since > _ANSWER_WAIT_S and reader:
                _send(self._field, waiting_brty, reader)
                waiting_since = None

    def _route(self, brty: str, hex_data: bytes) -> tuple[int, bytes]:
        """Which card port gets this frame, or else the field's own reply to it."""
        silence = brty.encode()
        if self._unplugged:
            return 0, silence + b" " + _BROKEN
        try:
            data = bytes.fromhex(hex_data.decode("latin-1"))
        except ValueError:
            return 0, silence
        slots = [s for s in self._slots if s.card.technology == brty]
        if len(slots) > 1:
            heard = self._collide(brty, data, slots)
            if not heard:
                if brty == "106A" and data in (b"\x26", b"\x52"):
                    atqa = functools.reduce(
                        lambda a, b: bytes(x | y for x, y in zip(a, b, strict=True)),
                        (s.card.atqa for s in slots),
                    )
                    return 0, silence + b" " + atqa.hex().encode()
                return 0, silence
            slots = heard
        if not slots:
            return 0, silence
        slot = slots[0]
        if not slot.card.readable and not slot.card.is_sense_frame(data):
            return 0, silence  # the frame was lost at the field's edge
        return slot.port, b""

    @staticmethod
    def _collide(brty: str, data: bytes, slots: list[_Slot]) -> list[_Slot]:
        """Cards of one technology answering together: who is heard, if anyone."""
        if brty == "106A":
            return []  # every type A card answers SENS_REQ and SDD_REQ: their bits collide
        if data[:2] == b"\x06\x00" and len(data) >= 6:
            # FeliCa polling: each card answers in a random one of TSN+1 time slots; the reader
            # keeps the first answer, and two in the same first slot collide.
            picks = sorted((random.randrange(data[5] + 1), i) for i in range(len(slots)))
            if len(picks) > 1 and picks[0][0] == picks[1][0]:
                return []
            return [slots[picks[0][1]]]
        return [s for s in slots if data[2:10] == s.card.uid]  # addressed by IDm


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


USAGE = (
    "commands: tap UID [106A|212F|424F] [member=NUMBER] [transit=SERIAL] [unreadable]"
    " | add UID ... (a second card) | lift [UID] | quit"
)


def _command(field: CardEmulator, words: list[str]) -> str | None:
    if words[0] in ("tap", "add") and len(words) >= 2:
        positional = [w for w in words[1:] if "=" not in w and w != "unreadable"]
        options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        unknown = sorted(set(options) - {"member", "transit"})
        if unknown or len(positional) > 2:
            return USAGE
        place = field.tap if words[0] == "tap" else field.add
        place(
            positional[0],
            positional[1] if len(positional) > 1 else "106A",
            member=options.get("member"),
            transit_serial=options.get("transit"),
            readable="unreadable" not in words,
        )
        return f"{len(field.cards)} card(s) on the field"
    if words[0] == "lift" and len(words) <= 2:
        field.lift(*words[1:])
        return f"{len(field.cards)} card(s) on the field"
    return None if words[0] in ("quit", "exit") else USAGE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.nfc", description="Emulated patron card field for nfcpy."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6010)
    args = parser.parse_args(argv)
    with CardEmulator(args.host, args.port) as field:
        reader = f"[nfc] device = '{field.path}', then kiosk diag nfc --tap 10"
        print(f"card field on {field.path} ({reader}); {USAGE}", flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                reply = _command(field, words)
            except (ValueError, RuntimeError) as error:
                reply = f"error: {error}"
            if reply is None:
                break
            print(reply, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
