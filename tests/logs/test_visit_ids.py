"""The visit's correlation id follows the session flow on a real runtime: set when a patron's
visit starts, on its first lines already; cleared when it ends; never at the first screen."""

from __future__ import annotations

import logging

import pytest

from kiosk.core.events import Pressed, Started
from kiosk.flows.session import Session
from kiosk.logs import VisitFilter, VisitIds
from kiosk.runtime.clock import ManualClock
from kiosk.runtime.loop import Runtime


class Unused:
    def close(self) -> None:
        pass


class Visits(logging.Handler):
    """The visit id each record of kiosk.runtime carried, as the log file's filter puts it."""

    def __init__(self, visits: VisitIds) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(VisitFilter(visits))
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.getMessage(), getattr(record, "visit", None)))


@pytest.fixture
def kiosk():
    visits = VisitIds()
    flow = Session()
    runtime = Runtime(flow, Unused(), Unused(), ManualClock())  # type: ignore[arg-type]
    runtime.observers.append(visits.watcher(lambda: flow.visit.started is not None))
    runtime.on_visit_ended.append(visits.end)
    handler = Visits(visits)
    logger = logging.getLogger("kiosk.runtime")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    yield runtime, visits, handler
    logger.setLevel(level)
    logger.removeHandler(handler)
    runtime.stop()


def press(runtime: Runtime, control: str) -> None:
    runtime.post(Pressed(control=control))
    runtime.pump()


def test_a_visit_has_an_id_from_its_start_to_its_end(kiosk):
    runtime, visits, handler = kiosk
    runtime.start()
    runtime.pump()
    press(runtime, "lang.en")
    press(runtime, "no_such_control")  # a debug line at the first screen
    assert visits.current == "" and handler.seen[-1][1] == ""
    press(runtime, "sign_in")
    visit = visits.current
    assert visit.startswith("v")
    press(runtime, "no_such_control")
    assert handler.seen[-1][1] == visit
    press(runtime, "start_over")  # nothing done yet: straight back to the first screen
    assert visits.current == ""
    press(runtime, "sign_in")
    assert visits.current not in ("", visit)  # the next visit, another id


def test_calling_staff_at_the_first_screen_is_no_visit(kiosk):
    runtime, visits, handler = kiosk
    runtime.post(Started())
    runtime.pump()
    press(runtime, "call_staff")
    assert visits.current == "" and any("staff called" in m and v == "" for m, v in handler.seen)
