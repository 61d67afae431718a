"""The runtime: events stamped by its clock, library calls off the dispatch thread, timers, faults."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk.core.effects import CallLibrary, Effect, Log, PrintReceipt, Show, StartTimer
from kiosk.core.errors import LibraryTimeout
from kiosk.core.events import Event, LibraryReplied, ReceiptPrinted, Started, TimerFired
from kiosk.core.model import Language, PrintOutcome
from kiosk.core.requests import BorrowingHistory, Checkout, LookupPatron
from kiosk.core.views import View
from kiosk.runtime.clock import ManualClock
from kiosk.runtime.loop import Runtime


class Recorder:
    """A flow that records events and answers each with scripted effects."""

    state = "test"

    def __init__(self, script=None):
        self.events: list[Event] = []
        self.script = script or (lambda e: [])

    def handle(self, event: Event) -> list[Effect]:
        self.events.append(event)
        return self.script(event)


class Library:
    def __init__(self, fail=None):
        self.threads: list[str] = []
        self.fail = fail

    def lookup_patron(self, patron_id, pin=None):
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise self.fail
        return f"patron {patron_id}"

    def checkout(self, patron_id, item_id):
        raise RuntimeError("adapter bug")

    def end_session(self, patron_id):
        return None

    def close(self):
        pass


class Printer:
    def __init__(self, raise_=False):
        self.raise_ = raise_

    def print_receipt(self, receipt):
        if self.raise_:
            raise OSError("port vanished")
        return PrintOutcome(ok=True)

    def close(self):
        pass


def make(script, library=None, printer=None):
    flow = Recorder(script)
    clock = ManualClock()
    rt = Runtime(flow, library or Library(), printer or Printer(), clock)
    return rt, flow, clock


def test_events_are_stamped_with_the_runtime_clock():
    rt, flow, clock = make(None)
    rt.start()
    rt.pump()
    assert isinstance(flow.events[0], Started) and flow.events[0].at == clock.now()
    rt.stop()


def test_library_call_runs_on_the_library_thread_and_comes_back_as_event():
    lib = Library()
    rt, flow, _ = make(lambda e: [CallLibrary(7, LookupPatron("P"))] if isinstance(e, Started) else [], lib)
    rt.start()
    assert rt.run_until(lambda: any(isinstance(e, LibraryReplied) for e in flow.events), timeout=5)
    reply = flow.events[-1]
    assert reply.request_id == 7 and reply.result == "patron P" and reply.error is None
    assert lib.threads[0].startswith("library") and lib.threads[0] != threading.current_thread().name
    rt.stop()


def test_library_errors_and_adapter_bugs_become_replies_not_crashes():
    rt, flow, _ = make(
        lambda e: (
            [
                CallLibrary(1, LookupPatron("P")),
                CallLibrary(2, Checkout("P", "I")),
                CallLibrary(3, BorrowingHistory("P")),
            ]
            if isinstance(e, Started)
            else []
        ),
        Library(fail=LibraryTimeout("no answer")),
    )
    rt.start()
    assert rt.run_until(lambda: sum(isinstance(e, LibraryReplied) for e in flow.events) == 3, timeout=5)
    replies = {e.request_id: e for e in flow.events if isinstance(e, LibraryReplied)}
    assert isinstance(replies[1].error, LibraryTimeout)
    assert "adapter bug" in str(replies[2].error)
    assert "no membership service configured" in str(replies[3].error)
    rt.stop()


def test_printer_exception_becomes_a_failed_outcome():
    rt, flow, _ = make(
        lambda e: [PrintReceipt(1, None)] if isinstance(e, Started) else [], printer=Printer(raise_=True)
    )  # type: ignore[arg-type]
    rt.start()
    assert rt.run_until(lambda: any(isinstance(e, ReceiptPrinted) for e in flow.events), timeout=5)
    outcome = flow.events[-1].outcome
    assert not outcome.ok and outcome.reason == "printer.failed" and "port vanished" in outcome.detail
    rt.stop()


def test_timers_fire_by_the_injected_clock_only():
    rt, flow, clock = make(lambda e: [StartTimer("t", 30)] if isinstance(e, Started) else [])
    rt.start()
    rt.pump()
    clock.advance(29.9)
    rt.pump()
    assert not any(isinstance(e, TimerFired) for e in flow.events)
    clock.advance(0.2)
    rt.pump()
    rt.pump()
    assert [e.name for e in flow.events if isinstance(e, TimerFired)] == ["t"]
    rt.stop()


def test_a_flow_exception_is_recorded_and_the_loop_goes_on():
    def script(e):
        if isinstance(e, Started):
            raise KeyError("boom")
        return [Show(View("idle", Language.KO, "idle.title"))]

    shown = []
    rt, _flow, _ = make(script)
    rt.show = shown.append
    rt.start()
    rt.pump()
    rt.post(TimerFired(name="x"))
    rt.pump()
    assert len(rt.errors) == 1 and shown and shown[0].screen == "idle"
    rt.stop()


def test_observers_see_every_event_and_effect_in_order():
    seen = []
    rt, _flow, _ = make(lambda e: [StartTimer("a", 1)])
    rt.observers.append(lambda kind, obj: seen.append((kind, type(obj).__name__)))
    rt.start()
    rt.pump()
    assert seen == [("event", "Started"), ("effect", "StartTimer")]
    rt.stop()


def test_nothing_reaches_flow_or_screen_after_stop():
    shown = []
    rt, flow, _ = make(lambda e: [Show(View("idle", Language.KO, "idle.title"))])
    rt.show = shown.append
    rt.start()
    rt.pump()
    rt.stop()
    rt.post(TimerFired(name="late"))  # e.g. a device's last event during shutdown
    assert rt.pump() == 0 and len(flow.events) == 1 and len(shown) == 1


def test_log_effects_are_cleaned_and_cut(caplog: pytest.LogCaptureFixture) -> None:
    # A flow quoting outside text: a screen clear and window title, a forged log line, a bidi
    # override, and a 2,000-character flood.
    hostile = [
        Log("warning", "library said: \x1b[2J\x1b]0;owned\x07refused"),
        Log("info", "item EM0000100001\n2026-03-02 INFO kiosk: forged line\u202e"),
        Log("info", "flood " + "x" * 2000),
    ]
    rt, _flow, _ = make(lambda e: hostile if isinstance(e, Started) else [])
    caplog.set_level(logging.DEBUG, logger="kiosk.runtime")
    rt.start()
    rt.pump()
    rt.stop()
    messages = [r.getMessage() for r in caplog.records if r.name == "kiosk.runtime"]
    assert messages[:2] == [
        "library said: refused",
        "item EM0000100001 2026-03-02 INFO kiosk: forged line",
    ]
    assert messages[2] == "flood " + "x" * 494 + "...(+1506 chars)"
    assert [r.levelname for r in caplog.records if r.name == "kiosk.runtime"][:3] == [
        "WARNING",
        "INFO",
        "INFO",
    ]
    for message in messages:
        assert not any(c in message for c in "\x1b\x07\n\u202e") and len(message) < 520


def test_every_request_names_a_method_of_its_port():
    from kiosk.core.requests import check_ports

    check_ports()


def test_membership_requests_go_to_the_membership_port():
    class Membership:
        def borrowing_history(self, patron_id):
            return ("history of", patron_id)

    rt, flow, _ = make(lambda e: [CallLibrary(4, BorrowingHistory("P"))] if isinstance(e, Started) else [])
    rt.membership = Membership()  # type: ignore[assignment]
    rt.start()
    assert rt.run_until(lambda: any(isinstance(e, LibraryReplied) for e in flow.events), timeout=5)
    (reply,) = [e for e in flow.events if isinstance(e, LibraryReplied)]
    assert (
        reply.request_id == 4
        and reply.result == ("history of", "P")
        and reply.operation == "borrowing_history"
    )
    rt.stop()


def test_a_new_effect_kind_registers_its_executor():
    from dataclasses import dataclass

    from kiosk.core.effects import Effect

    @dataclass(frozen=True)
    class Blink(Effect):
        times: int

    rt, _, _ = make(lambda e: [Blink(3)] if isinstance(e, Started) else [])
    seen = []
    rt.register(Blink, lambda effect: seen.append(effect.times))
    rt.start()
    rt.pump()
    assert seen == [3]
    rt.stop()


def test_a_flow_that_raises_is_told_once_and_never_loops():
    from kiosk.core.events import FlowFailed

    def handle(event):
        if isinstance(event, (Started, FlowFailed)):
            raise RuntimeError(f"bug on {type(event).__name__}")
        return []

    rt, flow, _ = make(handle)
    rt.start()
    for _ in range(3):
        rt.pump()
    failed = [e for e in flow.events if isinstance(e, FlowFailed)]
    assert len(failed) == 1 and failed[0].failed_on == "Started" and "bug on Started" in failed[0].detail
    assert len(rt.errors) == 2  # the bug, and the flow failing again on being told: not re-posted
    rt.stop()
