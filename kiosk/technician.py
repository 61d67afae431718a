"""What the technician's screen asks of the kiosk beyond the flow: the checks on the live
devices, the counters and the recent log, a test page, a device reopened, the kiosk restarted
or left. Composition level (like kiosk.app): it holds the built kiosk's parts and runs each
request on its own worker thread, posting what it found back to the flow."""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kiosk.core.effects import RunChecks, TechnicianAction
from kiosk.core.events import TechnicianDone, TechnicianReport
from kiosk.core.model import CheckResult
from kiosk.core.privacy import clean
from kiosk.logs import mask_numbers

log = logging.getLogger("kiosk.technician")

RECENT_LINES = 12
# How `kiosk run` ends when the technician asks: restarted (by the service manager) or left.
EXIT_RESTART, EXIT_QUIT = 75, 0


class RecentLog(logging.Handler):
    """The last log lines, for the technician's screen: cleaned of control characters and with
    anything that looks like a card or patron number masked."""

    def __init__(self, size: int = RECENT_LINES) -> None:
        super().__init__(logging.INFO)
        self._lines: collections.deque[str] = collections.deque(maxlen=size)
        self._lock_lines = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = mask_numbers(clean(self.format(record), 160))
        except Exception:  # noqa: BLE001 - a log line that cannot be formatted is not worth a crash
            return
        with self._lock_lines:
            self._lines.append(line)

    def lines(self) -> tuple[str, ...]:
        """Newest first."""
        with self._lock_lines:
            return tuple(reversed(self._lines))


def counters(snapshot: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The counters the technician's screen shows (tech.counters), from a Tally snapshot."""
    errors = sum(snapshot.get("device_errors", {}).values()) + snapshot.get("flow_failures", 0)
    return (
        ("taps", str(snapshot.get("card_taps", 0))),
        ("scans", str(snapshot.get("barcode_scans", 0))),
        ("receipts", str(snapshot.get("receipts_printed", 0))),
        ("errors", str(errors)),
    )


class TechnicianService:
    """Executes RunChecks and TechnicianAction for a built kiosk (kiosk.app.Kiosk).
    `leave(code)` ends the kiosk's event loop with that exit code (set by whoever runs it)."""

    def __init__(self, kiosk: Any, leave: Callable[[int], None] | None = None) -> None:
        self.kiosk = kiosk
        self.leave = leave or (lambda code: log.warning("technician asked to end the kiosk (%d)", code))
        self.recent = RecentLog()
        logging.getLogger("kiosk").addHandler(self.recent)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="technician")
        runtime = kiosk.runtime
        runtime.register(RunChecks, lambda effect: self._pool.submit(self._report))
        runtime.register(TechnicianAction, self._act)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        logging.getLogger("kiosk").removeHandler(self.recent)

    def _checks(self, names: list[str] | None = None, **options: Any) -> list[Any]:
        from kiosk.diagnostics import Live, run_checks

        return run_checks(self.kiosk.settings, names, Live.of(self.kiosk), **options)

    def _report(self) -> None:
        try:
            found = self._checks()
            checks = tuple(CheckResult(c.name, c.verdict, c.summary, tuple(c.advice)) for c in found)
        except Exception as exc:  # the screen says so rather than waiting for ever
            log.exception("technician checks failed")
            checks = (CheckResult("checks", "failed", f"the checks could not run: {type(exc).__name__}"),)
        tally = getattr(self.kiosk, "tally", None)
        shown = counters(tally.snapshot()) if tally is not None else ()
        self.kiosk.runtime.post(TechnicianReport(checks=checks, counters=shown, log=self.recent.lines()))

    def _act(self, effect: TechnicianAction) -> None:
        if effect.action in ("restart", "quit"):
            # On the pump's thread: the event loop ends after this turn.
            self.leave(EXIT_RESTART if effect.action == "restart" else EXIT_QUIT)
            return
        self._pool.submit(self._carry_out, effect)

    def _carry_out(self, effect: TechnicianAction) -> None:
        ok, detail = False, ""
        try:
            if effect.action == "test_page":
                (check,) = self._checks(["printer"], test_page=True)
                ok, detail = check.verdict != "failed" and "test page printed" in check.summary, check.summary
            elif effect.action == "reopen":
                ok, detail = self._reopen(effect.device)
            else:
                detail = f"unknown action {effect.action}"
        except Exception as exc:
            log.exception("technician action %s failed", effect.action)
            detail = f"{type(exc).__name__}: {exc}"
        self.kiosk.runtime.post(TechnicianDone(action=effect.action, ok=ok, detail=clean(detail, 200)))

    def _reopen(self, name: str) -> tuple[bool, str]:
        device = next((d for d in self.kiosk.devices if getattr(d, "name", "") == name), None)
        if device is None:
            return False, f"no {name} device in this kiosk"
        device.stop()
        device.start(self.kiosk.runtime.post)
        return True, f"{name} reopened"
