"""Ports: what the runtime needs from the outside world. Adapters in ils/ and devices/
(and the simulators) implement them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from kiosk.core.events import Event
from kiosk.core.model import CheckoutResult, Patron, PrintOutcome
from kiosk.core.receipt import Receipt

Post = Callable[[Event], None]


class LibrarySystem(Protocol):
    """The library's circulation system (SIP2 in production). Methods block; the runtime
    calls them on its library worker thread. Failures raise core.errors.LibraryError."""

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron: ...

    def checkout(self, patron_id: str, item_id: str) -> CheckoutResult: ...

    def end_session(self, patron_id: str) -> None: ...

    def close(self) -> None: ...


# The operations a flow may request through CallLibrary, and nothing else.
LIBRARY_OPERATIONS = frozenset({"lookup_patron", "checkout", "end_session"})


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
