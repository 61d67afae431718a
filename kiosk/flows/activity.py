"""What the session offers the activity it hosts, and what every activity offers the session."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from kiosk.core.effects import CallLibrary, Effect
from kiosk.core.model import Language
from kiosk.core.requests import Request
from kiosk.core.views import View
from kiosk.flows.machine import Machine, S
from kiosk.flows.screens import Visit


class Host(Protocol):
    """The session, as an activity sees it."""

    visit: Visit
    language: Language

    def call(self, request: Request, owner: Activity[Any]) -> CallLibrary: ...


class Activity(Machine[S]):
    """One thing a patron does at the kiosk (borrow, give back, renew): its own states, its
    own screen, its share of the visit's record. It runs inside a session, which owns who the
    patron is, the language, the time, the receipt and the end of the visit."""

    name: ClassVar[str]
    # States in which a library request of this activity is in flight.
    BUSY: ClassVar[tuple[Any, ...]] = ()
    # Controls of its own screen that the activity takes (the session takes the others).
    CONTROLS: ClassVar[tuple[str, ...]] = ()
    SELECT_PREFIX: ClassVar[str] = "select."

    def __init__(self, host: Host) -> None:
        self.host = host
        self.state = self.INITIAL

    @property
    def busy(self) -> bool:
        return self.state in self.BUSY

    def offers(self, control: str) -> bool:
        return control in self.CONTROLS or (bool(self.CONTROLS) and control.startswith(self.SELECT_PREFIX))

    @property
    def visit(self) -> Visit:
        return self.host.visit

    def begin(self) -> list[Effect]:
        """What the activity does on starting (the session shows its view after)."""
        return []

    def view(self, countdown: int | None) -> View:
        raise NotImplementedError

    def timer_seconds(self, name: str) -> float:
        raise KeyError(name)  # activities keep no timers: time is the session's
