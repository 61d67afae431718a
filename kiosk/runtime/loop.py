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
from kiosk.core.events import Event, FlowFailed, LibraryReplied, ReceiptPrinted, Started, TimerFired
from kiosk.core.model import PrintOutcome
from kiosk.core.ports import (
    Clock,
    Device,
    KeepsWhatWasShown,
    LibrarySystem,
    MembershipService,
    ReceiptPrinter,
)
from kiosk.core.privacy import clean
from kiosk.core.views import View

log = logging.getLogger("kiosk.runtime")
# A flow's Log message may quote outside text (a code, a library's message): cleaned and cut.
LOG_LINE_LIMIT = 500


class Flow(Protocol):
    @property
    def state(self) -> str: ...

    def handle(self, event: Event) -> list[Effect]: ...


Observer = Callable[[str, Any], None]
Executor = Callable[[Any], object]  # what it returns is dropped


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
        membership: MembershipService | None = None,
    ) -> None:
        self.flow = flow
        self.library = library
        self.membership = membership
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
        # Outcomes a library port handed back, by request, then those whose reply the flow has
        # had: the port hears they were shown once the next screen is on (see _show).
        self._handed: dict[int, tuple[tuple[int, str], ...]] = {}
        self._unshown: list[tuple[int, str]] = []
        # Effect kind -> executor; a new kind of effect registers here (register()).
        self.executors: dict[type[Effect], Executor] = {}
        self.register(Show, self._show)
        self.register(CallLibrary, lambda effect: self._library_pool.submit(self._call_library, effect))
        self.register(PrintReceipt, lambda effect: self._printer_pool.submit(self._print, effect))
        self.register(StartTimer, self._start_timer)
        self.register(CancelTimer, lambda effect: self._timers.pop(effect.name, None))
        self.register(PlaySound, lambda effect: self.sound(effect.cue))
        self.register(Log, self._log)
        self.register(VisitEnded, self._visit_ended)

    def register(self, kind: type[Effect], executor: Executor) -> None:
        """Execute effects of `kind` (and its subclasses) with `executor`, on the pump's thread."""
        self.executors[kind] = executor

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
        if isinstance(event, LibraryReplied):
            self._unshown += self._handed.pop(event.request_id, ())
        state = str(getattr(self.flow, "state", ""))
        try:
            effects = self.flow.handle(event)
        except Exception as exc:
            log.exception("flow failed on %s in state %s", type(event).__name__, state)
            self.errors.append(exc)
            if not isinstance(event, FlowFailed):
                # The flow is told, and shows "please call staff" instead of a frozen screen.
                detail = clean(f"{type(exc).__name__}: {exc}", 300)
                self.post(FlowFailed(state=state, failed_on=type(event).__name__, detail=detail))
            return
        for effect in effects:
            self._notify("effect", effect)
            self._execute(effect)

    def _show(self, effect: Show) -> None:
        self.show(effect.view)
        if not self._unshown or not isinstance(self.library, KeepsWhatWasShown):
            return
        # Told: the outcomes whose book this screen lists (the rest wait for a screen that does).
        listed = {part for line in effect.view.lines for part in (line.detail, line.text) if part}
        told = [(entry, item) for entry, item in self._unshown if not item or item in listed]
        if told:
            self.library.shown(entry for entry, _ in told)
            self._unshown = [handed for handed in self._unshown if handed not in told]

    def _visit_ended(self, effect: VisitEnded) -> None:
        self._unshown = []  # handed back, never on a screen: left untold
        for callback in self.on_visit_ended:
            callback()

    def _notify(self, kind: str, obj: Any) -> None:
        for observer in self.observers:
            observer(kind, obj)

    # ---------------------------------------------------------------- effects

    def _execute(self, effect: Effect) -> None:
        for kind in type(effect).__mro__:
            executor = self.executors.get(kind)
            if executor is not None:
                executor(effect)
                return
        raise TypeError(f"no executor for effect {effect!r}")

    def _start_timer(self, effect: StartTimer) -> None:
        self._timers[effect.name] = self.clock.monotonic() + effect.seconds
        self.wakeup()

    def _log(self, effect: Log) -> None:
        # The message may carry text from outside (a library's error): cleaned and cut.
        log.log(logging.getLevelName(effect.level.upper()), "%s", clean(effect.message, LOG_LINE_LIMIT))

    def _call_library(self, call: CallLibrary) -> None:
        request = call.request
        port = self.membership if request.port == "membership" else self.library

        def reply(**outcome: Any) -> None:
            if isinstance(port, KeepsWhatWasShown):
                self._handed[call.request_id] = port.take_handed()
            self.post(LibraryReplied(request_id=call.request_id, operation=request.operation, **outcome))

        if port is None:
            reply(error=LibraryError(f"no {request.port} service configured for {request.operation}"))
            return
        try:
            reply(result=request.send(port))
        except LibraryError as exc:
            reply(error=exc)
        except Exception as exc:
            log.exception("library %s failed unexpectedly", request.operation)
            reply(error=LibraryError(f"unexpected {type(exc).__name__}: {exc}"))

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
