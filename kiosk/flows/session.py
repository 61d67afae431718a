"""A visit to the kiosk: a session that hosts one activity at a time.

The session owns who the patron is (card, mobile card QR), the language, the time (inactivity
and its countdown), start over, call staff, the receipt, goodbye and forgetting the patron at
the end. Activities (kiosk.flows.borrow, kiosk.flows.giveback) are their own machines: the
session passes them the books shown and the answers to the requests they made, routed by
request id. A book shown at idle starts a return with no card; a card tapped at idle, or
after returning books, starts borrowing."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import replace
from typing import Any

from kiosk.core.effects import (
    AlertStaff,
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
from kiosk.core.errors import patron_reason
from kiosk.core.events import (
    BarcodeRead,
    CardProblem,
    CardRead,
    CardRemoved,
    DeviceStatus,
    Event,
    FlowFailed,
    LibraryReplied,
    Pressed,
    ReceiptPrinted,
    ScanTrouble,
    Started,
    TechnicianDone,
    TechnicianReport,
    TimerFired,
)
from kiosk.core.model import Language, Patron, PrintOutcome
from kiosk.core.privacy import mask_card
from kiosk.core.requests import EndSession, LookupPatron, Request
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.account import Account
from kiosk.flows.activity import Activity
from kiosk.flows.borrow import Borrow
from kiosk.flows.bringin import BringIn
from kiosk.flows.giveback import Giveback
from kiosk.flows.keypad import masked_control
from kiosk.flows.machine import ANY, Machine, Step, on
from kiosk.flows.screens import Visit, VisitSettings
from kiosk.flows.signin import SignIn
from kiosk.flows.technician import Technician


class SessionState(enum.StrEnum):
    IDLE = "idle"
    IDENTIFYING = "identifying"
    NOTICE = "notice"
    ACTIVE = "active"  # an activity runs: borrow or giveback
    PRINTING = "printing"
    GOODBYE = "goodbye"
    TECHNICIAN = "technician"  # the technician's screen: no patron, no visit


V = SessionState


class Session(Machine[SessionState]):
    """The visit: identification, language, time, the receipt and goodbye; hosts an activity."""

    STATES = SessionState
    INITIAL = V.IDLE
    # Time never runs out unannounced: after `inactivity_s` without a touch, key or scan, a
    # visible (and spoken) countdown of `countdown_s` offers more time; goodbye shows its own.
    TIMERS = {V.NOTICE: ("inactivity",), V.ACTIVE: ("inactivity",), V.TECHNICIAN: ("technician",)}
    # What a screen waiting for the patron (a notice, goodbye) lets pass: nothing to do.
    _WAITING = (Started, CardRemoved, BarcodeRead, ReceiptPrinted, LibraryReplied, DeviceStatus, ScanTrouble)
    # What a screen waiting for the library or the printer lets pass.
    _BUSY = (Started, CardRead, CardProblem, CardRemoved, BarcodeRead, TimerFired, DeviceStatus, ScanTrouble)
    IGNORED = {
        V.IDLE: (CardRemoved, ReceiptPrinted, LibraryReplied, DeviceStatus, ScanTrouble),
        V.IDENTIFYING: (*_BUSY, ReceiptPrinted),
        V.NOTICE: tuple(e for e in _WAITING if e is not BarcodeRead),
        V.ACTIVE: (Started, CardRemoved, CardProblem, ReceiptPrinted),
        V.PRINTING: (*_BUSY, LibraryReplied),
        V.GOODBYE: _WAITING,
        V.TECHNICIAN: (*_WAITING, CardRead, CardProblem),
    }

    def __init__(self, settings: VisitSettings | None = None) -> None:
        self.settings = settings or VisitSettings()
        self.state = V.IDLE
        self.language = self.settings.language
        self.visit = Visit()
        self.activity: Activity[Any] | None = None
        self._request = 0
        # Request id -> the activity that asked (None: the session's own).
        self._owners: dict[int, Activity[Any] | None] = {}
        self._lookup: int | None = None
        self._job = 0
        self._countdown: int | None = None
        self._last_view: View | None = None
        self._notice_shown: View | None = None
        self._after_lookup: Activity[Any] | None = None
        # The lookup in flight was sent with a PIN (typed, or asked after a card).
        self._pin_sent = False
        # A bring-in was just done: borrowing opens saying so.
        self._joined = False
        # A patron told why they may not borrow: may still see their account (loans, fees).
        self._blocked: Patron | None = None
        # Wrong PINs per card and cards locked until when (None: until restart), kept across
        # visits (a new visit must not reset the count) by a hash of the card, never the card.
        self._pin_failures: dict[str, int] = {}
        self._locked: dict[str, dt.datetime | None] = {}
        # The same for wrong birth dates in the bring-in: a new visit must not give new tries.
        self._birth_failures: dict[str, int] = {}
        self._bring_in_locked: dict[str, dt.datetime | None] = {}
        # The library link is down (the kiosk works offline): the first screen says so.
        self.offline = False
        # Out of service by the technician: what patrons see (a message id; "" in service).
        self.out_of_service = ""
        # Devices that failed, and why (DeviceStatus reasons): an essential one closes the
        # kiosk, a printer out of paper says "no receipts" on the first screen.
        self.degraded: dict[str, str] = {}
        self.technician: Technician | None = None
        self._tech_failures = 0
        self._tech_locked_until: dt.datetime | None = None

    def timer_seconds(self, name: str) -> float:
        return {"inactivity": self.settings.inactivity_s, "technician": self.settings.technician_idle_s}[name]

    # ---------------------------------------------------------------- for activities

    def call(self, request: Request, owner: Activity[Any] | None = None) -> CallLibrary:
        self._request += 1
        self._owners[self._request] = owner
        return CallLibrary(self._request, request)

    # ---------------------------------------------------------------- helpers

    def _show(self, view: View) -> Show:
        self._last_view = view
        return Show(view)

    def _activity_view(self) -> View:
        assert self.activity is not None
        return self.activity.view(self._countdown)

    def _notice(
        self, message: str, args: tuple[tuple[str, str], ...] = (), giveback: bool = False
    ) -> Step[SessionState]:
        """A notice; with `giveback`, to a patron who cannot borrow now but may return books."""
        return self._notice_view(screens.notice(self.language, message, args=args, giveback=giveback))

    def _notice_view(self, view: View) -> Step[SessionState]:
        """A notice stays until the patron is done with it (or its countdown ends)."""
        self._countdown = None
        self._notice_shown = view
        return Step(V.NOTICE, [CancelTimer("countdown"), self._show(view)])

    def _timed_view(self) -> View:
        """The screen of the state now, with the countdown when one runs."""
        n = self._countdown
        if self.state == V.ACTIVE:
            return self._activity_view()
        if self.state == V.GOODBYE:
            return screens.goodbye(self.language, self.visit, n)
        notice = self._notice_shown or self._last_view or screens.notice(self.language, "notice.title")
        shown = replace(notice, language=self.language)
        if n is None:
            return shown
        return replace(shown, countdown=n, controls=("extend", *shown.controls))

    def _forget(self) -> list[Effect]:
        """Everything about the patron and the visit dropped, for the next one."""
        self._keep_birth_failures()
        self.visit = Visit()
        self.activity = None
        self._owners.clear()
        self._lookup = None
        self._after_lookup = None
        self._pin_sent = False
        self._joined = False
        self._blocked = None
        self._countdown = None
        self.language = self.settings.language
        return [VisitEnded()]

    def _idle_view(self, message: str = "idle.prompt") -> View:
        """The first screen; while the library cannot be reached, saying what still works; out
        of service (the technician's message, or an essential device failed) saying so."""
        if self.out_of_service:
            return screens.out_of_service(self.language, self.out_of_service)
        failed = self._failed()
        if failed:
            return screens.out_of_service(self.language, "oos.device", failed)
        if self.offline and message == "idle.prompt":
            message = screens.offline_prompt(self.settings)
        return replace(screens.idle(self.language, message), lines=screens.idle_notes(self.degraded))

    def _failed(self) -> tuple[str, ...]:
        return tuple(d for d in self.settings.essential if d in self.degraded)

    def _closed(self) -> bool:
        """Out of service: patrons are shown why and where to go, and nothing starts here."""
        return bool(self.out_of_service or self._failed())

    def _to_idle(self, message: str = "idle.prompt") -> Step[SessionState]:
        effects = self._forget()
        return Step(V.IDLE, [*effects, self._show(self._idle_view(message))])

    def _start(
        self, activity: Activity[Any], first: Event | None = None, banner: str = ""
    ) -> Step[SessionState]:
        """Host `activity`, handing it `first` (the book that started a return) at once."""
        self.activity = activity
        if not banner and self.offline and isinstance(activity, Giveback):
            banner = "borrow.library_down"  # the return screen says returns go on offline
        self.visit.banner = banner
        self._countdown = None
        effects = activity.handle(first) if first is not None else []
        return Step(V.ACTIVE, [*effects, self._show(self._activity_view())])

    def _identify(
        self, card: str, technology: str, at: dt.datetime | None, pin: str | None = None
    ) -> Step[SessionState]:
        """Look the card up (with the PIN when one was typed; asking for it first where the
        library wants it); a patron who returned books first keeps them on this visit."""
        effects: list[Effect] = []
        if self.state in (V.GOODBYE, V.NOTICE):
            effects += self._forget()  # the next patron, before the screen timed out
        if self.state != V.ACTIVE:
            self._after_lookup = None
            self.visit = Visit()
        elif isinstance(self.activity, Giveback):
            # Books returned before the card was tapped stay on this visit and its receipt.
            self._after_lookup = self.activity
        # (From signing in or a bring-in, the visit and what it came back to are kept.)
        self.visit.started = self.visit.started or at
        locked = self._lock_left(card, at)
        if locked is not None:
            self.activity = None
            step = self._notice("signin.locked", (("minutes", str(locked)),), giveback=True)
            return Step(V.NOTICE, [*effects, PlaySound("beep.error"), Log("info", "locked card refused"),
                                   *step.effects])  # fmt: skip
        if pin is None and self.settings.pin_after_card and not self._joined:
            # The library asks for the PIN after a card too: asked before the lookup.
            start = self._start(SignIn(self, card, technology), banner=self.visit.banner)
            return Step(V.ACTIVE, [*effects, Log("info", f"card {mask_card(card)} read ({technology})"),
                                   PlaySound("beep.ok"), *start.effects])  # fmt: skip
        self.visit.card, self.visit.technology = card, technology
        self.activity = None
        call = self.call(LookupPatron(card, pin or None))
        self._lookup = call.request_id
        self._pin_sent = bool(pin)
        return Step(
            V.IDENTIFYING,
            [
                *effects,
                Log("info", f"card {mask_card(card)} read ({technology})"),
                PlaySound("beep.ok"),
                CancelTimer("countdown"),
                call,  # the request goes out first, then the screen is drawn
                self._show(screens.working(self.language, "working.patron")),
            ],
        )

    # ---------------------------------------------------------------- PINs and lock-out

    @staticmethod
    def _card_key(card: str) -> str:
        return hashlib.sha256(card.encode("utf-8", "replace")).hexdigest()

    def _lock_left(
        self, card: str, at: dt.datetime | None, locks: tuple[dict[str, Any], dict[str, Any]] | None = None
    ) -> int | None:
        """Minutes the card stays locked at this kiosk (for PINs, or the `locks` given: the
        table of locks and the failures it clears), or None when it is not."""
        locked, failures = locks or (self._locked, self._pin_failures)
        key = self._card_key(card)
        if key not in locked:
            return None
        until = locked[key]
        if until is not None and at is not None and at >= until:
            del locked[key]
            failures.pop(key, None)
            return None
        if until is None or at is None:
            return self.settings.lockout_s // 60
        return max(1, -(-int((until - at).total_seconds()) // 60))

    def _wrong_pin(
        self, card: str, patron_id: str, technology: str, at: dt.datetime | None
    ) -> Step[SessionState]:
        """A wrong PIN: asked again with the tries left, or the card locked at this kiosk (by
        the library's id for the patron and by what was typed or tapped, whichever is used)."""
        key = self._card_key(patron_id or card)
        failures = self._pin_failures.get(key, 0) + 1
        self._pin_failures[key] = failures
        left = self.settings.pin_attempts - failures
        if left > 0:
            signin = SignIn(self, card, technology, "signin.pin_wrong", (("left", str(left)),))
            start = self._start(signin, banner=self.visit.banner)
            return Step(V.ACTIVE, [PlaySound("beep.error"), Log("info", "wrong PIN"), *start.effects])
        until = at + dt.timedelta(seconds=self.settings.lockout_s) if at is not None else None
        for locked in {key, self._card_key(card)}:
            self._locked[locked] = until
        minutes = str(self.settings.lockout_s // 60)
        step = self._notice("signin.locked", (("minutes", minutes),), giveback=True)
        return Step(V.NOTICE, [PlaySound("beep.error"), Log("warning", "card locked after wrong PINs"),
                               *step.effects])  # fmt: skip

    def _keep_birth_failures(self) -> str:
        """The wrong birth dates of the bring-in on screen, kept past its visit (by a hash of
        the patron's id): the key."""
        activity = self.activity
        if not isinstance(activity, BringIn):
            return ""
        key = self._card_key(activity.patron_id)
        if activity.birth_failures:
            self._birth_failures[key] = activity.birth_failures
        return key

    def _handoff(self, at: dt.datetime | None) -> Step[SessionState] | None:
        """What signing in or a bring-in handed back: the lookup, borrowing, or a refusal."""
        activity = self.activity
        if isinstance(activity, SignIn):
            entered = activity.take()
            if entered is not None:
                return self._identify(*entered[:2], at, pin=entered[2])
        if isinstance(activity, BringIn) and activity.outcome is not None:
            kind, reason = activity.outcome
            key = self._keep_birth_failures()
            if kind == "joined":
                self._birth_failures.pop(key, None)
                self._joined = True
                return self._identify(self.visit.card, self.visit.technology, at)
            if reason == "bring_in.too_many":
                until = at + dt.timedelta(seconds=self.settings.lockout_s) if at is not None else None
                self._bring_in_locked[key] = until
            return self._notice(reason, giveback=True)  # may still return books
        return None

    # ---------------------------------------------------------------- idle

    def _idle_watch(self) -> list[Effect]:
        return [CancelTimer("inactivity"), StartTimer("inactivity", self.settings.inactivity_s)]

    @on(V.IDLE, TimerFired, to=V.IDLE)
    def on_timer_idle(self, event: TimerFired) -> Step[SessionState]:
        """Someone changed the first screen (language, zoom, contrast) and walked away: it is
        the kiosk's own again for the next patron."""
        if event.name == "inactivity":
            return self._to_idle()
        return Step(None, [Log("debug", f"stale timer {event.name} at idle")])

    @on(V.IDLE, Started)
    def on_started(self, event: Started) -> list[Effect]:
        return [self._show(self._idle_view())]

    @on((V.IDLE, V.NOTICE, V.GOODBYE), CardRead, to=(V.IDENTIFYING, V.ACTIVE, V.NOTICE, V.TECHNICIAN))
    def on_card(self, event: CardRead) -> Step[SessionState]:
        if event.uid and event.uid.replace(":", "").upper() in self.settings.technician_cards:
            return self._open_technician(with_pin=False)
        if self._closed():
            return Step(None, [PlaySound("beep.error"), self._show(self._idle_view())])
        return self._identify(event.identifier, event.technology, event.at)

    @on((V.IDLE, V.NOTICE, V.GOODBYE), CardProblem, to=V.IDLE)
    def on_card_problem(self, event: CardProblem) -> Step[SessionState]:
        # Two cards at once, a card lifted too early: say what to do on the first screen.
        step = self._to_idle(event.message_id)
        return Step(
            V.IDLE, [*step.effects, PlaySound("beep.error"), Log("info", f"card problem: {event.reason}")]
        )

    @on(V.IDLE, BarcodeRead, to=(V.IDENTIFYING, V.ACTIVE, V.NOTICE), note="member card / book")
    def on_code_at_idle(self, event: BarcodeRead) -> Step[SessionState]:
        if self._closed():
            return Step(None, [PlaySound("beep.error"), Log("info", "code shown while out of service")])
        if event.kind == "member":
            # The camera adapter has already taken the identifier out of the card's QR text.
            return self._identify(event.text, "qr", event.at)
        if event.kind != "item":
            return Step(
                None, [PlaySound("beep.error"), Log("info", f"{event.kind} code at idle; not a book")]
            )
        # A book shown at idle: a return, no card needed.
        self.visit = Visit(started=event.at)
        return self._start(Giveback(self), first=event)

    @on(V.NOTICE, BarcodeRead, to=(V.NOTICE, V.IDENTIFYING, V.ACTIVE), note="member card / presence")
    def on_code_at_notice(self, event: BarcodeRead) -> Step[SessionState]:
        """A mobile card shown at a notice is the next patron, as a card tapped there; a book
        is the patron still there (more time; the notice offers what may be done with it)."""
        if event.kind == "member" and not self._closed():
            return self._identify(event.text, "qr", event.at)
        rearm = self._rearm()
        return Step(None, [*rearm, self._show(self._timed_view())])

    # ---------------------------------------------------------------- identifying

    @on(V.IDENTIFYING, LibraryReplied, to=(V.ACTIVE, V.NOTICE))
    def on_patron(self, event: LibraryReplied) -> Step[SessionState]:
        if event.request_id != self._lookup:
            return Step(None, [Log("debug", f"late reply {event.operation} ignored")])
        self._lookup = None
        returns, self._after_lookup = self._after_lookup, None
        refusal = self._refusal(event)
        pin_sent, self._pin_sent = self._pin_sent, False
        joined, self._joined = self._joined, False
        patron_found: Patron | None = event.result if event.error is None else None
        card, technology = self.visit.card, self.visit.technology
        if (
            patron_found is not None
            and patron_found.details.bring_in_needed
            and not joined
            and set(refusal) <= {"refusal.bring_in_needed", "refusal.pin_wrong"}
        ):
            # A member of another Chaekieum library: the bring-in first (the birth date is the
            # identity check; there is no PIN here yet), then borrowing.
            patron_id = patron_found.patron_id
            locks = (self._bring_in_locked, self._birth_failures)
            if self._lock_left(patron_id, event.at, locks) is not None:
                # Too many wrong birth dates, in this visit or an earlier one: the desk.
                step = self._notice("bring_in.too_many", giveback=True)
                return Step(V.NOTICE, [PlaySound("beep.error"), Log("info", "bring-in locked"),
                                       *step.effects])  # fmt: skip
            self._after_lookup = returns
            failed = self._birth_failures.get(self._card_key(patron_id), 0)
            start = self._start(BringIn(self, patron_id, failed), banner=self.visit.banner)
            return Step(V.ACTIVE, [PlaySound("beep.ok"), Log("info", "bring-in offered"), *start.effects])
        found_id = patron_found.patron_id if patron_found is not None else ""
        if found_id and found_id != card and self._lock_left(found_id, event.at) is not None:
            # Locked under the card, signed in by the number printed on it: still locked.
            self._after_lookup = returns
            return self._identify(found_id, technology, event.at)
        if pin_sent and "refusal.pin_wrong" in refusal:
            self._after_lookup = returns
            return self._wrong_pin(card, found_id, technology, event.at)
        if pin_sent and patron_found is not None:
            self._pin_failures.pop(self._card_key(found_id or card), None)
        if technology == "keypad" and refusal == ("refusal.patron_unknown",):
            # A number typed wrong: typed again, a few times.
            self.visit.unknown_numbers += 1
            if self.visit.unknown_numbers >= self.settings.pin_attempts:
                step = self._notice("signin.too_many", giveback=True)
                return Step(V.NOTICE, [PlaySound("beep.error"), Log("info", "typed numbers unknown"),
                                       *step.effects])  # fmt: skip
            self._after_lookup = returns
            start = self._start(SignIn(self, message="signin.number_unknown"), banner=self.visit.banner)
            return Step(
                V.ACTIVE, [PlaySound("beep.error"), Log("info", "typed number unknown"), *start.effects]
            )
        if refusal and returns is not None:
            # Books were returned first: back to them, the reason on screen, nothing lost.
            self.visit.card, self.visit.patron = "", None
            self.activity = returns
            self.visit.banner = refusal[0]
            return Step(
                V.ACTIVE,
                [
                    PlaySound("beep.error"),
                    Log("info", f"card refused after returns: {refusal[0]}"),
                    self._show(self._activity_view()),
                ],
            )
        if event.error is not None:
            step = self._notice(refusal[0], giveback=True)  # returns need no card
            return Step(
                V.NOTICE,
                [
                    PlaySound("beep.error"),
                    Log("warning", f"patron lookup failed: {event.error}"),
                    *step.effects,
                ],
            )
        patron: Patron = event.result
        if refusal:
            self._blocked = patron
            step = self._notice_view(screens.blocked(self.language, patron, refusal))
            return Step(
                V.NOTICE,
                [
                    PlaySound("beep.error"),
                    Log("info", f"patron refused: {', '.join(refusal)}"),
                    *step.effects,
                ],
            )
        self.visit.patron = patron
        # Loans of an interrupted visit of theirs, never shown: on this visit's list and receipt.
        self.visit.borrowed.extend(
            loan for loan in patron.earlier if not self.visit.has_borrowed(loan.item_id)
        )
        banner = "bring_in.done" if joined else "borrow.offline" if patron.offline else ""
        banner = "borrow.earlier" if patron.earlier and not banner else banner
        start = self._start(Borrow(self), banner=banner)
        return Step(V.ACTIVE, [PlaySound("beep.ok"), *start.effects])

    @staticmethod
    def _refusal(event: LibraryReplied) -> tuple[str, ...]:
        """Why the patron cannot borrow (message ids), or () when they can."""
        if event.error is not None:
            return (patron_reason(event.error),)
        patron: Patron = event.result
        if patron.can_borrow:
            return ()
        return patron.blocks or ("refusal.patron_blocked",)

    # ---------------------------------------------------------------- active

    @on(V.ACTIVE, BarcodeRead, to=(V.ACTIVE, V.IDENTIFYING, V.NOTICE), note="mobile card after returns")
    def on_code(self, event: BarcodeRead) -> Step[SessionState]:
        if event.kind == "member":
            return self._card_after_returns(event.text, "qr", event.at)
        activity = self.activity
        if activity is not None and activity.name == "account" and not activity.busy and event.kind == "item":
            if not self.visit.may_borrow:
                self.visit.banner = "account.may_not_borrow"
                return Step(None, [PlaySound("beep.error"), *self._redrawn()])  # the patron is there
            return self._start(Borrow(self), first=event)  # a book shown on "My loans": borrowing
        return Step(None, self._pass(event))

    @on(V.ACTIVE, ScanTrouble)
    def on_scan_trouble(self, event: ScanTrouble) -> list[Effect]:
        """A label the camera cannot read: the activity shows how to hold it (no more time:
        nothing was done)."""
        assert self.activity is not None
        effects = self.activity.handle(event)
        return effects + [self._show(self._activity_view())]

    @on(V.ACTIVE, CardRead, to=(V.IDENTIFYING, V.ACTIVE, V.NOTICE), note="after returns: borrow")
    def on_card_active(self, event: CardRead) -> Step[SessionState]:
        return self._card_after_returns(event.identifier, event.technology, event.at)

    def _card_after_returns(self, card: str, technology: str, at: dt.datetime | None) -> Step[SessionState]:
        if self.visit.patron is None and self.activity is not None and not self.activity.busy:
            # Returned books first, now the card: on to borrowing, the returns kept.
            return self._identify(card, technology, at)
        return Step(None, [Log("debug", "card read while a patron's visit is on; ignored")])

    @on(V.ACTIVE, LibraryReplied, to=(V.ACTIVE, V.PRINTING, V.GOODBYE, V.IDENTIFYING, V.NOTICE))
    def on_reply(self, event: LibraryReplied) -> Step[SessionState]:
        owner = self._owners.pop(event.request_id, None)
        if owner is None or owner is not self.activity:
            if event.operation == "end_session" and event.error is not None:
                return Step(None, [Log("warning", f"end session failed: {event.error}")])
            return Step(None, [Log("debug", f"reply to {event.operation} for no running activity ignored")])
        effects = owner.handle(event)
        handoff = self._handoff(event.at)
        if handoff is not None:
            return Step(handoff.target, effects + handoff.effects)
        if self.visit.finishing and not owner.busy:
            return self._finish(effects)
        return Step(None, effects + self._redrawn())

    @on(V.ACTIVE, DeviceStatus)
    def on_device_active(self, event: DeviceStatus) -> list[Effect]:
        assert self.activity is not None
        self._link(event)
        self._record(event)
        before = self.visit.banner
        effects = [self._device_log(event), *self.activity.handle(event)]
        if self.visit.banner != before:
            effects.append(self._show(self._activity_view()))
        return effects

    def _pass(self, event: Event) -> list[Effect]:
        """An event for the activity; its screen shown after, the inactivity time restarted."""
        assert self.activity is not None
        effects = self.activity.handle(event)
        return effects + self._redrawn()

    def _redrawn(self) -> list[Effect]:
        """The activity's screen after the patron did something: the time started again, so
        the screen drawn carries no countdown."""
        rearm = self._rearm()
        return [self._show(self._activity_view()), *rearm]

    def _rearm(self) -> list[Effect]:
        """A touch, a key or a book: the time starts again (none runs while the library is asked)."""
        self._countdown = None
        if self.activity is not None and self.activity.busy and self.state == V.ACTIVE:
            return [CancelTimer("inactivity"), CancelTimer("countdown")]
        return [CancelTimer("countdown"), StartTimer("inactivity", self.settings.inactivity_s)]

    @on((V.ACTIVE, V.NOTICE, V.GOODBYE), TimerFired, to=(V.ACTIVE, V.PRINTING, V.GOODBYE, V.NOTICE, V.IDLE))
    def on_timer(self, event: TimerFired) -> Step[SessionState]:
        """No touch for a while: a countdown, shown and spoken, with "more time"; at its end a
        visit finishes (what was done is kept and printed), a notice or goodbye goes to idle."""
        if event.name == "inactivity" and self.state != V.GOODBYE:
            self._countdown = self.settings.countdown_s
            return Step(
                None, [self._show(self._timed_view()), PlaySound("beep.warning"), StartTimer("countdown", 1)]
            )
        if event.name == "countdown" and self._countdown is not None:
            left = self._countdown - 1
            if left > 0:
                self._countdown = left
                return Step(None, [self._show(self._timed_view()), StartTimer("countdown", 1)])
            self._countdown = None
            if self.state == V.ACTIVE:
                return self._finish([Log("info", "visit timed out")])
            return self._to_idle()
        return Step(None, [Log("debug", f"stale timer {event.name} in {self.state}")])

    def _finish(self, effects: list[Effect]) -> Step[SessionState]:
        v = self.visit
        effects = [*effects, CancelTimer("countdown")]
        if v.patron is not None:
            effects.append(self.call(EndSession(v.patron.patron_id)))
        if not v.eventful or not v.receipt_wanted:
            return self._goodbye(effects)
        self._job += 1
        receipt = screens.receipt(self.settings, v, self.language)
        effects += [
            self._show(screens.working(self.language, "working.printing")),
            PrintReceipt(self._job, receipt),
        ]
        return Step(V.PRINTING, effects)

    # ---------------------------------------------------------------- printing, goodbye

    @on(V.PRINTING, ReceiptPrinted, to=(V.GOODBYE, V.PRINTING))
    def on_printed(self, event: ReceiptPrinted) -> Step[SessionState]:
        if event.job_id != self._job:
            return Step(None, [Log("debug", "late printer answer ignored")])
        outcome: PrintOutcome = event.outcome
        self.visit.print_outcome = outcome
        effects: list[Effect] = []
        if not outcome.ok:
            effects.append(Log("warning", f"receipt not printed: {outcome.detail or outcome.reason}"))
        return self._goodbye(effects)

    def _goodbye(self, effects: list[Effect]) -> Step[SessionState]:
        """Goodbye shows (and says) its own countdown back to the first screen."""
        self._countdown = self.settings.goodbye_s
        view = screens.goodbye(self.language, self.visit, self._countdown)
        return Step(
            V.GOODBYE, [*effects, CancelTimer("countdown"), self._show(view), StartTimer("countdown", 1)]
        )

    # ---------------------------------------------------------------- anywhere

    @on(ANY, Pressed, to=(V.IDLE, V.IDENTIFYING, V.ACTIVE, V.PRINTING, V.GOODBYE, V.NOTICE, V.TECHNICIAN))
    def on_pressed(self, event: Pressed) -> Step[SessionState]:
        c, state = event.control, self.state
        if c.startswith("lang."):
            self.language = Language(c.split(".", 1)[1])
            if self.activity is not None and state == V.ACTIVE:
                return Step(None, [self._show(self._activity_view())])
            assert self._last_view is not None
            shown = self._show(replace(self._last_view, language=self.language))
            return Step(None, [shown, *self._idle_watch()] if state == V.IDLE else [shown])
        if state == V.IDLE and c == "technician":
            return self._technician_gesture(event.at)
        if state == V.IDLE and self._closed() and c in ("borrow", "giveback", "sign_in"):
            return Step(None, [PlaySound("beep.error"), self._show(self._idle_view())])
        if c == "call_staff":
            effects: list[Effect] = [
                # Staff are told (the runtime's StaffAlerts); the screen says they were called.
                AlertStaff("warning", f"staff called from screen {state}"),
                PlaySound("chime.staff"),
            ]
            under = self._last_view
            if state in (V.ACTIVE, V.NOTICE):
                # The patron is there, waiting for staff: the time starts again.
                effects += self._rearm()
                under = self._timed_view()
            if under is not None:
                effects.append(self._show(replace(under, message="notice.staff_called", message_args=())))
            return Step(None, effects)
        if state in (V.IDLE, V.NOTICE) and c == "sign_in":
            # No card at hand: the membership number on the keypad, then the PIN.
            self.visit = Visit(started=event.at)
            return self._start(SignIn(self))
        if state == V.IDLE and c == "borrow":
            # Borrowing starts with the card: the screen says where to tap it.
            return Step(None, [self._show(screens.idle(self.language, "idle.tap_card"))])
        if state == V.NOTICE and c == "my_loans" and self._blocked is not None:
            # Blocked, but their account is theirs to see: loans, holds, fees, history.
            self.visit.patron, self._blocked = self._blocked, None
            self.visit.may_borrow = False
            return self._start(Account(self))
        if state in (V.IDLE, V.NOTICE) and c == "giveback":
            # Return needs no card: offered at idle, and to a patron who may not borrow now.
            self.visit = Visit(started=event.at)
            return self._start(Giveback(self))
        if state == V.ACTIVE and c == "finish_no_receipt":
            self.visit.receipt_wanted = False  # the patron's choice: what was done is on screen
        if (
            state == V.ACTIVE
            and c == "start_over"
            and isinstance(self.activity, (SignIn, BringIn))
            and not self.activity.busy
            and not self.visit.eventful
        ):
            return self._to_idle()  # nothing done yet: straight back, nothing to print
        if state == V.ACTIVE and c in ("finish", "finish_return", "finish_no_receipt", "start_over"):
            # Start over keeps what was done: it goes on the receipt rather than being lost.
            assert self.activity is not None
            if self.activity.busy:
                self.visit.finishing = True
                return Step(None, [])
            return self._finish([])
        if state == V.ACTIVE and self.activity is not None and not self.activity.busy:
            switch = self._switch(c)
            if switch is not None:
                return Step(switch.target, [*switch.effects, *self._rearm()])
        if state == V.ACTIVE and self.activity is not None and self.activity.offers(c):
            effects = self.activity.handle(event)
            handoff = self._handoff(event.at)
            if handoff is not None:
                return Step(handoff.target, effects + handoff.effects)
            return Step(None, effects + self._redrawn())
        if state in (V.ACTIVE, V.NOTICE) and c in ("extend", "touch"):
            # More time asked for, or a touch anywhere on the screen: the time starts again.
            return Step(None, [*self._rearm(), self._show(self._timed_view())])
        if state in (V.NOTICE, V.GOODBYE) and c in ("ok", "start_over"):
            return self._to_idle()
        if c == "touch":
            # A touch beside the controls; on the first screen the presentation chosen (zoom,
            # contrast, language) goes back to the kiosk's own when nobody comes on.
            return Step(None, self._idle_watch() if state == V.IDLE else [])
        if state == V.IDENTIFYING and c == "start_over":
            return self._to_idle()
        return Step(
            None,
            [
                PlaySound("beep.error"),
                Log("debug", f"control {masked_control(c)!r} not offered in state {state}"),
            ],
        )

    def _switch(self, control: str) -> Step[SessionState] | None:
        """Another activity of the same patron: "My loans" from borrowing, and back."""
        assert self.activity is not None
        if control == "my_loans" and self.activity.name == "borrow" and self.visit.patron is not None:
            return self._start(Account(self))
        if control == "back" and self.activity.name == "account" and self.visit.may_borrow:
            return self._start(Borrow(self))
        if control == "giveback" and self.activity.name == "account" and not self.visit.may_borrow:
            return self._start(Giveback(self))  # may not borrow, may still return
        return None

    @on((V.IDLE, V.NOTICE, V.GOODBYE, V.IDENTIFYING, V.PRINTING, V.TECHNICIAN), DeviceStatus)
    def on_device(self, event: DeviceStatus) -> list[Effect]:
        changed = self._link(event) | self._record(event)
        if changed and self.state == V.IDLE:
            return [self._device_log(event), self._show(self._idle_view())]
        return [self._device_log(event)]

    def _record(self, event: DeviceStatus) -> bool:
        """A device's failure (or its return) noted; whether the first screen changes."""
        if event.device == "library":
            return False
        before = dict(self.degraded)
        if event.ok:
            self.degraded.pop(event.device, None)
        else:
            self.degraded[event.device] = event.reason or "failed"
        return before != self.degraded

    # ---------------------------------------------------------------- technician

    def technician_pin_failed(self) -> int:
        self._tech_failures += 1
        left = self.settings.technician_pin_attempts - self._tech_failures
        return max(0, left)

    def _technician_gesture(self, at: dt.datetime | None) -> Step[SessionState]:
        """The hidden gesture: the PIN screen, unless no PIN is set or too many were wrong."""
        locked = self._tech_locked_until
        if locked is not None and at is not None and at < locked:
            ignored = Log("warning", "technician: PIN locked; gesture ignored")
            return Step(None, [PlaySound("beep.error"), ignored])
        if not self.settings.technician_pin_sha256:
            return Step(None, [Log("info", "technician gesture: no technician PIN is set")])
        if locked is not None:
            self._tech_locked_until, self._tech_failures = None, 0
        return self._open_technician(with_pin=True)

    def _open_technician(self, with_pin: bool) -> Step[SessionState]:
        effects = self._forget() if self.state != V.IDLE else []
        self.technician = Technician(self, with_pin)
        effects += self.technician.opened()
        return Step(V.TECHNICIAN, [*effects, CancelTimer("countdown"), self._show(self.technician.view())])

    @on(V.TECHNICIAN, Pressed, to=(V.TECHNICIAN, V.IDLE))
    def on_technician_pressed(self, event: Pressed) -> Step[SessionState]:
        tech = self.technician
        if tech is None:
            return self._to_idle()
        if event.control.startswith("lang."):
            self.language = Language(event.control.split(".", 1)[1])
            return Step(None, [self._show(tech.view())])
        effects = tech.handle(event)
        if tech.outcome == "locked":
            lock = self.settings.technician_lockout_s
            self._tech_locked_until = event.at + dt.timedelta(seconds=lock) if event.at else None
        if tech.outcome in ("locked", "leave"):
            return self._close_technician(effects)
        rearm = [CancelTimer("technician"), StartTimer("technician", self.settings.technician_idle_s)]
        return Step(None, [*effects, *rearm, self._show(tech.view())])

    @on(V.TECHNICIAN, TechnicianReport)
    def on_technician_report(self, event: TechnicianReport) -> list[Effect]:
        return self._to_technician(event)

    @on(V.TECHNICIAN, TechnicianDone)
    def on_technician_done(self, event: TechnicianDone) -> list[Effect]:
        return self._to_technician(event)

    def _to_technician(self, event: Event) -> list[Effect]:
        if self.technician is None:
            return [Log("debug", f"{type(event).__name__} with no technician's screen")]
        return [*self.technician.handle(event), self._show(self.technician.view())]

    @on(V.TECHNICIAN, TimerFired, to=V.IDLE)
    def on_technician_timer(self, event: TimerFired) -> Step[SessionState]:
        """A technician who walked away: the patrons' screen again, never the menu left open."""
        if event.name != "technician":
            return Step(None, [Log("debug", f"stale timer {event.name} on the technician's screen")])
        return self._close_technician([Log("warning", "technician: screen closed after no use")])

    def _close_technician(self, effects: list[Effect]) -> Step[SessionState]:
        """Back to the patrons' first screen, the technician's screen dropped."""
        self.technician = None
        return Step(V.IDLE, [*effects, *self._to_idle().effects])

    @on(ANY, TechnicianReport)
    def on_late_report(self, event: TechnicianReport) -> list[Effect]:
        return [Log("debug", "technician report after the screen closed")]

    @on(ANY, TechnicianDone)
    def on_late_done(self, event: TechnicianDone) -> list[Effect]:
        return [Log("info", f"technician action {event.action} ended after the screen closed")]

    def _link(self, event: DeviceStatus) -> bool:
        """The library link's state from its report; whether it changed."""
        if event.device != "library" or self.offline == (not event.ok):
            return False
        self.offline = not event.ok
        return True

    def _device_log(self, event: DeviceStatus) -> Log:
        return Log(
            "info" if event.ok else "error", f"device {event.device}: {'ok' if event.ok else event.detail}"
        )

    @on(ANY, FlowFailed, to=V.NOTICE)
    def on_flow_failed(self, event: FlowFailed) -> Step[SessionState]:
        """A bug in a flow: the patron is asked to wait for staff, then the kiosk starts afresh.
        What was done is in the library; what the visit held is dropped."""
        effects = self._forget()
        step = self._notice("error.flow_failed")
        return Step(
            V.NOTICE,
            [
                *effects,
                PlaySound("chime.staff"),
                AlertStaff(
                    "error",
                    f"flow failed in {event.state} on {event.failed_on}: {event.detail}; staff called",
                ),
                *step.effects,
            ],
        )
