"""Ports: what the runtime needs from the outside world. Adapters in ils/ and devices/
(and the simulators) implement them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from kiosk.core.alerts import Alert, AlertKind
from kiosk.core.events import Event
from kiosk.core.model import (
    BringInResult,
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HistoryEntry,
    HoldResult,
    ItemInfo,
    Language,
    Patron,
    PrintOutcome,
    RenewAllResult,
    RenewResult,
)
from kiosk.core.receipt import Receipt

Post = Callable[[Event], None]


class LibrarySystem(Protocol):
    """The library's circulation system (SIP2 in production). Methods block; the runtime
    calls them on its library worker thread. Failures raise core.errors.LibraryError."""

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron: ...

    def checkout(self, patron_id: str, item_id: str, after_unknown: bool = False) -> CheckoutResult: ...

    def end_session(self, patron_id: str) -> None: ...

    def close(self) -> None: ...

    def checkin(self, item_id: str) -> CheckinResult: ...

    def renew(self, patron_id: str, item_id: str) -> RenewResult: ...

    def renew_all(self, patron_id: str) -> RenewAllResult: ...

    def place_hold(self, patron_id: str, item_id: str, pickup_location: str = "") -> HoldResult:
        """Reserve an item; a closed-stack item becomes a request to collect within days."""
        ...

    def cancel_hold(self, patron_id: str, item_id: str) -> HoldResult: ...

    def item_information(self, item_id: str) -> ItemInfo: ...

    def fee_paid(self, patron_id: str, amount: int, transaction_id: str) -> FeePaidResult:
        """Record a payment made at the kiosk; the same transaction id is never paid twice."""
        ...


@runtime_checkable
class KeepsWhatWasShown(Protocol):
    """A library port that records which outcomes the patron actually saw: what it handed
    back is told only once a screen shows its book, so a crash in between, or a screen that
    never showed it, leaves it untold (kept for staff, a loan shown at the patron's next tap)
    instead of wrongly marked as seen."""

    def take_handed(self) -> tuple[tuple[int, str], ...]:
        """The outcomes handed back since the last call: (entry, item id) each."""
        ...

    def shown(self, handed: Iterable[int]) -> None:
        """A screen showed these outcomes to the patron."""
        ...


class MembershipService(Protocol):
    """Chaekieum membership: the one-time bring-in of a member of another library, and the
    borrowing history across member libraries. Failures raise core.errors.LibraryError."""

    def bring_in(self, patron_id: str, birth_date: dt.date, new_pin: str) -> BringInResult:
        """Join this library with the card of another member library: the birth date confirms
        the patron's identity, the new PIN is the one to use here."""
        ...

    def borrowing_history(self, patron_id: str) -> tuple[HistoryEntry, ...]: ...


class ReceiptPrinter(Protocol):
    """Prints a receipt; blocks until printed or failed. Never raises for printer faults:
    they come back as a PrintOutcome with the reason."""

    def print_receipt(self, receipt: Receipt) -> PrintOutcome: ...

    def close(self) -> None: ...


class Device(Protocol):
    """A device worker (card reader, camera): reads hardware on its own thread and posts events."""

    name: str

    def start(self, post: Post) -> None: ...

    def stop(self) -> None: ...

    def reset(self) -> None:
        """Forget what belongs to the visit that just ended (thread-safe)."""
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def monotonic(self) -> float: ...


class Speech(Protocol):
    """A voice that reads text aloud in a language. Never blocks the caller: speaking happens
    on its own thread or process. A new utterance interrupts the one being said (the newest
    wins) unless `queue`; `after_s` delays it (a busy screen is said only if still shown)."""

    def say(self, text: str, language: Language, *, queue: bool = False, after_s: float = 0.0) -> None: ...

    def stop(self) -> None:
        """Stop speaking now, and drop what waits to be said."""
        ...

    def set_volume(self, percent: int) -> None:
        """Loudness in percent of the engine's normal (100); applies from the next utterance."""
        ...

    def set_rate(self, words_per_minute: int) -> None: ...

    def close(self) -> None: ...


class Sounds(Protocol):
    """Short status cues ("beep.ok", "beep.error", "beep.warning", "chime.staff"). Never blocks."""

    def play(self, cue: str) -> None: ...

    def set_volume(self, percent: int) -> None: ...

    def close(self) -> None: ...


class AudioSinks(Protocol):
    """Watches where the kiosk's sound goes: tells (from its own thread) when an earphone is
    plugged in (True) or out (False); once at start with the state found."""

    def start(self, changed: Callable[[bool], None]) -> None: ...

    def stop(self) -> None: ...


class StaffAlerts(Protocol):
    """Tells staff what needs a person at the kiosk (a log line, a webhook, the SIP2 status).
    Never blocks the caller for long: what goes over a network goes on its own thread."""

    def raise_alert(self, alert: Alert) -> None: ...

    def clear(self, kind: AlertKind) -> None:
        """What `kind` was about is over (the device is back, the visit ended)."""
        ...

    def close(self) -> None: ...
