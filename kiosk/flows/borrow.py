"""Borrowing: each book shown is checked out (or, when it is already the patron's, renewed)."""

from __future__ import annotations

import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed
from kiosk.core.model import CheckoutResult, Hold, HoldResult, Loan, RenewResult
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Checkout, PlaceHold, Renew
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import BookActivity
from kiosk.flows.machine import Step, on


class BorrowState(enum.StrEnum):
    READY = "ready"
    CHECKING_OUT = "checking_out"


R = BorrowState


class Borrow(BookActivity[BorrowState]):
    """States: ready (waiting for a book), checking_out (a checkout or renewal in flight)."""

    name = "borrow"
    STATES = BorrowState
    INITIAL = READY = R.READY
    BUSY = (R.CHECKING_OUT,)
    IGNORED = {R.READY: (LibraryReplied,), R.CHECKING_OUT: (Pressed,)}
    ROW_CONTROLS = (screens.REQUEST,)  # a closed-stack book's row

    def view(self, countdown: int | None) -> View:
        return screens.borrow(self.host.language, self.visit, countdown, self.busy)

    @on(R.READY, Pressed, to=(R.CHECKING_OUT, R.READY))
    def on_request(self, event: Pressed) -> Step[BorrowState]:
        """A closed-stack book's row touched: it is requested, to collect on a later day."""
        item = event.control[len(screens.REQUEST) :]
        visit = self.visit
        if visit.patron is None or not any(r.item_id == item and r.reason == "refusal.closed_stack"
                                           for r in visit.refused):  # fmt: skip
            return Step(None, [Log("debug", "request for a book not offered; ignored")])
        visit.item_in_flight = item
        return Step(R.CHECKING_OUT, [self.host.call(PlaceHold(visit.patron.patron_id, item), self)])

    @on(R.READY, BarcodeRead, to=(R.CHECKING_OUT, R.READY))
    def on_book(self, event: BarcodeRead) -> Step[BorrowState]:
        return self.book_shown(event)

    @on(R.CHECKING_OUT, BarcodeRead)
    def on_book_while_busy(self, event: BarcodeRead) -> list[Effect]:
        return self.book_queued(event)

    @on(R.CHECKING_OUT, LibraryReplied, to=(R.READY, R.CHECKING_OUT))
    def on_answer(self, event: LibraryReplied) -> Step[BorrowState]:
        return self.answer(event)

    @on((R.READY, R.CHECKING_OUT), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        return self.link_changed(event)

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

    def _action(self, operation: str) -> str:
        return "renewal" if operation == "renew" else "checkout"

    def _record(
        self, item_id: str, result: CheckoutResult | RenewResult | HoldResult, operation: str
    ) -> Effect:
        visit = self.visit
        if isinstance(result, HoldResult):
            if result.ok:
                hold = Hold(
                    item_id, result.title, result.available, result.collect_by, result.pickup_location
                )
                visit.settle(item_id, requested=hold)
                return PlaySound("beep.ok")
            reason = result.reason or "refusal.hold_refused"
            visit.settle(item_id, refusal=Refusal(item_id, reason, result.title, "checkout"))
            return PlaySound("beep.error")
        loan = Loan(result.item_id, result.title, result.due)
        renewal = isinstance(result, RenewResult) or (isinstance(result, CheckoutResult) and result.renewed)
        if result.ok:
            if renewal:
                visit.settle(item_id, renewed=loan)
            else:
                visit.settle(item_id, loan=loan)
            return PlaySound("beep.ok")
        default = "refusal.renewal_refused" if renewal else "refusal.checkout_refused"
        action = "renewal" if renewal else "checkout"
        visit.settle(item_id, refusal=Refusal(result.item_id, result.reason or default, result.title, action))
        return PlaySound("beep.error")
