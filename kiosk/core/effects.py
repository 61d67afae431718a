"""Effects: what a flow wants done. Data only; the runtime executes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core.receipt import Receipt
from kiosk.core.requests import Request
from kiosk.core.views import View


@dataclass(frozen=True)
class Effect:
    pass


@dataclass(frozen=True)
class Show(Effect):
    view: View


@dataclass(frozen=True)
class CallLibrary(Effect):
    """Put `request` to its port (the library, or the Chaekieum membership service); the
    answer comes back as LibraryReplied with the same request_id, to the flow that asked."""

    request_id: int
    request: Request

    @property
    def operation(self) -> str:
        return self.request.operation

    @property
    def args(self) -> dict[str, Any]:
        return self.request.args


@dataclass(frozen=True)
class PrintReceipt(Effect):
    job_id: int
    receipt: Receipt


@dataclass(frozen=True)
class StartTimer(Effect):
    """(Re)start the named timer; TimerFired(name) arrives after `seconds`."""

    name: str
    seconds: float


@dataclass(frozen=True)
class CancelTimer(Effect):
    name: str


@dataclass(frozen=True)
class PlaySound(Effect):
    """A short cue ("beep.ok", "beep.error") for status that must not rely on the screen."""

    cue: str


@dataclass(frozen=True)
class Log(Effect):
    """A log line. Never put card numbers, names or PINs here unmasked."""

    level: str
    message: str


@dataclass(frozen=True)
class VisitEnded(Effect):
    """The visit is over: the runtime clears patron data held outside the flow."""


@dataclass(frozen=True)
class RunChecks(Effect):
    """Run the self-tests on the kiosk's live devices (and read its counters and recent log);
    a TechnicianReport comes back."""


@dataclass(frozen=True)
class TechnicianAction(Effect):
    """A technician's action outside the flow: "test_page", "reopen" (`device`), "restart"
    (the kiosk process restarts), "quit" (the kiosk leaves the screen). TechnicianDone
    comes back for those that return."""

    action: str
    device: str = ""


@dataclass(frozen=True)
class AlertStaff(Log):
    """Call staff to the kiosk: a log line that also goes to the StaffAlerts port where the
    kiosk has one. `message` is English and holds no patron data."""

    kind: str = "call_staff"
