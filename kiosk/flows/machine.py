"""A small declarative state machine: per state, which events it handles and which it ignores."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from kiosk.core.effects import Effect, Log
from kiosk.core.events import Event

S = TypeVar("S")
# Handlers take the event subtype their table entry names.
Handler = Callable[[S, Any], list[Effect]]


class UnexpectedEvent(Exception):
    """An event arrived in a state that neither handles nor ignores it: a bug in the flow's table."""


class StateMachine(Generic[S]):
    """Subclasses declare `TABLE = {state: {EventType: handler}}` and `IGNORED = {state: (EventType,...)}`.

    An event a state handles goes to its handler; one it lists as ignored leaves a debug Log;
    anything else raises UnexpectedEvent, so a gap in the table is found by the tests rather
    than silently swallowed.
    """

    TABLE: Mapping[str, Mapping[type[Event], Handler[S]]] = {}
    IGNORED: Mapping[str, tuple[type[Event], ...]] = {}
    ANYWHERE: Mapping[type[Event], Handler[S]] = {}

    state: str

    def handle(self, event: Event) -> list[Effect]:
        handlers = self.TABLE.get(self.state, {})
        for etype in type(event).__mro__:
            if etype in handlers:
                return handlers[etype](self, event)  # type: ignore[arg-type]
        for etype in type(event).__mro__:
            if etype in self.ANYWHERE:
                return self.ANYWHERE[etype](self, event)  # type: ignore[arg-type]
        if isinstance(event, self.IGNORED.get(self.state, ())):
            return [Log("debug", f"{type(event).__name__} ignored in state {self.state}")]
        raise UnexpectedEvent(f"{type(event).__name__} not allowed in state {self.state!r}")
