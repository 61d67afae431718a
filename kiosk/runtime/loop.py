"""The runtime: one queue of events, the active flow, and the executors for its effects."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

from kiosk.core.effects import (
    CallLibrary,
    CancelTimer,
    Effect,
    Log,
    PlaySound,
    PrintReceipt,
    Show,
    StartTimer,
    VisitEnded,
)
from kiosk.core.errors import LibraryError
from kiosk.core.events import Event, LibraryReplied, ReceiptPrinted, Started, TimerFired
from kiosk.core.model import PrintOutcome
from kiosk.core.ports import LIBRARY_OPERATIONS, Clock, Device, LibrarySystem, ReceiptPrinter
from kiosk.core.privacy import clean
from kiosk.core.views import View

log = logging.getLogger("kiosk.runtime")
# A flow's Log message may quote outside text (a code, a library's message): cleaned and cut.
LOG_LINE_LIMIT = 500


class Flow(Protocol):
    state: str

    def handle(self, event: Event) -> list[Effect]: ...


Observer = Callable[[str, Any], None]


class Runtime:
    """Single-threaded dispatch: `pump()` runs on one thread only (the Qt main thread, or the
    headless loop). Devices and executors post from their own threads through `post()`."""

    def __init__(
        self,
        flow: Flow,
        library: LibrarySystem,
        printer: ReceiptPrinter,
        clock: Clock,
        devices: Iterable[Device] = (),
        show: Callable[[View], None] = lambda view: None,
        sound: Callable[[str], None] = lambda cue: None,
    ) -> None:
        self.flow = flow
        self.library = library
        self.printer = printer
        self.clock = clock
        self.devices = list(devices)
        self.show = show
        self.sound = sound
        self.observers: list[Observer] = []
        self.on_visit_ended: list[Callable[[], None]] = []
        self.wakeup: Callable[[], None] = lambda: None
        self.errors: list[BaseException] = []
        self._queue: queue.Queue[Event] = queue.Queue()
        self._timers: dict[str, float] = {}
        self._library_pool = ThreadPoolExecutor(1, thread_name_prefix="library")
        self._printer_pool = ThreadPoolExecutor(1, thread_name_prefix="printer")
        self._stopped = threading.Event()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        for device in self.devices:
            device.start(self.post)
        self.post(Started())

    def stop(self) -> None:
        # From here on nothing reaches the flow or the UI: late device events are dropped.
        self._stopped.set()
        self.wakeup = lambda: None
        self.show = lambda view: None
        for device in self.devices:
            try:
                device.stop()
            except Exception:
                log.exception("stopping device %s failed", getattr(device, "name", device))
        self._library_pool.shutdown(wait=True, cancel_futures=True)
        self._printer_pool.shutdown(wait=True, cancel_futures=True)
        for port in (self.library, self.printer):
            try:
                port.close()
            except Exception:
                log.exception("closing %s failed", type(port).__name__)

    # ---------------------------------------------------------------- events

    def post(self, event: Event) -> None:
        """Thread-safe: stamp the event with the clock and queue it."""
        if self._stopped.is_set():
            return
        if event.at is None:
            event = replace(event, at=self.clock.now())
        self._queue.put(event)
        self.wakeup()

    def next_timer_in(self) -> float | None:
        if not self._timers:
            return None
        return max(0.0, min(self._timers.values()) - self.clock.monotonic())

    def _fire_due_timers(self) -> None:
        now = self.clock.monotonic()
        for name, deadline in sorted(self._timers.items(), key=lambda kv: kv[1]):
            if deadline <= now:
                del self._timers[name]
                self.post(TimerFired(name=name))

    def pump(self) -> int:
        """Handle every event queued now (and timers now due). Returns how many were handled."""
        if self._stopped.is_set():
            return 0
        self._fire_due_timers()
        handled = 0
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                return handled
            handled += 1
            self._dispatch(event)

    def wait_and_pump(self, timeout: float) -> int:
        """Headless loop step: block until an event or the next timer, then pump."""
        nxt = self.next_timer_in()
        wait = timeout if nxt is None else min(timeout, nxt)
        try:
            event = self._queue.get(timeout=max(0.0, wait))
        except queue.Empty:
            return self.pump()
        self._dispatch(event)
        return 1 + self.pump()

    def _dispatch(self, event: Event) -> None:
        self._notify("event", event)
        try:
            effects = self.flow.handle(event)
        except Exception as exc:
            log.exception("flow failed on %s in state %s", type(event).__name__, self.flow.state)
            self.errors.append(exc)
            return
        for effect in effects:
            self._notify("effect", effect)
            self._execute(effect)

    def _notify(self, kind: str, obj: Any) -> None:
        for observer in self.observers:
            observer(kind, obj)

    # ---------------------------------------------------------------- effects

    def _execute(self, effect: Effect) -> None:
        if isinstance(effect, Show):
            self.show(effect.view)
        elif isinstance(effect, CallLibrary):
            self._library_pool.submit(self._call_library, effect)
        elif isinstance(effect, PrintReceipt):
            self._printer_pool.submit(self._print, effect)
        elif isinstance(effect, StartTimer):
            self._timers[effect.name] = self.clock.monotonic() + effect.seconds
            self.wakeup()
        elif isinstance(effect, CancelTimer):
            self._timers.pop(effect.name, None)
        elif isinstance(effect, PlaySound):
            self.sound(effect.cue)
        elif isinstance(effect, Log):
            log.log(logging.getLevelName(effect.level.upper()), "%s", clean(effect.message, LOG_LINE_LIMIT))
        elif isinstance(effect, VisitEnded):
            for callback in self.on_visit_ended:
                callback()
        else:
            raise TypeError(f"no executor for effect {effect!r}")

    def _call_library(self, call: CallLibrary) -> None:
        if call.operation not in LIBRARY_OPERATIONS:
            error: Exception | None = ValueError(f"unknown library operation {call.operation!r}")
            self.post(LibraryReplied(request_id=call.request_id, operation=call.operation, error=error))
            return
        try:
            result = getattr(self.library, call.operation)(**call.args)
            self.post(LibraryReplied(request_id=call.request_id, operation=call.operation, result=result))
        except LibraryError as exc:
            self.post(LibraryReplied(request_id=call.request_id, operation=call.operation, error=exc))
        except Exception as exc:
            log.exception("library %s failed unexpectedly", call.operation)
            wrapped = LibraryError(f"unexpected {type(exc).__name__}: {exc}")
            self.post(LibraryReplied(request_id=call.request_id, operation=call.operation, error=wrapped))

    def _print(self, job: PrintReceipt) -> None:
        try:
            outcome = self.printer.print_receipt(job.receipt)
        except Exception as exc:
            log.exception("printer adapter failed")
            outcome = PrintOutcome(ok=False, reason="printer.failed", detail=f"printer adapter error: {exc}")
        self.post(ReceiptPrinted(job_id=job.job_id, outcome=outcome))

    # ---------------------------------------------------------------- headless

    def run_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Pump until `done()` or `timeout` seconds of the runtime's clock pass."""
        end = time.monotonic() + timeout
        while not done():
            left = end - time.monotonic()
            if left <= 0 or self._stopped.is_set():
                return done()
            self.wait_and_pump(min(left, 0.05))
        return True
