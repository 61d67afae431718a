"""Runs a scripted visit against a live kiosk (its simulators and window) and records what it saw."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.core.events import Pressed
from kiosk.core.privacy import clean
from kiosk.core.views import Line, View
from kiosk.demo.faults import FaultUnavailable, apply_fault
from kiosk.demo.gallery_views import row_kinds
from kiosk.demo.script import DEFAULT_SYMBOLOGY, Step
from kiosk.demo.transcript import Transcript

log = logging.getLogger("kiosk.demo")

DEFAULT_TIMEOUT = 20.0
# A card lifted is seen gone by the reader within a few poll rounds (TapTracker's misses).
LIFT_POLLS, LIFT_SEEN_S = 6, 5.0
# After a touch, as a quick finger leaves between two.
TOUCH_GAP = 0.05
# Screens remembered for the steps' waits (only the last one is looked at).
KEEP_VIEWS = 50


def view_record(view: View) -> dict[str, Any]:
    """What a screenshot shows, as the gallery tells screen states apart: the screen, its
    message ids, its controls, the shape of its list and its rows' outcomes; never a patron's data (no message
    arguments, no line text, no typed value)."""
    count = len(view.lines)
    return {
        "screen": clean(view.screen, 80),
        "type": type(view).__name__,
        "language": view.language.value,
        "title": clean(view.title, 80),
        "message": clean(view.message, 80),
        "hint": clean(view.hint, 80),
        "busy": view.busy,
        "countdown": view.countdown is not None,
        "lines": "0" if count == 0 else "1" if count == 1 else "many",
        "rows": [
            clean(kind, 120)
            for kind in row_kinds(
                view.screen, view.busy, ((x.status, x.note, bool(x.control)) for x in view.lines)
            )
        ],
        "controls": [clean(c, 80) for c in view.controls],
    }


class StepFailed(Exception):
    pass


class Elapsing:
    """The runtime's clock with time that passed at once added (idle_for): monotonic(), what
    the kiosk's timers run on, and now() both move on by it, as if the patron had stood there
    that long touching nothing; the clock's own pace is kept."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def pass_time(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds

    @property
    def elapsed(self) -> float:
        with self._lock:
            return self._elapsed

    def now(self) -> dt.datetime:
        return self.clock.now() + dt.timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return float(self.clock.monotonic()) + self.elapsed


# expect_line's status `any`: a line with an outcome (done, refused or not confirmed), not an
# information line.
OUTCOMES = ("ok", "refused", "unconfirmed")


def line_status_is(status: str, wanted: str) -> bool:
    return status in OUTCOMES if wanted == "any" else status == wanted


