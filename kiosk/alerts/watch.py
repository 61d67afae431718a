"""What raises and clears alerts: the runtime's events (devices, the printer's answers, visits
ending) and a look at the journal for loans and returns that wait too long to be replayed."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kiosk.core.alerts import DEVICE_LOST, AlertKind
from kiosk.core.effects import AlertStaff
from kiosk.core.events import DeviceStatus, ReceiptPrinted
from kiosk.core.model import PrintOutcome

log = logging.getLogger("kiosk.alerts")

# A failed receipt's reason (PrintOutcome.reason) -> the alert; one printer alert at a time.
PRINTER_ALERTS = {
    "printer.paper_out": AlertKind.PAPER_OUT,
    "printer.offline": AlertKind.PRINTER_LOST,
    "printer.failed": AlertKind.PRINTER_FAULT,
}


# A printer status (DeviceStatus "printer", its `reason`) -> the alert; a fault otherwise.
PRINTER_STATUS_ALERTS = {"paper_out": AlertKind.PAPER_OUT, "unreachable": AlertKind.PRINTER_LOST}


class Raises(Protocol):
    def alert(self, kind: AlertKind | str, message: str = "") -> bool: ...

    def clear(self, kind: AlertKind | str) -> bool: ...


class EventWatch:
    """A runtime observer (`observe`): a device lost (DeviceStatus not ok) raises its alert and
    its coming back clears it; a receipt the printer refused, or the printer's status between
    receipts, raises paper out, printer lost or printer fault, a receipt printed (or the status
    fine again) clears them; an AlertStaff effect raises its kind, and the
    visit's end (`visit_ended`) clears the call for staff. Runs on the pump's thread: it only
    hands alerts to the hub, whose adapters never block."""

    def __init__(self, alerts: Raises) -> None:
        self.alerts = alerts

    def observe(self, kind: str, obj: Any) -> None:
        if kind == "event" and isinstance(obj, DeviceStatus):
            self._device(obj)
        elif kind == "event" and isinstance(obj, ReceiptPrinted) and isinstance(obj.outcome, PrintOutcome):
            self._printed(obj.outcome)

    def alert_staff(self, effect: AlertStaff) -> None:
        """The executor for AlertStaff effects."""
        self.alerts.alert(effect.kind, effect.message)

    def visit_ended(self) -> None:
        self.alerts.clear(AlertKind.CALL_STAFF)

    def _device(self, event: DeviceStatus) -> None:
        if event.device == "printer":  # watched between receipts
            raised = None if event.ok else PRINTER_STATUS_ALERTS.get(event.reason, AlertKind.PRINTER_FAULT)
            self._printer(raised, event.detail)
            return
        alert = DEVICE_LOST.get(event.device)
        if alert is None:
            return
        if event.ok:
            self.alerts.clear(alert)
        else:
            self.alerts.alert(alert, f"{event.device}: {event.detail}" if event.detail else event.device)

    def _printed(self, outcome: PrintOutcome) -> None:
        self._printer(None if outcome.ok else PRINTER_ALERTS.get(outcome.reason, AlertKind.PRINTER_FAULT),
                      outcome.detail)  # fmt: skip

    def _printer(self, raised: AlertKind | None, detail: str) -> None:
        """One printer alert at a time: `raised` (None: the printer is fine) clears the others."""
        for kind in PRINTER_ALERTS.values():
            if kind != raised:
                self.alerts.clear(kind)
        if raised is not None:
            self.alerts.alert(raised, detail)


class Waiting(Protocol):
    @property
    def at(self) -> dt.datetime: ...


class OfflineEntries(Protocol):
    """The journal: what was taken offline and waits to be sent, oldest first."""

    def waiting_offline(self) -> Sequence[Waiting]: ...


class JournalWatch:
    """Every `every_s`, on its own thread: loans or returns taken offline that have waited
    longer than `after` to be replayed raise "journal stuck"; none waiting that long clears it."""

    def __init__(
        self,
        journal: OfflineEntries,
        alerts: Raises,
        now: Callable[[], dt.datetime],
        after: dt.timedelta,
        every_s: float = 30.0,
    ) -> None:
        self.journal, self.alerts, self.now, self.after, self.every_s = journal, alerts, now, after, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts-journal", daemon=True)

    def check(self) -> bool:
        """Look now; whether something waits too long."""
        waiting = self.journal.waiting_offline()
        now = self.now()
        stuck = [e for e in waiting if _age(now, e.at) > self.after]
        if not stuck:
            self.alerts.clear(AlertKind.JOURNAL_STUCK)
            return False
        minutes = int(_age(now, stuck[0].at).total_seconds() // 60)
        self.alerts.alert(
            AlertKind.JOURNAL_STUCK,
            f"{len(stuck)} of {len(waiting)} waiting for more than {self.after.total_seconds() / 60:g} min, "
            f"the oldest {minutes} min (kiosk journal status)",
        )
        return True

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.check()
            except Exception:  # a thread's last resort: the next look may read it
                log.exception("alerts: reading the journal failed")


def _age(now: dt.datetime, then: dt.datetime) -> dt.timedelta:
    # The journal writes local times with their offset; an older file may hold naive ones.
    if (now.tzinfo is None) != (then.tzinfo is None):
        now, then = now.replace(tzinfo=None), then.replace(tzinfo=None)
    return now - then
