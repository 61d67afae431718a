"""Circulation rules of the Seoul Metropolitan Library and the Chaekieum network, as pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Refusal(StrEnum):
    """Why a checkout is refused; the value is the screen message (AF) the server sends."""

    PATRON_UNKNOWN = "등록되지 않은 회원입니다"
    CARD_INVALID = "분실 신고되었거나 사용할 수 없는 회원증입니다"
    FEES = "미납 연체료가 있어 대출할 수 없습니다"
    SUSPENDED = "연체 반납으로 대출이 정지되었습니다"
    ITEM_UNKNOWN = "등록되지 않은 자료입니다"
    NOT_FOR_LOAN = "관외 대출 불가 자료입니다"
    ON_HOLD = "다른 회원이 예약한 자료입니다"
    ALREADY_ON_LOAN = "이미 대출 중인 자료입니다"
    LIMIT = "대출 가능 권수를 초과했습니다"
    CHAEKIEUM_LIMIT = "책이음 대출 가능 권수를 초과했습니다"
    NO_RENEWAL = "연장할 수 없는 자료입니다"


@dataclass(frozen=True)
class Rules:
    """The numbers a library configures. Defaults: Seoul Metropolitan Library, 2026."""

    loan_limit: int = 7
    loan_days: int = 15
    disabled_loan_limit: int = 10
    disabled_loan_days: int = 30
    renewal_days: int = 7
    max_renewals: int = 1
    # Fees above this many won block borrowing: 0 means any unpaid fee blocks.
    fee_threshold: int = 0
    chaekieum_limit: int = 20


@dataclass(frozen=True)
class PatronState:
    """What the rules need to know about a patron."""

    card_ok: bool
    fees: int
    suspended_until: dt.date | None
    disabled: bool
    loans_here: int
    loans_elsewhere: int
    overdue: int = 0


@dataclass(frozen=True)
class ItemState:
    """What the rules need to know about an item."""

    loan_type: str  # "normal", "reference", "closed_stack"
    borrower: str | None
    hold_for: str | None
    due: dt.date | None = None
    renewals: int = 0


def patron_blocks(rules: Rules, patron: PatronState, today: dt.date) -> list[Refusal]:
    """Every reason this patron may not borrow today, most serious first."""
    blocks: list[Refusal] = []
    if not patron.card_ok:
        blocks.append(Refusal.CARD_INVALID)
    if patron.fees > rules.fee_threshold:
        blocks.append(Refusal.FEES)
    if patron.suspended_until is not None and patron.suspended_until >= today:
        blocks.append(Refusal.SUSPENDED)
    if patron.overdue:
        blocks.append(Refusal.SUSPENDED)
    if patron.loans_here >= limit_for(rules, patron):
        blocks.append(Refusal.LIMIT)
    if patron.loans_here + patron.loans_elsewhere >= rules.chaekieum_limit:
        blocks.append(Refusal.CHAEKIEUM_LIMIT)
    return list(dict.fromkeys(blocks))


def limit_for(rules: Rules, patron: PatronState) -> int:
    return rules.disabled_loan_limit if patron.disabled else rules.loan_limit


def loan_days_for(rules: Rules, patron: PatronState) -> int:
    return rules.disabled_loan_days if patron.disabled else rules.loan_days


def decide_checkout(
    rules: Rules, card_id: str, patron: PatronState, item: ItemState, today: dt.date
) -> tuple[Refusal | None, dt.date | None, bool]:
    """(refusal, due date, renewal) for checking `item` out to `card_id`. An item already
    on loan to the same patron is renewed, as Koha does, since SIP2 has no renew-or-borrow
    distinction at a self-check."""
    renewing = item.borrower == card_id
    blocking = [
        b for b in patron_blocks(rules, patron, today)
        if not (renewing and b in (Refusal.LIMIT, Refusal.CHAEKIEUM_LIMIT))
    ]  # fmt: skip
    if blocking:
        return blocking[0], None, False
    if item.loan_type != "normal":
        return Refusal.NOT_FOR_LOAN, None, False
    if renewing:
        overdue = item.due is not None and item.due < today
        held = item.hold_for is not None and item.hold_for != card_id
        if overdue or held or item.renewals >= rules.max_renewals or item.due is None:
            return Refusal.NO_RENEWAL, None, False
        return None, item.due + dt.timedelta(days=rules.renewal_days), True
    if item.borrower is not None:
        return Refusal.ALREADY_ON_LOAN, None, False
    if item.hold_for is not None and item.hold_for != card_id:
        return Refusal.ON_HOLD, None, False
    return None, today + dt.timedelta(days=loan_days_for(rules, patron)), False


def suspension_after_checkin(due: dt.date, today: dt.date, current: dt.date | None) -> dt.date | None:
    """Seoul rule: an item returned late suspends borrowing for as many days as it was late,
    added to any suspension still running."""
    late = (today - due).days
    if late <= 0:
        return current
    start = current if current is not None and current >= today else today
    return start + dt.timedelta(days=late)
