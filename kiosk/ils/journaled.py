"""The library port with a journal: every checkout, return, renewal, hold and payment is
written before it is sent and settled with the answer (kiosk.ils.journal); after a crash the
open entries are reconciled by asking the library what it has (17, 63), never by sending
them again."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.core.errors import LibraryError, LibraryUnavailable, LibraryUnreachable, OutcomeUnknown
from kiosk.core.model import (
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HoldResult,
    ItemInfo,
    Patron,
    RenewAllResult,
    RenewResult,
)
from kiosk.core.privacy import mask_card
from kiosk.ils import recovery
from kiosk.ils.journal import Entry, Journal
from kiosk.ils.library import Sip2Library

log = logging.getLogger(__name__)
_R = TypeVar("_R")


class JournaledLibrary:
    """LibrarySystem on the SIP2 adapter, every transaction journaled."""

    def __init__(
        self,
        library: Sip2Library,
        journal: Journal,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        offline_returns: bool = True,
    ) -> None:
        self.library = library
        self.journal = journal
        self.now = now
        # Returns taken while the library is unreachable: journaled, replayed when it is back.
        self.offline_returns = offline_returns
        self._replaying = threading.Lock()

    # -- what changes nothing passes through -----------------------------------------------

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron:
        return self.library.lookup_patron(patron_id, pin)

    def item_information(self, item_id: str) -> ItemInfo:
        return self.library.item_information(item_id)

    def end_session(self, patron_id: str) -> None:
        self.library.end_session(patron_id)

    def renew_all(self, patron_id: str) -> RenewAllResult:
        # Sent again it renews nothing twice (each loan renews once): not journaled per item.
        return self.library.renew_all(patron_id)

    def close(self) -> None:
        self.library.close()

    def __getattr__(self, name: str) -> Any:
        # The adapter's own extras (membership, connect, diagnostics) stay reachable.
        return getattr(self.library, name)

    # -- transactions ------------------------------------------------------------------------

    def _journaled(self, kind: str, call: Callable[[], _R], patron_id: str = "", item_id: str = "",
                   unreachable: Callable[[int], _R] | None = None, **fields: Any) -> _R:  # fmt: skip
        """`unreachable(entry)`: what to do instead when the library cannot be reached (the
        request was not sent)."""
        entry = self.journal.begin(kind, self.now(), patron_id, item_id, **fields)
        self.journal.sent(entry)
        try:
            result = call()
        except LibraryUnreachable:
            if unreachable is None:
                self.journal.settle(entry, "not_done", self.now(), "library unreachable: not sent")
                raise
            return unreachable(entry)
        except OutcomeUnknown:
            self.journal.settle(entry, "unknown", self.now(), "answer lost; the library could not be asked")
            raise
        except LibraryUnavailable as exc:
            # Never sent (unreachable), or found not carried out after a lost answer.
            self.journal.settle(entry, "not_done", self.now(), str(exc))
            raise
        except LibraryError as exc:
            self.journal.settle(entry, "unknown", self.now(), str(exc))
            raise
        ok = bool(getattr(result, "ok", False))
        reason = getattr(result, "screen_message", "") or getattr(result, "reason", "")
        self.journal.settle(entry, "done" if ok else "refused", self.now(), "" if ok else reason)
        # Handed back to the flow, which shows it at once.
        self.journal.told(entry)
        return result

    def checkout(self, patron_id: str, item_id: str, after_unknown: bool = False) -> CheckoutResult:
        _, due_before = self.library.due_before(patron_id, item_id)
        return self._journaled(
            "checkout", lambda: self.library.checkout(patron_id, item_id, after_unknown), patron_id, item_id,
            due_before=due_before,
        )  # fmt: skip

    def checkin(self, item_id: str) -> CheckinResult:
        if self.offline_returns and self.pending_returns():
            # Earlier returns wait to be replayed: this one queues behind them, in order.
            entry = self.journal.begin("checkin", self.now(), item_id=item_id)
            return self._offline_return(item_id, entry)
        offline = (lambda entry: self._offline_return(item_id, entry)) if self.offline_returns else None
        return self._journaled("checkin", lambda: self.library.checkin(item_id), item_id=item_id,
                               unreachable=offline)  # fmt: skip

    def _offline_return(self, item_id: str, entry: int) -> CheckinResult:
        """The library cannot be reached: the return is journaled and taken; the book goes in
        the bin and the library is told, in order, when it is back."""
        self.journal.take_offline(entry)
        log.warning("library unreachable: return of %s recorded offline (journal entry %d)", item_id, entry)
        return CheckinResult(True, item_id, offline=True)

    def pending_returns(self) -> bool:
        return bool(self.journal.waiting_offline())

    def replay(self) -> tuple[int, int]:
        """Send the returns taken offline, oldest first, each with the time it was taken and
        SIP2's no-block flag: (done, left). Each is marked sent before it goes, so a crash
        mid-replay leaves it for reconcile() to ask about rather than send twice; "not checked
        out" means the library has it back already: done. Stops at the first that cannot go."""
        done = 0
        with self._replaying:
            for entry in self.journal.waiting_offline():
                self.journal.sent(entry.id)
                try:
                    result = self.library.checkin(entry.item_id, offline_at=entry.at)
                except OutcomeUnknown:
                    self.journal.settle(entry.id, "unknown", self.now(), "replayed; answer lost")
                    break
                except LibraryUnavailable:
                    # Not sent (or found not carried out): it waits for the next try.
                    self.journal.reopen(entry.id)
                    break
                already = not result.ok and result.reason == "refusal.not_on_loan"
                state = "done" if result.ok or already else "refused"
                self.journal.settle(
                    entry.id, state, self.now(), "" if state == "done" else result.screen_message
                )
                done += 1
        left = len([e for e in self.journal.open_entries() if e.offline])
        if done:
            log.info("offline returns replayed: %d sent, %d left", done, left)
        return done, left

    def renew(self, patron_id: str, item_id: str) -> RenewResult:
        _, due_before = self.library.due_before(patron_id, item_id)
        return self._journaled("renew", lambda: self.library.renew(patron_id, item_id), patron_id, item_id,
                               due_before=due_before)  # fmt: skip

    def place_hold(self, patron_id: str, item_id: str, pickup_location: str = "") -> HoldResult:
        return self._journaled(
            "place_hold",
            lambda: self.library.place_hold(patron_id, item_id, pickup_location),
            patron_id,
            item_id,
        )

    def cancel_hold(self, patron_id: str, item_id: str) -> HoldResult:
        return self._journaled("cancel_hold", lambda: self.library.cancel_hold(patron_id, item_id), patron_id,
                               item_id)  # fmt: skip

    def fee_paid(self, patron_id: str, amount: int, transaction_id: str) -> FeePaidResult:
        return self._journaled(
            "fee_paid", lambda: self.library.fee_paid(patron_id, amount, transaction_id), patron_id,
            amount=amount, transaction_id=transaction_id,
        )  # fmt: skip

    # -- after a crash -------------------------------------------------------------------------

    def reconcile(self) -> list[Entry]:
        """Ask the library what became of every open entry and record the truth; the entries
        settled now (the patron was not told: for staff). One the library cannot answer for
        stays open for the next try."""
        settled = []
        for entry in self.journal.open_entries():
            if entry.waiting_offline:
                continue  # taken offline, never sent: replay() sends it
            try:
                happened = what_happened(self.library, entry)
            except LibraryError as exc:
                log.warning(
                    "journal entry %d (%s): the library could not say (%s)", entry.id, entry.kind, exc
                )
                continue
            state = "done" if happened else "not_done"
            self.journal.settle(entry.id, state, self.now(), "reconciled after a restart")
            log.info("journal entry %d (%s, patron %s): %s", entry.id, entry.kind,
                     mask_card(entry.patron_id), state)  # fmt: skip
            found = self.journal.entry(entry.id)
            if found is not None:
                settled.append(found)
        return settled


def what_happened(library: Sip2Library, entry: Entry) -> bool:
    """Whether the library carried the entry's transaction out. Raises LibraryError when it
    cannot tell (link down; a payment with no amount owed before to compare with)."""
    p, i = entry.patron_id, entry.item_id
    if entry.kind == "checkout":
        return recovery.checkout(library, p, i, entry.due_before) is not None
    if entry.kind == "checkin":
        return recovery.checkin(library, i) is not None
    if entry.kind == "renew":
        return recovery.renew(library, i, entry.due_before) is not None
    if entry.kind in ("place_hold", "cancel_hold"):
        return recovery.hold(library, p, i, placed=entry.kind == "place_hold") is not None
    if entry.kind == "fee_paid":
        raise LibraryError("a payment's outcome cannot be told without the amount owed before it")
    raise LibraryError(f"unknown journal entry kind {entry.kind!r}")
