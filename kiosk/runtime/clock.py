"""Clocks: the system clock for the kiosk, a manual clock for tests and scripted runs."""

from __future__ import annotations

import datetime as dt
import threading
import time


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """Time moves only when told: timers fire deterministically in tests."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._start = start or dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds
