"""Emulated patron cards for the udp card field: what each card answers, frame by frame.

A card listens with nfcpy's own `listen()` on a private udp port and, once a reader activates
it beyond anticollision, carries on with nfcpy's target-mode `exchange()`:

* FeliCa (212F/424F) cards with a member number run nfcpy's `Type3TagEmulation`: the NDEF
  attribute block and message served from the NDEF services 0x0009/0x000B, system code 12FC.
* Type A cards with a member number (NDEF Type 4 Tag) or a transit serial (KS X 6924, as on
  T-money/Cashbee) speak ISO-DEP (ISO 14443-4): RATS -> ATS, I-blocks carrying ISO 7816-4
  APDUs, R(NAK) presence checks, S(DESELECT); anticollision frames of a fresh poll are
  answered as ISO 14443-3 says, so the card stays on the field between polls.
"""

from __future__ import annotations

import functools
import operator
import struct
import threading
import time
from dataclasses import dataclass

import ndef
import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt3

TECHNOLOGIES = ("106A", "212F", "424F")
MIFARE_CLASSIC_SAK = 0x08
ISO_DEP_SAK = 0x20
NDEF_AID = bytes.fromhex("D2760000850101")
# KS X 6924 purse applications: T-money (also Snapper) and Cashbee.
TRANSIT_AIDS = (bytes.fromhex("D4100000030001"), bytes.fromhex("D4100000140001"))
FELICA_PMM = bytes.fromhex("0120220427674EFF")  # IC code 0x20: a FeliCa Standard (RC-S962) chip
ATS = bytes.fromhex("0578808002")  # TL T0 TA TB TC: FSCI 8 (256 bytes), FWI 8 (77 ms)
_TICK_S = 0.05  # how often a card in a session looks at its stop flag
_LISTEN_S = 3600.0  # never restart listen() while a card is held: a restart drops frames
SW_OK, SW_NOT_FOUND, SW_WRONG_INS = b"\x90\x00", b"\x6a\x82", b"\x6d\x00"


@dataclass(frozen=True)
class EmulatedCard:
    """What the card is: `uid` is the NFCID1 or the FeliCa IDm; `member` an NDEF text (or URI
    when it has "://") member number; `transit_serial` the 16-digit KS X 6924 card number;
    `readable` False makes it answer polls but never a data frame (a card at the field's edge)."""

    technology: str
    uid: bytes
    sak: int = MIFARE_CLASSIC_SAK
    member: str | None = None
    transit_serial: str | None = None
    readable: bool = True

    @classmethod
    def parse(
        cls,
        uid_hex: str,
        technology: str = "106A",
        sak: int | None = None,
        *,
        member: str | None = None,
        transit_serial: str | None = None,
        readable: bool = True,
    ) -> EmulatedCard:
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
        if transit_serial is not None:
            if technology != "106A":
                raise ValueError("a KS X 6924 transit card is an ISO 14443-4 type A card (106A)")
            if len(transit_serial) != 16 or not transit_serial.isdigit():
                raise ValueError(f"a transit card serial is 16 digits, got {transit_serial!r}")
        if member is not None and not member:
            raise ValueError("an NDEF member number must not be empty")
        iso_dep = technology == "106A" and (member is not None or transit_serial is not None)
        if sak is None:
            sak = ISO_DEP_SAK if iso_dep else MIFARE_CLASSIC_SAK
        if not 0 <= sak <= 0xFF:
            raise ValueError(f"SAK must be one byte, got {sak!r}")
        if iso_dep and not sak & ISO_DEP_SAK:
            raise ValueError(f"an ISO-DEP card (NDEF or transit) needs SAK bit 6 (0x20), got {sak:#04x}")
        return cls(technology, uid, sak, member, transit_serial, readable)

    @property
    def atqa(self) -> bytes:
        # ATQA bit 7 announces a double-size UID; bit 3 is the usual anticollision bit.
        return bytes([0x44 if len(self.uid) == 7 else 0x04, 0x00])

    def local_target(self) -> nfc.clf.LocalTarget:
        if self.technology == "106A":
            return nfc.clf.LocalTarget(
                "106A",
                sens_res=bytearray(self.atqa),
                sdd_res=bytearray(self.uid),
                sel_res=bytearray([self.sak]),
            )
        system_code = bytes.fromhex("12FC" if self.member is not None else "0003")
        return nfc.clf.LocalTarget(
            self.technology, sensf_res=bytearray(b"\x01" + self.uid + FELICA_PMM + system_code)
        )

    def ndef_message(self) -> bytes:
        if self.member is None:
            return b""
        record = ndef.UriRecord(self.member) if "://" in self.member else ndef.TextRecord(self.member, "en")
        return b"".join(ndef.message_encoder([record]))

    def probe_frames(self) -> list[bytes]:
        """A frame the listening card answers: proof it is on the field."""
        if self.technology == "106A":
            return [b"106A 26"]
        return [self.technology.encode() + b" 0600ffff0100"]

    def release_frames(self) -> list[bytes]:
        """Frames that complete an activation so nfcpy's listen() returns."""
        brty = self.technology.encode()
        if self.technology == "106A":
            levels = _cascade_levels(self.uid)
            select_last = (b"\x93", b"\x95")[len(levels) - 1] + b"\x70" + levels[-1]
            return [brty + b" " + select_last.hex().encode(), brty + b" 3000"]
        poll = brty + b" 0600ffff0000"
        command = bytes([10, 0x04]) + self.uid  # Request Response
        return [poll, brty + b" " + command.hex().encode()]

    def is_sense_frame(self, data: bytes) -> bool:
        """Frames of anticollision/polling, which even a card at the field's edge answers."""
        if self.technology == "106A":
            return data in (b"\x26", b"\x52") or (len(data) >= 2 and data[0] in (0x93, 0x95, 0x97))
        return data[:2] == b"\x06\x00"


