"""Library things the kiosk talks about: patrons, items, loans, outcomes of circulation calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class Language(str, Enum):
    KO = "ko"
    EN = "en"


@dataclass(frozen=True)
class Loan:
    """An item the patron has (or just got) on loan."""

    item_id: str
    title: str
    due: dt.date | None = None


@dataclass(frozen=True)
class Patron:
    """What the library system tells us about a patron at the start of a visit."""

    patron_id: str
    name: str
    valid: bool = True
    # Message ids (see core.messages) of every reason the patron may not borrow now.
    blocks: tuple[str, ...] = ()
    home_library: str = ""
    loans: tuple[Loan, ...] = ()
    loan_limit: int = 0
    # Free text the library system wants shown (SIP2 AF); may be empty.
    screen_message: str = ""

    @property
    def can_borrow(self) -> bool:
        return self.valid and not self.blocks


@dataclass(frozen=True)
class CheckoutResult:
    """The library system's answer to one checkout."""

    ok: bool
    item_id: str
    title: str = ""
    due: dt.date | None = None
    # Message id of the reason when refused (core.messages); "" when ok.
    reason: str = ""
    screen_message: str = ""
    renewed: bool = False


@dataclass(frozen=True)
class PrintOutcome:
    """How a receipt fared at the printer."""

    ok: bool
    # Message id for the patron when not ok (e.g. "printer.paper_out").
    reason: str = ""
    # What a technician should check, in plain English.
    detail: str = ""
    png: bytes | None = field(default=None, repr=False)