class _MainThread(QObject):
    """Carries touches from the script thread to the GUI thread, one at a time: `touch`
    returns once the GUI thread has made it, with what went wrong (or "")."""

    request = Signal(int, str, str)  # number, kind, argument
    quit = Signal()

    def __init__(self, window: Any, runtime: Any = None) -> None:
        super().__init__()
        self.window = window
        self.window_runtime = runtime
        self._done: dict[int, str] = {}
        self._asked = 0
        self._cond = threading.Condition()
        self.request.connect(self._handle, Qt.ConnectionType.QueuedConnection)
        self.quit.connect(QApplication.quit, Qt.ConnectionType.QueuedConnection)

    def touch(self, kind: str, argument: str, timeout: float = 10.0) -> str:
        """Script thread: a `kind` touch ("control", "key", "row") and its error, if any."""
        with self._cond:
            self._asked += 1
            number = self._asked
        self.request.emit(number, kind, argument)
        with self._cond:
            if not self._cond.wait_for(lambda: number in self._done, timeout):
                return f"the window did not take the touch within {timeout:g} s"
            return self._done.pop(number)

    def _handle(self, number: int, kind: str, argument: str) -> None:
        error = "unknown touch"
        try:
            if kind == "control":
                error = self._click(argument)
            elif kind == "key":
                error = self._key(argument)
            elif kind == "row":
                error = self._row(argument)
            elif kind == "elapse":
                error = self._elapse(float(argument))
        finally:
            with self._cond:
                self._done[number] = error
                self._cond.notify_all()

    def _elapse(self, seconds: float) -> str:
        """Time passes on the kiosk's clock (Elapsing), after every event already posted has
        been handled; the loop is woken to fire the timers then due."""
        runtime = self.window_runtime
        if runtime is None:
            return "no runtime to pass time on"
        runtime.pump()
        clock = runtime.clock
        if not isinstance(clock, Elapsing):
            clock = runtime.clock = Elapsing(clock)
        clock.pass_time(seconds)
        runtime.wakeup()
        return ""

    def _screen(self) -> str | None:
        return self.window.view.screen if self.window.view else None

    def _click(self, control: str) -> str:
        button = self.window.buttons().get(control)
        if button is None or not button.isEnabled():
            return f"control {control!r} is not on screen (screen {self._screen()})"
        button.click()
        return ""

    def _key(self, control: str) -> str:
        """A key of the on-screen keypad, touched as a finger would: its button when the
        window draws one, else the Pressed event a touch of it posts. An error never names
        the key: a typed value is a PIN or a card number."""
        for button in self.window.findChildren(QAbstractButton):
            if button.property("control") == control and button.isVisible():
                if not button.isEnabled():
                    return f"a keypad key is not enabled (screen {self._screen()})"
                button.click()
                return ""
        self.window.post(Pressed(control=control))
        return ""

    def _row(self, text: str) -> str:
        rows = [r for r in self.window.lines.touchable() if _names(r.line, text)]
        if not rows or not rows[0].isEnabled():
            state = "enabled " if rows else ""
            return f"no touchable row with {text!r} {state}on screen (screen {self._screen()})"
        click = getattr(rows[0], "click", None)
        if callable(click):
            click()
        else:
            self.window.post(Pressed(control=rows[0].line.control))
        return ""


@dataclass
class RunResult:
    ok: bool
    failure: str = ""
    screens: list[Path] = field(default_factory=list)
    receipt: Path | None = None
    transcript: Path | None = None
    # The transcript's entries (masked), for the records check.
    entries: list[dict[str, Any]] = field(default_factory=list)


