"""Events: everything that happens to the kiosk, posted to the runtime and fed to the active flow.

Every event carries `at`, the wall-clock time the runtime stamped on it: flows never read
the clock themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.errors import LibraryError
from kiosk.core.model import CheckResult


@dataclass(frozen=True, kw_only=True)
class Event:
    at: dt.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True)
class Started(Event):
    """The runtime is up; the flow shows its first screen."""


@dataclass(frozen=True, kw_only=True)
class CardRead(Event):
    """A patron card was presented: NFC tap (technology "106A", "212F"...) or QR ("qr")."""

    technology: str
    uid: str
    identifier: str


@dataclass(frozen=True, kw_only=True)
class CardRemoved(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class BarcodeRead(Event):
    """The camera decoded a code. `kind` is what the configured patterns say it is:
    "item" (registration number), "isbn", "member" (mobile card) or "unknown"."""

    text: str
    symbology: str
    kind: str = "item"


@dataclass(frozen=True, kw_only=True)
class ScanTrouble(Event):
    """The camera has had what looks like a barcode label in view for a while without reading
    it: the patron is shown how to hold the book, and offered to type the number."""


@dataclass(frozen=True, kw_only=True)
class Pressed(Event):
    """A touch or keypad press on a named control (e.g. "finish", "lang.en", "start_over")."""

    control: str


@dataclass(frozen=True, kw_only=True)
class LibraryReplied(Event):
    """Answer to a CallLibrary effect: `result` on success, else `error` (a LibraryError)."""

    request_id: int
    operation: str
    result: Any = None
    error: Exception | None = None

    @property
    def failure(self) -> Exception | None:
        """The error, or one for an answer with neither result nor error (a broken adapter:
        not done, and said so); None when there is a result."""
        if self.error is not None or self.result is not None:
            return self.error
        return LibraryError(f"{self.operation}: empty answer")


@dataclass(frozen=True, kw_only=True)
class FlowFailed(Event):
    """The flow raised while handling an event (a bug): it is told, so that it can show
    "please call staff" and go back to idle rather than leave a frozen screen."""

    state: str
    failed_on: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class ReceiptPrinted(Event):
    """Answer to a PrintReceipt effect; `outcome` is a core.model.PrintOutcome."""

    job_id: int
    outcome: Any


@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    name: str


@dataclass(frozen=True, kw_only=True)
class DeviceStatus(Event):
    """A device changed state. `ok` False means the technician has something to do (`detail`)."""

    device: str
    ok: bool
    detail: str = ""
    # What is wrong, as a word the flows act on ("paper_out", "cover_open", "unreachable"...).
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class TechnicianReport(Event):
    """What a RunChecks effect found: each check's verdict, the device counters and the recent
    event log (no patron data in any of it), for the technician's screen."""

    checks: tuple[CheckResult, ...] = ()
    counters: tuple[tuple[str, str], ...] = ()
    log: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TechnicianDone(Event):
    """A TechnicianAction carried out (`ok`) or not, with what the technician should know."""

    action: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class CardProblem(Event):
    """A card on the reader gave no patron identifier. `reason`:
    "two_cards": more than one card is on the reader (show one card please; a CardRead follows
    when only one is left); "unreadable": reading it failed part-way (hold it still, or lift
    and tap again; the reader retries while it stays); "not_supported": the card carries none
    of the identifiers this library enrolled (see staff). `technology` as in CardRead."""

    reason: str
    technology: str = ""

    @property
    def message_id(self) -> str:
        """The patron's text for this problem (kiosk/core/messages/devices.py)."""
        return CARD_PROBLEM_MESSAGES.get(self.reason, "card.retry")


CARD_PROBLEM_MESSAGES = {
    "two_cards": "card.one_please",
    "unreadable": "card.retry",
    "not_supported": "card.not_supported",
}
