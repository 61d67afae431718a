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
    # Lent while the library was unreachable: journaled, confirmed when it is back.
    offline: bool = False
    # Made at an earlier visit that ended before the patron saw it (told now).
    earlier: bool = False


@dataclass(frozen=True)
class Hold:
    """A hold (reservation) of the patron's: `ready` when it waits on the hold shelf."""

    item_id: str
    title: str = ""
    ready: bool = False
    # Last day to collect a ready hold (closed-stack requests: 3 days).
    collect_by: dt.date | None = None
    pickup_location: str = ""
    # A waiting hold: the patron's place in the queue (1: next; 0 when not told), and whether
    # the book is on its way here from another library.
    position: int = 0
    in_transit: bool = False


class LoanLimit(str, Enum):
    """The limit that caps how many more items a patron may borrow here."""

    # This library's own: 7 (10 for registered disabled patrons) in Seoul.
    LIBRARY = "library"
    # The Chaekieum network's: 20 across every member library, this one included.
    NETWORK = "network"


@dataclass(frozen=True)
class Allowance:
    """How many more items a patron may borrow here, and which limit, of how many, says so."""

    left: int
    limit: int
    binds: LoanLimit


@dataclass(frozen=True)
class PatronDetails:
    """Everything the library tells about a patron's account beyond the Patron basics."""

    overdue: tuple[str, ...] = ()
    holds: tuple[Hold, ...] = ()
    fees_owed: int = 0
    fee_currency: str = "KRW"
    fee_limit: int | None = None
    # Loans at this library, and this library's limit for this patron.
    loans_here: int | None = None
    loan_limit_here: int | None = None
    # Loans across every Chaekieum member library (this one included), and the network's limit.
    network_loans: int | None = None
    network_limit: int | None = None
    # How many more may be borrowed here: the smaller of what is left of either limit.
    quota_remaining: int | None = None
    # True when this is a member of another Chaekieum library who has not done the bring-in here.
    bring_in_needed: bool = False
    expires: dt.date | None = None
    # The last day borrowing is suspended for late returns, when the library says.
    suspended_until: dt.date | None = None
    email: str = ""
    print_lines: tuple[str, ...] = ()
    # What the library closed while borrowing stays open (SIP2 patron status flags):
    # "renewal_denied", "hold_denied", "recall_denied", "too_many_renewals".
    restrictions: tuple[str, ...] = ()
    # Books recalled for another patron and now overdue (SIP2 recall items, BU).
    recalled: tuple[str, ...] = ()
    # Items declared lost, claimed returned, billed for: None when the library does not say.
    lost_items: int | None = None
    claims_returned: int | None = None
    billed_items: int | None = None
    # The library's own words (its screen message) where they match no reason the kiosk has a
    # sentence for: cleaned of controls, shown as they are beside the kiosk's sentences.
    library_note: str = ""

    @property
    def holds_ready(self) -> tuple[Hold, ...]:
        return tuple(h for h in self.holds if h.ready)

    @property
    def loans_elsewhere(self) -> int | None:
        """Loans at the other Chaekieum member libraries."""
        if self.network_loans is None or self.loans_here is None:
            return None
        return max(0, self.network_loans - self.loans_here)

    def allowances(self, borrowed: int = 0) -> tuple[Allowance, ...]:
        """What is left of each limit the library told (this library's, then the network's)
        once `borrowed` more items are on loan here."""
        found = []
        if self.loans_here is not None and self.loan_limit_here:
            left = max(0, self.loan_limit_here - self.loans_here - borrowed)
            found.append(Allowance(left, self.loan_limit_here, LoanLimit.LIBRARY))
        if self.network_loans is not None and self.network_limit is not None:
            left = max(0, self.network_limit - self.network_loans - borrowed)
            found.append(Allowance(left, self.network_limit, LoanLimit.NETWORK))
        return tuple(found)

    def allowance(self, borrowed: int = 0) -> Allowance | None:
        """What is left once `borrowed` more items are on loan here: the smaller of what is
        left of this library's limit and of the network's (this library's when both leave the
        same); None when the library told neither."""
        found = self.allowances(borrowed)
        return min(found, key=lambda a: a.left) if found else None


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
    details: PatronDetails = field(default_factory=PatronDetails)
    # Admitted by the kiosk while the library was unreachable (a card the library let borrow
    # lately): `offline_left` more books may be lent offline.
    offline: bool = False
    offline_left: int = 0
    # Loans an interrupted visit made that the patron was never shown (the kiosk stopped
    # before the answer reached the screen): shown and printed at this visit.
    earlier: tuple[Loan, ...] = ()

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
    # Lines the library system wants printed on the receipt (SIP2 AG).
    print_lines: tuple[str, ...] = ()
    # The answer was found out after a lost reply (item/patron information), not sent by the server.
    recovered: bool = False
    # Lent while the library was unreachable: journaled, sent when the link is back.
    offline: bool = False


