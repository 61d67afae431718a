"""Runs a scripted visit against a live kiosk (its simulators and window) and records what it saw."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from kiosk.core.privacy import clean
from kiosk.core.views import View
from kiosk.demo.script import DEFAULT_SYMBOLOGY, Step
from kiosk.demo.transcript import Transcript

log = logging.getLogger("kiosk.demo")

DEFAULT_TIMEOUT = 20.0


class StepFailed(Exception):
    pass


class _MainThread(QObject):
    """Carries requests from the script thread to the GUI thread."""

    click = Signal(str)
    quit = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window = window
        self.click_errors: list[str] = []
        self.click.connect(self._click, Qt.ConnectionType.QueuedConnection)
        self.quit.connect(QApplication.quit, Qt.ConnectionType.QueuedConnection)

    def _click(self, control: str) -> None:
        button = self.window.buttons().get(control)
        if button is None or not button.isEnabled():
            self.click_errors.append(
                f"control {control!r} is not on screen "
                f"(screen {self.window.view.screen if self.window.view else None})"
            )
            return
        button.click()


@dataclass
class RunResult:
    ok: bool
    failure: str = ""
    screens: list[Path] = field(default_factory=list)
    receipt: Path | None = None
    transcript: Path | None = None


class ScriptRunner:
    def __init__(self, kiosk: Any, window: Any, out: Path) -> None:
        self.kiosk = kiosk
        self.window = window
        self.out = out
        self.screens_dir = out / "screens"
        self.screens_dir.mkdir(parents=True, exist_ok=True)
        self.transcript = Transcript()
        self.result = RunResult(ok=False)
        self._views: list[View] = []
        self._cond = threading.Condition()
        self._main = _MainThread(window)
        kiosk.runtime.observers.append(self.transcript)
        window.rendered.append(self._on_rendered)

    # Runs on the GUI thread after each render.
    def _on_rendered(self, view: View) -> None:
        if not view.sensitive:  # a screen with a PIN or personal details is never kept
            n = len(self.result.screens) + 1
            path = self.screens_dir / f"{n:02d}-{view.screen}{'-busy' if view.busy else ''}.png"
            self.window.grab().save(str(path))
            self.result.screens.append(path)
        with self._cond:
            self._views.append(view)
            self._cond.notify_all()

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
            sims.nfc.lift()
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
            self._wait_for(
                lambda v: v is not None and not v.busy and a[0] in v.controls,
                DEFAULT_TIMEOUT,
                f"control {a[0]!r}",
            )
            errors = len(self._main.click_errors)
            self._main.click.emit(a[0])
            time.sleep(0.05)
            if len(self._main.click_errors) > errors:
                raise StepFailed(clean(self._main.click_errors[-1]))
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
                        line.status == a[0] and (a[1] in line.text or a[1] in line.detail) for line in v.lines
                    )
                )

            self._wait_for(has_line, timeout, f"a {a[0]} line with {a[1]!r}")
        elif step.name == "wait":
            time.sleep(float(a[0]))
        elif step.name == "take_receipt":
            timeout = float(a[0]) if a else DEFAULT_TIMEOUT
            path = sims.printer.wait_for_receipt(timeout)
            if path is None:
                raise StepFailed(f"no receipt printed within {timeout:g} s")
            self.result.receipt = self.out / "receipt.png"
            shutil.copyfile(path, self.result.receipt)
        else:  # parse() only lets known steps through
            raise StepFailed(f"unknown step {step.name}")

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
    return runner.result