class ScriptRunner:
    """`screens`: keep a picture of every screen (the demo); a soak of thousands of visits
    keeps none. `library`: the SIP2 server's handle for `fault library` steps when the
    library is not the kiosk's embedded one."""

    def __init__(self, kiosk: Any, window: Any, out: Path, screens: bool = True, library: Any = None) -> None:
        self.kiosk = kiosk
        self.window = window
        self.out = out
        self.keep_screens = screens
        self.library = library
        self.screens_dir = out / "screens"
        if screens:
            self.screens_dir.mkdir(parents=True, exist_ok=True)
        self.transcript = Transcript()
        self.result = RunResult(ok=False)
        self._views: list[View] = []
        self._cond = threading.Condition()
        self._main = _MainThread(window, kiosk.runtime)
        kiosk.runtime.observers.append(self.transcript)
        window.rendered.append(self._on_rendered)

    # Runs on the GUI thread after each render.
    def _on_rendered(self, view: View) -> None:
        if self.keep_screens and not view.sensitive:  # a screen with a PIN or personal details: never kept
            n = len(self.result.screens) + 1
            path = self.screens_dir / f"{n:02d}-{view.screen}{'-busy' if view.busy else ''}.png"
            self.window.grab().save(str(path))
            # What the picture shows, for the gallery: message ids and shape, no patron data.
            path.with_suffix(".json").write_text(json.dumps(view_record(view), ensure_ascii=False))
            self.result.screens.append(path)
        with self._cond:
            self._views.append(view)
            if len(self._views) > 2 * KEEP_VIEWS:  # a soak renders for hours: keep the recent ones
                del self._views[:-KEEP_VIEWS]
            self._cond.notify_all()

    def last_view(self) -> View | None:
        """The screen shown last (any thread)."""
        with self._cond:
            return self._views[-1] if self._views else None

    def touch(self, kind: str, argument: str) -> None:
        """A touch on the window ("control", "key", "row"); StepFailed if it could not be made."""
        self._touch(kind, argument)

    def wait_for(self, predicate: Any, timeout: float, what: str) -> None:
        """Until `predicate(last view)` holds; StepFailed naming `what` after `timeout` s."""
        self._wait_for(predicate, timeout, what)

    def quit(self) -> None:
        """End the Qt loop the run holds (from the script thread)."""
        self._main.quit.emit()

    def _wait_for(self, predicate: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self._views[-1] if self._views else None):
                left = deadline - time.monotonic()
                if left <= 0:
                    last = self._views[-1] if self._views else None
                    raise StepFailed(
                        f"timed out after {timeout:g} s waiting for {what}; "
                        f"screen is {last.screen if last else None!r}"
                    )
                self._cond.wait(min(left, 0.1))

    def run_step(self, step: Step) -> None:
        sims = self.kiosk.sims
        a = step.args
        if step.name == "tap_card":
            sims.nfc.tap(a[0], *(a[1:2] or ["106A"]))
        elif step.name == "lift_card":
            polls = sims.nfc.polls
            sims.nfc.lift()
            # As at a counter, the next step comes after the reader has seen the card go (a few
            # poll rounds; a reader unplugged by a fault does not poll: then after a while).
            deadline = time.monotonic() + LIFT_SEEN_S
            while sims.nfc.polls < polls + LIFT_POLLS and time.monotonic() < deadline:
                time.sleep(0.01)
        elif step.name == "show_barcode":
            symbology = a[1] if len(a) > 1 else DEFAULT_SYMBOLOGY
            try:
                sims.camera.show(a[0], symbology)
            except ValueError:
                # Its message quotes the text, which may be a card and its PIN.
                raise StepFailed(f"the virtual camera cannot show this code as {clean(symbology)}") from None
        elif step.name == "remove_barcode":
            sims.camera.remove()
        elif step.name == "press":
            self._press(a[0])
        elif step.name == "language":
            control = f"lang.{a[0]}"
            self._wait_for(lambda v: v is not None and not v.busy, DEFAULT_TIMEOUT, "a screen not busy")
            shown = self._views[-1]
            if shown.language.value == a[0]:
                return  # already in it (the window offers only the other language)
            if control not in shown.controls:
                raise StepFailed(f"no language switch to {a[0]!r} on screen {shown.screen!r}")
            self._press(control)
            self._wait_for(
                lambda v: v is not None and v.language.value == a[0],
                DEFAULT_TIMEOUT,
                f"the screen in {a[0]!r}",
            )
        elif step.name == "type":
            self._type(a[0])
        elif step.name == "press_row":

            def has_row(v: View | None) -> bool:
                return v is not None and not v.busy and any(_names(line, a[0]) for line in v.lines)

            self._wait_for(has_row, DEFAULT_TIMEOUT, f"a touchable row with {a[0]!r}")
            self._touch("row", a[0])
        elif step.name == "expect_message":
            timeout = float(a[1]) if len(a) > 1 else DEFAULT_TIMEOUT
            self._wait_for(
                lambda v: v is not None and not v.busy and a[0] in (v.message, v.hint),
                timeout,
                f"message {a[0]!r}",
            )
        elif step.name == "expect_screen":
            timeout = float(a[1]) if len(a) > 1 else DEFAULT_TIMEOUT
            self._wait_for(
                lambda v: v is not None and v.screen == a[0] and not v.busy, timeout, f"screen {a[0]!r}"
            )
        elif step.name == "expect_line":
            timeout = float(a[2]) if len(a) > 2 else DEFAULT_TIMEOUT

            def has_line(v: View | None) -> bool:
                return (
                    v is not None
                    and not v.busy
                    and any(
                        line_status_is(line.status, a[0]) and (a[1] in line.text or a[1] in line.detail)
                        for line in v.lines
                    )
                )

            self._wait_for(has_line, timeout, f"a {a[0]} line with {a[1]!r}")
        elif step.name == "wait":
            time.sleep(float(a[0]))
        elif step.name == "idle_for":
            self._idle_for(float(a[0]))
        elif step.name == "fault":
            try:
                apply_fault(self.kiosk, a[0], a[1], a[2] if len(a) > 2 else None, library=self.library)
            except FaultUnavailable as exc:
                raise StepFailed(str(exc)) from None
        elif step.name == "take_receipt":
            timeout = float(a[0]) if a else DEFAULT_TIMEOUT
            path = sims.printer.wait_for_receipt(timeout)
            if path is None:
                raise StepFailed(f"no receipt printed within {timeout:g} s")
            self.result.receipt = self.out / "receipt.png"
            shutil.copyfile(path, self.result.receipt)
        else:  # parse() only lets known steps through
            raise StepFailed(f"unknown step {step.name}")

    def _idle_for(self, seconds: float) -> None:
        """`seconds` pass at once on the kiosk's clock, with no touch, key, card or book
        meanwhile. Done on the GUI thread, where the runtime's effects run: a screen seen here
        may come before the effects after it (its inactivity timer), which start first."""
        self._touch("elapse", repr(seconds))

    def _touch(self, kind: str, argument: str) -> None:
        """A touch made on the GUI thread; the step fails if it could not be made."""
        error = self._main.touch(kind, argument)
        if error:
            raise StepFailed(clean(error))
        time.sleep(TOUCH_GAP)

    def _press(self, control: str) -> None:
        self._wait_for(
            lambda v: v is not None and not v.busy and control in v.controls,
            DEFAULT_TIMEOUT,
            f"control {control!r}",
        )
        self._touch("control", control)

    def _type(self, digits: str) -> None:
        """Each digit a touch of its keypad key, on a screen that asks for one. Nothing said
        of the value here (the wait, a failure) names a digit of it."""
        self._wait_for(
            lambda v: v is not None and not v.busy and bool(v.inputs), DEFAULT_TIMEOUT, "a keypad field"
        )
        try:
            for digit in digits:
                self._touch("key", f"key.{digit}")
        except StepFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - its message might quote a key
            raise StepFailed(f"typing failed ({type(exc).__name__})") from None

    def run(self, steps: list[Step]) -> None:
        """Script thread body. Everything it logs or reports is masked and cleaned: a step's
        failure names the step as its log line does, never by its raw arguments."""
        try:
            for step in steps:
                log.info("step %s", step.masked())
                try:
                    self.run_step(step)
                except StepFailed as exc:
                    raise StepFailed(f"{step.masked()}: {step.redact(str(exc))}") from None
                except Exception as exc:  # noqa: BLE001 - the step's failure, its arguments masked
                    detail = step.redact(f"{type(exc).__name__}: {exc}")
                    raise StepFailed(f"{step.masked()}: {detail}") from None
            errors = self.kiosk.runtime.errors
            if errors:
                raise StepFailed(
                    f"the flow raised {len(errors)} error(s), first {type(errors[0]).__name__}; see the log"
                )
            self.result.ok = True
        except Exception as exc:  # noqa: BLE001 - reported as the run's failure
            self.result.failure = clean(str(exc) if isinstance(exc, StepFailed) else repr(exc), limit=600)
            log.error("scripted visit failed: %s", self.result.failure)
        finally:
            self._main.quit.emit()

    def save_transcript(self) -> Path:
        path = self.out / "transcript.json"
        path.write_text(self.transcript.dump(), encoding="utf-8")
        self.result.transcript = path
        summary = {
            "ok": self.result.ok,
            "failure": self.result.failure,
            "screens": [p.name for p in self.result.screens],
            "receipt": self.result.receipt.name if self.result.receipt else None,
        }
        (self.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
        return path


def run_script(kiosk: Any, window: Any, steps: list[Step], out: Path) -> RunResult:
    """Run `steps` on a script thread while the Qt loop runs here; returns when done."""
    app = QApplication.instance()
    assert app is not None
    runner = ScriptRunner(kiosk, window, out)
    window.show()
    kiosk.runtime.start()
    thread = threading.Thread(target=runner.run, args=(steps,), name="demo-script", daemon=True)
    thread.start()
    app.exec()
    thread.join(timeout=5)
    runner.save_transcript()
    runner.result.entries = list(runner.transcript.entries)
    return runner.result


def _names(line: Line, what: str) -> bool:
    """Whether a touchable row is the one a script's press_row names: by its control, or by
    text in its title or detail."""
    return bool(line.control) and (what == line.control or what in line.text or what in line.detail)
