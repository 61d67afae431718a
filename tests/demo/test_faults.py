"""The scripted visit's `fault DEVICE WHAT [ARG]` step: parsed strictly, and each fault carried out
by the real simulator, seen by the kiosk's own adapter for that device."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest

from kiosk.core.errors import LibraryError, LibraryUnreachable
from kiosk.core.events import CardRead, DeviceStatus
from kiosk.core.receipt import PrintLine
from kiosk.demo.faults import ShiftedClock, apply_fault, heal
from kiosk.demo.script import FAULTS, ScriptError, parse
from kiosk.devices.escpos import get_profile
from kiosk.devices.printer import SerialReceiptPrinter
from kiosk.ils.library import Sip2Library
from kiosk.runtime.clock import ManualClock
from simulators.camera import VirtualCamera
from simulators.ils import seed
from simulators.ils.server import start_server
from simulators.printer import VirtualPrinter
from tests.devices.test_nfc import UID7, field, ready, start_reader  # noqa: F401 - fixtures

TODAY = dt.date(2026, 3, 2)


def kiosk_with(**sims: object) -> SimpleNamespace:
    names = dict.fromkeys(("ils", "printer", "camera", "nfc"))
    return SimpleNamespace(sims=SimpleNamespace(**{**names, **sims}), runtime=SimpleNamespace(clock=None))


# -- parsing ------------------------------------------------------------------------------


def test_every_fault_in_the_table_parses():
    args = {"": "", "seconds": " 2", "lines": " 3", "request": " checkout"}
    lines = [
        f"fault {device} {what}{args[kind]}"
        for device, faults in FAULTS.items()
        for what, kind in faults.items()
    ]
    steps = parse("\n".join(lines))
    assert [s.args[:2] for s in steps] == [(d, w) for d, faults in FAULTS.items() for w in faults]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("fault toaster burn", "no device 'toaster'"),
        ("fault printer melt", "printer has no fault 'melt'"),
        ("fault library slow", "needs a number of seconds"),
        ("fault library slow soon", "'soon' is not a number of seconds"),
        ("fault library slow -1", "is not 0 or more seconds"),
        ("fault printer paper_out_after 2.5", "not a whole number of lines"),
        ("fault library down now", "takes no argument"),
        ("fault library reply_lost lunch", "'lunch' is no library request"),
        ("fault camera", "fault takes 2..3 arguments"),
    ],
)
def test_unknown_or_malformed_faults_fail_at_parse_time(line, message):
    with pytest.raises(ScriptError, match=message) as raised:
        parse(f"expect_screen idle\n{line}\n", "x.visit")
    assert "x.visit:2" in str(raised.value)


# -- the library --------------------------------------------------------------------------


@pytest.fixture
def server():
    with start_server(today=TODAY) as handle:
        yield handle


def client(server, timeout: float = 2.0) -> Sip2Library:
    return Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=timeout, retries=0)


def test_library_down_refuses_connections_and_up_brings_the_same_records_back(server):
    kiosk = kiosk_with(ils=server)
    lib = client(server)
    try:
        assert lib.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0]).ok
        apply_fault(kiosk, "library", "down")
        with pytest.raises(LibraryUnreachable):
            lib.lookup_patron(seed.DEMO_PATRON_ID)
        apply_fault(kiosk, "library", "up")
        assert server.store.loan(seed.DEMO_ITEMS[0]).card_id == seed.DEMO_PATRON_ID
        assert lib.lookup_patron(seed.DEMO_PATRON_ID).patron_id == seed.DEMO_PATRON_ID
    finally:
        lib.close()


def test_wrong_password_refuses_every_login_until_up(server):
    kiosk = kiosk_with(ils=server)
    apply_fault(kiosk, "library", "wrong_password")
    lib = client(server)
    try:
        with pytest.raises(LibraryError):
            lib.lookup_patron(seed.DEMO_PATRON_ID)
    finally:
        lib.close()
    apply_fault(kiosk, "library", "up")
    lib = client(server)
    try:
        assert lib.lookup_patron(seed.DEMO_PATRON_ID).valid
    finally:
        lib.close()


def test_a_slow_library_answers_late_and_a_timeout_shorter_than_that_gives_up(server):
    apply_fault(kiosk_with(ils=server), "library", "slow", "1.5")
    lib = client(server, timeout=0.5)
    try:
        with pytest.raises(LibraryError):
            lib.item_information(seed.DEMO_ITEMS[1])
    finally:
        lib.close()
    heal(kiosk_with(ils=server))
    lib = client(server, timeout=0.5)
    try:
        assert lib.item_information(seed.DEMO_ITEMS[1]).item_id == seed.DEMO_ITEMS[1]
    finally:
        lib.close()


@pytest.mark.parametrize("what", ["garbage", "bad_checksum", "reply_lost"])
def test_a_lost_or_garbled_answer_to_a_checkout_lends_the_book_once(server, what):
    """The client may recover the answer (resend, ask the library) or give up and say it does
    not know; either way the library lent the book once, and a lent book is never reported
    as refused."""
    apply_fault(kiosk_with(ils=server), "library", what, "checkout")
    lib = client(server)
    try:
        result = lib.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[2])
    except LibraryError:
        result = None  # not confirmed either way
    finally:
        lib.close()
    assert result is None or result.ok
    loan = server.store.loan(seed.DEMO_ITEMS[2])
    assert loan.card_id == seed.DEMO_PATRON_ID and loan.renewals == 0  # carried out once
    assert server.received["11"] == 1


def test_drop_loses_the_request_before_it_is_carried_out(server):
    apply_fault(kiosk_with(ils=server), "library", "drop", "11")
    lib = client(server)
    try:
        try:
            lib.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[3])
        except LibraryError:
            pass  # told it could not be done: fine, as long as the record says the same
    finally:
        lib.close()
    assert server.received["11"] >= 1
    loan = server.store.loan(seed.DEMO_ITEMS[3])
    assert loan is None or (loan.card_id == seed.DEMO_PATRON_ID and loan.renewals == 0)


# -- the printer --------------------------------------------------------------------------

LINES = [
    PrintLine("EM0000100001"),
    PrintLine("채식주의자"),
    PrintLine("EM0000100002"),
    PrintLine(style="cut"),
]


@pytest.fixture
def printer(tmp_path):
    vp = VirtualPrinter(baud=0, out_dir=tmp_path)
    kiosk = kiosk_with(printer=vp)
    port = SerialReceiptPrinter(vp.url, get_profile("generic-80-ko"))
    yield kiosk, vp, port
    port.close()
    vp.close()


def test_printed_text_is_kept_beside_the_picture(printer):
    _, vp, port = printer
    assert port.print_lines(LINES).ok
    path = vp.wait_for_receipt(5)
    assert vp.receipt_texts == [["EM0000100001", "채식주의자", "EM0000100002"]]
    assert path.with_suffix(".txt").read_text(encoding="utf-8").split() == vp.receipt_texts[0]


@pytest.mark.parametrize(("fault", "healed"), [("paper_out", "paper_in"), ("cover_open", "cover_closed"),
                                               ("unplugged", "plugged")])  # fmt: skip
def test_a_printer_fault_refuses_the_receipt_and_its_cure_prints_again(printer, fault, healed):
    kiosk, vp, port = printer
    apply_fault(kiosk, "printer", fault)
    outcome = port.print_lines(LINES)
    assert not outcome.ok and vp.receipts == []
    apply_fault(kiosk, "printer", healed)
    assert port.print_lines(LINES).ok
    vp.wait_for_receipt(5)
    assert len(vp.receipt_texts) == 1


def test_paper_running_out_after_some_lines_cuts_no_receipt(printer):
    kiosk, vp, port = printer
    apply_fault(kiosk, "printer", "paper_out_after", "2")
    outcome = port.print_lines(LINES)
    assert not outcome.ok
    assert vp.receipts == [] and vp.status_byte(4) & 0x60


# -- the camera, the reader, the clock ------------------------------------------------------


def test_camera_gone_frozen_and_back():
    cam = VirtualCamera(width=320, height=240)
    kiosk = kiosk_with(camera=cam)
    assert cam.read()[0]
    apply_fault(kiosk, "camera", "gone")
    assert cam.read() == (False, None)
    apply_fault(kiosk, "camera", "back")
    _, before = cam.read()
    apply_fault(kiosk, "camera", "frozen")
    cam.show(seed.DEMO_ITEMS[0])
    frames = [cam.read()[1] for _ in range(3)]
    assert all((f == before).all() for f in frames)  # the code held up is never seen
    apply_fault(kiosk, "camera", "back")
    assert not (cam.read()[1] == before).all()


def test_reader_unplugged_is_reported_lost_and_plugged_reads_again(field, start_reader):  # noqa: F811
    _, events = start_reader(field.path, retry_s=(0.05, 0.1))
    ready(events)
    apply_fault(kiosk_with(nfc=field), "reader", "unplugged")
    lost = events.next()
    assert isinstance(lost, DeviceStatus) and not lost.ok and "stopped answering" in lost.detail
    apply_fault(kiosk_with(nfc=field), "reader", "plugged")
    deadline = time.monotonic() + 5
    while True:  # reopened (ok), perhaps failing once more before the plug was seen
        event = events.next()
        if isinstance(event, DeviceStatus) and event.ok:
            break
        assert time.monotonic() < deadline
    field.tap(UID7)
    while not isinstance(event := events.next(), CardRead):
        assert isinstance(event, DeviceStatus)
    assert event.uid == UID7


def test_clock_jump_moves_wall_time_not_timers():
    manual = ManualClock()
    kiosk = kiosk_with()
    kiosk.runtime.clock = manual
    apply_fault(kiosk, "clock", "jump", "3600")
    apply_fault(kiosk, "clock", "jump", "-600")
    clock = kiosk.runtime.clock
    assert isinstance(clock, ShiftedClock)
    assert clock.now() - manual.now() == dt.timedelta(seconds=3000)
    assert clock.monotonic() == manual.monotonic()


def test_a_fault_on_a_device_that_is_not_simulated_says_so():
    from kiosk.demo.faults import FaultUnavailable

    with pytest.raises(FaultUnavailable, match="printer is not a simulator"):
        apply_fault(kiosk_with(), "printer", "paper_out")
