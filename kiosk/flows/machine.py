"""Declared state machines: states are an Enum; each transition is a method declared with the
state it leaves, the event kind it takes and the states it may go to; a handler returns its
target with its effects; each state's timers start on entry and are cancelled on exit; an event
a state neither takes nor declares ignored is an error the tests find; the table prints as a
Graphviz diagram."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from kiosk.core.effects import CancelTimer, Effect, Log, StartTimer
from kiosk.core.events import Event

S = TypeVar("S", bound=enum.Enum)


class UnexpectedEvent(Exception):
    """An event arrived in a state that neither takes nor ignores it: a gap in the table."""


class UndeclaredTransition(Exception):
    """A handler went to a state its @on declaration does not name."""


@dataclass
class Step(Generic[S]):
    """What a handler decides: the state to go to (None: stay) and the effects."""

    target: S | None = None
    effects: list[Effect] = field(default_factory=list)


@dataclass(frozen=True)
class Transition:
    source: tuple[Any, ...]  # states (or ANY)
    event: type[Event]
    targets: tuple[Any, ...]
    method: str
    guard: str = ""  # a note for the diagram


ANY = "*"


def on(source: Any, event: type[Event], to: Any = (), note: str = "") -> Callable[[Callable[..., Any]], Any]:
    """Declare the decorated method as the transition taking `event` in `source` (a state, a
    tuple of states, or ANY) to one of `to` (a state or a tuple; empty: it stays)."""
    sources = source if isinstance(source, tuple) else (source,)
    targets = to if isinstance(to, tuple) else (to,)

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        declared = list(getattr(fn, "_transitions", []))
        declared.append(Transition(sources, event, targets, fn.__name__, note))
        fn._transitions = declared  # type: ignore[attr-defined]
        return fn

    return mark


class Machine(Generic[S]):
    """Subclasses set `STATES` (an Enum), `INITIAL`, `TIMERS = {state: (timer names)}` and
    `IGNORED = {state: (event kinds)}`, and declare transitions with @on. `timer_seconds(name)`
    gives each timer's length."""

    STATES: ClassVar[type[enum.Enum]]
    INITIAL: ClassVar[Any]
    TIMERS: ClassVar[dict[Any, tuple[str, ...]]] = {}
    IGNORED: ClassVar[dict[Any, tuple[type[Event], ...]]] = {}
    _table: ClassVar[dict[tuple[Any, type[Event]], Transition]]
    _anywhere: ClassVar[dict[type[Event], Transition]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[tuple[Any, type[Event]], Transition] = {}
        anywhere: dict[type[Event], Transition] = {}
        for name in dir(cls):
            for t in getattr(getattr(cls, name, None), "_transitions", ()):
                for source in t.source:
                    where = anywhere if source == ANY else table
                    key: Any = t.event if source == ANY else (source, t.event)
                    if key in where:
                        raise TypeError(f"{cls.__name__}: two transitions for {key}")
                    where[key] = t
        cls._table, cls._anywhere = table, anywhere

    state: S

    def timer_seconds(self, name: str) -> float:
        raise NotImplementedError

    # ---------------------------------------------------------------- dispatch

    def transition_for(self, event: Event) -> Transition | None:
        for kind in type(event).__mro__:
            found = self._table.get((self.state, kind))
            if found is not None:
                return found
        for kind in type(event).__mro__:
            found = self._anywhere.get(kind)
            if found is not None:
                return found
        return None

    def handle(self, event: Event) -> list[Effect]:
        t = self.transition_for(event)
        if t is None:
            if isinstance(event, self.IGNORED.get(self.state, ())):
                return [Log("debug", f"{type(event).__name__} ignored in {self.state.value}")]
            raise UnexpectedEvent(f"{type(event).__name__} not taken in state {self.state.value!r}")
        outcome = getattr(self, t.method)(event)
        step: Step[S] = outcome if isinstance(outcome, Step) else Step(None, list(outcome))
        moves = step.target is not None and step.target != self.state
        if moves and step.target not in t.targets and ANY not in t.targets:
            # The diagram is the table: a handler may go only where it is declared to.
            raise UndeclaredTransition(
                f"{type(self).__name__}.{t.method}: {self.state.value} -> {step.target.value} not declared"  # type: ignore[union-attr]
            )
        return self.go(step.target, step.effects)

    def go(self, target: S | None, effects: list[Effect]) -> list[Effect]:
        """Effects of moving to `target` (None: stay): the old state's timers cancelled before
        the handler's effects, the new state's started after them."""
        if target is None or target == self.state:
            return effects
        leaving = [CancelTimer(name) for name in self.TIMERS.get(self.state, ())]
        self.state = target
        entering = [StartTimer(name, self.timer_seconds(name)) for name in self.TIMERS.get(target, ())]
        return leaving + effects + entering

    # ---------------------------------------------------------------- description

    @classmethod
    def transitions(cls) -> Iterator[Transition]:
        yield from sorted({*cls._table.values(), *cls._anywhere.values()}, key=lambda t: t.method)

    @classmethod
    def dot(cls) -> str:
        """The transition table as a Graphviz digraph."""
        name = cls.__name__
        lines = [f"digraph {name} {{", "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="sans"];']
        for state in cls.STATES:
            timers = ", ".join(cls.TIMERS.get(state, ()))
            label = state.value + (f"\\n⏱ {timers}" if timers else "")
            lines.append(f'  "{state.value}" [label="{label}"];')
        lines.append('  "*" [shape=point];')
        for t in cls.transitions():
            for source in t.source:
                src = "*" if source == ANY else source.value
                for target in t.targets or (source,):
                    dst = src if target == ANY else target.value
                    label = t.event.__name__ + (f" [{t.guard}]" if t.guard else "")
                    lines.append(f'  "{src}" -> "{dst}" [label="{label}"];')
        lines.append("}")
        return "\n".join(lines)
