"""Device reports and the printer's answers raise and clear alerts through a real runtime; the
journal's loans and returns waiting too long to be replayed raise one, read from a real journal."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kiosk.alerts.adapters import LogAlerts
from kiosk.alerts.hub import Alerts
from kiosk.alerts.watch import EventWatch, JournalWatch
from kiosk.core.alerts import AlertKind
from kiosk.core.effects import AlertStaff, Effect
from kiosk.core.events import DeviceStatus, Event, Pressed, ReceiptPrinted
from kiosk.core.model import PrintOutcome
from kiosk.ils.journal import Journal
from kiosk.runtime.clock import ManualClock
from kiosk.runtime.loop import Runtime
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)


class CallsStaff:
    """A flow that asks for staff when "call_staff" is pressed, and ignores the rest."""

    state = "idle"

    def handle(self, event: Event) -> list[Effect]:
        if isinstance(event, Pressed) and event.control == "call_staff":
            return [AlertStaff("warning", "staff called from screen idle")]
        return []


class NoLibrary:
    def close(self) -> None:
        pass


class NoPrinter:
    def print_receipt(self, receipt):
        raise AssertionError("nothing is printed here")

    def close(self) -> None:
        pass


@pytest.fixture
def watched():
    clock = ManualClock()
    alerts = Alerts([LogAlerts()], "KIOSK-01", clock.now)
    watch = EventWatch(alerts)
    runtime = Runtime(CallsStaff(), NoLibrary(), NoPrinter(), clock)  # type: ignore[arg-type]
    runtime.observers.append(watch.observe)
    runtime.register(AlertStaff, watch.alert_staff)
    runtime.on_visit_ended.append(watch.visit_ended)
    yield runtime, alerts
    runtime.stop()


def feed(runtime: Runtime, *events: Event) -> None:
    for event in events:
        runtime.post(event)
    runtime.pump()


def test_a_device_lost_raises_its_alert_once_and_its_return_clears_it(watched, caplog):
    runtime, alerts = watched
    lost = DeviceStatus(device="nfc", ok=False, detail="NFC reader on usb unplugged: check the USB cable")
    feed(runtime, lost, lost, DeviceStatus(device="camera", ok=True, detail="camera 0"))
    assert set(alerts.active) == {AlertKind.READER_LOST}
    assert "check the USB cable" in alerts.active[AlertKind.READER_LOST].message
    feed(runtime, DeviceStatus(device="camera", ok=False, detail="camera 0 gives no frames"))
    feed(runtime, DeviceStatus(device="library", ok=False, detail="SIP2 server refused the connection"))
    assert set(alerts.active) == {AlertKind.READER_LOST, AlertKind.CAMERA_LOST, AlertKind.LINK_DOWN}
    feed(runtime, DeviceStatus(device="nfc", ok=True), DeviceStatus(device="library", ok=True))
    assert set(alerts.active) == {AlertKind.CAMERA_LOST}
    raised = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "kiosk.alerts"]
    assert len(raised) == 3


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("printer.paper_out", AlertKind.PAPER_OUT),
        ("printer.offline", AlertKind.PRINTER_LOST),
        ("printer.failed", AlertKind.PRINTER_FAULT),
    ],
)
def test_a_refused_receipt_raises_the_printer_alert_and_a_printed_one_clears_it(watched, reason, kind):
    runtime, alerts = watched
    feed(runtime, ReceiptPrinted(job_id=1, outcome=PrintOutcome(False, reason, "printer on /dev/pts/3: ...")))
    assert set(alerts.active) == {kind}
    feed(runtime, ReceiptPrinted(job_id=2, outcome=PrintOutcome(True)))
    assert not alerts.active


def test_one_printer_alert_at_a_time(watched):
    runtime, alerts = watched
    feed(runtime, ReceiptPrinted(job_id=1, outcome=PrintOutcome(False, "printer.paper_out")))
    feed(runtime, ReceiptPrinted(job_id=2, outcome=PrintOutcome(False, "printer.failed", "cover open")))
    assert set(alerts.active) == {AlertKind.PRINTER_FAULT}


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("paper_out", AlertKind.PAPER_OUT),
        ("unreachable", AlertKind.PRINTER_LOST),
        ("cover_open", AlertKind.PRINTER_FAULT),
        ("cutter_error", AlertKind.PRINTER_FAULT),
    ],
)
def test_the_printer_watched_between_receipts_raises_and_clears_its_alert(watched, reason, kind):
    runtime, alerts = watched
    feed(
        runtime, DeviceStatus(device="printer", ok=False, detail="printer on /dev/pts/3: ...", reason=reason)
    )
    assert set(alerts.active) == {kind}
    feed(runtime, DeviceStatus(device="printer", ok=True, detail="printer ready"))
    assert not alerts.active


def test_the_call_for_staff_is_raised_once_per_visit(watched, caplog):
    runtime, alerts = watched
    feed(runtime, Pressed(control="call_staff"), Pressed(control="call_staff"))
    assert set(alerts.active) == {AlertKind.CALL_STAFF}
    assert caplog.text.count("staff alert call_staff") == 1
    runtime._visit_ended(None)  # type: ignore[arg-type]  # as the VisitEnded effect does
    assert not alerts.active


def journal_with_offline_loan(tmp_path, at: dt.datetime) -> tuple[Journal, int]:
    journal = Journal(tmp_path / "journal.sqlite")
    entry = journal.begin("checkout", at, "04A1B2C3D4E5F6", "EM0000100001")
    journal.take_offline(entry)
    return journal, entry


def test_loans_taken_offline_waiting_too_long_raise_journal_stuck_until_sent(tmp_path, caplog):
    clock = ManualClock()
    journal, entry = journal_with_offline_loan(tmp_path, clock.now())
    alerts = Alerts([LogAlerts()], "KIOSK-01", clock.now)
    watch = JournalWatch(journal, alerts, clock.now, dt.timedelta(minutes=30))
    try:
        clock.advance(29 * 60)
        assert not watch.check() and not alerts.active
        clock.advance(2 * 60)
        assert watch.check()
        message = alerts.active[AlertKind.JOURNAL_STUCK].message
        assert "1 of 1 waiting for more than 30 min, the oldest 31 min" in message
        assert "04A1B2C3D4E5F6" not in caplog.text
        journal.sent(entry)
        journal.settle(entry, "done", clock.now())
        assert not watch.check() and not alerts.active
    finally:
        journal.close()


def test_the_journal_watch_looks_on_its_own_thread_and_stops(tmp_path):
    clock = ManualClock()
    journal, _ = journal_with_offline_loan(tmp_path, clock.now() - dt.timedelta(hours=2))
    alerts = Alerts([], "KIOSK-01", clock.now)
    watch = JournalWatch(journal, alerts, clock.now, dt.timedelta(minutes=30), every_s=0.05)
    watch.start()
    try:
        assert wait_for(lambda: AlertKind.JOURNAL_STUCK in alerts.active)
    finally:
        watch.stop()
        journal.close()
    assert not watch._thread.is_alive()
