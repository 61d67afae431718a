"""Circulation at one member library, each an atomic change of the store: checkout, checkin,
renewal, holds and closed-stack requests, fee payments and the Chaekieum bring-in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from simulators.ils.rules import (
    ItemState,
    Refusal,
    Rules,
    decide_checkout,
    decide_renewal,
    renewal_denied,
    suspension_after_checkin,
)
from simulators.ils.store import CirculationStore, ItemRecord


@dataclass(frozen=True)
class CheckoutOutcome:
    ok: bool
    refusal: Refusal | None = None
    due: dt.date | None = None
    renewed: bool = False
    item: ItemRecord | None = None


@dataclass(frozen=True)
class CheckinOutcome:
    ok: bool
    item: ItemRecord | None = None
    borrower: str = ""
    late_days: int = 0
    hold_for: str | None = None


@dataclass(frozen=True)
class HoldOutcome:
    ok: bool
    refusal: Refusal | None = None
    item: ItemRecord | None = None
    available: bool = False
    collect_by: dt.date | None = None
    position: int = 0
    pickup: str = ""


def _item_state(store: CirculationStore, item: ItemRecord, today: dt.date) -> ItemState:
    loan = store.loan(item.item_id)
    return ItemState(
        loan_type=item.loan_type,
        borrower=loan.card_id if loan else None,
        hold_for=store.hold_for(item.item_id, today),
        due=loan.due if loan else None,
        renewals=loan.renewals if loan else 0,
    )


@dataclass(frozen=True)
class NoBlock:
    """A transaction the kiosk already carried out offline (SIP2's no-block flag): made on
    `day` (the transaction date), a loan due on `due` (the no-block due date, when given)."""

    day: dt.date
    due: dt.date | None = None


def checkout(store: CirculationStore, library: str, card_id: str, item_id: str, today: dt.date,
             rules: Rules, no_block: NoBlock | None = None) -> CheckoutOutcome:  # fmt: skip
    """Decide and record one checkout (or renewal of the patron's own loan) atomically. With
    `no_block` the patron's blocks do not refuse it (the book left with the patron already)
    and the loan dates from when it was made; a book on loan to another patron, or not for
    loan, is still refused (for staff to sort out)."""
    with store.transaction():
        patron = store.patron(card_id)
        if patron is None:
            return CheckoutOutcome(False, Refusal.PATRON_UNKNOWN)
        item = store.item(item_id)
        if item is None:
            return CheckoutOutcome(False, Refusal.ITEM_UNKNOWN)
        if item.home_library != library:
            return CheckoutOutcome(False, Refusal.OTHER_LIBRARY_ITEM, item=item)
        state = _item_state(store, item, today)
        patron_state = store.patron_state(patron, today, library)
        if no_block is not None and state.borrower is None:
            today = no_block.day
            refusal, due, renewed = decide_checkout(rules, card_id, patron_state, state, today, no_block=True)
            due = no_block.due or due
        else:
            refusal, due, renewed = decide_checkout(rules, card_id, patron_state, state, today)
        if refusal is not None or due is None:
            return CheckoutOutcome(False, refusal, item=item)
        if renewed:
            store.db.execute(
                "UPDATE loans SET due=?, renewals=renewals+1 WHERE item_id=?", (due.isoformat(), item_id)
            )
        else:
            store.db.execute(
                "INSERT INTO loans (item_id, card_id, checked_out, due, renewals, library) "
                "VALUES (?,?,?,?,0,?)",
                (item_id, card_id, today.isoformat(), due.isoformat(), library),
            )
            store.db.execute("DELETE FROM holds WHERE item_id=? AND card_id=?", (item_id, card_id))
            store.add_history(card_id, library, item_id, item.title, today, None)
        return CheckoutOutcome(True, None, due, renewed, item)


def checkin(store: CirculationStore, item_id: str, today: dt.date, rules: Rules,
            no_block: NoBlock | None = None) -> CheckinOutcome:  # fmt: skip
    """Record a return; a late return suspends the borrower (Seoul rule); the first hold in
    the queue becomes ready, to be collected within the rules' days. With `no_block` the
    book came back when the kiosk took it offline: lateness counts to that day."""
    if no_block is not None:
        today = min(today, no_block.day)
    with store.transaction():
        item = store.item(item_id)
        loan = store.loan(item_id)
        if item is None or loan is None:
            return CheckinOutcome(False, item)
        store.db.execute("DELETE FROM loans WHERE item_id=?", (item_id,))
        store.db.execute(
            "UPDATE history SET returned=? WHERE item_id=? AND card_id=? AND returned IS NULL",
            (today.isoformat(), item_id, loan.card_id),
        )
        late = max(0, (today - loan.due).days)
        if late:
            patron = store.patron(loan.card_id)
            current = patron.suspended_until if patron else None
            until = suspension_after_checkin(loan.due, today, current)
            store.db.execute(
                "UPDATE patrons SET suspended_until=? WHERE card_id=?",
                (until.isoformat() if until else None, loan.card_id),
            )
        queue = store.holds_on(item_id, today)
        if queue:
            expires = today + dt.timedelta(days=rules.hold_collect_days)
            store.db.execute(
                "UPDATE holds SET ready_on=?, expires=? WHERE item_id=? AND card_id=?",
                (today.isoformat(), expires.isoformat(), item_id, queue[0].card_id),
            )
        return CheckinOutcome(True, item, loan.card_id, late, queue[0].card_id if queue else None)


def renew(store: CirculationStore, card_id: str, item_id: str, today: dt.date,
          rules: Rules) -> CheckoutOutcome:  # fmt: skip
    with store.transaction():
        item = store.item(item_id)
        if item is None:
            return CheckoutOutcome(False, Refusal.ITEM_UNKNOWN)
        patron = store.patron(card_id)
        if patron is None:
            return CheckoutOutcome(False, Refusal.PATRON_UNKNOWN, item=item)
        state = store.patron_state(patron, today)
        # Renewing needs a card in order; a suspension for overdues blocks it too.
        if not state.card_ok or state.expired:
            return CheckoutOutcome(
                False, Refusal.CARD_INVALID if not state.card_ok else Refusal.EXPIRED, item=item
            )
        denied = renewal_denied(state)
        if denied is not None:
            return CheckoutOutcome(False, denied, item=item)
        refusal, due = decide_renewal(rules, card_id, _item_state(store, item, today), today)
        if refusal is not None or due is None:
            return CheckoutOutcome(False, refusal, item=item)
        store.db.execute(
            "UPDATE loans SET due=?, renewals=renewals+1 WHERE item_id=?", (due.isoformat(), item_id)
        )
        return CheckoutOutcome(True, None, due, True, item)


def place_hold(store: CirculationStore, library: str, card_id: str, item_id: str, today: dt.date,
               rules: Rules, pickup: str = "") -> HoldOutcome:  # fmt: skip
    """A hold on a loaned item joins its queue; a closed-stack (preservation library) item is
    fetched for the patron: ready now, to be collected within the rules' days."""
    with store.transaction():
        item = store.item(item_id)
        if item is None:
            return HoldOutcome(False, Refusal.ITEM_UNKNOWN)
        patron = store.patron(card_id)
        if patron is None:
            return HoldOutcome(False, Refusal.PATRON_UNKNOWN, item)
        state = store.patron_state(patron, today, library)
        if not state.card_ok or state.expired or not state.joined:
            refusal = (
                Refusal.CARD_INVALID
                if not state.card_ok
                else (Refusal.EXPIRED if state.expired else Refusal.BRING_IN)
            )
            return HoldOutcome(False, refusal, item)
        if "hold" in state.denied:
            return HoldOutcome(False, Refusal.HOLD_DENIED, item)
        if item.loan_type == "reference" or item.home_library != library:
            return HoldOutcome(False, Refusal.HOLD_NOT_ALLOWED, item)
        mine = store.holds_of(card_id, today)
        if any(h.item_id == item_id for h in mine):
            return HoldOutcome(False, Refusal.HOLD_EXISTS, item)
        if len(mine) >= rules.hold_limit:
            return HoldOutcome(False, Refusal.HOLD_LIMIT, item)
        loan = store.loan(item_id)
        if loan is not None and loan.card_id == card_id:
            return HoldOutcome(False, Refusal.ALREADY_ON_LOAN, item)
        queue = store.holds_on(item_id, today)
        ready = item.loan_type == "closed_stack" and not queue and loan is None
        if loan is None and not queue and item.loan_type == "normal":
            return HoldOutcome(False, Refusal.HOLD_NOT_ALLOWED, item)  # on the shelf: borrow it
        collect_by = today + dt.timedelta(days=rules.hold_collect_days) if ready else None
        pickup = pickup or (f"{item.location} 신청도서 서가" if ready else "")
        store.add_hold(item_id, card_id, today, today if ready else None, collect_by, pickup)
        return HoldOutcome(True, None, item, ready, collect_by, len(queue) + 1, pickup)


def cancel_hold(store: CirculationStore, card_id: str, item_id: str) -> HoldOutcome:
    with store.transaction():
        item = store.item(item_id)
        gone = store.db.execute(
            "DELETE FROM holds WHERE item_id=? AND card_id=?", (item_id, card_id)
        ).rowcount
        return HoldOutcome(bool(gone), None if gone else Refusal.NO_HOLD, item)


def pay_fee(store: CirculationStore, card_id: str, amount: int, transaction_id: str, today: dt.date) -> bool:
    """Record a payment once per transaction id: a repeated one gets the first one's answer."""
    with store.transaction():
        row = store.db.execute(
            "SELECT accepted FROM payments WHERE transaction_id=?", (transaction_id,)
        ).fetchone()
        if row is not None:
            return bool(row[0])
        patron = store.patron(card_id)
        accepted = patron is not None and 0 < amount <= patron.fees
        if accepted:
            store.db.execute("UPDATE patrons SET fees=fees-? WHERE card_id=?", (amount, card_id))
        store.db.execute(
            "INSERT INTO payments VALUES (?,?,?,?,?)",
            (transaction_id, card_id, amount, today.isoformat(), int(accepted)),
        )
        return accepted


def bring_in(store: CirculationStore, library: str, card_id: str, birth_date: str, pin: str, today: dt.date,
             rules: Rules) -> str:  # fmt: skip
    """The Chaekieum bring-in: "" when done, else a refusal code the kiosk turns into a
    message: not_member, already, home_refused (the home library does not let the membership
    be brought in), locked (too many wrong birth dates for this member, at any member
    library: the home library confirms no more), identity (a wrong birth date, counted), pin."""
    with store.transaction():
        patron = store.patron(card_id)
        if patron is None or not patron.card_ok:
            return "not_member"
        if store.membership_pin(card_id, library) is not None:
            return "already"
        if "bring_in" in patron.denied.split(","):
            return "home_refused"
        if store.birth_failures(card_id) >= rules.bring_in_attempts:
            return "locked"
        if patron.birth_date is None or patron.birth_date.strftime("%Y%m%d") != birth_date:
            store.db.execute("UPDATE patrons SET birth_failures=birth_failures+1 WHERE card_id=?", (card_id,))
            return "identity"
        if not (pin.isdigit() and rules.pin_min_digits <= len(pin) <= rules.pin_max_digits):
            return "pin"
        store.add_membership(card_id, library, pin, today)
        store.db.execute("UPDATE patrons SET birth_failures=0 WHERE card_id=?", (card_id,))
        return ""
