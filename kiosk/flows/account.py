"""The patron's account in a borrowing session: "My loans", with due dates, and renewals of the
loans the patron selects, or of all of them."""

from __future__ import annotations

import datetime as dt
import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.errors import LibraryError, OutcomeUnknown
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed
from kiosk.core.model import Loan, RenewAllResult, RenewResult
from kiosk.core.receipt import Refusal
from kiosk.core.requests import Renew, RenewAll
from kiosk.core.views import Line, View
from kiosk.flows import screens
from kiosk.flows.activity import Activity, Host
from kiosk.flows.machine import Step, on


class AccountState(enum.StrEnum):
    LOANS = "loans"
    RENEWING = "renewing"


A = AccountState
SELECT = "select."


class Account(Activity[AccountState]):
    """States: loans (the list, rows to select), renewing (renewals in flight, one at a time)."""

    name = "account"
    STATES = AccountState
    INITIAL = A.LOANS
    BUSY = (A.RENEWING,)
    # A book shown here goes to borrowing (the session switches): never to this list.
    IGNORED = {A.LOANS: (LibraryReplied, BarcodeRead), A.RENEWING: (Pressed, BarcodeRead)}
    CONTROLS = ("renew_selected", "renew_all")  # and a row: select.<item id>

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.selected: set[str] = set()
        self.queue: list[str] = []
        self.all_at_once = False

    # ---------------------------------------------------------------- the list

    def loans(self) -> list[Loan]:
        """The patron's loans from before this visit, not returned in it (newest state shown)."""
        patron = self.visit.patron
        if patron is None:
            return []
        renewed = {loan.item_id: loan for loan in self.visit.renewed}
        return [
            renewed.get(loan.item_id, loan)
            for loan in patron.loans
            if not self.visit.has_returned(loan.item_id)
        ]

    def view(self, countdown: int | None) -> View:
        today = self.visit.started.date() if self.visit.started else None
        refused = {r.item_id: r for r in self.visit.refused if r.action == "renewal"}
        renewed = {loan.item_id for loan in self.visit.renewed}
        lines = tuple(self._line(loan, today, renewed, refused) for loan in self.loans()) + self._holds()
        controls: tuple[str, ...] = ("renew_selected", "renew_all", "back", "finish", "call_staff")
        if countdown is not None:
            controls = ("extend", *controls)
        message = self.visit.banner or ("account.prompt" if lines else "account.none")
        return screens.account(self.host.language, message, lines, controls, countdown, self.busy)

    def _line(
        self, loan: Loan, today: dt.date | None, renewed: set[str], refused: dict[str, Refusal]
    ) -> Line:
        due = loan.due.isoformat() if loan.due else "-"
        control, selected = SELECT + loan.item_id, loan.item_id in self.selected
        title = loan.title or loan.item_id
        if loan.item_id in renewed:
            return Line(title, loan.item_id, "ok", "borrow.renewed_line", (("due", due),), control, selected)
        if loan.item_id in refused:
            return Line(title, loan.item_id, "refused", refused[loan.item_id].reason, (), control, selected)
        late = today is not None and loan.due is not None and loan.due < today
        note = "account.overdue_line" if late else "account.due_line"
        return Line(
            title, loan.item_id, "refused" if late else "info", note, (("due", due),), control, selected
        )

    def _holds(self) -> tuple[Line, ...]:
        """The patron's holds: ready ones with the shelf and the last day, the others waiting."""
        patron = self.visit.patron
        if patron is None:
            return ()
        lines = []
        for hold in patron.details.holds:
            if self.visit.has_borrowed(hold.item_id):
                continue
            title = hold.title or hold.item_id
            if hold.ready:
                by = hold.collect_by.isoformat() if hold.collect_by else "-"
                args = (("shelf", hold.pickup_location or "-"), ("until", by))
                lines.append(Line(title, hold.item_id, "info", "account.hold_ready_line", args))
            else:
                lines.append(Line(title, hold.item_id, "info", "account.hold_waiting_line"))
        return tuple(lines)

    @on(A.LOANS, Pressed, to=(A.LOANS, A.RENEWING))
    def on_pressed(self, event: Pressed) -> Step[AccountState]:
        c = event.control
        if c.startswith(SELECT):
            item = c[len(SELECT) :]
            if any(loan.item_id == item for loan in self.loans()):
                self.selected ^= {item}
            return Step(None, [])
        patron = self.visit.patron
        assert patron is not None
        if c == "renew_all":
            self.all_at_once = True
            self.visit.banner = ""
            return Step(A.RENEWING, [self.host.call(RenewAll(patron.patron_id), self)])
        if c == "renew_selected":
            self.queue = [loan.item_id for loan in self.loans() if loan.item_id in self.selected]
            if not self.queue:
                self.visit.banner = "account.select_first"
                return Step(None, [PlaySound("beep.error")])
            self.visit.banner = ""
            return Step(A.RENEWING, self._next())
        return Step(None, [Log("debug", f"control {c!r} not offered on my loans")])

    def _next(self) -> list[Effect]:
        patron = self.visit.patron
        assert patron is not None
        item = self.queue.pop(0)
        self.visit.item_in_flight = item
        return [self.host.call(Renew(patron.patron_id, item), self)]

    # ---------------------------------------------------------------- answers

    @on(A.RENEWING, LibraryReplied, to=(A.LOANS, A.RENEWING))
    def on_answer(self, event: LibraryReplied) -> Step[AccountState]:
        effects: list[Effect] = []
        if self.all_at_once:
            self.all_at_once = False
            effects += self._renewed_all(event)
            self.selected.clear()
            return Step(A.LOANS, effects)
        item = self.visit.item_in_flight
        error = event.error if event.error is not None or event.result is not None else LibraryError("empty")
        if error is not None:
            reason = error.message_id if isinstance(error, LibraryError) else "error.library_unavailable"
            if isinstance(error, OutcomeUnknown):
                self.visit.settle(item, unconfirmed=Refusal(item, reason, action="renewal"))
            else:
                self.visit.settle(item, refusal=Refusal(item, reason, action="renewal"))
            effects += [PlaySound("beep.error"), Log("warning", f"renewal failed: {error}")]
        else:
            result: RenewResult = event.result
            if result.ok:
                self.visit.settle(item, renewed=Loan(result.item_id, result.title, result.due))
                effects.append(PlaySound("beep.ok"))
            else:
                reason = result.reason or "refusal.renewal_refused"
                self.visit.settle(item, refusal=Refusal(item, reason, result.title, "renewal"))
                effects.append(PlaySound("beep.error"))
        self.selected.discard(item)
        if self.queue:
            return Step(A.RENEWING, effects + self._next())
        return Step(A.LOANS, effects)

    def _renewed_all(self, event: LibraryReplied) -> list[Effect]:
        if event.error is not None or event.result is None:
            reason = (
                event.error.message_id
                if isinstance(event.error, LibraryError)
                else "error.library_unavailable"
            )
            self.visit.banner = reason
            return [PlaySound("beep.error"), Log("warning", f"renew all failed: {event.error}")]
        result: RenewAllResult = event.result
        titles = {loan.item_id: loan.title for loan in self.loans()}
        for loan in result.renewed:
            title = loan.title or titles.get(loan.item_id, "")
            self.visit.settle(loan.item_id, renewed=Loan(loan.item_id, title, loan.due))
        for item in result.refused:
            refusal = Refusal(item, "refusal.renewal_refused", titles.get(item, ""), "renewal")
            self.visit.settle(item, refusal=refusal)
        self.visit.banner = "account.renewed_all"
        return [PlaySound("beep.ok" if result.renewed else "beep.error")]

    @on((A.LOANS, A.RENEWING), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        return []
