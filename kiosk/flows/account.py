"""The patron's account in a borrowing session: "My loans", with due dates, and renewals of the
loans the patron selects, or of all of them."""

from __future__ import annotations

import datetime as dt
import enum

from kiosk.core.effects import Effect, Log, PlaySound
from kiosk.core.errors import LibraryUnreachable, OutcomeUnknown, patron_reason
from kiosk.core.events import BarcodeRead, DeviceStatus, LibraryReplied, Pressed, ScanTrouble
from kiosk.core.model import HistoryEntry, Hold, HoldResult, Loan, RenewAllResult, RenewResult
from kiosk.core.receipt import Refusal, history_line
from kiosk.core.requests import BorrowingHistory, CancelHold, Renew, RenewAll
from kiosk.core.views import Line, View
from kiosk.flows import screens
from kiosk.flows.activity import Activity, Host
from kiosk.flows.machine import Step, on


class AccountState(enum.StrEnum):
    LOANS = "loans"
    WORKING = "working"  # renewals or hold cancellations in flight, one at a time


A = AccountState
SELECT = "select."
HOLD = "select.hold."
HISTORY_PAGE = 8  # a hold's row: checked before SELECT, which it starts with


class Account(Activity[AccountState]):
    """States: loans (loans and holds, rows to select), working (renewals or cancellations in flight)."""

    name = "account"
    STATES = AccountState
    INITIAL = A.LOANS
    BUSY = (A.WORKING,)
    # A book shown here goes to borrowing (the session switches): never to this list.
    IGNORED = {
        A.LOANS: (LibraryReplied, BarcodeRead, ScanTrouble),
        A.WORKING: (Pressed, BarcodeRead, ScanTrouble),
    }
    CONTROLS = (
        "renew_selected",
        "renew_all",
        "cancel_holds",
        "history",
        "history_more",
        "print_history",
        "unprint_history",
        "loans",
    )
    ROW_CONTROLS = (SELECT,)  # a loan's row, and a hold's (HOLD starts with SELECT)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.selected: set[str] = set()
        self.queue: list[str] = []
        self.all_at_once = False
        # Holds: the ones selected to cancel, those cancelled, and refusals by item.
        self.holds_selected: set[str] = set()
        self.cancel_queue: list[str] = []
        self.cancelled: set[str] = set()
        self.hold_refusals: dict[str, str] = {}
        # Holds placed in this visit and cancelled here: still listed, as cancelled.
        self.withdrawn: list[Hold] = []
        # The borrowing history once asked for (None: the loans are shown), and the page's start.
        self.history: tuple[HistoryEntry, ...] | None = None
        self.history_at = 0

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
        if self.history is not None:
            return self._history_view(countdown)
        today = self.visit.started.date() if self.visit.started else None
        refused = {r.item_id: r for r in self.visit.refused if r.action == "renewal"}
        renewed = {loan.item_id for loan in self.visit.renewed}
        lines = tuple(self._line(loan, today, renewed, refused) for loan in self.loans()) + self._holds()
        lines = self._summary() + lines
        holds = ("cancel_holds",) if self._holds() else ()
        back = ("back",) if self.visit.may_borrow else ("giveback",)
        renew = ("renew_selected", "renew_all") if self._may_renew() else ()
        controls: tuple[str, ...] = (
            *renew,
            *holds,
            "history",
            *back,
            "finish",
            "call_staff",
        )
        if countdown is not None:
            controls = ("extend", *controls)
        message = self.visit.banner or ("account.prompt" if lines else "account.none")
        return screens.account(self.host.language, message, lines, controls, countdown, self.busy)

    def _may_renew(self) -> bool:
        patron = self.visit.patron
        closed = ("renewal_denied", "too_many_renewals")
        return patron is None or not set(closed) & set(patron.details.restrictions)

    def _summary(self) -> tuple[Line, ...]:
        """Loans here and across Chaekieum, what may still be borrowed, and fees owed."""
        patron = self.visit.patron
        if patron is None:
            return ()
        d = patron.details
        held = {loan.item_id for loan in patron.loans}
        borrowed = len([loan for loan in self.visit.borrowed if loan.item_id not in held])
        here = (d.loans_here if d.loans_here is not None else len(patron.loans)) + borrowed
        # Two rows, so that the loans themselves start high on the screen: what is on loan
        # (here, and across Chaekieum), then what may still be borrowed under each limit.
        if d.network_loans is None:
            lines = [Line("", "", "info", "account.loans_here", (("count", str(here)),))]
        else:
            network = str(d.network_loans + borrowed)
            lines = [Line("", "", "info", "account.loans_both", (("count", str(here)), ("network", network)))]
        limits = {a.binds.value: a for a in d.allowances(borrowed)}
        if len(limits) == 2:
            here_limit, network_limit = limits["library"], limits["network"]
            args = (
                ("left", str(here_limit.left)),
                ("limit", str(here_limit.limit)),
                ("network_left", str(network_limit.left)),
                ("network_limit", str(network_limit.limit)),
            )
            lines.append(Line("", "", "info", "account.quota_both", args))
        for allowance in limits.values() if len(limits) == 1 else ():
            scope = f"receipt.quota.{allowance.binds.value}" + ("" if allowance.left else ".reached")
            lines.append(
                Line("", "", "info", scope, (("left", str(allowance.left)), ("limit", str(allowance.limit))))
            )
        if d.fees_owed:
            lines.append(Line("", "", "refused", "account.fees", (("amount", f"{d.fees_owed:,}"),)))
        # What the library closed for this patron, said with the next step.
        lines += [Line("", "", "refused", screens.RESTRICTION_LINES[flag]) for flag in d.restrictions]
        return tuple(lines)

    def _history_view(self, countdown: int | None) -> View:
        """The borrowing history at every Chaekieum library, a page at a time; shown only here,
        printed nowhere."""
        assert self.history is not None
        page = self.history[self.history_at : self.history_at + HISTORY_PAGE]
        settings = self.host.settings
        lines = tuple(
            Line(entry.title or entry.item_id, entry.item_id, "info",
                 *history_line(entry, settings.library_named(entry.library)))
            for entry in page
        )  # fmt: skip
        more = ("history_more",) if self.history_at + HISTORY_PAGE < len(self.history) else ()
        printing = ("unprint_history",) if self.visit.history else ("print_history",) if self.history else ()
        controls = (*more, *printing, "loans", "finish", "call_staff")
        message = self.visit.banner or ("account.history_note" if self.history else "account.history_none")
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
        """The patron's holds: ready ones with the shelf and the last day, the others waiting;
        each a row to select for cancelling."""
        patron = self.visit.patron
        if patron is None:
            return ()
        lines = []
        known = {hold.item_id for hold in patron.details.holds}
        # Reservations and closed-stack requests of this visit too: listed, and cancellable.
        placed = tuple(hold for hold in (*self.visit.requested, *self.withdrawn) if hold.item_id not in known)
        for hold in (*patron.details.holds, *placed):
            if self.visit.has_borrowed(hold.item_id):
                continue
            item, title = hold.item_id, hold.title or hold.item_id
            control, selected = HOLD + item, item in self.holds_selected
            if item in self.cancelled:
                lines.append(Line(title, item, "ok", "account.hold_cancelled"))
            elif item in self.hold_refusals:
                lines.append(Line(title, item, "refused", self.hold_refusals[item], (), control, selected))
            elif hold.ready:
                by = hold.collect_by.isoformat() if hold.collect_by else "-"
                args = (("shelf", hold.pickup_location or "-"), ("until", by))
                lines.append(Line(title, item, "info", "account.hold_ready_line", args, control, selected))
            elif hold.in_transit:
                lines.append(Line(title, item, "info", "account.hold_in_transit_line", (), control, selected))
            elif hold.position:
                place = (("position", str(hold.position)),)
                lines.append(
                    Line(title, item, "info", "account.hold_position_line", place, control, selected)
                )
            else:
                lines.append(Line(title, item, "info", "account.hold_waiting_line", (), control, selected))
        return tuple(lines)

    @on(A.LOANS, Pressed, to=(A.LOANS, A.WORKING))
    def on_pressed(self, event: Pressed) -> Step[AccountState]:
        c = event.control
        if c == "history":
            patron = self.visit.patron
            assert patron is not None
            return Step(A.WORKING, [self.host.call(BorrowingHistory(patron.patron_id), self)])
        if c == "history_more" and self.history is not None:
            self.history_at += HISTORY_PAGE
            return Step(None, [])
        if c in ("print_history", "unprint_history") and self.history:
            # Printed only when asked for here, and only on this visit's receipt.
            wanted = c == "print_history"
            self.visit.history = self.history if wanted else ()
            self.visit.banner = "account.history_will_print" if wanted else "account.history_wont_print"
            return Step(None, [Log("info", "history on the receipt" if wanted else "history not printed")])
        if c == "loans":
            self.history, self.history_at = None, 0
            self.visit.banner = ""
            return Step(None, [])
        if c.startswith(HOLD):
            item = c[len(HOLD) :]
            if item not in self.cancelled and any(line.detail == item for line in self._holds()):
                self.holds_selected ^= {item}
            return Step(None, [])
        if c.startswith(SELECT):
            item = c[len(SELECT) :]
            if any(loan.item_id == item for loan in self.loans()):
                self.selected ^= {item}
            return Step(None, [])
        patron = self.visit.patron
        assert patron is not None
        if c in ("renew_selected", "renew_all") and not self._may_renew():
            return Step(None, [Log("debug", "renewals are closed for this patron")])
        if c == "cancel_holds":
            self.cancel_queue = [item for item in self.holds_selected if item not in self.cancelled]
            if not self.cancel_queue:
                self.visit.banner = "account.select_holds_first"
                return Step(None, [PlaySound("beep.error")])
            self.visit.banner = ""
            return Step(A.WORKING, self._next_cancel())
        if c == "renew_all":
            self.all_at_once = True
            self.visit.banner = ""
            return Step(A.WORKING, [self.host.call(RenewAll(patron.patron_id), self)])
        if c == "renew_selected":
            self.queue = [loan.item_id for loan in self.loans() if loan.item_id in self.selected]
            if not self.queue:
                self.visit.banner = "account.select_first"
                return Step(None, [PlaySound("beep.error")])
            self.visit.banner = ""
            return Step(A.WORKING, self._next())
        return Step(None, [Log("debug", f"control {c!r} not offered on my loans")])

    def _next_cancel(self) -> list[Effect]:
        patron = self.visit.patron
        assert patron is not None
        item = self.cancel_queue.pop(0)
        self.visit.item_in_flight = item
        return [self.host.call(CancelHold(patron.patron_id, item), self)]

    def _cancelled(self, event: LibraryReplied) -> Step[AccountState]:
        item = self.visit.item_in_flight
        self.holds_selected.discard(item)
        result: HoldResult | None = event.result
        if event.error is None and result is not None and result.ok:
            self.cancelled.add(item)
            self.hold_refusals.pop(item, None)
            # Placed and cancelled in this visit: no longer reserved, so not on the receipt.
            self.withdrawn += [hold for hold in self.visit.requested if hold.item_id == item]
            self.visit.requested = [hold for hold in self.visit.requested if hold.item_id != item]
            effects: list[Effect] = [PlaySound("beep.ok")]
        else:
            error = event.error
            reason = (
                patron_reason(error) if error is not None
                else (result.reason if result is not None and result.reason else "refusal.hold_unknown")
            )  # fmt: skip
            self.hold_refusals[item] = reason
            effects = [PlaySound("beep.error"), Log("info", f"hold cancellation refused: {reason}")]
        if self.cancel_queue:
            return Step(A.WORKING, effects + self._next_cancel())
        return Step(A.LOANS, effects)

    def _next(self) -> list[Effect]:
        patron = self.visit.patron
        assert patron is not None
        item = self.queue.pop(0)
        self.visit.item_in_flight = item
        return [self.host.call(Renew(patron.patron_id, item), self)]

    # ---------------------------------------------------------------- answers

    @on(A.WORKING, LibraryReplied, to=(A.LOANS, A.WORKING))
    def on_answer(self, event: LibraryReplied) -> Step[AccountState]:
        if event.operation == "cancel_hold":
            return self._cancelled(event)
        if event.operation == "borrowing_history":
            if event.failure is not None:
                self.visit.banner = "account.history_unavailable"
                return Step(
                    A.LOANS, [PlaySound("beep.error"), Log("warning", f"history failed: {event.failure}")]
                )
            self.history, self.history_at = tuple(event.result), 0
            self.visit.banner = ""
            return Step(A.LOANS, [])
        effects: list[Effect] = []
        if self.all_at_once:
            self.all_at_once = False
            effects += self._renewed_all(event)
            self.selected.clear()
            return Step(A.LOANS, effects)
        item = self.visit.item_in_flight
        error = event.failure
        if isinstance(error, LibraryUnreachable):
            # Nothing was sent: no line for the book and no more tries; the outage said instead.
            self.visit.banner = "account.library_down"
            self.queue.clear()
            return Step(A.LOANS, [PlaySound("beep.error"), Log("warning", f"renewal not sent: {error}")])
        if error is not None:
            reason = patron_reason(error)
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
            return Step(A.WORKING, effects + self._next())
        return Step(A.LOANS, effects)

    def _renewed_all(self, event: LibraryReplied) -> list[Effect]:
        failure = event.failure
        if failure is not None:
            unsent = isinstance(failure, LibraryUnreachable)
            self.visit.banner = "account.library_down" if unsent else patron_reason(failure)
            return [PlaySound("beep.error"), Log("warning", f"renew all failed: {failure}")]
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

    @on((A.LOANS, A.WORKING), DeviceStatus)
    def on_link(self, event: DeviceStatus) -> list[Effect]:
        """The link went down or came back: said at once, as on the borrow screen."""
        if event.device == "library" and self.visit.banner in ("", "account.library_down"):
            self.visit.banner = "" if event.ok else "account.library_down"
        return []
