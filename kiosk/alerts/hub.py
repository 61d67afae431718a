"""The kiosk's StaffAlerts: each alert raised once until cleared, handed to every adapter."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable

from kiosk.core.alerts import Alert, AlertKind
from kiosk.core.ports import StaffAlerts
from kiosk.core.privacy import clean
from kiosk.logs import mask_numbers

log = logging.getLogger("kiosk.alerts")
# An alert's message may quote a device's or the library's text: cleaned, masked and cut.
MESSAGE_LIMIT = 300


class Alerts:
    """StaffAlerts over the configured adapters. De-duplicates: a kind already raised is not
    raised again until cleared; clearing a kind not raised does nothing. Thread-safe (the
    runtime's pump, the journal watch and shutdown all raise); an adapter that fails is
    logged and the others still hear."""

    def __init__(
        self,
        adapters: Iterable[StaffAlerts],
        kiosk_id: str,
        now: Callable[[], dt.datetime],
        visit: Callable[[], str] = lambda: "",
    ) -> None:
        self.adapters = list(adapters)
        self.kiosk_id = kiosk_id
        self.now = now
        self.visit = visit
        self._lock = threading.Lock()
        self._active: dict[AlertKind, Alert] = {}

    @property
    def active(self) -> dict[AlertKind, Alert]:
        """The alerts raised and not cleared, by kind."""
        with self._lock:
            return dict(self._active)

    def alert(self, kind: AlertKind | str, message: str = "") -> bool:
        """Raise an alert of `kind` now, in the visit in progress; whether it was new."""
        detail = mask_numbers(clean(message, MESSAGE_LIMIT))
        return self.raise_alert(Alert.of(AlertKind(kind), self.kiosk_id, self.now(), detail, self.visit()))

    def raise_alert(self, alert: Alert) -> bool:
        with self._lock:
            if alert.kind in self._active:
                return False
            self._active[alert.kind] = alert
        self._each("raise", lambda adapter: adapter.raise_alert(alert))
        return True

    def clear(self, kind: AlertKind | str) -> bool:
        """Whether `kind` was raised (and is now cleared)."""
        kind = AlertKind(kind)
        with self._lock:
            if self._active.pop(kind, None) is None:
                return False
        self._each("clear", lambda adapter: adapter.clear(kind))
        return True

    def close(self) -> None:
        self._each("close", lambda adapter: adapter.close())

    def _each(self, what: str, call: Callable[[StaffAlerts], None]) -> None:
        for adapter in self.adapters:
            try:
                call(adapter)
            except Exception:
                log.exception("staff alerts: %s through %s failed", what, type(adapter).__name__)
