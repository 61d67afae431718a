"""One patron's visit: identify by card, borrow by barcode, finish with a receipt, back to idle."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from kiosk.core.effects import (
    CallLibrary,
    CancelTimer,
    Effect,
    Log,
    PlaySound,
    PrintReceipt,
    Show,
    StartTimer,
    VisitEnded,
)
from kiosk.core.errors import LibraryError, LibraryUnreachable, OutcomeUnknown
from kiosk.core.events import (
    BarcodeRead,
    CardProblem,
    CardRead,
    CardRemoved,
    DeviceStatus,
    FlowFailed,
    LibraryReplied,
    Pressed,
    ReceiptPrinted,
    Started,
    TimerFired,
)
from kiosk.core.model import CheckoutResult, Language, Loan, Patron, PrintOutcome
from kiosk.core.privacy import mask_card
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Checkout, EndSession, LookupPatron, Request
from kiosk.core.views import Line, View
from kiosk.flows import screens
from kiosk.flows.machine import StateMachine
from kiosk.flows.screens import Visit, VisitSettings


class VisitFlow(StateMachine["VisitFlow"]):
    """States: idle, identifying, notice, borrow, checking_out, printing, goodbye."""

    def __init__(self, settings: VisitSettings | None = None) -> None:
        self.settings = settings or VisitSettings()
        self.state = "idle"
        self.language = self.settings.language
        self.visit = Visit()
        self._request = 0
        self._awaiting: int | None = None
        self._job = 0
        self._countdown: int | None = None
        self._last_view: View | None = None

    # ---------------------------------------------------------------- helpers

    def _call(self, request: Request) -> CallLibrary:
        self._request += 1
        self._awaiting = self._request
        return CallLibrary(self._request, request)

    def _show(self, view: View) -> Show:
        self._last_view = view
        return Show(view)

    def idle_view(self) -> View:
        return screens.idle(self.language)

    def borrow_view(self, busy: bool = False) -> View:
        return screens.borrow(self.language, self.visit, self._countdown, busy)

    def _working(self, message: str) -> View:
        return screens.working(self.language, message)

    def _notice(self, message: str, lines: tuple[Line, ...] = ()) -> list[Effect]:
        self.state = "notice"
        return [
            self._show(screens.notice(self.language, message, lines)),
            StartTimer("notice", self.settings.notice_s),
        ]

    def _to_idle(self) -> list[Effect]:
        self.state = "idle"
        self.visit = Visit()
        self._awaiting = None
        self._countdown = None
        self.language = self.settings.language
        return [
            CancelTimer("inactivity"),
            CancelTimer("countdown"),
            CancelTimer("goodbye"),
            CancelTimer("notice"),
            VisitEnded(),
            self._show(self.idle_view()),
        ]

    def _arm_inactivity(self) -> list[Effect]:
        self._countdown = None
        return [CancelTimer("countdown"), StartTimer("inactivity", self.settings.inactivity_s)]

    # ---------------------------------------------------------------- idle

    def on_started(self, event: Started) -> list[Effect]:
        return [self._show(self.idle_view())]

    def on_language(self, event: Pressed) -> list[Effect]:
        lang = Language(event.control.split(".", 1)[1])
        self.language = lang
        assert self._last_view is not None
        return [self._show(replace(self._last_view, language=lang))]

    def on_card(self, event: CardRead) -> list[Effect]:
        return self._identify(event.identifier, event.technology, event.at)

    def on_card_problem(self, event: CardProblem) -> list[Effect]:
        # Two cards at once, a card lifted too early: say what to do on the first screen.
        effects = self._to_idle() if self.state != "idle" else []
        view = replace(self.idle_view(), message=event.message_id)
        return [
            *effects,
            PlaySound("beep.error"),
            Log("info", f"card problem: {event.reason}"),
            self._show(view),
        ]

    def on_barcode_in_idle(self, event: BarcodeRead) -> list[Effect]:
        if event.kind == "member":
            # The camera adapter has already taken the identifier out of the card's QR text.
            return self._identify(event.text, "qr", event.at)
        return [Log("info", f"{event.kind} barcode shown before a card; ignored")]

    def _identify(self, card: str, technology: str, at: dt.datetime | None) -> list[Effect]:
        effects: list[Effect] = []
        if self.state == "goodbye":
            # The next patron tapped before the goodbye screen timed out.
            effects += self._to_idle()
        self.state = "identifying"
        self.visit = Visit(card=card, technology=technology, started=at)
        return effects + [
            Log("info", f"card {mask_card(card)} read ({technology})"),
            PlaySound("beep.ok"),
            self._show(self._working("working.patron")),
            self._call(LookupPatron(card)),
        ]

    # ---------------------------------------------------------------- identifying

    def on_patron(self, event: LibraryReplied) -> list[Effect]:
        if event.request_id != self._awaiting:
            return [Log("debug", f"late reply {event.operation} ignored")]
        self._awaiting = None
        if event.error is not None:
            msg = (
                event.error.message_id
                if isinstance(event.error, LibraryError)
                else "error.library_unavailable"
            )
            return [
                PlaySound("beep.error"),
                Log("warning", f"patron lookup failed: {event.error}"),
            ] + self._notice(msg)
        patron: Patron = event.result
        if not patron.can_borrow:
            reasons = patron.blocks or ("refusal.patron_blocked",)
            lines = tuple(Line("", "", "refused", r) for r in reasons[1:])
            return [
                PlaySound("beep.error"),
                Log("info", f"patron refused: {', '.join(reasons)}"),
            ] + self._notice(reasons[0], lines)
        self.visit.patron = patron
        self.state = "borrow"
        return [PlaySound("beep.ok"), self._show(self.borrow_view())] + self._arm_inactivity()

    # ---------------------------------------------------------------- borrow

    def on_item(self, event: BarcodeRead) -> list[Effect]:
        if event.kind != "item":
            self.visit.banner = "refusal.not_an_item"
            return [PlaySound("beep.error"), self._show(self.borrow_view())] + self._arm_inactivity()
        self.visit.banner = ""
        return self._take_item(event.text)

    def _take_item(self, item_id: str) -> list[Effect]:
        """A book shown on the borrow screen (or queued while another was checked out)."""
        if self.visit.has_borrowed(item_id):
            # Never a second checkout: the library would renew it.
            self.visit.banner = "borrow.already_this_visit"
            return [
                PlaySound("beep.error"),
                Log("info", "item already borrowed in this visit; not sent again"),
                self._show(self.borrow_view()),
            ] + self._arm_inactivity()
        return self._checkout(item_id)

    def _checkout(self, item_id: str) -> list[Effect]:
        self.state = "checking_out"
        assert self.visit.patron is not None
        self.visit.item_in_flight = item_id
        # After an unknown outcome its earlier checkout may have gone through: asked first.
        request = Checkout(
            self.visit.patron.patron_id, item_id, after_unknown=self.visit.is_unconfirmed(item_id)
        )
        return [
            CancelTimer("inactivity"),
            CancelTimer("countdown"),
            self._show(self.borrow_view(busy=True)),
            self._call(request),
        ]

    def on_item_while_busy(self, event: BarcodeRead) -> list[Effect]:
        if event.kind == "item" and event.text not in self.visit.pending_items:
            self.visit.pending_items.append(event.text)
        return []

    def on_checked_out(self, event: LibraryReplied) -> list[Effect]:
        if event.request_id != self._awaiting:
            return [Log("debug", f"late reply {event.operation} ignored")]
        self._awaiting = None
        effects: list[Effect] = []
        item = self.visit.item_in_flight
        error = event.error
        if isinstance(error, OutcomeUnknown):
            # Sent, answer lost, and the library could not be asked: neither borrowed nor
            # refused. Shown and printed as not confirmed; showing it again asks first.
            self.visit.settle(item, unconfirmed=Refusal(item, error.message_id))
            self.visit.banner = ""
            effects += [PlaySound("beep.error"), Log("warning", f"checkout outcome unknown: {error}")]
        elif isinstance(error, LibraryUnreachable):
            # Nothing was sent: no line for the book, the outage said at once instead.
            self.visit.banner = "borrow.library_down"
            effects += [PlaySound("beep.error"), Log("warning", f"checkout not sent: {error}")]
        elif error is not None:
            reason = error.message_id if isinstance(error, LibraryError) else "error.library_unavailable"
            self.visit.settle(item, refusal=Refusal(item_id=item, reason=reason))
            effects += [PlaySound("beep.error"), Log("warning", f"checkout failed: {error}")]
        else:
            result: CheckoutResult = event.result
            if self.visit.banner == "borrow.library_down":
                self.visit.banner = ""
            if result.ok:
                self.visit.settle(item, loan=Loan(result.item_id, result.title, result.due))
                effects.append(PlaySound("beep.ok"))
            else:
                refusal = Refusal(result.item_id, result.reason or "refusal.checkout_refused", result.title)
                self.visit.settle(item, refusal=refusal)
                effects.append(PlaySound("beep.error"))
        self.state = "borrow"
        while self.visit.pending_items:
            queued = self.visit.pending_items.pop(0)
            if not self.visit.has_borrowed(queued):
                return effects + self._checkout(queued)
            self.visit.banner = "borrow.already_this_visit"
        if self.visit.finishing:
            return effects + self._finish()
        return effects + [self._show(self.borrow_view())] + self._arm_inactivity()

    def on_finish(self, event: Pressed) -> list[Effect]:
        if self.state == "checking_out":
            self.visit.finishing = True
            return []
        return self._finish()

    def on_extend(self, event: Pressed) -> list[Effect]:
        # Re-arming clears the countdown, so the view shown after it has none.
        rearm = self._arm_inactivity()
        return [self._show(self.borrow_view()), *rearm]

    def _with_countdown(self, seconds: int | None) -> View:
        self._countdown = seconds
        return self.borrow_view()

    def on_inactivity(self, event: TimerFired) -> list[Effect]:
        return [
            self._show(self._with_countdown(self.settings.countdown_s)),
            PlaySound("beep.warning"),
            StartTimer("countdown", 1),
        ]

    def on_countdown(self, event: TimerFired) -> list[Effect]:
        left = (self._countdown or 1) - 1
        if left <= 0:
            self._countdown = None
            return [Log("info", "visit timed out")] + self._finish()
        return [self._show(self._with_countdown(left)), StartTimer("countdown", 1)]

    def _finish(self) -> list[Effect]:
        v = self.visit
        assert v.patron is not None
        effects: list[Effect] = [
            CancelTimer("inactivity"),
            CancelTimer("countdown"),
            self._call(EndSession(v.patron.patron_id)),
        ]
        self._awaiting = None  # end_session's answer changes nothing on screen
        if not v.eventful:
            return effects + self._goodbye()
        self.state = "printing"
        self._job += 1
        receipt = screens.receipt(self.settings, v, self.language)
        return effects + [self._show(self._working("working.printing")), PrintReceipt(self._job, receipt)]

    # ---------------------------------------------------------------- printing, goodbye

    def on_printed(self, event: ReceiptPrinted) -> list[Effect]:
        if event.job_id != self._job:
            return [Log("debug", "late printer answer ignored")]
        outcome: PrintOutcome = event.outcome
        self.visit.print_outcome = outcome
        effects: list[Effect] = []
        if not outcome.ok:
            effects.append(Log("warning", f"receipt not printed: {outcome.detail or outcome.reason}"))
        return effects + self._goodbye()

    def _goodbye(self) -> list[Effect]:
        self.state = "goodbye"
        v = self.visit
        view = screens.goodbye(self.language, v)
        return [self._show(view), StartTimer("goodbye", self.settings.goodbye_s)]

    # ---------------------------------------------------------------- anywhere

    def on_start_over(self, event: Pressed) -> list[Effect]:
        if self.state in ("borrow", "checking_out") and self.visit.patron is not None:
            # Loans already made are kept: finishing prints them rather than dropping them.
            return self.on_finish(event)
        return self._to_idle()

    def on_call_staff(self, event: Pressed) -> list[Effect]:
        effects: list[Effect] = [
            Log("warning", f"staff called from screen {self.state}"),
            PlaySound("chime.staff"),
        ]
        if self._last_view is not None:
            effects.append(
                self._show(replace(self._last_view, message="notice.staff_called", message_args=()))
            )
        return effects

    def on_device(self, event: DeviceStatus) -> list[Effect]:
        level = "info" if event.ok else "error"
        effects: list[Effect] = [Log(level, f"device {event.device}: {'ok' if event.ok else event.detail}")]
        if event.device == "library" and self.state == "borrow":
            # The link went down or came back: the borrow screen says so at once.
            banner = "" if event.ok else "borrow.library_down"
            if self.visit.banner in ("", "borrow.library_down") and self.visit.banner != banner:
                self.visit.banner = banner
                effects.append(self._show(self.borrow_view()))
        return effects

    def on_flow_failed(self, event: FlowFailed) -> list[Effect]:
        """A bug in this flow: the patron is asked to call staff, then the kiosk starts afresh.
        Loans already made are in the library; what the visit held is dropped."""
        effects = self._to_idle()
        return [
            *effects,
            PlaySound("chime.staff"),
            Log("error", f"flow failed in {event.state} on {event.failed_on}: {event.detail}; staff called"),
            *self._notice("error.flow_failed"),
        ]

    def on_pressed(self, event: Pressed) -> list[Effect]:
        c = event.control
        if c.startswith("lang."):
            return self.on_language(event)
        if c == "start_over":
            return self.on_start_over(event)
        if c == "call_staff":
            return self.on_call_staff(event)
        if c == "finish" and self.state in ("borrow", "checking_out"):
            return self.on_finish(event)
        if c == "extend" and self.state == "borrow":
            return self.on_extend(event)
        if c == "ok" and self.state in ("notice", "goodbye"):
            return self._to_idle()
        return [Log("debug", f"control {c!r} not offered in state {self.state}")]

    def on_timer_back_to_idle(self, event: TimerFired) -> list[Effect]:
        if (self.state, event.name) in (("notice", "notice"), ("goodbye", "goodbye")):
            return self._to_idle()
        return [Log("debug", f"stale timer {event.name} in {self.state}")]

    def on_borrow_timer(self, event: TimerFired) -> list[Effect]:
        if event.name == "inactivity":
            return self.on_inactivity(event)
        if event.name == "countdown":
            return self.on_countdown(event)
        return [Log("debug", f"stale timer {event.name} in {self.state}")]

    def on_library_reply(self, event: LibraryReplied) -> list[Effect]:
        if event.operation == "end_session":
            return [Log("warning", f"end session failed: {event.error}")] if event.error else []
        if self.state == "identifying" and event.operation == "lookup_patron":
            return self.on_patron(event)
        if self.state == "checking_out" and event.operation == "checkout":
            return self.on_checked_out(event)
        return [Log("debug", f"late reply {event.operation} ignored in {self.state}")]

    TABLE = {
        "idle": {
            Started: on_started,
            CardRead: on_card,
            CardProblem: on_card_problem,
            BarcodeRead: on_barcode_in_idle,
        },
        "identifying": {},
        "notice": {CardRead: on_card, CardProblem: on_card_problem, TimerFired: on_timer_back_to_idle},
        "borrow": {BarcodeRead: on_item, TimerFired: on_borrow_timer},
        "checking_out": {BarcodeRead: on_item_while_busy},
        "printing": {ReceiptPrinted: on_printed},
        "goodbye": {CardRead: on_card, CardProblem: on_card_problem, TimerFired: on_timer_back_to_idle},
    }
    ANYWHERE = {
        FlowFailed: on_flow_failed,
        Pressed: on_pressed,
        DeviceStatus: on_device,
        LibraryReplied: on_library_reply,
    }
    IGNORED = {
        "idle": (CardRemoved, TimerFired, ReceiptPrinted),
        "identifying": (Started, ReceiptPrinted, CardRead, CardProblem, CardRemoved, BarcodeRead, TimerFired),
        "notice": (Started, CardRemoved, BarcodeRead, ReceiptPrinted),
        "borrow": (Started, CardRead, CardProblem, CardRemoved, ReceiptPrinted),
        "checking_out": (Started, ReceiptPrinted, CardRead, CardProblem, CardRemoved, TimerFired),
        "printing": (Started, CardRead, CardProblem, CardRemoved, BarcodeRead, TimerFired),
        "goodbye": (Started, CardRemoved, BarcodeRead, ReceiptPrinted),
    }
