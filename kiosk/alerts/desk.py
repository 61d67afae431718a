"""One kiosk's staff alerts wired together: the adapters the [alerts] section names, the
watches that raise and clear alerts, and the visit ids they and the log file carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.alerts.adapters import CarriesStatus, LogAlerts, Sip2StatusAlerts
from kiosk.alerts.hub import Alerts
from kiosk.alerts.watch import EventWatch, JournalWatch, OfflineEntries
from kiosk.alerts.webhook import WebhookAlerts
from kiosk.core.alerts import AlertKind
from kiosk.core.effects import AlertStaff
from kiosk.core.ports import StaffAlerts
from kiosk.logs import VISITS, VisitIds


class Watched(Protocol):
    """What of the runtime the desk needs: its observers, executors and visit-end callbacks."""

    observers: list[Callable[[str, Any], None]]
    on_visit_ended: list[Callable[[], None]]

    def register(self, kind: type[Any], executor: Callable[[Any], object]) -> None: ...


class StaffDesk:
    def __init__(
        self, alerts: Alerts, journal: JournalWatch | None = None, visits: VisitIds = VISITS
    ) -> None:
        self.alerts = alerts
        self.events = EventWatch(alerts)
        self.journal = journal
        self.visits = visits

    @classmethod
    def from_settings(
        cls,
        section: Any,
        kiosk_id: str,
        now: Callable[[], dt.datetime],
        status: CarriesStatus | None = None,
        journal: OfflineEntries | None = None,
        visits: VisitIds = VISITS,
    ) -> StaffDesk:
        """`section`: the [alerts] settings; `status`: the SIP2 client (for the sip2 adapter)."""
        adapters: list[StaffAlerts] = []
        for name in section.adapters:
            if name == "log":
                adapters.append(LogAlerts())
            elif name == "webhook":
                adapters.append(
                    WebhookAlerts(
                        section.webhook_url,
                        kiosk_id,
                        timeout_s=float(section.webhook_timeout_s),
                        attempts=section.webhook_attempts,
                    )
                )
            elif name == "sip2" and status is not None:
                adapters.append(Sip2StatusAlerts(status))
        alerts = Alerts(adapters, kiosk_id, now, lambda: visits.current)
        after = dt.timedelta(minutes=section.journal_waiting_min)
        watch = JournalWatch(journal, alerts, now, after) if journal is not None else None
        return cls(alerts, watch, visits)

    def attach(self, runtime: Watched, in_visit: Callable[[], bool]) -> None:
        """Watch `runtime` (`in_visit()`: its flow is in a patron's visit) and start the
        journal's watch."""
        # First: a visit's id is set before its effects (an AlertStaff) are carried out.
        runtime.observers.append(self.visits.watcher(in_visit))
        runtime.observers.append(self.events.observe)
        runtime.register(AlertStaff, self.events.alert_staff)
        runtime.on_visit_ended.append(self.events.visit_ended)
        runtime.on_visit_ended.append(self.visits.end)
        if self.journal is not None:
            self.journal.start()

    def shutting_down(self) -> None:
        """The kiosk stops: staff are told (the SIP2 status 2 goes before the link closes)."""
        if self.journal is not None:
            self.journal.stop()
        self.alerts.alert(AlertKind.SHUTTING_DOWN)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.stop()
        self.alerts.close()
