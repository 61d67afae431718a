"""What the session offers the activity it hosts, and what every activity offers the session."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Protocol

from kiosk.core.effects import CallLibrary, Effect, Log, PlaySound
from kiosk.core.errors import LibraryUnreachable, OutcomeUnknown, patron_reason
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.model import Language
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Request
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.keypad import ENTER, KEYS, typed
from kiosk.flows.machine import Machine, S, Step
from kiosk.flows.screens import Visit, VisitSettings


class Host(Protocol):
    """The session, as an activity sees it."""

    visit: Visit
    language: Language
    settings: VisitSettings

    def call(self, request: Request, owner: Activity[Any]) -> CallLibrary: ...


class Activity(Machine[S]):
    """One thing a patron does at the kiosk (borrow, give back, renew): its own states, its
    own screen, its share of the visit's record. It runs inside a session, which owns who the
    patron is, the language, the time, the receipt and the end of the visit."""

    name: ClassVar[str]
    # States in which a library request of this activity is in flight.
    BUSY: ClassVar[tuple[Any, ...]] = ()
    # Controls of its own screen that the activity takes (the session takes the others).
    CONTROLS: ClassVar[tuple[str, ...]] = ()
    # Controls of rows on its screen, by prefix (e.g. "select." + an item id).
    ROW_CONTROLS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, host: Host) -> None:
        self.host = host
        self.state = self.INITIAL

    @property
    def busy(self) -> bool:
        return self.state in self.BUSY

    def offers(self, control: str) -> bool:
        return control in self.CONTROLS or control.startswith(self.ROW_CONTROLS)

    @property
    def visit(self) -> Visit:
        return self.host.visit

    def view(self, countdown: int | None) -> View:
        raise NotImplementedError

    def timer_seconds(self, name: str) -> float:
        raise KeyError(name)  # activities keep no timers: time is the session's


# A book shown again within this long is the same showing (a second decoder, a hand that
# wobbled out of view and back): ignored. Later, it is told it is already on the list.
REPEAT_S = 2.0


class Prompting(Activity[S]):
    """An activity that asks for something typed and says, in its message, what is wrong."""

    def __init__(self, host: Host, message: str = "", message_args: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(host)
        self.message, self.message_args = message, message_args

    def said(self, message: str = "", args: tuple[tuple[str, str], ...] = ()) -> list[Effect]:
        """The message to show (none: the screen's own prompt), with a beep for a problem."""
        self.message, self.message_args = message, args
        return [PlaySound("beep.error")] if message else []


class BookActivity(Activity[S]):
    """An activity driven by books shown to the camera (or their registration numbers typed
    on the keypad), one library request per book: books shown while one is in flight are
    queued, and every failure is told the same way (not confirmed / not sent: outage /
    refused with the reason). A label the camera cannot read gets help: how to hold the book,
    and the keypad offered."""

    READY: ClassVar[Any]  # the state waiting for the next book
    TYPING: ClassVar[Any]  # a registration number on the keypad
    TYPING_CONTROLS: ClassVar[tuple[str, ...]] = ("type_item", *KEYS, ENTER, "cancel_typing")

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.typed = ""
        self.message = ""
        # When each book was last shown (the event's time), for repeats.
        self.shown_at: dict[str, dt.datetime] = {}

    def typing_view(self, countdown: int | None) -> View:
        s = self.host.settings
        return screens.book_typing(self.host.language, self.name, s.registration_prefix, self.typed,
                                   s.registration_digits, self.message, countdown)  # fmt: skip

    def start_typing(self) -> Step[S]:
        self.typed, self.message = "", ""
        self.visit.banner = ""
        return Step(self.TYPING, [])

    def key_typed(self, event: Pressed) -> Step[S]:
        """A key while typing a registration number: Done takes the book as if shown."""
        s = self.host.settings
        if event.control == "cancel_typing":
            self.typed = ""
            return Step(self.READY, [])
        if event.control != ENTER:
            self.typed, self.message = typed(self.typed, event.control, s.registration_digits), ""
            return Step(None, [])
        if not self.typed:
            self.message = "borrow.type_short"
            return Step(None, [PlaySound("beep.error")])
        item = s.registration_prefix + self.typed.zfill(s.registration_digits)
        self.typed = ""
        step = self._take(item)
        return Step(step.target or self.READY, step.effects)

    def trouble(self, event: ScanTrouble) -> list[Effect]:
        """A label in view that will not read: how to hold it, and the keypad offered."""
        self.visit.banner = "scan.help"
        return [PlaySound("beep.warning"), Log("info", "label in view not read: help shown")]

    def is_repeat(self, event: BarcodeRead) -> bool:
        """The same book shown again within REPEAT_S of its last showing."""
        last = self.shown_at.get(event.text)
        if event.at is not None:
            self.shown_at[event.text] = event.at
        return last is not None and event.at is not None and (event.at - last).total_seconds() < REPEAT_S

    def _take(self, item_id: str) -> Step[S]:
        """The request for one book (or why none is sent)."""
        raise NotImplementedError

    def _record(self, item_id: str, result: Any, operation: str) -> Effect:
        """The library's answer for one book, into the visit; the sound to play."""
        raise NotImplementedError

    def _action(self, operation: str) -> str:
        """What a refusal of `operation` is, for the receipt's heading."""
        raise NotImplementedError

    unknown_reason: ClassVar[str] = "error.outcome_unknown"

    def book_shown(self, event: BarcodeRead) -> Step[S]:
        """A book shown (while typing too: the barcode is the surer number)."""
        typing = self.state == self.TYPING
        self.typed = ""
        if event.kind != "item":
            self.visit.banner = "refusal.not_an_item"
            return Step(self.READY if typing else None, [PlaySound("beep.error")])
        if self.is_repeat(event) and self.visit.handled(event.text):
            return Step(self.READY if typing else None, [Log("debug", "the same book shown again at once")])
        self.visit.banner = ""
        step = self._take(event.text)
        return Step(step.target or (self.READY if typing else None), step.effects)

    def book_queued(self, event: BarcodeRead) -> list[Effect]:
        if event.kind == "item" and event.text not in self.visit.pending_items:
            self.visit.pending_items.append(event.text)
        return []

    def answer(self, event: LibraryReplied) -> Step[S]:
        visit = self.visit
        item = visit.item_in_flight
        error = event.failure
        what = event.operation
        effects: list[Effect] = []
        if isinstance(error, OutcomeUnknown):
            # Sent, answer lost, and the library could not be asked: neither done nor refused.
            visit.settle(item, unconfirmed=Refusal(item, self.unknown_reason, action=self._action(what)))
            effects += [PlaySound("beep.error"), Log("warning", f"{what} outcome unknown: {error}")]
        elif isinstance(error, LibraryUnreachable):
            # Nothing was sent: no line for the book, the outage said at once instead.
            visit.banner = "borrow.library_down"
            effects += [PlaySound("beep.error"), Log("warning", f"{what} not sent: {error}")]
        elif error is not None:
            visit.settle(item, refusal=Refusal(item, patron_reason(error), action=self._action(what)))
            effects += [PlaySound("beep.error"), Log("warning", f"{what} failed: {error}")]
        else:
            if visit.banner == "borrow.library_down":
                visit.banner = ""
            effects.append(self._record(item, event.result, what))
        while visit.pending_items:
            step = self._take(visit.pending_items.pop(0))
            if step.target is not None:
                return Step(step.target, effects + step.effects)
        return Step(self.READY, effects)

    def link_changed(self, event: DeviceStatus) -> list[Effect]:
        """The link went down or came back: the screen says so at once (borrowing goes on
        offline for a patron the library let borrow lately, where the library allows it)."""
        banners = ("", "borrow.library_down", "borrow.went_offline")
        if event.device == "library" and self.visit.banner in banners:
            offline = self.host.settings.offline_lending and self.visit.patron is not None
            down = "borrow.went_offline" if offline else "borrow.library_down"
            self.visit.banner = "" if event.ok else down
        return []
