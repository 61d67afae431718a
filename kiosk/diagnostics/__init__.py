"""A technician's checks of each device, the library link and the host, as verdicts with evidence
and advice; `kiosk diag` and the technician screen both render them.

Each module here (but this one) is one check named after it, with
`check(settings, live=None, **options) -> Check`. With `live` (what a running kiosk holds) a check
uses the kiosk's own adapters and never opens a device a second time; without it the check opens
its own adapter from the settings and closes it again. Options a check does not know are ignored,
so one set of options can go to every check (see run_checks). No argument parsing and no printing
here: kiosk.commands.diag is the command line.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from kiosk.config import Settings

log = logging.getLogger(__name__)

Verdict = Literal["ok", "warning", "failed"]
VERDICTS: tuple[Verdict, ...] = ("ok", "warning", "failed")
# In the order they run: the library first, the host's clock is compared with it.
CHECKS: tuple[str, ...] = ("library", "nfc", "camera", "printer", "host")


@dataclass(frozen=True)
class Check:
    """One check's outcome as a technician reads it. A device that did not answer is "failed"
    (its summary says the status is unknown): there is no "unknown" verdict."""

    name: str
    verdict: Verdict
    # One line: what was found, or what is wrong.
    summary: str
    # Figures and facts behind the verdict (JSON-able).
    evidence: dict[str, Any] = field(default_factory=dict)
    # What to do, one line each; empty when there is nothing to do.
    advice: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")

    @property
    def ok(self) -> bool:
        """Whether the device can serve patrons (a warning still can)."""
        return self.verdict != "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict,
            "summary": self.summary,
            "evidence": self.evidence,
            "advice": list(self.advice),
        }


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most serious of `verdicts` ("ok" for none)."""
    return max(verdicts, key=VERDICTS.index, default="ok")


def exit_code(checks: Iterable[Check]) -> int:
    """0 when every check is ok, 1 when any warned, 2 when any failed."""
    return VERDICTS.index(worst(c.verdict for c in checks))


@dataclass
class Live:
    """What a running kiosk already holds, for checks that must not open a device twice. Any
    of them may be None: that check then opens its own adapter from the settings."""

    # The library port the runtime uses: a Sip2Library (its Sip2Client at .client) or the
    # JournaledLibrary around one (.library.client, .journal).
    library: Any = None
    # The visit journal (kiosk.ils.journal.Journal).
    journal: Any = None
    # The receipt printer adapter (kiosk.devices.printer.SerialReceiptPrinter).
    printer: Any = None
    # The NFC device worker (kiosk.devices.nfc.NfcReader), started.
    reader: Any = None
    # The camera device worker (kiosk.devices.camera.CameraReader), started.
    camera: Any = None

    @classmethod
    def of(cls, kiosk: Any) -> Live:
        """The adapters of a built kiosk (kiosk.app.Kiosk), found by what they are."""
        runtime = kiosk.runtime
        devices = {getattr(d, "name", ""): d for d in getattr(kiosk, "devices", ())}
        journal = getattr(kiosk, "journal", None) or getattr(runtime.library, "journal", None)
        return cls(runtime.library, journal, runtime.printer, devices.get("nfc"), devices.get("camera"))

    def sip2_client(self) -> Any:
        """The running kiosk's Sip2Client, or None."""
        library = self.library
        for _ in range(3):  # JournaledLibrary -> Sip2Library -> Sip2Client
            if library is None:
                return None
            client = getattr(library, "client", None)
            if client is not None:
                return client
            library = getattr(library, "library", None)
        return None


def run_checks(
    settings: Settings, names: Iterable[str] | None = None, live: Live | None = None, **options: Any
) -> list[Check]:
    """Run the named checks (default: all of CHECKS, in that order) and return their outcomes.
    Blocking (a check may wait seconds for a device): call it off the UI thread. A check that
    breaks is a "failed" Check of its own, never an exception."""
    chosen = list(CHECKS if names is None else names)
    unknown = [n for n in chosen if n not in CHECKS]
    if unknown:
        raise ValueError(f"no such check: {', '.join(unknown)} (choose from {', '.join(CHECKS)})")
    results = []
    for name in chosen:
        module = importlib.import_module(f"kiosk.diagnostics.{name}")
        try:
            results.append(module.check(settings, live, **options))
        except Exception as exc:  # a check's last resort: the others still run
            log.exception("diagnostics: the %s check broke", name)
            results.append(
                Check(
                    name,
                    "failed",
                    f"the {name} check itself failed: {type(exc).__name__}: {exc}",
                    {"error": type(exc).__name__},
                    ("see the kiosk's log; report it with `kiosk diag bundle OUT.zip`",),
                )
            )
    return results


class Findings:
    """What a check found, gathered as it goes: the verdict is the worst finding, the summary
    the failures (else the warnings, else the all-clear line), the advice what each said to do."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.evidence: dict[str, Any] = {}
        self.failures: list[str] = []
        self.warnings: list[str] = []
        self.advice: list[str] = []

    def fail(self, summary: str, *advice: str) -> None:
        self.failures.append(summary)
        self._advise(advice)

    def warn(self, summary: str, *advice: str) -> None:
        self.warnings.append(summary)
        self._advise(advice)

    def _advise(self, advice: Iterable[str]) -> None:
        for line in advice:
            if line and line not in self.advice:
                self.advice.append(line)

    def simulated(self, what: str, note: str) -> Check:
        """The device is a simulator inside the running kiosk: nothing to open from here."""
        self.evidence["opened"] = False
        summary = f"{what} (inside the kiosk): not opened here"
        return Check(self.name, "ok", summary, {**self.evidence, "note": note})

    def check(self, all_clear: str) -> Check:
        if self.failures:
            return Check(self.name, "failed", "; ".join(self.failures), self.evidence, tuple(self.advice))
        if self.warnings:
            return Check(self.name, "warning", "; ".join(self.warnings), self.evidence, tuple(self.advice))
        return Check(self.name, "ok", all_clear, self.evidence, tuple(self.advice))
