"""Giving books back: each book shown is checked in; no card needed (Chaekieum returns anywhere)."""

from __future__ import annotations

import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.model import CheckinResult
from kiosk.core.receipt import Checkin, Refusal
from kiosk.core.requests import Checkin as CheckinRequest
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import BookActivity
from kiosk.flows.machine import Step, on


class GivebackState(enum.StrEnum):
    READY = "ready"
    TYPING = "typing"  # a registration number on the keypad
    CHECKING_IN = "checking_in"


G = GivebackState


def note_for(result: CheckinResult) -> str:
    """Where the book goes now, as a message id ("" for the return bin)."""
    if result.offline:
        return "receipt.note.offline"
    if result.for_hold:
        return "receipt.note.hold_shelf"
    if result.alert:
        return "receipt.note.staff"
    if result.destination:
        return "receipt.note.transit"
    return ""


class Giveback(BookActivity[GivebackState]):
    """States: ready (waiting for a book), typing (a registration number on the keypad),
    checking_in (a checkin in flight)."""

    name = "giveback"
    STATES = GivebackState
    INITIAL = READY = G.READY
    TYPING = G.TYPING
    BUSY = (G.CHECKING_IN,)
    IGNORED = {
        G.READY: (LibraryReplied,),
        G.TYPING: (LibraryReplied, ScanTrouble),
        G.CHECKING_IN: (Pressed, ScanTrouble),
    }
    CONTROLS = BookActivity.TYPING_CONTROLS
    unknown_reason = "error.return_unknown"

    def view(self, countdown: int | None) -> View:
        if self.state == G.TYPING:
            return self.typing_view(countdown)
        settings = self.host.settings
        return screens.giveback(
            self.host.language, self.visit, countdown, self.busy, settings.offline_returns
        )

    @on((G.READY, G.TYPING), BarcodeRead, to=(G.CHECKING_IN, G.READY))
    def on_book(self, event: BarcodeRead) -> Step[GivebackState]:
        return self.book_shown(event)

    @on(G.READY, Pressed, to=(G.TYPING, G.READY))
    def on_pressed(self, event: Pressed) -> Step[GivebackState]:
        """ "Type a number": the keypad, for a label the camera cannot read."""
        if event.control == "type_item":
            return self.start_typing()
        return Step(None, [Log("debug", "keypad key with no keypad open; ignored")])

    @on(G.TYPING, Pressed, to=(G.TYPING, G.READY, G.CHECKING_IN))
    def on_key(self, event: Pressed) -> Step[GivebackState]:
        return self.key_typed(event)

    @on(G.READY, ScanTrouble)
    def on_trouble(self, event: ScanTrouble) -> list[Effect]:
        return self.trouble(event)

    @on(G.CHECKING_IN, BarcodeRead)
    def on_book_while_busy(self, event: BarcodeRead) -> list[Effect]:
        return self.book_queued(event)

    @on(G.CHECKING_IN, LibraryReplied, to=(G.READY, G.CHECKING_IN))
    def on_answer(self, event: LibraryReplied) -> Step[GivebackState]:
        return self.answer(event)

    @on((G.READY, G.TYPING, G.CHECKING_IN), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        return self.link_changed(event)

    def _take(self, item_id: str) -> Step[GivebackState]:
        if self.visit.has_returned(item_id):
            # The same book again (held up twice, or shown again later): one return.
            self.visit.banner = "giveback.already_returned"
            return Step(None, [PlaySound("beep.warning"), Log("info", "item already returned in this visit")])
        self.visit.item_in_flight = item_id
        return Step(G.CHECKING_IN, [self.host.call(CheckinRequest(item_id), self)])

    def _action(self, operation: str) -> str:
        return "checkin"

    def _record(self, item_id: str, result: CheckinResult, operation: str) -> Effect:
        if result.ok:
            returned = Checkin(
                result.item_id, result.title, note_for(result), result.sort_bin, result.destination
            )
            self.visit.settle(item_id, returned=returned, late_days=result.late_days)
            return PlaySound("beep.ok")
        reason = result.reason or "refusal.not_on_loan"
        self.visit.settle(item_id, refusal=Refusal(result.item_id, reason, result.title, "checkin"))
        return PlaySound("beep.error")
