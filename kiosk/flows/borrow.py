"""Borrowing: each book shown (or its registration number typed) is checked out, or renewed when
it is already the patron's; a book on loan to someone else is reserved, and a closed-stack
book requested, by touching its row."""

from __future__ import annotations

import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.model import CheckoutResult, Hold, HoldResult, Loan, RenewResult
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Checkout, PlaceHold, Renew
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import BookActivity
from kiosk.flows.machine import Step, on


class BorrowState(enum.StrEnum):
    READY = "ready"
    TYPING = "typing"  # a registration number on the keypad
    CHECKING_OUT = "checking_out"


R = BorrowState


class Borrow(BookActivity[BorrowState]):
    """States: ready (waiting for a book), typing (a registration number on the keypad),
    checking_out (a checkout, renewal or reservation in flight)."""

    name = "borrow"
    STATES = BorrowState
    INITIAL = READY = R.READY
    TYPING = R.TYPING
    BUSY = (R.CHECKING_OUT,)
    IGNORED = {
        R.READY: (LibraryReplied,),
        R.TYPING: (LibraryReplied, ScanTrouble),
        R.CHECKING_OUT: (Pressed, ScanTrouble),
    }
    CONTROLS = BookActivity.TYPING_CONTROLS
    ROW_CONTROLS = (screens.REQUEST,)  # a row offering a reservation or a closed-stack request

    def view(self, countdown: int | None) -> View:
        if self.state == R.TYPING:
            return self.typing_view(countdown)
        return screens.borrow(self.host.language, self.visit, countdown, self.busy)

    @on(R.READY, ScanTrouble)
    def on_trouble(self, event: ScanTrouble) -> list[Effect]:
        return self.trouble(event)

    @on(R.READY, Pressed, to=(R.CHECKING_OUT, R.READY, R.TYPING))
    def on_pressed(self, event: Pressed) -> Step[BorrowState]:
        """ "Type a number" opens the keypad; a row offering a reservation or a closed-stack
        request, touched, places it."""
        if event.control == "type_item":
            return self.start_typing()
        if not event.control.startswith(screens.REQUEST):
            return Step(None, [Log("debug", "keypad key with no keypad open; ignored")])
        item = event.control[len(screens.REQUEST) :]
        visit = self.visit
        if visit.patron is None or not any(r.item_id == item and r.reason in screens.RESERVABLE
                                           for r in visit.refused):  # fmt: skip
            return Step(None, [Log("debug", "request for a book not offered; ignored")])
        visit.item_in_flight = item
        return Step(R.CHECKING_OUT, [self.host.call(PlaceHold(visit.patron.patron_id, item), self)])

    @on(R.TYPING, Pressed, to=(R.TYPING, R.READY, R.CHECKING_OUT))
    def on_key(self, event: Pressed) -> Step[BorrowState]:
        return self.key_typed(event)

    @on((R.READY, R.TYPING), BarcodeRead, to=(R.CHECKING_OUT, R.READY))
    def on_book(self, event: BarcodeRead) -> Step[BorrowState]:
        return self.book_shown(event)

    @on(R.CHECKING_OUT, BarcodeRead)
    def on_book_while_busy(self, event: BarcodeRead) -> list[Effect]:
        return self.book_queued(event)

    @on(R.CHECKING_OUT, LibraryReplied, to=(R.READY, R.CHECKING_OUT))
    def on_answer(self, event: LibraryReplied) -> Step[BorrowState]:
        return self.answer(event)

    @on((R.READY, R.TYPING, R.CHECKING_OUT), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        return self.link_changed(event)

    def _take(self, item_id: str) -> Step[BorrowState]:
        visit = self.visit
        if visit.has_borrowed(item_id) or visit.has_renewed(item_id):
            # Never sent again: a second checkout would renew it.
            # Nothing refused: the attention cue, as when returning the same book twice.
            visit.banner = "borrow.already_this_visit"
            return Step(None, [PlaySound("beep.warning"), Log("info", "item already done in this visit")])
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
                place = result.pickup_location
                hold = Hold(item_id, result.title, result.available, result.collect_by, place,
                            result.queue_position)  # fmt: skip
                visit.settle(item_id, requested=hold)
                return PlaySound("beep.ok")
            reason = result.reason or "refusal.hold_refused"
            visit.settle(item_id, refusal=Refusal(item_id, reason, result.title, "checkout"))
            return PlaySound("beep.error")
        offline = isinstance(result, CheckoutResult) and result.offline
        loan = Loan(result.item_id, result.title, result.due, offline=offline)
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
