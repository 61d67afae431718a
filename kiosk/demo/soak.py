"""The soak: thousands of random scripted visits, with faults, against one running kiosk.

Visits are made from a seeded random source (the same seed, the same visits) out of the
library's patrons and books: borrowing what the kiosk last showed as on the shelf, renewing
the patron's own loans, returning what it showed as on loan, a few books at random. Faults
(scripted-visit fault steps) are put into some visits and cured at their end. A visit that
cannot go on (a screen that never came: the library down when the card was tapped) is ended
by touching "start over" (or "ok") until the first screen is back; that is no difference, it
is counted. What each patron was shown is streamed to a file as the transcript's entries, so
a kiosk killed part-way leaves its record for the records check.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kiosk.core.views import View
from kiosk.demo import records
from kiosk.demo.faults import heal
from kiosk.demo.runner import ScriptRunner, StepFailed
from kiosk.demo.script import Step
from kiosk.demo.transcript import Transcript

log = logging.getLogger("kiosk.soak")

# Seconds a soak step waits for what it expects: shorter than a demo's, so a visit a fault
# stopped is given up on soon.
STEP_TIMEOUT = "15"
# How a fault step carried out is logged (the soak counts them in a killed kiosk's log).
FAULT_LOGGED = "soak fault step:"
# Faults put into visits, each (steps that start it, steps that cure it): the cure comes at
# the visit's end (or at once, for a short one), whatever became of the visit.
LIBRARY_FAULTS: list[tuple[list[str], list[str]]] = [
    (["fault library reply_lost checkout"], ["fault library up"]),
    (["fault library reply_lost checkin"], ["fault library up"]),
    (["fault library reply_lost renew"], ["fault library up"]),
    (["fault library drop checkout"], ["fault library up"]),
    (["fault library drop checkin"], ["fault library up"]),
    (["fault library garbage checkout"], ["fault library up"]),
    (["fault library bad_checksum checkin"], ["fault library up"]),
    (["fault library slow 1.5"], ["fault library up"]),
    (["fault library down"], ["fault library up"]),
    (["fault library wrong_password"], ["fault library up"]),
]
DEVICE_FAULTS: list[tuple[list[str], list[str]]] = [
    (["fault printer paper_out"], ["fault printer paper_in"]),
    (["fault printer paper_out_after 6"], ["fault printer paper_in"]),
    (["fault printer cover_open"], ["fault printer cover_closed"]),
    (["fault printer unplugged"], ["fault printer plugged"]),
    (["fault camera frozen", "wait 0.5", "fault camera back"], []),
    (["fault camera gone", "wait 0.5", "fault camera back"], []),
    (["fault reader unplugged", "wait 0.5", "fault reader plugged"], []),
    (["fault clock jump 3600"], []),
    (["fault clock jump -3600"], []),
]


@dataclass
class Catalogue:
    """What visits are made of: patrons' cards (hex UIDs that read as their card ids) and the
    library's books; `loans`: item -> card, as the library has them at the start."""

    cards: list[str]
    items: list[str]
    loans: dict[str, str] = field(default_factory=dict)


def _steps(lines: Iterable[str], first_line: int = 1) -> list[Step]:
    out = []
    for n, line in enumerate(lines, first_line):
        name, *args = line.split()
        out.append(Step(n, name, tuple(args)))
    return out


class VisitMaker:
    """Random visits out of a catalogue; it learns from what each visit showed, so a book
    shown as borrowed is the one a later visit returns."""

    def __init__(self, catalogue: Catalogue, seed: int, fault_rate: float, library_faults: bool,
                 without: Iterable[str] = ()) -> None:  # fmt: skip
        """`without`: faults (by name: "garbage", "paper_out") never put into a visit."""
        self.rng = random.Random(seed)
        self.catalogue = catalogue
        self.on_loan = dict(catalogue.loans)
        self.fault_rate = fault_rate
        left_out = set(without)
        faults = DEVICE_FAULTS + (LIBRARY_FAULTS if library_faults else [])
        self.faults = [f for f in faults if f[0][0].split()[2] not in left_out]

    def learn(self, visit: records.Visit) -> None:
        for item, outcome in visit.last.items():
            shown = next((s for (i, o), s in visit.shown.items() if i == item and o == outcome), None)
            if outcome in (records.BORROWED, records.RENEWED) and shown is not None and not shown.offline:
                self.on_loan[item] = shown.card
            elif outcome == records.RETURNED:
                self.on_loan.pop(item, None)

    def _books(self, card: str | None) -> list[str]:
        rng, items = self.rng, self.catalogue.items
        loaned = sorted(self.on_loan)
        own = [i for i in loaned if card and self.on_loan[i].endswith(card[-4:])]
        books: list[str] = []
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if card is None:  # a return
                pool = loaned if roll < 0.85 and loaned else items
            elif roll < 0.2 and own:
                pool = own  # shown again: renewed
            elif roll < 0.85:
                pool = [i for i in items if i not in self.on_loan] or items
            else:
                pool = items
            book = rng.choice(pool)
            if book not in books:
                books.append(book)
        return books

    def visit(self) -> tuple[list[Step], list[str]]:
        """The next visit's steps and the faults put into it."""
        rng = self.rng
        returning = rng.random() < 0.35
        card = None if returning else rng.choice(self.catalogue.cards)
        if returning:
            lines = ["expect_screen idle", "press giveback", f"expect_screen giveback {STEP_TIMEOUT}"]
        else:
            lines = [
                "expect_screen idle",
                f"tap_card {card}",
                f"expect_screen borrow {STEP_TIMEOUT}",
                "lift_card",
            ]
        for book in self._books(card):
            lines += [f"show_barcode {book}", f"expect_line any {book} {STEP_TIMEOUT}", "remove_barcode"]
        receipt = rng.random() < 0.8
        finish = ("finish_return" if returning else "finish") if receipt else "finish_no_receipt"
        lines += [
            f"press {finish}",
            f"expect_screen goodbye {STEP_TIMEOUT}",
            "press ok",
            "expect_screen idle",
        ]
        faults: list[str] = []
        if self.faults and rng.random() < self.fault_rate:
            start, cure = rng.choice(self.faults)
            # Anywhere from before the card to just before finishing.
            at = rng.randint(1, len(lines) - 4)
            lines[at:at] = start
            lines[-1:-1] = cure
            faults.append(" ".join(start[0].split()[1:]))
        return _steps(lines), faults


