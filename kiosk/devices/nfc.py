"""NFC patron card reader: polls an nfcpy reader on its own thread and posts one CardRead per tap."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence

import nfc
import nfc.clf

from kiosk.core.events import CardRead, CardRemoved, DeviceStatus
from kiosk.core.ports import Post
from kiosk.devices.card_id import CardIdRule

log = logging.getLogger(__name__)

TECHNOLOGIES = ("106A", "106B", "212F", "424F")
PATH_SCHEMES = ("usb", "tty", "com", "udp")
_KERNEL_DRIVER_HINT = (
    "the kernel NFC driver may hold it: `sudo modprobe -r port100` (Sony RC-S380) or "
    "`sudo modprobe -r pn533_usb` (PN533, ACR122U), then blacklist it in "
    "/etc/modprobe.d/blacklist-nfc.conf"
)
_PERMISSION_HINT = (
    "give the kiosk user access with a udev rule, e.g. /etc/udev/rules.d/nfcdev.rules: "
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="054c", ATTRS{idProduct}=="06c1", GROUP="plugdev" '
    "(your reader's ids from `lsusb`), then `sudo udevadm control -R` and re-plug it; "
    "`python -m nfc` prints the exact rule"
)


class NfcReader:
    """A `kiosk.core.ports.Device` over nfcpy's `ContactlessFrontend`.

    A tap is one CardRead however long the card stays; CardRemoved follows when it leaves
    (after `removal_misses` empty polls in a row, so one lost frame is not a lift). A tap of the
    same UID that starts less than `holdoff_s` after the previous reported tap of it ended is a
    bounce: it posts neither CardRead nor CardRemoved. Faults become DeviceStatus(ok=False)
    and the worker reopens the reader with back-off; DeviceStatus(ok=True) when it opens.
    """

    def __init__(
        self,
        path: str,
        rule: CardIdRule,
        technologies: Sequence[str] = ("106A", "106B", "212F"),
        holdoff_s: float = 2.0,
        name: str = "nfc",
        *,
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
        if holdoff_s < 0 or poll_interval_s <= 0 or removal_misses < 1:
            raise ValueError("holdoff_s >= 0, poll_interval_s > 0 and removal_misses >= 1 required")
        if not 0 < retry_s[0] <= retry_s[1]:
            raise ValueError(f"retry_s must be (first, longest) back-off > 0, got {retry_s!r}")
        self.name = name
        self.path = path.strip()
        self.rule = rule
        self.technologies = tuple(dict.fromkeys(technologies))
        self.holdoff_s = holdoff_s
        self.poll_interval_s = poll_interval_s
        self.removal_misses = removal_misses
        self.retry_s = retry_s
        self._clock = clock
        self._post: Post | None = None
        self._stop = threading.Event()
        self._reset = threading.Event()
        self._thread: threading.Thread | None = None
        self._clf: nfc.ContactlessFrontend | None = None
        # Card state, touched only by the worker thread.
        self._present: bytes | None = None
        self._present_reported = False
        self._misses = 0
        self._last_uid: bytes | None = None
        self._last_ended = 0.0
        self._preferred = self.technologies[0]

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
            log.info("%s: reader ready on %s", self.name, self.path)
            self._emit(DeviceStatus(device=self.name, ok=True, detail=f"NFC reader on {self.path}"))
            backoff, last_fault = self.retry_s[0], ""
            try:
                self._poll(clf)
            except Exception as error:  # noqa: BLE001 - any driver failure is a lost reader
                last_fault = self._lost_detail(error)
                log.warning("%s: %s", self.name, last_fault)
                self._emit(DeviceStatus(device=self.name, ok=False, detail=last_fault))
                self._stop.wait(backoff)
            finally:
                self._clf = None
                _close_quietly(clf)
                self._card_gone()

    def _open(self) -> tuple[nfc.ContactlessFrontend | None, str]:
        if self.path.split(":", 1)[0] not in PATH_SCHEMES:
            return None, (
                f"'{self.path}' is not an NFC reader path: use usb[:VID:PID] (e.g. usb:054c:06c1),"
                " tty:PORT:DRIVER (e.g. tty:USB0:pn532) or udp:HOST:PORT for the simulator"
            )
        try:
            return nfc.ContactlessFrontend(self.path), ""
        except OSError as error:
            return None, self._open_detail(error)
        except Exception as error:  # noqa: BLE001 - nfcpy raises assorted types for bad paths
            return None, f"cannot open NFC reader '{self.path}': {type(error).__name__}: {error}"

    def _poll(self, clf: nfc.ContactlessFrontend) -> None:
        technologies = list(self.technologies)
        while not self._stop.is_set():
            found = self._sense_round(clf, technologies)
            if self._stop.is_set():
                return
            if found is None:
                self._no_card()
            else:
                self._card_seen(*found)
            self._stop.wait(self.poll_interval_s)

    def _sense_round(self, clf: nfc.ContactlessFrontend, technologies: list[str]) -> tuple[str, bytes] | None:
        # One technology per sense() call so the stop flag is checked between the (on udp,
        # up to 1 s) waits; the technology that found the card last goes first.
        order = sorted(technologies, key=lambda t: t != self._preferred)
        for technology in order:
            if self._stop.is_set():
                return None
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
                self._preferred = technology
                return technology, uid
        return None

    def _card_seen(self, technology: str, uid: bytes) -> None:
        self._misses = 0
        if uid == self._present:
            return
        self._card_gone()
        if self._reset.is_set():
            self._reset.clear()
            self._last_uid = None
        now = self._clock()
        bounce = uid == self._last_uid and now - self._last_ended < self.holdoff_s
        self._present, self._present_reported = uid, not bounce
        if bounce:
            log.debug("%s: same card again within %.1f s: ignored", self.name, self.holdoff_s)
            return
        try:
            identifier = self.rule.identifier(uid)
        except ValueError as error:
            self._present_reported = False
            self._emit(DeviceStatus(device=self.name, ok=False, detail=f"unreadable card: {error}"))
            return
        log.info("%s: card read (%s, %d-byte UID)", self.name, technology, len(uid))
        self._emit(CardRead(technology=technology, uid=uid.hex().upper(), identifier=identifier))

    def _no_card(self) -> None:
        if self._present is None:
            return
        self._misses += 1
        if self._misses >= self.removal_misses:
            self._card_gone()

    def _card_gone(self) -> None:
        if self._present is None:
            return
        if self._present_reported:
            self._last_uid, self._last_ended = self._present, self._clock()
            self._emit(CardRemoved())
        self._present, self._present_reported, self._misses = None, False, 0

    def _emit(self, event: CardRead | CardRemoved | DeviceStatus) -> None:
        if self._post is not None:
            self._post(event)

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

    # -- technician texts ------------------------------------------------------------------

    def _open_detail(self, error: OSError) -> str:
        where = f"NFC reader '{self.path}'"
        scheme = self.path.split(":", 1)[0]
        if error.errno == errno.EACCES:
            return f"permission denied for {where}: {_PERMISSION_HINT}"
        if error.errno == errno.EBUSY:
            return f"{where} is busy: another program uses it (stop it) or {_KERNEL_DRIVER_HINT}"
        if error.errno == errno.ENODEV and scheme == "usb":
            return (
                f"no {where} found: check it is plugged in (`lsusb`); if it is, "
                f"{_KERNEL_DRIVER_HINT}, or the kiosk user lacks permission: {_PERMISSION_HINT}"
            )
        if error.errno in (errno.ENODEV, errno.ENOENT) and scheme in ("tty", "com"):
            return (
                f"no {where} found: check the serial port exists and the driver name "
                "(tty:PORT:DRIVER, DRIVER pn532 or arygon)"
            )
        if error.errno == errno.ETIMEDOUT:
            return (
                f"{where} did not answer: check the cable, the driver name in the path and "
                "that no other program uses the port"
            )
        return f"cannot open {where}: {error.strerror or error}"

    def _lost_detail(self, error: Exception) -> str:
        if isinstance(error, OSError) and error.errno == errno.ENOTSUP:
            return f"NFC reader '{self.path}': {error.strerror}"
        return (
            f"NFC reader '{self.path}' stopped answering (unplugged?): "
            f"{type(error).__name__}: {error}; reopening"
        )


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
