"""After a lost answer, find out from the library what a checkout, checkin, renewal, hold or
payment did (17 item information, 63 patron information) before anything is sent again."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from kiosk.core.errors import LibraryError, OutcomeUnknown
from kiosk.core.model import (
    CheckinResult,
    CheckoutResult,
    Circulation,
    FeePaidResult,
    HoldResult,
    RenewResult,
)
from kiosk.ils import answers

if TYPE_CHECKING:
    from kiosk.ils.library import Sip2Library

log = logging.getLogger(__name__)
_R = TypeVar("_R")


def find_out(what: str, item_id: str, ask: Callable[[], _R | None], lost: LibraryError) -> _R | None:
    """The outcome `ask` finds, None when the request was not carried out. When the library
    cannot be asked either, OutcomeUnknown: the flow tells the patron the item is not
    confirmed (check at the desk), and nothing is sent again."""
    try:
        outcome = ask()
    except LibraryError as exc:
        log.warning("%s: could not find out what happened (%s)", what, exc)
        raise OutcomeUnknown(f"{what}: answer lost ({lost}) and the library could not be asked ({exc})",
                             what, item_id) from exc  # fmt: skip
    if outcome is not None:
        log.info("%s had been carried out before its answer was lost", what)
    return outcome


def _charged_to(library: Sip2Library, patron_id: str, item_id: str) -> bool:
    reply = library.patron_information(patron_id, "AU")
    return item_id in (entry.partition(" ")[0] for entry in reply.get_all("AU"))


def checkout(
    library: Sip2Library, patron_id: str, item_id: str, due_before: dt.date | None
) -> CheckoutResult | None:
    """The loan when the item is now charged to the patron (and, for an item they already
    had, its due date moved: a renewal); None when nothing happened."""
    info = library.item_information(item_id)
    if info.circulation is not Circulation.ON_LOAN or not _charged_to(library, patron_id, item_id):
        return None
    if due_before is not None and info.due == due_before:
        return None  # their loan already, not renewed: the renewal did not happen
    library._remember_due(patron_id, item_id, info.due)
    return CheckoutResult(True, item_id, info.title, info.due, renewed=due_before is not None, recovered=True)


def checkin(library: Sip2Library, item_id: str) -> CheckinResult | None:
    info = library.item_information(item_id)
    if not info.known or info.circulation is Circulation.ON_LOAN:
        return None
    return CheckinResult(True, item_id, info.title, for_hold=info.circulation is Circulation.ON_HOLD_SHELF,
                         recovered=True)  # fmt: skip


def renew(library: Sip2Library, item_id: str, due_before: dt.date | None) -> RenewResult | None:
    info = library.item_information(item_id)
    if info.circulation is not Circulation.ON_LOAN or info.due is None or info.due == due_before:
        return None
    return RenewResult(True, item_id, info.title, info.due, recovered=True)


def hold(library: Sip2Library, patron_id: str, item_id: str, *, placed: bool) -> HoldResult | None:
    """Whether the hold list now has (placed) or lacks (cancelled) the item."""
    held = False
    for list_id in ("AS", "CD"):
        reply = library.patron_information(patron_id, list_id)
        held = held or item_id in (entry.partition(" ")[0] for entry in reply.get_all(list_id))
    if held != placed:
        return None
    return HoldResult(True, item_id, recovered=True)


def fee(
    library: Sip2Library, patron_id: str, amount: int, transaction_id: str, owed_before: int | None
) -> FeePaidResult | None:
    """A payment went through when the amount owed dropped by it. Without a known amount
    before, it cannot be told: the original failure stands (staff check the payment)."""
    if owed_before is None:
        raise LibraryError("amount owed before the payment unknown")
    reply = library.patron_information(patron_id)
    owed = answers.amount(reply.get("BV"))
    if owed is None or int(owed) != owed_before - amount:
        return None
    return FeePaidResult(True, transaction_id, amount, recovered=True)