class StreamedTranscript(Transcript):
    """The transcript written as it happens, one JSON entry a line (flushed: a kill loses at
    most the line being written); only the current visit's entries are kept in memory."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, kind: str, obj: Any) -> None:
        super().__call__(kind, obj)
        entry = self.entries[-1]
        with self._lock:
            self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.stream.flush()

    def take(self) -> list[dict[str, Any]]:
        """The entries since the last take (the visit just ended), forgotten here."""
        taken, self.entries = self.entries, []
        return taken


def read_stream(path: Path) -> list[dict[str, Any]]:
    """A stream's entries; a last line cut by a kill is left out."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def resources() -> dict[str, int]:
    """This process's resident memory (KiB), threads (Python's and the OS's) and open files."""
    status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_kb": int(fields.get("VmRSS", "0 kB").split()[0]),
        "threads": threading.active_count(),
        "os_threads": int(fields.get("Threads", "0").strip() or 0),
        "open_files": len(os.listdir("/proc/self/fd")),
    }


@dataclass
class SoakResult:
    visits: int = 0
    completed: int = 0  # visits that went as scripted
    faults: int = 0
    stopped_by: str = ""  # why the soak ended early, if it did
    start: dict[str, int] = field(default_factory=dict)
    end: dict[str, int] = field(default_factory=dict)
    interrupted: list[str] = field(default_factory=list)  # a few examples


class Soak:
    """Runs `visits` random visits on the script thread of a running kiosk window."""

    def __init__(
        self,
        kiosk: Any,
        window: Any,
        out: Path,
        maker: VisitMaker,
        stream: IO[str],
        library: Any = None,
        progress: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.kiosk = kiosk
        self.maker = maker
        self.library = library
        self.progress = progress
        self.runner = ScriptRunner(kiosk, window, out, screens=False, library=library)
        # The streamed transcript instead of the runner's in-memory one.
        kiosk.runtime.observers.remove(self.runner.transcript)
        self.transcript = StreamedTranscript(stream)
        kiosk.runtime.observers.append(self.transcript)
        self.result = SoakResult()

    def run(self, visits: int, deadline: float | None = None) -> SoakResult:
        result = self.result
        result.start = resources()
        try:
            for n in range(1, visits + 1):
                if deadline is not None and time.monotonic() > deadline:
                    result.stopped_by = "time limit"
                    break
                steps, faults = self.maker.visit()
                result.visits, result.faults = n, result.faults + len(faults)
                self._one(n, steps, faults)
                seen = records.visits(self.transcript.take())
                for visit in seen:
                    self.maker.learn(visit)
                if n % 25 == 0:
                    self.progress(
                        f"{n} visits, {result.faults} faults, {len(result.interrupted)} interrupted"
                    )
            result.end = resources()
        except Exception as exc:  # reported as the soak's end
            result.stopped_by = f"{type(exc).__name__}: {exc}"
            log.exception("soak stopped")
        return result

    def _one(self, n: int, steps: list[Step], faults: list[str]) -> None:
        try:
            for step in steps:
                if step.name == "fault":
                    log.info("%s %s", FAULT_LOGGED, step.masked())
                if step.name == "expect_screen" and step.args[0] == "borrow" and self._turned_away(step):
                    break
                self.runner.run_step(step)
            self.result.completed += 1
        except StepFailed as exc:
            if len(self.result.interrupted) < 20:
                self.result.interrupted.append(f"visit {n}: {step.masked()}: {exc}"[:300])
            log.info("soak visit %d ended early at %s (faults: %s)", n, step.masked(), faults or "none")
            heal(self.kiosk, self.library)
            self.back_to_idle()

    def _turned_away(self, step: Step) -> bool:
        """A patron the library does not let borrow now (at a limit, fees owed) is told so on
        a notice: they touch ok and go. True when that is how the visit ended."""
        timeout = float(step.args[1]) if len(step.args) > 1 else 20.0
        self.runner.wait_for(
            lambda v: v is not None and not v.busy and v.screen in ("borrow", "notice"),
            timeout,
            "borrow or notice",
        )
        view = self.runner.last_view()
        if view is None or view.screen != "notice":
            return False
        self.runner.run_step(Step(step.line, "press", ("ok",)))
        self.runner.run_step(Step(step.line, "lift_card", ()))
        self.runner.run_step(Step(step.line, "expect_screen", ("idle", STEP_TIMEOUT)))
        return True

    def back_to_idle(self, timeout: float = 90.0) -> None:
        """Touch start over, ok (or cancel) until the first screen shows, not busy."""
        self.kiosk.sims.nfc.lift()
        self.kiosk.sims.camera.remove()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            view: View | None = self.runner.last_view()
            if view is not None and view.screen == "idle" and not view.busy:
                return
            for control in ("ok", "start_over", "cancel_typing", "back"):
                if view is not None and not view.busy and control in view.controls:
                    try:
                        self.runner.touch("control", control)
                    except StepFailed:
                        pass
                    break
            time.sleep(0.3)
        raise StepFailed(f"the first screen did not come back within {timeout:g} s")
