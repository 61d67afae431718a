"""The Chaekieum bring-in: a member of another Chaekieum library joins this one at the kiosk.

What it means and the library's consent text; the birth date on the keypad (the identity
check); a new PIN for this library, twice; the membership service's answer. Joined, the
session looks the patron up again and goes straight on to borrowing; refused, the reason and
the next step are said. The birth date and the PINs live here only until they are sent."""

from __future__ import annotations

import datetime as dt
import enum

from kiosk.core.effects import Log, PlaySound
from kiosk.core.errors import patron_reason
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.model import BringInResult
from kiosk.core.requests import BringIn as BringInRequest
from kiosk.core.views import View
from kiosk.flows import screens
from kiosk.flows.activity import Host, Prompting
from kiosk.flows.keypad import ENTER, KEYS, typed
from kiosk.flows.machine import Step, on
from kiosk.flows.signin import PIN_DIGITS

# Wrong birth dates before the patron is sent to the desk.
BIRTH_ATTEMPTS = 3


class BringInState(enum.StrEnum):
    CONSENT = "consent"
    BIRTH = "birth"
    PIN = "pin"
    PIN_AGAIN = "pin_again"
    SENDING = "sending"


B = BringInState


def birth_date(digits: str, today: dt.date | None) -> dt.date | None:
    """YYMMDD (the century the one that makes the patron's age 0-99 today) or YYYYMMDD."""
    try:
        if len(digits) == 8:
            born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        elif len(digits) == 6:
            yy, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:])
            this_year = (today or dt.date(2000, 1, 1)).year
            year = this_year - (this_year - yy) % 100
            born = dt.date(year, month, day)
        else:
            return None
    except ValueError:
        return None
    if today is not None and born > today:
        return None
    return born


class BringIn(Prompting[BringInState]):
    name = "bring_in"
    STATES = BringInState
    INITIAL = B.CONSENT
    BUSY = (B.SENDING,)
    CONTROLS = (*KEYS, ENTER, "agree")
    IGNORED = {
        B.CONSENT: (LibraryReplied, BarcodeRead, DeviceStatus, ScanTrouble),
        B.BIRTH: (LibraryReplied, BarcodeRead, DeviceStatus, ScanTrouble),
        B.PIN: (LibraryReplied, BarcodeRead, DeviceStatus, ScanTrouble),
        B.PIN_AGAIN: (LibraryReplied, BarcodeRead, DeviceStatus, ScanTrouble),
        B.SENDING: (Pressed, BarcodeRead, DeviceStatus, ScanTrouble),
    }

    def __init__(self, host: Host, patron_id: str, birth_failures: int = 0) -> None:
        """`birth_failures`: wrong birth dates already given for this patron at this kiosk
        (earlier visits count: a new visit gives no new tries)."""
        super().__init__(host)
        self.patron_id = patron_id
        self.birth = ""
        self.pin = ""
        self.pin_again = ""
        self.birth_failures = birth_failures
        # ("joined", "") or ("refused", message id): for the session to act on.
        self.outcome: tuple[str, str] | None = None

    def view(self, countdown: int | None) -> View:
        values = {B.BIRTH: self.birth, B.PIN: self.pin, B.PIN_AGAIN: self.pin_again}
        consent = self.host.settings.bring_in_consent.get(self.host.language, "")
        return screens.bring_in(
            self.host.language, self.state, values.get(self.state, ""), consent, self.message,
            self.message_args, countdown,
        )  # fmt: skip

    def _forget_typed(self) -> None:
        self.birth = self.pin = self.pin_again = ""

    @on(B.CONSENT, Pressed, to=B.BIRTH)
    def on_consent(self, event: Pressed) -> Step[BringInState]:
        if event.control != "agree":
            return Step(None, [])
        return Step(B.BIRTH, self.said())

    @on(B.BIRTH, Pressed, to=(B.BIRTH, B.PIN))
    def on_birth(self, event: Pressed) -> Step[BringInState]:
        if event.control != ENTER:
            self.birth = typed(self.birth, event.control, 8)
            return Step(None, self.said())
        today = event.at.date() if event.at is not None else None
        if birth_date(self.birth, today) is None:
            self.birth = ""
            return Step(None, self.said("bring_in.birth_invalid"))
        return Step(B.PIN, self.said())

    @on(B.PIN, Pressed, to=(B.PIN, B.PIN_AGAIN))
    def on_pin(self, event: Pressed) -> Step[BringInState]:
        fewest, most = PIN_DIGITS
        if event.control != ENTER:
            self.pin = typed(self.pin, event.control, most)
            return Step(None, self.said())
        if len(self.pin) < fewest:
            return Step(None, self.said("refusal.pin_unacceptable"))
        return Step(B.PIN_AGAIN, self.said())

    @on(B.PIN_AGAIN, Pressed, to=(B.PIN_AGAIN, B.PIN, B.SENDING))
    def on_pin_again(self, event: Pressed) -> Step[BringInState]:
        if event.control != ENTER:
            self.pin_again = typed(self.pin_again, event.control, PIN_DIGITS[1])
            return Step(None, self.said())
        if self.pin_again != self.pin:
            self.pin = self.pin_again = ""
            return Step(B.PIN, self.said("bring_in.pin_mismatch"))
        born = birth_date(self.birth, event.at.date() if event.at is not None else None)
        assert born is not None  # checked when it was entered
        request = BringInRequest(self.patron_id, born, self.pin)
        self._forget_typed()
        self.message = ""
        return Step(B.SENDING, [self.host.call(request, self)])

    @on(B.SENDING, LibraryReplied, to=(B.BIRTH, B.PIN, B.SENDING))
    def on_answer(self, event: LibraryReplied) -> Step[BringInState]:
        error = event.failure
        if error is not None:
            self.outcome = ("refused", patron_reason(error))
            return Step(None, [PlaySound("beep.error"), Log("warning", f"bring-in failed: {error}")])
        result: BringInResult = event.result
        if result.ok:
            self.outcome = ("joined", "")
            return Step(None, [PlaySound("beep.ok"), Log("info", "bring-in done")])
        reason = result.reason or "refusal.bring_in_refused"
        if reason == "refusal.identity_not_confirmed":
            self.birth_failures += 1
            left = BIRTH_ATTEMPTS - self.birth_failures
            if left > 0:
                effects = self.said("bring_in.birth_wrong", (("left", str(left)),))
                return Step(B.BIRTH, [*effects, Log("info", "bring-in: birth date not confirmed")])
            reason = "bring_in.too_many"
        elif reason == "refusal.pin_unacceptable":
            return Step(B.PIN, [*self.said(reason), Log("info", "bring-in: PIN refused")])
        self.outcome = ("refused", reason)
        return Step(None, [PlaySound("beep.error"), Log("info", f"bring-in refused: {reason}")])
