"""Signing in without a card: the membership number printed on the card, typed on the keypad,
then the PIN (always after a typed number; after a card too where the library asks for it).

The activity only collects what is typed; the session looks the patron up with it, counts
wrong PINs and locks the card at this kiosk after too many. The PIN is handed over once and
forgotten here at that moment."""

from __future__ import annotations

import enum

from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import Host, Prompting
from kiosk.flows.keypad import ENTER, ERASE, KEYS, typed
from kiosk.flows.machine import Step, on

# Digits of a PIN: 4 to 6, as the bring-in sets them.
PIN_DIGITS = (4, 6)


class SignInState(enum.StrEnum):
    NUMBER = "number"  # typing the membership number
    PIN = "pin"  # typing the PIN


N = SignInState


class SignIn(Prompting[SignInState]):
    name = "signin"
    STATES = SignInState
    INITIAL = N.NUMBER
    CONTROLS = (*KEYS, ENTER)
    IGNORED = {
        N.NUMBER: (BarcodeRead, DeviceStatus, LibraryReplied, ScanTrouble),
        N.PIN: (BarcodeRead, DeviceStatus, LibraryReplied, ScanTrouble),
    }

    def __init__(
        self,
        host: Host,
        card: str = "",
        technology: str = "keypad",
        message: str = "",
        message_args: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """With `card` (read from a card, or typed before a wrong PIN) only the PIN is asked."""
        super().__init__(host, message, message_args)
        self.number = card
        self.technology = technology
        self.pin = ""
        # (number, technology, PIN) once entered, for the session to take.
        self.entered: tuple[str, str, str] | None = None
        if card:
            self.state = N.PIN

    def take(self) -> tuple[str, str, str] | None:
        """What was entered, handed over once: the PIN is not kept here after."""
        entered, self.entered = self.entered, None
        if entered is not None:
            self.pin = ""
        return entered

    def view(self, countdown: int | None) -> View:
        return screens.signin(
            self.host.language,
            self.state,
            self.number if self.technology == "keypad" else "",
            self.pin,
            self.message,
            self.message_args,
            self.host.settings.number_digits,
            countdown,
        )

    @on(N.NUMBER, Pressed, to=(N.NUMBER, N.PIN))
    def on_number(self, event: Pressed) -> Step[SignInState]:
        fewest, most = self.host.settings.number_digits
        if event.control != ENTER:
            self.number = typed(self.number, event.control, most)
            return Step(None, self.said())
        if len(self.number) < fewest:
            return Step(None, self.said("signin.number_short", (("digits", str(fewest)),)))
        return Step(N.PIN, self.said())

    @on(N.PIN, Pressed, to=(N.PIN, N.NUMBER), note="erase on an empty PIN: the number again")
    def on_pin(self, event: Pressed) -> Step[SignInState]:
        fewest, most = PIN_DIGITS
        if event.control == ERASE and not self.pin and self.technology == "keypad":
            return Step(N.NUMBER, self.said())
        if event.control != ENTER:
            self.pin = typed(self.pin, event.control, most)
            return Step(None, self.said())
        if len(self.pin) < fewest:
            return Step(None, self.said("signin.pin_short"))
        self.entered = (self.number, self.technology, self.pin)
        return Step(None, self.said())