def run_card(card: EmulatedCard, port: int, stop: threading.Event) -> None:
    """The card's life on the field: listen, serve a session, listen again, until `stop`."""
    clf = nfc.ContactlessFrontend(f"udp:127.0.0.1:{port}")
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                target = clf.listen(card.local_target(), _LISTEN_S)
            except nfc.clf.CommunicationError:
                continue
            if target is None:
                if time.monotonic() - started < 0.005:
                    stop.wait(0.01)  # port still taken: do not spin
                continue
            if target.tt3_cmd and card.member is not None:
                _serve_type3(clf, target, card, stop)
            elif card.technology == "106A" and card.sak & ISO_DEP_SAK:
                _IsoDepCard(card).serve(clf, target.tt4_cmd or target.tt2_cmd, stop)
    finally:
        clf.close()


def _serve_type3(
    clf: nfc.ContactlessFrontend, target: nfc.clf.LocalTarget, card: EmulatedCard, stop: threading.Event
) -> None:
    blocks = _type3_ndef_blocks(card.ndef_message())
    tag = nfc.tag.emulate(clf, target)
    assert isinstance(tag, nfc.tag.tt3.Type3TagEmulation)

    def read(block_number: int, rb: bool, re: bool) -> bytearray | None:
        return bytearray(blocks[block_number]) if block_number < len(blocks) else None

    tag.add_service(0x0009, read, None)
    tag.add_service(0x000B, read, None)
    response = _process(tag, tag.cmd)
    while not stop.is_set():
        try:
            command = tag.send_response(response, timeout=_TICK_S)
        except nfc.clf.TimeoutError:
            response = None
            continue
        except nfc.clf.CommunicationError:
            return
        if command is None:
            return
        response = _process(tag, command)


def _process(tag: nfc.tag.tt3.Type3TagEmulation, command: bytearray) -> bytearray | None:
    try:
        return tag.process_command(bytearray(command))
    except (IndexError, ValueError, KeyError):
        return None  # a garbled command: a card stays silent


