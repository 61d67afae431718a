"""NfcReader against the card emulator, both through nfcpy's real udp driver (no mocks of nfc)."""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator

import nfc
import nfc.clf
import pytest

from kiosk.core.events import CardRead, CardRemoved, DeviceStatus, Event
from kiosk.devices.card_id import CardIdRule
from kiosk.devices.nfc import NfcReader
from simulators.nfc import CardEmulator

pytestmark = pytest.mark.timeout(30)

UID7 = "04A1B2C3D4E5F6"
UID4 = "DEADBEEF"
IDM = "0102030405060708"
WAIT_S = 5.0


class Events:
    """What the reader posted, in order; waits are bounded so a missing event fails the test."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Event] = queue.Queue()

    def post(self, event: Event) -> None:
        self._queue.put(event)

    def next(self) -> Event:
        try:
            return self._queue.get(timeout=WAIT_S)
        except queue.Empty:
            raise AssertionError(f"no event within {WAIT_S} s") from None

    def pending(self) -> list[Event]:
        out = []
        while not self._queue.empty():
            out.append(self._queue.get_nowait())
        return out


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def field() -> Iterator[CardEmulator]:
    emulator = CardEmulator()
    yield emulator
    emulator.close()


@pytest.fixture
def start_reader() -> Iterator[Callable[..., tuple[NfcReader, Events]]]:
    started: list[NfcReader] = []

    def start(path: str, rule: CardIdRule | None = None, **options: object) -> tuple[NfcReader, Events]:
        reader = NfcReader(path, rule or CardIdRule(), **options)  # type: ignore[arg-type]
        events = Events()
        reader.start(events.post)
        started.append(reader)
        return reader, events

    yield start
    for reader in started:
        reader.stop()
    assert not [t for t in threading.enumerate() if t.name.endswith("-reader")]


def ready(events: Events) -> None:
    status = events.next()
    assert isinstance(status, DeviceStatus) and status.ok, status


def let_reader_poll(field: CardEmulator, frames: int = 40) -> None:
    """Wait until the reader has sent `frames` more frames: several poll cycles, not a duration."""
    target = field.polls + frames
    deadline = time.monotonic() + WAIT_S
    while field.polls < target:
        assert time.monotonic() < deadline, "reader stopped polling"
        time.sleep(0.005)


def test_tap_of_7_byte_uid_is_one_card_read_with_hex_identifier(field, start_reader) -> None:
    _, events = start_reader(field.path)
    ready(events)
    field.tap(UID7)
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=UID7)
    let_reader_poll(field)
    assert events.pending() == []


def test_decimal_reversed_rule(field, start_reader) -> None:
    rule = CardIdRule(format="decimal", byte_order="reversed", width=20, prefix="P")
    _, events = start_reader(field.path, rule)
    ready(events)
    field.tap(UID7)
    expected = "P" + str(int.from_bytes(bytes.fromhex(UID7), "little")).zfill(20)
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=expected)


def test_card_held_for_many_polls_is_one_tap_and_lift_removes_it(field, start_reader) -> None:
    _, events = start_reader(field.path)
    ready(events)
    field.tap(UID4)
    assert isinstance(events.next(), CardRead)
    let_reader_poll(field, frames=60)
    assert events.pending() == []
    field.lift()
    assert events.next() == CardRemoved()
    let_reader_poll(field)
    assert events.pending() == []


def _read_with_holdoff(field, start_reader, clock: ManualClock):
    """A reader with a 2 s hold-off on `clock` that has read UID7, still on it."""
    reader, events = start_reader(field.path, holdoff_s=2.0, clock=clock)
    ready(events)
    field.tap(UID7)
    assert isinstance(events.next(), CardRead)
    return reader, events


def test_retap_within_holdoff_is_ignored_and_after_it_is_read(field, start_reader) -> None:
    clock = ManualClock()
    _, events = _read_with_holdoff(field, start_reader, clock)
    field.lift()
    assert events.next() == CardRemoved()

    clock.now += 1.0
    field.tap(UID7)
    let_reader_poll(field)
    field.lift()
    let_reader_poll(field)
    assert events.pending() == []  # the bounce is silent: no CardRead, no CardRemoved

    clock.now += 1.5  # 2.5 s after the reported tap ended
    field.tap(UID7)
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=UID7)
    field.lift()
    assert events.next() == CardRemoved()


def test_a_card_laid_back_within_holdoff_and_left_there_is_read_when_it_ends(field, start_reader) -> None:
    # A visit turned away with the card still on the reader (reset), the card lifted and laid
    # straight back: silent while the hold-off lasts, then read, not ignored for as long as
    # it lies there.
    clock = ManualClock()
    reader, events = _read_with_holdoff(field, start_reader, clock)
    reader.reset()
    let_reader_poll(field)
    field.lift()
    assert events.next() == CardRemoved()
    clock.now += 0.2
    field.tap(UID7)
    let_reader_poll(field)
    assert events.pending() == []
    clock.now += 2.0
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=UID7)
    field.lift()
    assert events.next() == CardRemoved()


def test_reset_at_visit_end_lets_the_same_card_start_the_next_visit(field, start_reader) -> None:
    reader, events = start_reader(field.path, holdoff_s=60.0)
    ready(events)
    field.tap(UID7)
    assert isinstance(events.next(), CardRead)
    field.lift()
    assert events.next() == CardRemoved()
    reader.reset()
    field.tap(UID7)
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=UID7)


def test_reset_does_not_reread_a_card_left_on_the_reader(field, start_reader) -> None:
    reader, events = start_reader(field.path, holdoff_s=60.0)
    ready(events)
    field.tap(UID7)
    assert isinstance(events.next(), CardRead)
    reader.reset()
    let_reader_poll(field)
    assert events.pending() == []


def test_another_card_within_holdoff_is_read(field, start_reader) -> None:
    _, events = start_reader(field.path, holdoff_s=60.0)
    ready(events)
    field.tap(UID7)
    assert isinstance(events.next(), CardRead)
    field.lift()
    assert events.next() == CardRemoved()
    field.tap(UID4)
    assert events.next() == CardRead(technology="106A", uid=UID4, identifier=UID4)


def test_felica_idm_is_the_uid(field, start_reader) -> None:
    _, events = start_reader(field.path, CardIdRule(case="lower"))
    ready(events)
    field.tap(IDM, technology="212F")
    assert events.next() == CardRead(technology="212F", uid=IDM, identifier=IDM.lower())


def test_card_uids_never_reach_the_logs(field, start_reader, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _, events = start_reader(field.path)
    ready(events)
    field.tap(UID7)
    assert isinstance(events.next(), CardRead)
    field.lift()
    assert events.next() == CardRemoved()
    text = caplog.text.upper()
    assert "card read" in caplog.text
    assert UID7 not in text and UID7[-8:] not in text


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("usb:ffff:ffff", ["usb:ffff:ffff", "modprobe -r port100", "pn533_usb", "udev"]),
        ("tty:NOSUCH0:pn532", ["tty:NOSUCH0:pn532", "serial port", "pn532"]),
        ("bogus:1", ["not an NFC reader path", "usb", "tty:", "udp:"]),
    ],
)
def test_absent_reader_is_a_device_fault_and_stop_is_prompt(start_reader, path, words) -> None:
    reader, events = start_reader(path, retry_s=(0.01, 0.05))
    status = events.next()
    assert isinstance(status, DeviceStatus) and not status.ok
    assert status.device == "nfc"
    for word in words:
        assert word in status.detail
    reader.stop()
    # Retries of the same fault do not repeat the status.
    assert [e for e in events.pending() if isinstance(e, DeviceStatus)] == []


@pytest.mark.timeout(10)
def test_stop_interrupts_a_udp_poll_nobody_answers(start_reader) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # takes the datagrams, answers none
        reader, events = start_reader(f"udp:127.0.0.1:{silent.getsockname()[1]}")
        ready(events)
        silent.settimeout(WAIT_S)
        assert silent.recv(64).startswith(b"106A")  # the reader is inside its 1 s wait
        reader.stop()
    assert events.pending() == []


def test_reader_refuses_bad_settings_and_double_start(field) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        NfcReader("", CardIdRule())
    with pytest.raises(ValueError, match="technologies"):
        NfcReader(field.path, CardIdRule(), technologies=("106X",))
    reader = NfcReader(field.path, CardIdRule())
    reader.start(lambda event: None)
    try:
        with pytest.raises(RuntimeError, match="already started"):
            reader.start(lambda event: None)
    finally:
        reader.stop()
    reader.stop()  # idempotent


# -- the emulator on its own, read by a bare nfcpy initiator ----------------------------------


def sense(field: CardEmulator, technology: str = "106A") -> nfc.clf.RemoteTarget | None:
    clf = nfc.ContactlessFrontend(field.path)
    try:
        return clf.sense(nfc.clf.RemoteTarget(technology))
    finally:
        clf.close()


def test_emulated_cards_answer_nfcpy_sense(field) -> None:
    assert sense(field) is None
    field.tap(UID4)
    target = sense(field)
    assert target is not None
    assert bytes(target.sdd_res).hex().upper() == UID4 and target.sel_res == bytearray([0x08])
    assert sense(field, "212F") is None
    field.tap(UID7, sak=0x00)
    target = sense(field)
    assert target is not None and bytes(target.sdd_res).hex().upper() == UID7
    assert target.sel_res == bytearray([0x00])
    field.tap(IDM, technology="212F")
    target = sense(field, "212F")
    assert target is not None and bytes(target.sensf_res[1:9]).hex().upper() == IDM
    assert field.present
    field.lift()
    assert not field.present and sense(field, "212F") is None


@pytest.mark.parametrize(
    ("uid", "technology", "message"),
    [
        ("04A1B2", "106A", "4 or 7 bytes"),
        ("00112233445566778899", "106A", "4 or 7 bytes"),
        ("XYZ", "106A", "hex digits"),
        ("DEADBEEF", "212F", "8 bytes"),
        ("DEADBEEF", "106B", "cannot emulate"),
    ],
)
def test_emulator_refuses_cards_it_cannot_be(field, uid, technology, message) -> None:
    with pytest.raises(ValueError, match=message):
        field.tap(uid, technology)
    assert not field.present


def test_emulator_close_with_card_on_field_ends_its_threads() -> None:
    before = set(threading.enumerate())
    emulator = CardEmulator()
    emulator.tap(UID7)
    emulator.close()
    assert set(threading.enumerate()) <= before
    with pytest.raises(RuntimeError, match="closed"):
        emulator.tap(UID7)
