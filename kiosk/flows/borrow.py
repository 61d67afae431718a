"""Borrowing: each book shown is checked out (or, when it is already the patron's, renewed)."""

from __future__ import annotations

import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.errors import LibraryError, LibraryUnreachable, OutcomeUnknown
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied
from kiosk.core.model import CheckoutResult, Loan, RenewResult
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Checkout, Renew
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import Activity
from kiosk.flows.machine import Step, on


class BorrowState(enum.StrEnum):
    READY = "ready"
    CHECKING_OUT = "checking_out"


R = BorrowState


class Borrow(Activity[BorrowState]):
    """States: ready (waiting for a book), checking_out (a checkout or renewal in flight)."""

    name = "borrow"
    STATES = BorrowState
    INITIAL = R.READY
    BUSY = (R.CHECKING_OUT,)
    IGNORED = {R.READY: (LibraryReplied,), R.CHECKING_OUT: ()}

    def view(self, countdown: int | None) -> View:
        return screens.borrow(self.host.language, self.visit, countdown, self.busy)

    # ---------------------------------------------------------------- a book shown

    @on(R.READY, BarcodeRead, to=(R.CHECKING_OUT, R.READY))
    def on_book(self, event: BarcodeRead) -> Step[BorrowState]:
        if event.kind != "item":
            self.visit.banner = "refusal.not_an_item"
            return Step(None, [PlaySound("beep.error")])
        self.visit.banner = ""
        return self._take(event.text)

    @on(R.CHECKING_OUT, BarcodeRead)
    def on_book_while_busy(self, event: BarcodeRead) -> list[Effect]:
        if event.kind == "item" and event.text not in self.visit.pending_items:
            self.visit.pending_items.append(event.text)
        return []

    def _take(self, item_id: str) -> Step[BorrowState]:
        visit = self.visit
        if visit.has_borrowed(item_id) or visit.has_renewed(item_id):
            # Never sent again: a second checkout would renew it.
            visit.banner = "borrow.already_this_visit"
            return Step(None, [PlaySound("beep.error"), Log("info", "item already done in this visit")])
        assert visit.patron is not None
        patron_id = visit.patron.patron_id
        visit.item_in_flight = item_id
        if visit.had_before(item_id):
            # The patron's own loan from before this visit: shown again, it is renewed.
            return Step(R.CHECKING_OUT, [self.host.call(Renew(patron_id, item_id), self)])
        unknown = visit.is_unconfirmed(item_id)  # its earlier checkout may have gone through
        return Step(R.CHECKING_OUT, [self.host.call(Checkout(patron_id, item_id, unknown), self)])

    # ---------------------------------------------------------------- answers

    @on(R.CHECKING_OUT, LibraryReplied, to=(R.READY, R.CHECKING_OUT))
    def on_answer(self, event: LibraryReplied) -> Step[BorrowState]:
        visit = self.visit
        item = visit.item_in_flight
        # An answer with neither result nor error is a broken adapter: not done, said so.
        error = (
            event.error
            if event.error is not None or event.result is not None
            else LibraryError("empty answer")
        )
        effects: list[Effect] = []
        if isinstance(error, OutcomeUnknown):
            # Sent, answer lost, and the library could not be asked: neither done nor refused.
            visit.settle(item, unconfirmed=Refusal(item, error.message_id, action=_action(event)))
            visit.banner = ""
            effects += [
                PlaySound("beep.error"),
                Log("warning", f"{event.operation} outcome unknown: {error}"),
            ]
        elif isinstance(error, LibraryUnreachable):
            # Nothing was sent: no line for the book, the outage said at once instead.
            visit.banner = "borrow.library_down"
            effects += [PlaySound("beep.error"), Log("warning", f"{event.operation} not sent: {error}")]
        elif error is not None:
            reason = error.message_id if isinstance(error, LibraryError) else "error.library_unavailable"
            visit.settle(item, refusal=Refusal(item, reason, action=_action(event)))
            effects += [PlaySound("beep.error"), Log("warning", f"{event.operation} failed: {error}")]
        else:
            if visit.banner == "borrow.library_down":
                visit.banner = ""
            effects.append(self._record(item, event.result))
        while visit.pending_items:
            queued = visit.pending_items.pop(0)
            step = self._take(queued)
            if step.target is not None:
                return Step(step.target, effects + step.effects)
        return Step(R.READY, effects)

    def _record(self, item: str, result: CheckoutResult | RenewResult) -> Effect:
        visit = self.visit
        loan = Loan(result.item_id, result.title, result.due)
        renewal = isinstance(result, RenewResult) or (isinstance(result, CheckoutResult) and result.renewed)
        if result.ok:
            if renewal:
                visit.settle(item, renewed=loan)
            else:
                visit.settle(item, loan=loan)
            return PlaySound("beep.ok")
        default = "refusal.renewal_refused" if renewal else "refusal.checkout_refused"
        refusal = Refusal(
            result.item_id, result.reason or default, result.title, "renewal" if renewal else "checkout"
        )
        visit.settle(item, refusal=refusal)
        return PlaySound("beep.error")

    # ---------------------------------------------------------------- the link

    @on((R.READY, R.CHECKING_OUT), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        if event.device != "library":
            return []
        # The link went down or came back: the screen says so at once.
        banner = "" if event.ok else "borrow.library_down"
        if self.visit.banner in ("", "borrow.library_down"):
            self.visit.banner = banner
        return []


def _action(event: LibraryReplied) -> str:
    return "renewal" if event.operation == "renew" else "checkout"
