"""The technician's screen, opened by a technician card (at once) or the hidden gesture and a
PIN: the checks of the live devices, the counters and the recent log (no patron data), and
the actions: check again, test page, reopen a device, out of service and back, restart, quit.

Pure like every flow: the checks run, the test page prints and the kiosk restarts through
effects (RunChecks, TechnicianAction) the composition root executes; what they found comes
back as events (TechnicianReport, TechnicianDone). Every action is logged."""

from __future__ import annotations

import enum
import hashlib
import hmac
from typing import Protocol

from kiosk.core.effects import Effect, Log, PlaySound, RunChecks, TechnicianAction
from kiosk.core.events import Pressed, TechnicianDone, TechnicianReport
from kiosk.core.model import CheckResult, Language
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.keypad import ENTER, KEYS, typed
from kiosk.flows.machine import Machine, Step, on
from kiosk.flows.screens import OUT_OF_SERVICE_REASONS, VisitSettings

PIN_MAX = 8
# Controls that hand an action to the composition root, and the action each names.
ACTIONS = {
    "tech.test_page": ("test_page", ""),
    "tech.reopen_nfc": ("reopen", "nfc"),
    "tech.reopen_camera": ("reopen", "camera"),
    "tech.restart": ("restart", ""),
    "tech.quit": ("quit", ""),
}


def pin_matches(pin: str, sha256_hex: str) -> bool:
    """Whether `pin` is the one whose SHA-256 (hex) the config holds; never with none set."""
    if not sha256_hex or not pin:
        return False
    digest = hashlib.sha256(pin.encode("utf-8")).hexdigest()
    return hmac.compare_digest(digest, sha256_hex.strip().lower())


class Owner(Protocol):
    """The session, as the technician's screen sees it."""

    language: Language
    settings: VisitSettings
    out_of_service: str

    def technician_pin_failed(self) -> int:
        """Counts a wrong PIN; the tries left (0: locked)."""
        ...


class TechState(enum.StrEnum):
    PIN = "pin"  # the hidden gesture opened it: the PIN first
    MENU = "menu"  # checks, counters, log and actions
    REASON = "reason"  # what patrons will see while out of service


T = TechState


class Technician(Machine[TechState]):
    STATES = TechState
    INITIAL = T.MENU
    IGNORED = {
        T.PIN: (TechnicianReport, TechnicianDone),
        T.REASON: (TechnicianReport, TechnicianDone),
    }

    def __init__(self, owner: Owner, with_pin: bool) -> None:
        self.owner = owner
        self.state = T.PIN if with_pin else T.MENU
        self.pin = ""
        self.message = ""
        self.message_args: tuple[tuple[str, str], ...] = ()
        self.checks: tuple[CheckResult, ...] = ()
        self.counters: tuple[tuple[str, str], ...] = ()
        self.log: tuple[str, ...] = ()
        self.checking = False
        # What the session does next: "leave" (back to the patrons), "locked" (too many PINs).
        self.outcome = ""

    def timer_seconds(self, name: str) -> float:
        raise KeyError(name)  # the session keeps the technician's time

    def view(self) -> View:
        return screens.technician(
            self.owner.language, self.state, self.message, self.message_args, self.checks, self.counters,
            self.log, self.pin, bool(self.owner.out_of_service), self.checking,
        )  # fmt: skip

    def opened(self) -> list[Effect]:
        """What opening the screen does: checks at once when no PIN is asked."""
        if self.state == T.MENU:
            return self._check("opened by a technician card")
        return [Log("warning", "technician: screen asked for (PIN)")]

    def _check(self, why: str) -> list[Effect]:
        self.checking = True
        return [Log("warning", f"technician: checks run ({why})"), RunChecks()]

    def _said(self, message: str = "", args: tuple[tuple[str, str], ...] = ()) -> None:
        self.message, self.message_args = message, args

    # ---------------------------------------------------------------- PIN

    @on(T.PIN, Pressed, to=(T.PIN, T.MENU))
    def on_pin(self, event: Pressed) -> Step[TechState]:
        c = event.control
        if c == "tech.leave":
            self.pin, self.outcome = "", "leave"
            return Step(None, [Log("warning", "technician: PIN screen left")])
        if c in KEYS:
            self.pin = typed(self.pin, c, PIN_MAX)
            self._said()
            return Step(None, [])
        if c != ENTER:
            return Step(None, [PlaySound("beep.error")])
        pin, self.pin = self.pin, ""
        if pin_matches(pin, self.owner.settings.technician_pin_sha256):
            self._said()
            return Step(T.MENU, [Log("warning", "technician: PIN accepted"), *self._check("PIN accepted")])
        left = self.owner.technician_pin_failed()
        if left <= 0:
            self.outcome = "locked"
            return Step(None, [PlaySound("beep.error"), Log("warning", "technician: PIN locked")])
        self._said("tech.pin_wrong", (("left", str(left)),))
        return Step(None, [PlaySound("beep.error"), Log("warning", f"technician: wrong PIN ({left} left)")])

    # ---------------------------------------------------------------- menu

    @on(T.MENU, Pressed, to=(T.MENU, T.REASON))
    def on_menu(self, event: Pressed) -> Step[TechState]:
        c = event.control
        self._said()
        if c == "tech.leave":
            self.outcome = "leave"
            return Step(None, [Log("warning", "technician: screen closed")])
        if c == "tech.refresh":
            return Step(None, self._check("asked again"))
        if c == "tech.out_of_service":
            return Step(T.REASON, [])
        if c == "tech.in_service":
            self.owner.out_of_service = ""
            return Step(None, [Log("warning", "technician: back in service")])
        if c in ACTIONS:
            action, device = ACTIONS[c]
            what = f"{action} {device}".strip()
            return Step(None, [Log("warning", f"technician: {what}"), TechnicianAction(action, device)])
        return Step(None, [PlaySound("beep.error")])

    @on(T.REASON, Pressed, to=T.MENU)
    def on_reason(self, event: Pressed) -> Step[TechState]:
        c = event.control
        reason = c.removeprefix("oos.")
        if c.startswith("oos.") and reason in OUT_OF_SERVICE_REASONS:
            self.owner.out_of_service = c
            return Step(T.MENU, [Log("warning", f"technician: out of service ({reason})")])
        if c == "tech.back":
            return Step(T.MENU, [])
        return Step(None, [PlaySound("beep.error")])

    @on(T.MENU, TechnicianReport)
    def on_report(self, event: TechnicianReport) -> list[Effect]:
        self.checking = False
        self.checks, self.counters, self.log = event.checks, event.counters, event.log
        failed = sum(c.verdict == "failed" for c in event.checks)
        return [Log("info", f"technician: {len(event.checks)} checks, {failed} failed")]

    @on(T.MENU, TechnicianDone)
    def on_done(self, event: TechnicianDone) -> list[Effect]:
        self._said("tech.done" if event.ok else "tech.failed", (("detail", event.detail or event.action),))
        return [Log("warning", f"technician: {event.action} {'done' if event.ok else 'failed'}")]
