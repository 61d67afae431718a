"""The library port with a journal: every checkout, return, renewal, hold and payment is
written before it is sent and settled with the answer (kiosk.ils.journal); after a crash the
open entries are reconciled by asking the library what it has (17, 63), never by sending
them again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from kiosk.core.errors import (
    LibraryError,
    LibraryUnavailable,
    LibraryUnreachable,
    LoginRejected,
    OutcomeUnknown,
)
from kiosk.core.model import (
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HoldResult,
    ItemInfo,
    Loan,
    Patron,
    RenewAllResult,
    RenewResult,
)
from kiosk.core.privacy import mask_card
from kiosk.ils import recovery
from kiosk.ils.journal import Entry, Journal
from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.client import not_serving

log = logging.getLogger(__name__)
_R = TypeVar("_R")


@dataclass(frozen=True)
class OfflineLending:
    """The library's policy for lending while it is unreachable: up to `items` books per card,
    to cards it let borrow within `seen_days` (by its last answer for the card), each due
    after `loan_days`. A card that needs a PIN is never lent to offline: the PIN cannot be
    checked without the library."""

    items: int = 3
    seen_days: int = 7
    loan_days: int = 14


class JournaledLibrary:
    """LibrarySystem on the SIP2 adapter, every transaction journaled."""

    def __init__(
        self,
        library: Sip2Library,
        journal: Journal,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        offline_returns: bool = True,
        offline_lending: OfflineLending | None = None,
    ) -> None:
        self.library = library
        self.journal = journal
        self.now = now
        # Returns taken while the library is unreachable: journaled, replayed when it is back.
        self.offline_returns = offline_returns
        # Loans made while it is unreachable (None: never), within the library's policy.
        self.offline_lending = offline_lending
        self._replaying = threading.Lock()
        # Outcomes handed back to the flow (entry, item); told once a screen shows them.
        self._handed: list[tuple[int, str]] = []
        self._handed_lock = threading.Lock()

    # -- what the patron was shown ---------------------------------------------------------

    def _hand(self, entry: int, item_id: str) -> None:
        with self._handed_lock:
            self._handed.append((entry, item_id))

    def take_handed(self) -> tuple[tuple[int, str], ...]:
        with self._handed_lock:
            handed, self._handed = tuple(self._handed), []
        return handed

    def shown(self, handed: Iterable[int]) -> None:
        for entry in handed:
            self.journal.told(entry)

    # -- offline -------------------------------------------------------------------------------

    def offline_for(self, kind: str) -> str:
        """Why a `kind` transaction ("checkout", "checkin") is taken offline now without trying
        the library ("" when it is tried): the heartbeat found the link down, or the
        library's last status says it takes no loans (returns) now."""
        client = getattr(self.library, "client", None)
        if client is None:
            return ""
        status = client.acs_status
        if not_serving(status):
            # The library said what it does not do now: the rest is still sent.
            allowed = 2 if kind == "checkout" else 1  # the status flag: loans, returns
            return not_serving(status) if "N" in (status.flag(0), status.flag(allowed)) else ""
        if client.online is False and client.watched:
            return f"{client.where} is unreachable"
        return ""

    def _lending_offline_to(self, patron_id: str) -> int:
        """Books `patron_id` may still be lent offline (0: none), by the policy and the
        library's last answer for the card."""
        policy = self.offline_lending
        if policy is None:
            return 0
        seen = self.journal.card_last_seen(patron_id)
        if seen is None:
            return 0
        day, may_borrow = seen
        if not may_borrow or (self.now().date() - day).days > policy.seen_days:
            return 0
        return max(0, policy.items - self.journal.lent_offline(patron_id))

    # -- what changes nothing passes through -----------------------------------------------

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron:
        """The library's answer, remembered (a salted hash of the card, the day, whether the
        patron may borrow) for lending offline. Unreachable: a card it let borrow lately is
        admitted offline, within the policy; any other is told the library is down."""
        try:
            patron = self.library.lookup_patron(patron_id, pin)
        except LibraryUnreachable:
            left = self._lending_offline_to(patron_id) if pin is None else 0
            if left <= 0:
                raise
            log.warning("library unreachable: card %s admitted offline (%d more)", mask_card(patron_id), left)
            return Patron(patron_id, "", offline=True, offline_left=left)
        if pin is None and patron.valid and patron.patron_id == patron_id:
            self.journal.card_seen(patron_id, self.now().date(), patron.can_borrow)
        return self._with_earlier(patron, patron_id)

    def _with_earlier(self, patron: Patron, asked: str) -> Patron:
        """The patron with the loans an interrupted visit of theirs made and never showed
        (found done after a restart): handed to the flow, which shows and prints them now."""
        if not patron.valid:
            return patron
        ids = {asked, patron.patron_id}
        untold = [
            e
            for e in self.journal.untold()
            if e.patron_id in ids and e.kind == "checkout" and e.state == "done"
        ]
        if not untold:
            return patron
        current = {loan.item_id: loan for loan in patron.loans}
        earlier = []
        for entry in untold:
            now = current.get(entry.item_id)
            if now is None:
                continue  # returned since: left for staff (diagnostics, exports)
            earlier.append(Loan(entry.item_id, now.title, now.due, earlier=True))
            self._hand(entry.id, entry.item_id)
        if earlier:
            log.info("patron %s: %d loan(s) of an interrupted visit told now", mask_card(patron.patron_id),
                     len(earlier))  # fmt: skip
        return dataclasses.replace(patron, earlier=tuple(earlier))

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
        except LoginRejected:
            # Refused at login, before the request went out (a refusal while finding out what
            # a lost answer did comes as OutcomeUnknown).
            self.journal.settle(
                entry, "not_done", self.now(), "not sent: the library refused the kiosk's login"
            )
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
        # Handed back to the flow, which shows it: told when the screen has (shown()).
        self._hand(entry, item_id)
        return result

    def checkout(self, patron_id: str, item_id: str, after_unknown: bool = False) -> CheckoutResult:
        """Online: sent and journaled. Offline (unreachable, or the library's status says no
        loans) or behind loans and returns still waiting to be sent: lent offline within
        the policy, or refused with the reason."""
        offline = self.offline_for("checkout")
        if offline or self._behind_offline():
            self._may_lend_offline(patron_id, offline or "earlier offline transactions wait to be sent")
            entry = self.journal.begin("checkout", self.now(), patron_id, item_id)
            return self._offline_checkout(patron_id, item_id, entry)
        _, due_before = self.library.due_before(patron_id, item_id)

        def unreachable(entry: int) -> CheckoutResult:
            try:
                self._may_lend_offline(patron_id, "the library is unreachable")
            except LibraryUnreachable:
                self.journal.settle(entry, "not_done", self.now(), "library unreachable: not sent")
                raise
            return self._offline_checkout(patron_id, item_id, entry)

        result = self._journaled(
            "checkout", lambda: self.library.checkout(patron_id, item_id, after_unknown), patron_id, item_id,
            unreachable=unreachable, due_before=due_before,
        )  # fmt: skip
        self._learn_loan_days(patron_id, result)
        return result

    def _loan_days(self, patron_id: str) -> int:
        """The loan period of a book lent offline: the library's own, as its last loan to this
        card (or else to anyone) at this kiosk showed it; the policy's until one was seen."""
        assert self.offline_lending is not None
        learnt = self.journal.card_loan_days(patron_id) or self.journal.recalled("loan_days")
        if learnt is not None and str(learnt).isdigit() and 0 < int(learnt) <= 365:
            return int(learnt)
        return self.offline_lending.loan_days

    def _learn_loan_days(self, patron_id: str, result: CheckoutResult) -> None:
        if result.ok and not result.renewed and not result.offline and result.due is not None:
            days = (result.due - self.now().date()).days
            if 0 < days <= 365:
                self.journal.card_loan_days(patron_id, days)
                if self.journal.recalled("loan_days") != str(days):
                    self.journal.remember("loan_days", str(days))

    def _may_lend_offline(self, patron_id: str, why: str) -> None:
        """Raises LibraryUnreachable (the patron is told the library is down) when this kiosk
        lends nothing offline, or not to this card (a PIN card, not seen lately, blocked)."""
        if self.offline_lending is None:
            raise LibraryUnreachable(f"{why}; this kiosk does not lend offline")
        seen = self.journal.card_last_seen(patron_id)
        recent = seen is not None and (self.now().date() - seen[0]).days <= self.offline_lending.seen_days
        if seen is None or not seen[1] or not recent:
            raise LibraryUnreachable(f"{why}; card {mask_card(patron_id)} not lent to offline")

    def _offline_checkout(self, patron_id: str, item_id: str, entry: int) -> CheckoutResult:
        """Lend the book offline (journaled, sent in order when the library is back), or
        refuse it: this card's offline allowance is used up, or it was seen too long ago."""
        assert self.offline_lending is not None
        if self._lending_offline_to(patron_id) <= 0:
            self.journal.settle(entry, "not_done", self.now(), "offline allowance used")
            self._hand(entry, item_id)
            return CheckoutResult(False, item_id, reason="refusal.offline_limit")
        due = self.now().date() + dt.timedelta(days=self._loan_days(patron_id))
        self.journal.take_offline(entry, due)
        self._hand(entry, item_id)
        log.warning("library unreachable: loan of %s recorded offline (journal entry %d)", item_id, entry)
        return CheckoutResult(True, item_id, due=due, offline=True)

    def _behind_offline(self) -> bool:
        """Loans or returns taken offline still wait to be sent: sent first (a new visit waits
        while they drain); True when some still wait (the link is down again)."""
        if not self.journal.waiting_offline():
            return False
        if not self.offline_for("checkin"):
            self.replay()
        return bool(self.journal.waiting_offline())

    def checkin(self, item_id: str) -> CheckinResult:
        if self.offline_returns and (self.offline_for("checkin") or self._behind_offline()):
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
        self._hand(entry, item_id)
        log.warning("library unreachable: return of %s recorded offline (journal entry %d)", item_id, entry)
        return CheckinResult(True, item_id, offline=True)

    def tidy(self) -> tuple[int, int]:
        """Drop what is kept no longer than needed: settled entries past the retention, and
        cards not seen within the offline policy's days (all of them without one): (entries,
        cards) dropped."""
        now = self.now()
        days = self.offline_lending.seen_days if self.offline_lending is not None else -1
        return self.journal.purge(now), self.journal.forget_cards(now.date() - dt.timedelta(days=days))

    def pending_offline(self) -> bool:
        """Loans or returns taken offline wait to be sent."""
        return bool(self.journal.waiting_offline())

    def replay(self) -> tuple[int, int]:
        """Send the loans and returns taken offline, oldest first, each with the time it was
        taken and SIP2's no-block flag: (done, left). Each is marked sent before it goes, so
        a crash mid-replay leaves it for reconcile() to ask about rather than send twice.
        What shows the library has it already counts as done: a return answered "not checked
        out"; a loan already charged to the patron (asked first: a second checkout would
        renew it). A refusal is kept with the library's message for staff. Stops at the
        first that cannot go."""
        done = 0
        with self._replaying:
            for entry in self.journal.waiting_offline():
                self.journal.sent(entry.id)
                try:
                    state, message = self._replay(entry)
                except OutcomeUnknown:
                    self.journal.settle(entry.id, "unknown", self.now(), "replayed; answer lost")
                    break
                except LibraryUnavailable:
                    # Not sent (or found not carried out): it waits for the next try.
                    self.journal.reopen(entry.id)
                    break
                except LibraryError as exc:
                    # Sent, no answer that can be read: asked about by reconcile(), never resent.
                    self.journal.settle(entry.id, "unknown", self.now(), f"replayed; {exc}")
                    break
                self.journal.settle(entry.id, state, self.now(), message)
                if state == "refused":
                    log.warning("journal entry %d (%s of %s) refused by the library when replayed",
                                entry.id, entry.kind, entry.item_id)  # fmt: skip
                done += 1
        left = len(self.journal.waiting_offline())
        if done:
            log.info("offline transactions replayed: %d sent, %d left", done, left)
        return done, left

    def _replay(self, entry: Entry) -> tuple[str, str]:
        """One offline entry sent: (state, the library's message when refused)."""
        if entry.kind == "checkout":
            if recovery.checkout(self.library, entry.patron_id, entry.item_id, None) is not None:
                return "done", ""  # the library has the loan already
            loan = self.library.checkout(entry.patron_id, entry.item_id, offline_at=entry.at,
                                         offline_due=entry.due)  # fmt: skip
            if loan.ok:  # (renewed: charged to the patron meanwhile; the patron has it either way)
                return "done", "renewed: it was on loan to the patron already" if loan.renewed else ""
            return "refused", loan.screen_message or loan.reason
        result = self.library.checkin(entry.item_id, offline_at=entry.at)
        if result.ok or result.reason == "refusal.not_on_loan":
            return "done", ""
        return "refused", result.screen_message or result.reason

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
