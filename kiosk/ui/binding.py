"""Is the installed Qt binding safe to run for days? A reference-count check at start-up, and a
guard that keeps the process alive on a binding known to leak.

PySide6 6.12.0 on Python 3.11 drops one reference to `True` on every Python-side
`Signal.emit()` and one to `None` on every call of a method that returns nothing
(`setText`, `postEvent`, `QTimer.start`, ...). When a singleton's count reaches zero the
interpreter aborts with "Fatal Python error: bool_dealloc" (or none_dealloc): for the kiosk,
after some hundreds of visits. pyproject.toml keeps that release out; this module is for the
machine where it got in anyway. On Python 3.12 and later the singletons are immortal and the
defect is harmless, which the check sees as no drift."""

from __future__ import annotations

import ctypes
import logging
import sys
from dataclasses import dataclass

import PySide6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

PROBE_CALLS = 200
# Counted as a defect when a singleton lost at least this share of the probe's calls.
DEFECT_SHARE = 0.5
SINGLETONS: tuple[object, ...] = (None, True, False)
TESTED = "PySide6 6.11.3 (pyproject.toml: pyside6-essentials >=6.11.3, <6.12)"


class _Probe(QObject):
    ping = Signal()


@dataclass(frozen=True)
class BindingHealth:
    version: str
    # Reference count change of None, True and False over PROBE_CALLS calls of each kind.
    drift: dict[str, int]

    @property
    def defective(self) -> bool:
        return any(change <= -PROBE_CALLS * DEFECT_SHARE for change in self.drift.values())

    def describe(self) -> str:
        if not self.defective:
            return f"PySide6 {self.version}: reference counts steady"
        lost = ", ".join(f"{name} {change:+d}" for name, change in self.drift.items() if change)
        return (
            f"PySide6 {self.version} leaks references ({lost} over {PROBE_CALLS} calls each): "
            f"without the guard the kiosk would abort after some hundreds of visits. "
            f"Install a tested release: pip install 'pyside6-essentials>=6.11.3,<6.12' (tested: {TESTED})"
        )


def _counts() -> list[int]:
    return [sys.getrefcount(obj) for obj in SINGLETONS]


def check(calls: int = PROBE_CALLS) -> BindingHealth:
    """Call a method that returns nothing and emit a signal `calls` times each, and see
    whether None, True or False lost references on the way."""
    probe = _Probe()
    guard = RefcountGuard()
    before = _counts()
    for _ in range(calls):
        probe.setObjectName("probe")
        probe.ping.emit()
    after = _counts()
    guard.top_up()  # give back whatever the probe itself lost
    names = ("None", "True", "False")
    return BindingHealth(
        PySide6.__version__, {n: a - b for n, a, b in zip(names, after, before, strict=True)}
    )


class RefcountGuard:
    """Keeps None, True and False at or above the reference counts they had when it was made.
    A reference too many on an object that is never freed costs nothing; one too few aborts
    the process, so after each pump the guard gives back what a leaking binding took."""

    def __init__(self) -> None:
        self.floor = _counts()
        self.restored = 0

    def top_up(self) -> int:
        given = 0
        for obj, floor in zip(SINGLETONS, self.floor, strict=True):
            # getrefcount counts its own argument once; so does the floor, taken the same way.
            missing = floor - sys.getrefcount(obj)
            if missing > 0:
                ref = ctypes.py_object(obj)
                for _ in range(missing):
                    ctypes.pythonapi.Py_IncRef(ref)
                given += missing
        self.restored += given
        return given


def guard_if_needed() -> RefcountGuard | None:
    """A guard when the installed binding leaks (logged as an error for the technician), else
    None."""
    health = check()
    if not health.defective:
        log.info("%s", health.describe())
        return None
    log.error("%s", health.describe())
    return RefcountGuard()
