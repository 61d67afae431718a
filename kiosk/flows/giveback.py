"""Giving books back: each book shown is checked in; no card needed (Chaekieum returns anywhere)."""

from __future__ import annotations

import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.errors import LibraryError, LibraryUnreachable, OutcomeUnknown
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied
from kiosk.core.model import CheckinResult
from kiosk.core.receipt import Checkin, Refusal
from kiosk.core.requests import Checkin as CheckinRequest
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import Activity
from kiosk.flows.machine import Step, on


class GivebackState(enum.StrEnum):
    READY = "ready"
    CHECKING_IN = "checking_in"


G = GivebackState


def note_for(result: CheckinResult) -> str:
    """Where the book goes now, as a message id ("" for the return bin)."""
    if result.for_hold:
        return "receipt.note.hold_shelf"
    if result.alert:
        return "receipt.note.staff"
    if result.destination:
        return "receipt.note.transit"
    return ""


class Giveback(Activity[GivebackState]):
    """States: ready (waiting for a book), checking_in (a checkin in flight)."""

    name = "giveback"
    STATES = GivebackState
    INITIAL = G.READY
    BUSY = (G.CHECKING_IN,)
    IGNORED = {G.READY: (LibraryReplied,), G.CHECKING_IN: ()}

    def view(self, countdown: int | None) -> View:
        return screens.giveback(self.host.language, self.visit, countdown, self.busy)

    @on(G.READY, BarcodeRead, to=(G.CHECKING_IN, G.READY))
    def on_book(self, event: BarcodeRead) -> Step[GivebackState]:
        if event.kind != "item":
            self.visit.banner = "refusal.not_an_item"
            return Step(None, [PlaySound("beep.error")])
        self.visit.banner = ""
        return self._take(event.text)

    @on(G.CHECKING_IN, BarcodeRead)
    def on_book_while_busy(self, event: BarcodeRead) -> list[Effect]:
        if event.kind == "item" and event.text not in self.visit.pending_items:
            self.visit.pending_items.append(event.text)
        return []

    def _take(self, item_id: str) -> Step[GivebackState]:
        if self.visit.has_returned(item_id):
            # The same book again (held up twice, or shown again later): one return.
            self.visit.banner = "giveback.already_returned"
            return Step(None, [Log("info", "item already returned in this visit")])
        self.visit.item_in_flight = item_id
        return Step(G.CHECKING_IN, [self.host.call(CheckinRequest(item_id), self)])

    @on(G.CHECKING_IN, LibraryReplied, to=(G.READY, G.CHECKING_IN))
    def on_answer(self, event: LibraryReplied) -> Step[GivebackState]:
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
            visit.settle(item, unconfirmed=Refusal(item, "error.return_unknown", action="checkin"))
            effects += [PlaySound("beep.error"), Log("warning", f"checkin outcome unknown: {error}")]
        elif isinstance(error, LibraryUnreachable):
            visit.banner = "borrow.library_down"
            effects += [PlaySound("beep.error"), Log("warning", f"checkin not sent: {error}")]
        elif error is not None:
            reason = error.message_id if isinstance(error, LibraryError) else "error.library_unavailable"
            visit.settle(item, refusal=Refusal(item, reason, action="checkin"))
            effects += [PlaySound("beep.error"), Log("warning", f"checkin failed: {error}")]
        else:
            result: CheckinResult = event.result
            if visit.banner == "borrow.library_down":
                visit.banner = ""
            if result.ok:
                returned = Checkin(result.item_id, result.title, note_for(result), result.sort_bin,
                                   result.destination)  # fmt: skip
                visit.settle(item, returned=returned, late_days=result.late_days)
                effects.append(PlaySound("beep.ok"))
            else:
                reason = result.reason or "refusal.not_on_loan"
                visit.settle(item, refusal=Refusal(result.item_id, reason, result.title, "checkin"))
                effects.append(PlaySound("beep.error"))
        while visit.pending_items:
            step = self._take(visit.pending_items.pop(0))
            if step.target is not None:
                return Step(step.target, effects + step.effects)
        return Step(G.READY, effects)

    @on((G.READY, G.CHECKING_IN), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        if event.device == "library" and self.visit.banner in ("", "borrow.library_down"):
            self.visit.banner = "" if event.ok else "borrow.library_down"
        return []
