"""Two StaffAlerts adapters: a log line, and the status code of the SIP2 status message (99)."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from kiosk.core.alerts import Alert, AlertKind, Severity

log = logging.getLogger("kiosk.alerts")


class LogAlerts:
    """A WARNING line per alert raised (English, no patron data; INFO for an alert of severity
    info: the kiosk shutting down), an INFO line when cleared."""

    def raise_alert(self, alert: Alert) -> None:
        log.log(
            logging.INFO if alert.severity == Severity.INFO else logging.WARNING,
            "staff alert %s (%s): %s [kiosk %s, visit %s]",
            alert.kind, alert.severity, alert.message, alert.kiosk_id, alert.visit or "-",
        )  # fmt: skip

    def clear(self, kind: AlertKind) -> None:
        log.info("staff alert %s cleared", kind)

    def close(self) -> None:
        pass


class CarriesStatus(Protocol):
    """The SIP2 client: the status code (0 OK, 1 out of paper, 2 shutting down) its status
    messages (99) carry from now on; `now` sends one at once when connected."""

    def set_status_code(self, code: str, now: bool = False) -> None: ...


# SC status codes of the 99 message, and what sets them: the most urgent active one is sent.
STATUS_OK, STATUS_PAPER_OUT, STATUS_SHUTTING_DOWN = "0", "1", "2"
STATUS_OF = {AlertKind.PAPER_OUT: STATUS_PAPER_OUT, AlertKind.SHUTTING_DOWN: STATUS_SHUTTING_DOWN}


class Sip2StatusAlerts:
    """Tells the library through SIP2: paper out makes the status code 1, shutting down 2 (sent
    at once, before the link closes), back to 0 when cleared. The other kinds are not SIP2's."""

    def __init__(self, client: CarriesStatus) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._active: set[AlertKind] = set()

    def raise_alert(self, alert: Alert) -> None:
        if alert.kind in STATUS_OF:
            with self._lock:
                self._active.add(alert.kind)
                self._send(now=alert.kind == AlertKind.SHUTTING_DOWN)

    def clear(self, kind: AlertKind) -> None:
        if kind in STATUS_OF:
            with self._lock:
                self._active.discard(kind)
                self._send()

    def _send(self, now: bool = False) -> None:
        code = max((STATUS_OF[k] for k in self._active), default=STATUS_OK)
        self.client.set_status_code(code, now=now)

    def close(self) -> None:
        pass
