"""The NFC check against the card emulator through nfcpy's udp driver: opened here, or the running
kiosk's reader; a tap; a reader unplugged or absent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import Live
from kiosk.diagnostics import nfc as diag
from simulators.nfc import CardEmulator
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

IDM = "0102030405060708"
UID7 = "04A1B2C3D4E5F6"


@pytest.fixture
def nfc_file(settings_file: Callable[..., Path]) -> Callable[..., Path]:
    def write(device: str, **more: object) -> Path:
        return settings_file(nfc={"device": device, "technologies": ["106A", "212F"], **more})

    return write


def tap_when_listening(reader, field: CardEmulator, uid: str, technology: str = "106A") -> threading.Thread:
    """Tap once the check listens to the kiosk's reader (a tap before would go to the visit only)."""

    def tap() -> None:
        if wait_for(lambda: bool(reader.listeners), 20):
            field.tap(uid, technology)

    thread = threading.Thread(target=tap, name="test-tap")
    thread.start()
    return thread


def test_reader_found_with_model_and_path(nfc_file, card_field):
    result = diag.check(config.load(nfc_file(card_field.path)))
    assert result.verdict == "ok" and result.advice == ()
    assert "UDP" in result.evidence["model"] and result.evidence["path"] == card_field.path
    assert result.summary == f"{result.evidence['model']} on {card_field.path}"


def test_a_tap_gives_technology_masked_uid_and_identifier_and_time(nfc_file, card_field):
    card_field.tap(IDM, "212F")
    result = diag.check(config.load(nfc_file(card_field.path, uid_format="decimal")), tap=10)
    assert result.verdict == "ok", result.summary
    tap = result.evidence["tap"]
    assert (tap["technology"], tap["uid"]) == ("212F", "****0708")
    assert tap["identifier"] == "****" + str(int(IDM, 16))[-4:] and tap["read_ms"] >= 0
    assert IDM not in str(result.as_dict()) and "read a 212F card in" in result.summary


def test_no_tap_in_time_fails_with_what_to_do(nfc_file, card_field):
    result = diag.check(config.load(nfc_file(card_field.path)), tap=0.3)
    assert result.verdict == "failed" and result.summary == "no card was read in 0.3 s"
    assert result.advice == (diag.ADVICE_TAP,) and result.evidence["tap"] is None


def test_an_absent_reader_fails_and_says_what_to_check(nfc_file):
    result = diag.check(config.load(nfc_file("usb:ffff:ffff")))
    assert result.verdict == "failed" and result.summary == "no NFC reader 'usb:ffff:ffff' found"
    assert "lsusb" in result.advice[0] and "modprobe -r" in result.advice[0]


def test_the_simulator_is_not_opened_from_the_command_line():
    result = diag.check(config.load(None))
    assert result.verdict == "ok" and result.evidence["opened"] is False
    assert "python -m simulators.nfc" in result.evidence["note"]


def test_the_running_kiosks_reader_is_checked_without_opening_it_again(built):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    reader = live.reader
    assert wait_for(lambda: reader.status is not None and reader.status.ok)
    polls = kiosk.sims.nfc.polls
    thread = tap_when_listening(reader, kiosk.sims.nfc, UID7)
    try:
        result = diag.check(kiosk.settings, live, tap=15)
    finally:
        thread.join()
    assert result.verdict == "ok", result.summary
    assert result.evidence["path"] == reader.path and result.evidence["tap"]["uid"] == "****E5F6"
    assert reader.listeners == [] and kiosk.sims.nfc.polls > polls  # the kiosk's reader polled on


def test_the_running_kiosks_reader_unplugged_fails(built):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    assert wait_for(lambda: live.reader.status is not None and live.reader.status.ok)
    kiosk.sims.nfc.unplug()
    assert wait_for(lambda: not live.reader.status.ok)
    result = diag.check(kiosk.settings, live)
    assert result.verdict == "failed" and "stopped answering (unplugged?)" in result.summary
    assert diag.ADVICE_PLUG in result.advice or any("lsusb" in line for line in result.advice)