@dataclass(frozen=True)
class PrintOutcome:
    """How a receipt fared at the printer."""

    ok: bool
    # Message id for the patron when not ok (e.g. "printer.paper_out").
    reason: str = ""
    # What a technician should check, in plain English.
    detail: str = ""
    png: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CheckinResult:
    """The library system's answer to one checkin (giveback)."""

    ok: bool
    item_id: str
    title: str = ""
    # Message id of the reason when refused; "" when ok.
    reason: str = ""
    screen_message: str = ""
    print_lines: tuple[str, ...] = ()
    # The item must not go back to the shelf: staff should look at it (SIP2 alert).
    alert: bool = False
    # Wanted by another patron: goes to the hold shelf, not the shelf.
    for_hold: bool = False
    sort_bin: str = ""
    destination: str = ""
    # Days late; a late return suspends borrowing for as many days (Seoul rule).
    late_days: int = 0
    # The answer was found out after a lost reply (item information), not sent by the server.
    recovered: bool = False
    # Taken while the library was unreachable: journaled, sent when the link is back.
    offline: bool = False


@dataclass(frozen=True)
class RenewResult:
    """The library system's answer to one renewal."""

    ok: bool
    item_id: str
    title: str = ""
    due: dt.date | None = None
    reason: str = ""
    screen_message: str = ""
    print_lines: tuple[str, ...] = ()
    recovered: bool = False


@dataclass(frozen=True)
class RenewAllResult:
    """The answer to renew all: items renewed (with their new due dates) and items not."""

    ok: bool
    renewed: tuple[Loan, ...] = ()
    refused: tuple[str, ...] = ()
    screen_message: str = ""
    print_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldResult:
    """The answer to placing or cancelling a hold (a closed-stack request is a hold)."""

    ok: bool
    item_id: str
    title: str = ""
    # The item is waiting for the patron now (closed stack: fetched for collection).
    available: bool = False
    collect_by: dt.date | None = None
    pickup_location: str = ""
    queue_position: int = 0
    reason: str = ""
    screen_message: str = ""
    print_lines: tuple[str, ...] = ()
    recovered: bool = False


class Circulation(str, Enum):
    """Where an item is, as the library system says (SIP2 circulation status)."""

    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD_SHELF = "on_hold_shelf"
    IN_TRANSIT = "in_transit"
    MISSING = "missing"
    UNKNOWN = "unknown"
    OTHER = "other"


@dataclass(frozen=True)
class ItemInfo:
    """What the library system knows about one item."""

    item_id: str
    known: bool
    title: str = ""
    circulation: Circulation = Circulation.UNKNOWN
    due: dt.date | None = None
    hold_queue: int = 0
    location: str = ""
    home_library: str = ""
    isbn: str = ""
    media: str = ""
    screen_message: str = ""
    # Message id when the item cannot be borrowed whatever the patron (reference, closed stack).
    not_for_loan: str = ""


@dataclass(frozen=True)
class FeePaidResult:
    """The answer to a fee payment."""

    ok: bool
    transaction_id: str
    amount: int = 0
    reason: str = ""
    screen_message: str = ""
    print_lines: tuple[str, ...] = ()
    recovered: bool = False


@dataclass(frozen=True)
class BringInResult:
    """The answer to a Chaekieum bring-in (a member of another library joining this one)."""

    ok: bool
    patron_id: str
    library: str = ""
    # Message id when refused (identity not confirmed, PIN unacceptable, not a member...).
    reason: str = ""
    screen_message: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    """One loan in a patron's borrowing history, at any Chaekieum member library."""

    library: str
    item_id: str
    title: str
    checked_out: dt.date
    returned: dt.date | None = None


@dataclass(frozen=True)
class CheckResult:
    """One self-test's outcome as the technician's screen shows it: `verdict` "ok", "warning"
    or "failed"; a one-line summary and what to do (no patron data)."""

    name: str
    verdict: str
    summary: str
    advice: tuple[str, ...] = ()
