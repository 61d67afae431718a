"""Carries out a scripted visit's `fault DEVICE WHAT [ARG]` step on the running simulators."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from kiosk.demo.script import FAULTS, LIBRARY_REQUESTS


class FaultUnavailable(Exception):
    """The device is not a simulator here (a real library, a real printer...)."""


class ShiftedClock:
    """The runtime's clock with its wall time moved, as an NTP step moves a kiosk's: now()
    jumps, monotonic() (what timers run on) keeps its pace."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self._offset = dt.timedelta()
        self._lock = threading.Lock()

    def jump(self, seconds: float) -> None:
        with self._lock:
            self._offset += dt.timedelta(seconds=seconds)

    @property
    def offset(self) -> dt.timedelta:
        with self._lock:
            return self._offset

    def now(self) -> dt.datetime:
        return self.clock.now() + self.offset

    def monotonic(self) -> float:
        return float(self.clock.monotonic())


def _sim(sims: Any, name: str, device: str) -> Any:
    sim = getattr(sims, name, None)
    if sim is None:
        raise FaultUnavailable(f"the {device} is not a simulator in this kiosk's configuration")
    return sim


def apply_fault(kiosk: Any, device: str, what: str, arg: str | None = None, library: Any = None) -> None:
    """Make `device` (as FAULTS names it) do `what`. `library`: the SIP2 server's handle when
    it is not the kiosk's embedded one (a library in another process's hands)."""
    if what not in FAULTS.get(device, {}):
        raise ValueError(f"unknown fault {device} {what}")
    sims = kiosk.sims
    if device == "library":
        _library(library or _sim(sims, "ils", "library"), what, arg)
    elif device == "printer":
        _printer(_sim(sims, "printer", "printer"), what, arg)
    elif device == "camera":
        camera = _sim(sims, "camera", "camera")
        if what == "gone":
            camera.go_away()
        elif what == "frozen":
            camera.freeze()
        else:
            camera.go_away(False)
            camera.freeze(False)
    elif device == "reader":
        _sim(sims, "nfc", "card reader").unplug(what == "unplugged")
    elif device == "clock":
        runtime = kiosk.runtime
        if not isinstance(runtime.clock, ShiftedClock):
            runtime.clock = ShiftedClock(runtime.clock)
        runtime.clock.jump(float(arg or 0))


def _library(server: Any, what: str, arg: str | None) -> None:
    if what == "down":
        server.go_down()
    elif what == "up":
        server.clear_faults()
        server.come_up()
    elif what == "slow":
        server.slow(float(arg or 0))
    elif what == "wrong_password":
        server.refuse_logins()
    else:  # a one-shot fault, for the next request (of the kind named)
        server.add_fault(what, LIBRARY_REQUESTS.get(arg, arg) if arg else None)


def _printer(printer: Any, what: str, arg: str | None) -> None:
    if what == "paper_out":
        printer.paper_out()
    elif what == "paper_out_after":
        printer.paper_out_after_lines(int(arg or 0))
    elif what == "paper_in":
        printer.paper_in()
    elif what in ("cover_open", "cover_closed"):
        printer.cover_open(what == "cover_open")
    else:
        printer.unplug(what == "unplugged")


def heal(kiosk: Any, library: Any = None) -> None:
    """Every simulator back to health (the clock stays where it jumped)."""
    sims = kiosk.sims
    server = library or sims.ils
    if server is not None:
        server.clear_faults()
        server.come_up()
    if sims.printer is not None:
        printer = sims.printer
        printer.unplug(False)
        printer.cover_open(False)
        printer.paper_in()
    if sims.camera is not None:
        sims.camera.go_away(False)
        sims.camera.freeze(False)
    if sims.nfc is not None:
        sims.nfc.plug()
