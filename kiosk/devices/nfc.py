"""NFC patron card reader: polls an nfcpy reader on its own thread and posts one CardRead per tap."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence

import ndef
import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt3
import nfc.tag.tt4

from kiosk.core.events import CardProblem, CardRead, CardRemoved, DeviceStatus
from kiosk.core.ports import Post
from kiosk.devices import nfc_faults
from kiosk.devices.card_id import CardIdRule, CardIdSources
from kiosk.devices.nfc_taps import Outcome, TapTracker
from kiosk.devices.transit_card import serial_from_fci

log = logging.getLogger(__name__)

TECHNOLOGIES = ("106A", "106B", "212F", "424F")
PATH_SCHEMES = nfc_faults.PATH_SCHEMES
NDEF_AID = bytes.fromhex("D2760000850101")
_ISO_DEP = 0x20  # SAK bit 6: the type A card speaks ISO 14443-4


class NfcReader:
    """A `kiosk.core.ports.Device` over nfcpy's `ContactlessFrontend`.

    A tap is one CardRead however long the card stays; CardRemoved follows when it leaves
    (kiosk.devices.nfc_taps has the rules: removal, hold-off, retries). Each poll round senses
    every technology while no card is settled on the reader, so two cards of different
    technologies are seen together: CardProblem("two_cards"). (Two cards of one technology
    collide during anticollision; nfcpy's sense() reports that as no card, see docs/nfc.md.)
    The identifier comes from `sources` (UID rule, NDEF member number, transit serial); a read
    that fails part-way is CardProblem("unreadable") and is retried while the card stays.
    Faults become DeviceStatus(ok=False) with the technician's instruction and the worker
    reopens the reader with back-off; DeviceStatus(ok=True) when it opens.
    """

    def __init__(
        self,
        path: str,
        rule: CardIdRule,
        technologies: Sequence[str] = ("106A", "106B", "212F"),
        holdoff_s: float = 2.0,
        name: str = "nfc",
        *,
        sources: CardIdSources | None = None,
        read_attempts: int = 3,
        poll_interval_s: float = 0.05,
        removal_misses: int = 2,
        retry_s: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(path, str) or not path.strip():
            raise ValueError(f"NFC reader path must be a non-empty string, got {path!r}")
        unknown = [t for t in technologies if t not in TECHNOLOGIES]
        if unknown or not technologies:
            raise ValueError(
                f"NFC technologies must be a non-empty list of {', '.join(TECHNOLOGIES)}; "
                f"got {list(technologies)!r}"
            )
        if poll_interval_s <= 0:
            raise ValueError("poll_interval_s > 0 required")
        if not 0 < retry_s[0] <= retry_s[1]:
            raise ValueError(f"retry_s must be (first, longest) back-off > 0, got {retry_s!r}")
        self.name = name
        self.path = path.strip()
        self.rule = rule
        self.sources = sources or CardIdSources()
        self.technologies = tuple(dict.fromkeys(technologies))
        self.poll_interval_s = poll_interval_s
        self.retry_s = retry_s
        self._taps = TapTracker(holdoff_s, removal_misses, read_attempts, clock)
        self._post: Post | None = None
        self._stop = threading.Event()
        self._reset = threading.Event()
        self._thread: threading.Thread | None = None
        self._clf: nfc.ContactlessFrontend | None = None
        self._preferred = self.technologies[0]
        self.reader_model = ""  # what nfcpy says the open reader is, for diagnostics
        # perf_counter() when the sense() call that first saw the card being reported began.
        self.first_sensed = 0.0
        # The last DeviceStatus posted (None: none yet), and who else hears every event
        # (diagnostics watching a tap on the running kiosk's reader).
        self.status: DeviceStatus | None = None
        self.listeners: list[Post] = []

    @property
    def holdoff_s(self) -> float:
        return self._taps.holdoff_s

    # -- Device port -----------------------------------------------------------------------

    def start(self, post: Post) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name}: reader already started")
        # nfcpy logs every UID it senses at DEBUG: card numbers never reach our logs.
        nfc_log = logging.getLogger("nfc")
        if nfc_log.getEffectiveLevel() < logging.INFO:
            nfc_log.setLevel(logging.INFO)
        self._post = post
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """End the hold-off (thread-safe): at a visit's end the same card may start the next
        visit at once. A card still lying on the reader is not read again."""
        self._reset.set()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        deadline = time.monotonic() + 5.0
        while thread.is_alive() and time.monotonic() < deadline:
            self._interrupt_udp_wait()
            thread.join(timeout=0.01)
        if thread.is_alive():
            log.warning("%s: reader thread did not stop within 5 s", self.name)

    # -- worker ----------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = self.retry_s[0]
        last_fault = ""
        while not self._stop.is_set():
            clf, fault = self._open()
            if clf is None:
                if fault != last_fault:
                    log.warning("%s: %s", self.name, fault)
                    self._emit(DeviceStatus(device=self.name, ok=False, detail=fault))
                    last_fault = fault
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.retry_s[1])
                continue
            self._clf = clf
            self.reader_model = str(getattr(clf, "device", "") or self.path)
            log.info("%s: reader ready on %s (%s)", self.name, self.path, self.reader_model)
            self._emit(DeviceStatus(device=self.name, ok=True, detail=f"NFC reader on {self.path}"))
            backoff, last_fault = self.retry_s[0], ""
            try:
                self._poll(clf)
            except Exception as error:  # noqa: BLE001 - any driver failure is a lost reader
                last_fault = nfc_faults.lost(self.path, error)
                log.warning("%s: %s", self.name, last_fault)
                self._emit(DeviceStatus(device=self.name, ok=False, detail=last_fault))
                self._stop.wait(backoff)
            finally:
                self._clf = None
                _close_quietly(clf)
                self._apply(self._taps.lost())

    def _open(self) -> tuple[nfc.ContactlessFrontend | None, str]:
        bad = nfc_faults.bad_path(self.path)
        if bad:
            return None, bad
        try:
            return nfc.ContactlessFrontend(self.path), ""
        except OSError as error:
            return None, nfc_faults.open_failed(self.path, error)
        except Exception as error:  # noqa: BLE001 - nfcpy raises assorted types for bad paths
            return None, f"cannot open NFC reader '{self.path}': {type(error).__name__}: {error}"

    def _poll(self, clf: nfc.ContactlessFrontend) -> None:
        technologies = list(self.technologies)
        while not self._stop.is_set():
            if self._reset.is_set():
                self._reset.clear()
                self._taps.forget_holdoff()
            started = time.perf_counter()
            found = self._sense_round(clf, technologies)
            if self._stop.is_set():
                return
            for step, uid in self._taps.observe([card[1] for card in found]):
                if step == "read" and uid is not None:
                    technology, _, target = next(card for card in found if card[1] == uid)
                    self._read(clf, technology, uid, target, started)
                else:
                    self._apply([(step, uid)])
            self._stop.wait(self.poll_interval_s)

    def _sense_round(
        self, clf: nfc.ContactlessFrontend, technologies: list[str]
    ) -> list[tuple[str, bytes, nfc.clf.RemoteTarget]]:
        # One technology per sense() call so the stop flag is checked between the (on udp,
        # up to 1 s) waits. A settled card is looked for first and alone; otherwise every
        # technology is polled, so a second card of another technology shows up.
        order = sorted(technologies, key=lambda t: t != self._preferred)
        found: list[tuple[str, bytes, nfc.clf.RemoteTarget]] = []
        for technology in order:
            if self._stop.is_set():
                break
            try:
                target = clf.sense(nfc.clf.RemoteTarget(technology))
            except nfc.clf.UnsupportedTargetError:
                technologies.remove(technology)
                log.info("%s: reader does not support %s; not polling it", self.name, technology)
                if not technologies:
                    raise OSError(
                        errno.ENOTSUP,
                        f"reader supports none of the configured technologies {', '.join(self.technologies)}",
                    ) from None
                continue
            except nfc.clf.CommunicationError:
                continue  # a card at the edge of the field: try again next round
            uid = _uid_of(target) if target is not None else None
            if uid:
                found.append((technology, uid, target))
                if self._taps.steady and uid == self._taps.present:
                    break
        if found:
            self._preferred = found[0][0]
        return found

    def _read(
        self,
        clf: nfc.ContactlessFrontend,
        technology: str,
        uid: bytes,
        target: nfc.clf.RemoteTarget,
        started: float,
    ) -> None:
        if self.sources.order[0] != "uid" and getattr(clf, "target", None) is not target:
            # Talking to the card needs it to be the one sense() activated last.
            target = clf.sense(nfc.clf.RemoteTarget(technology))
            if target is None or _uid_of(target) != uid:
                return  # it left between the two polls: the next round sees what is there
        try:
            outcome, identifier = self._identify(clf, technology, uid, target)
        except OSError:
            raise  # the reader itself failed: reopen it
        except Exception as error:  # noqa: BLE001 - nfcpy trips on garbled card answers
            log.info("%s: card answer not understood: %s", self.name, type(error).__name__)
            outcome, identifier = "unreadable", ""
        if not self._taps.outcome(uid, outcome):
            return
        if outcome == "read":
            self.first_sensed = started
            log.info("%s: card read (%s, %d-byte UID)", self.name, technology, len(uid))
            self._emit(CardRead(technology=technology, uid=uid.hex().upper(), identifier=identifier))
        else:
            log.info("%s: card gave no identifier (%s, %s)", self.name, technology, outcome)
            self._emit(CardProblem(reason=outcome, technology=technology))

    def _identify(
        self, clf: nfc.ContactlessFrontend, technology: str, uid: bytes, target: nfc.clf.RemoteTarget
    ) -> tuple[Outcome, str]:
        tag: nfc.tag.Tag | None = None
        activated = False
        for source in self.sources.order:
            if source == "uid":
                try:
                    return "read", self.rule.identifier(uid)
                except ValueError:
                    return "not_supported", ""
            if not _may_carry_applications(target):
                continue  # e.g. MIFARE Classic: nfcpy reads its UID only
            if not activated:
                tag, activated = nfc.tag.activate(clf, target), True
                if tag is None:
                    return "unreadable", ""  # activation frames were lost
            try:
                value = self._ndef_member(tag) if source == "ndef" else self._transit_serial(tag)
            except _Unreadable:
                return "unreadable", ""
            if value:
                return "read", value
        return "not_supported", ""

    def _ndef_member(self, tag: nfc.tag.Tag | None) -> str | None:
        if tag is None:
            return None
        message = tag.ndef
        if message is not None:
            records = [_record_text(record) for record in message.records]
            return self.sources.member_from_ndef([r for r in records if r is not None])
        # nfcpy answers None both for "no NDEF" and for a read that failed: ask the card.
        if isinstance(tag, nfc.tag.tt3.Type3Tag):
            if tag.sys != 0x12FC:
                return None  # not an NFC Forum tag
            _check_answer(lambda: tag.read_from_ndef_service(0))
            raise _Unreadable  # the attribute block reads now: the message read failed
        if isinstance(tag, nfc.tag.tt4.Type4Tag):
            _check_answer(lambda: tag.send_apdu(0x00, 0xA4, 0x04, 0x00, NDEF_AID, 256))
            raise _Unreadable
        return None

    def _transit_serial(self, tag: nfc.tag.Tag | None) -> str | None:
        if not isinstance(tag, nfc.tag.tt4.Type4Tag):
            return None
        for aid in self.sources.aids:

            def select(aid: bytes = aid) -> object:
                return tag.send_apdu(0x00, 0xA4, 0x04, 0x00, aid, 256, False)

            answer = _check_answer(select)
            if answer is None or len(answer) < 2 or bytes(answer[-2:]) != b"\x90\x00":
                continue
            try:
                return serial_from_fci(bytes(answer[:-2]))
            except ValueError:
                raise _Unreadable from None  # a garbled answer: try again
        return None

    def _apply(self, steps: Sequence[tuple[str, bytes | None]]) -> None:
        for step, _uid in steps:
            if step == "removed":
                self._emit(CardRemoved())
            elif step == "two_cards":
                log.info("%s: more than one card on the reader", self.name)
                self._emit(CardProblem(reason="two_cards"))

    def _emit(self, event: CardRead | CardRemoved | CardProblem | DeviceStatus) -> None:
        if isinstance(event, DeviceStatus):
            self.status = event
        if self._post is not None:
            self._post(event)
        for listener in list(self.listeners):
            listener(event)

    def _interrupt_udp_wait(self) -> None:
        """Wake a udp-driver sense() from its 1 s wait: it ends on an "RFOFF" datagram."""
        clf = self._clf
        sock = getattr(getattr(clf, "device", None), "socket", None)
        if not isinstance(sock, socket.socket):
            return  # a real reader answers within milliseconds: nothing to wake
        try:
            port = sock.getsockname()[1]
            if port:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as wake:
                    wake.sendto(b"RFOFF", ("127.0.0.1", port))
        except OSError:
            pass  # the socket was just closed: the next sense() checks the stop flag


class _Unreadable(Exception):
    """The card stopped answering part-way through a read."""


def _check_answer(command: Callable[[], object]) -> bytearray | None:
    """Run a tag command: its answer; None when the card answered with an error status;
    _Unreadable when it did not answer at all (nfcpy's errno <= 0: timeout, garbled, protocol)."""
    try:
        answer = command()
    except nfc.tag.TagCommandError as error:
        if error.errno <= 0:
            raise _Unreadable from None
        return None
    except nfc.clf.CommunicationError:
        raise _Unreadable from None
    return bytearray(answer) if isinstance(answer, bytes | bytearray) else bytearray()


def _record_text(record: object) -> tuple[str, str] | None:
    if isinstance(record, ndef.TextRecord):
        return "text", str(record.text)
    if isinstance(record, ndef.UriRecord):
        return "uri", str(record.iri)
    return None


def _may_carry_applications(target: nfc.clf.RemoteTarget) -> bool:
    """FeliCa (Type 3), type B and ISO-DEP type A cards can hold NDEF or a transit purse."""
    if target.brty.endswith("A"):
        return bool(target.sel_res and target.sel_res[0] & _ISO_DEP)
    return True


def _uid_of(target: nfc.clf.RemoteTarget) -> bytes | None:
    """The card's UID: NFCID1 (type A), PUPI (type B) or IDm (FeliCa)."""
    brty = target.brty
    if brty.endswith("A"):
        if target.sdd_res:
            return bytes(target.sdd_res)
        if target.rid_res:  # type 1 (Topaz) tags answer RID instead of anticollision
            return bytes(target.rid_res[2:6])
    if brty.endswith("B") and target.sensb_res and len(target.sensb_res) >= 5:
        return bytes(target.sensb_res[1:5])
    if brty.endswith("F") and target.sensf_res and len(target.sensf_res) >= 9:
        return bytes(target.sensf_res[1:9])
    return None


def _close_quietly(clf: nfc.ContactlessFrontend) -> None:
    try:
        clf.close()
    except Exception as error:  # noqa: BLE001 - closing a vanished device may fail any way
        log.debug("closing NFC reader failed: %s", type(error).__name__)