def _type3_ndef_blocks(message: bytes) -> list[bytes]:
    """NFC Forum Type 3 Tag layout: attribute block 0, then the message in 16-byte blocks."""
    data_blocks = max(1, (len(message) + 15) // 16)
    attribute = bytearray(16)
    # version 1.0, 4 blocks per read, 1 per write, capacity, WriteF 0, read-only, Ln
    attribute[0:5] = struct.pack(">BBBH", 0x10, 4, 1, data_blocks)
    attribute[10] = 0x00
    attribute[11:14] = struct.pack(">I", len(message))[1:]
    attribute[14:16] = struct.pack(">H", sum(attribute[0:14]))
    padded = message + bytes(data_blocks * 16 - len(message))
    return [bytes(attribute)] + [padded[i : i + 16] for i in range(0, len(padded), 16)]


class _IsoDepCard:
    """The ISO 14443-4 card side: block protocol over nfcpy's target exchange, APDUs inside."""

    def __init__(self, card: EmulatedCard) -> None:
        self.card = card
        self.block = 0
        self.last: bytes | None = None
        self.chained = b""
        self.files: dict[bytes, bytes] = {}
        self.selected: bytes | None = None
        self.current_file = b""

    def serve(self, clf: nfc.ContactlessFrontend, first: bytes | None, stop: threading.Event) -> None:
        response = self.answer(bytes(first)) if first else None
        while not stop.is_set():
            try:
                command = clf.exchange(response, _TICK_S)
            except nfc.clf.TimeoutError:
                response = None
                continue
            except nfc.clf.CommunicationError:
                return
            if command is None:
                return
            response = self.answer(bytes(command))

    def answer(self, frame: bytes) -> bytes | None:
        if not frame:
            return None
        levels = _cascade_levels(self.card.uid)
        if frame in (b"\x26", b"\x52"):
            return self.card.atqa
        for level, (sel, part) in enumerate(zip((0x93, 0x95), levels, strict=False)):
            if frame == bytes([sel, 0x20]):
                return part
            if frame == bytes([sel, 0x70]) + part:
                cascade = 0x04 if level + 1 < len(levels) else 0x00
                return bytes([(self.card.sak & 0xFB) | cascade])
        pcb = frame[0]
        if pcb == 0xE0:  # RATS: a fresh activation
            self.block, self.last, self.chained, self.selected = 0, None, b"", None
            return ATS
        if pcb & 0xE2 == 0x02:  # I-block
            self.block = pcb & 0x01
            if pcb & 0x10:  # chaining: acknowledge, wait for the rest
                self.chained += frame[1:]
                return bytes([0xA2 | self.block])
            apdu, self.chained = self.chained + frame[1:], b""
            self.last = bytes([0x02 | self.block]) + self.apdu(apdu)
            return self.last
        if pcb & 0xF6 == 0xB2:  # R(NAK): resend if it names our last block, else R(ACK)
            if self.last is not None and pcb & 0x01 == self.block:
                return self.last
            return bytes([0xA2 | self.block])
        if pcb == 0xC2:  # S(DESELECT)
            return b"\xc2"
        return None

    def apdu(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_INS
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if (cla, ins, p1) == (0x00, 0xA4, 0x04):
            return self._select_application(body)
        if (cla, ins, p1) == (0x00, 0xA4, 0x00) and self.selected == NDEF_AID and body in self.files:
            self.current_file = self.files[body]
            return SW_OK
        if (cla, ins) == (0x00, 0xB0) and self.selected == NDEF_AID and self.current_file:
            offset = p1 << 8 | p2
            length = apdu[4] if len(apdu) == 5 else 256
            return self.current_file[offset : offset + (length or 256)] + SW_OK
        if (cla, ins) == (0x90, 0x4C) and self.selected in TRANSIT_AIDS:  # GET BALANCE
            return struct.pack(">I", 12_500) + SW_OK
        if ins == 0xA4:
            return SW_NOT_FOUND
        return SW_WRONG_INS

    def _select_application(self, aid: bytes) -> bytes:
        self.current_file = b""
        if aid == NDEF_AID and self.card.member is not None:
            message = self.card.ndef_message()
            # Capability container: mapping 2.0, MLe/MLc 255, NDEF file E104 of 1 KiB, read-only.
            cc = bytes.fromhex("000F2000FF00FF0406E104040000FF")
            self.files = {b"\xe1\x03": cc, b"\xe1\x04": struct.pack(">H", len(message)) + message}
            self.selected = aid
            return SW_OK
        if aid in TRANSIT_AIDS and self.card.transit_serial is not None:
            self.selected = aid
            return transit_fci(aid, self.card.transit_serial) + SW_OK
        self.selected = None
        return SW_NOT_FOUND


def transit_fci(aid: bytes, serial: str) -> bytes:
    """SELECT answer of a KS X 6924 purse: FCI template 6F with the AID (84) and the 47-byte
    purse information (B0): card type, algorithm, key version, issuer, card serial (8 bytes
    BCD), ids, issue/expiry dates (BCD), user code, discount, limits, carrier, card company."""
    purse = (
        bytes([0x00, 0x00, 0x01, 0x08])  # prepaid, SEED, key set 1, issuer Tmoney
        + bytes.fromhex(serial)  # 16 digits as 8 BCD bytes
        + bytes(5)  # card usage authentication id
        + bytes.fromhex("2024030120290228")  # issue and expiry dates
        + bytes([0x01, 0x00])  # regular user, no discount
        + struct.pack(">I", 500_000)
        + bytes(2)
        + struct.pack(">I", 500_000)
        + bytes([0x00, 0x00])
        + bytes(8)
    )
    body = bytes([0x84, len(aid)]) + aid + bytes([0xB0, len(purse)]) + purse
    return bytes([0x6F, len(body)]) + body


def _cascade_levels(uid: bytes) -> list[bytes]:
    """SDD answers per cascade level, each with its BCC (4-byte UID: 1 level, 7-byte: 2)."""
    parts = [uid] if len(uid) == 4 else [b"\x88" + uid[:3], uid[3:]]
    return [part + bytes([functools.reduce(operator.xor, part)]) for part in parts]
