"""The reading tests of tests/devices/test_nfc.py on a real reader (run with --hardware --nfc usb -s).

A person taps cards when the test says so (printed to the terminal: run with -s)."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from kiosk.core.events import CardProblem, CardRead, CardRemoved, DeviceStatus, Event
from kiosk.devices.card_id import CardIdRule
from kiosk.devices.nfc import NfcReader

pytestmark = [pytest.mark.hardware, pytest.mark.timeout(120)]
TAP_WAIT_S = 60.0


class Reader:
    def __init__(self, path: str) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.reader = NfcReader(path, CardIdRule(), ("106A", "106B", "212F"), holdoff_s=2.0)
        self.reader.start(self.events.put)

    def next(self, wait: float = TAP_WAIT_S) -> Event:
        try:
            return self.events.get(timeout=wait)
        except queue.Empty:
            raise AssertionError(f"nothing from the reader within {wait} s") from None


@pytest.fixture
def reader(nfc_path: str):
    r = Reader(nfc_path)
    status = r.next(10)
    assert isinstance(status, DeviceStatus), status
    if not status.ok:
        r.reader.stop()
        pytest.fail(status.detail)
    yield r
    r.reader.stop()


def say(text: str) -> None:
    print(f"\n>>> {text}", flush=True)


def test_reader_opens_and_names_itself(reader) -> None:
    assert reader.reader.reader_model


def test_a_held_card_is_one_tap_and_lifting_removes_it(reader) -> None:
    say("tap a card and leave it on the reader for 3 seconds, then lift it")
    read = reader.next()
    assert isinstance(read, CardRead) and read.uid and read.identifier == read.uid
    assert isinstance(reader.next(), CardRemoved)  # no second CardRead in between


def test_retap_within_the_holdoff_is_ignored(reader) -> None:
    say("tap a card, lift it, and tap it again at once (within 2 s)")
    assert isinstance(reader.next(), CardRead)
    assert isinstance(reader.next(), CardRemoved)
    time.sleep(2.5)
    extra = [reader.events.get_nowait() for _ in range(reader.events.qsize())]
    assert not [e for e in extra if isinstance(e, CardRead)]


def test_two_cards_of_different_kinds_ask_for_one(reader) -> None:
    say("hold a library card and a FeliCa or type B card on the reader together")
    event = reader.next()
    while isinstance(event, CardRead | CardRemoved):
        event = reader.next()
    assert event == CardProblem(reason="two_cards")


def test_stop_ends_the_poll_thread(nfc_path: str) -> None:
    r = Reader(nfc_path)
    r.next(10)
    r.reader.stop()
    assert not [t for t in threading.enumerate() if t.name == "nfc-reader"]
