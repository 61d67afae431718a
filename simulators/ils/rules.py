"""Circulation rules of the Seoul Metropolitan Library and the Chaekieum network, as pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


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
    EXPIRED = "회원 자격 유효기간이 만료되었습니다"
    BRING_IN = "다른 책이음 도서관 회원입니다. 이 도서관에서 대출하려면 회원 가져오기가 필요합니다"
    OTHER_LIBRARY_ITEM = "다른 도서관 소장 자료입니다"
    NOT_ON_LOAN = "대출 중인 자료가 아닙니다"
    RENEWAL_LIMIT = "연장 횟수를 모두 사용했습니다"
    RENEWAL_RESERVED = "예약이 있어 연장할 수 없습니다"
    RENEWAL_OVERDUE = "연체 중인 자료는 연장할 수 없습니다"
    HOLD_NOT_ALLOWED = "예약할 수 없는 자료입니다"
    HOLD_EXISTS = "이미 예약한 자료입니다"
    HOLD_LIMIT = "예약 가능 권수를 초과했습니다"
    NO_HOLD = "예약 내역이 없습니다"
    # What the library's staff recorded on the account (the patron status flags of SIP2).
    STAFF_BLOCK = "대출이 제한된 회원입니다. 안내데스크에 문의해 주세요"
    LOST_ITEMS = "분실 처리된 자료가 있어 대출할 수 없습니다"
    CLAIMS_RETURNED = "반납 확인이 안 된 자료(반납 주장 자료)가 있어 대출할 수 없습니다"
    BILLED = "변상 청구된 자료가 있어 대출할 수 없습니다"
    RECALL_OVERDUE = "반납 요청된 자료의 반납 기한이 지나 대출할 수 없습니다"
    RENEWAL_DENIED = "연장이 제한된 회원입니다"
    HOLD_DENIED = "예약이 제한된 회원입니다"


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
    # Days a ready hold (and a fetched closed-stack item) waits for its patron.
    hold_collect_days: int = 3
    hold_limit: int = 5
    # PIN length a bring-in accepts.
    pin_min_digits: int = 4
    pin_max_digits: int = 6
    # Wrong birth dates a member may give for the bring-in, at any member library, before the
    # home library stops confirming their identity (the desk then checks an ID).
    bring_in_attempts: int = 5


def load_rules(path: str | Path) -> Rules:
    """Rules from a TOML file's [circulation] table (keys are Rules' fields); anything
    else is an error naming the key, so a typo never silently keeps a default."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    table = data.get("circulation", {})
    unknown = (set(data) - {"circulation"}) | (set(table) - {f.name for f in dataclasses.fields(Rules)})
    if unknown:
        raise ValueError(f"{path}: unknown rule {sorted(unknown)[0]!r}")
    for key, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{path}: rule {key!r} must be a whole number >= 0, got {value!r}")
    return Rules(**table)


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
    expired: bool = False
    # Has joined this library (home library, or bring-in done).
    joined: bool = True
    # Fees other than overdue fines; items declared lost, claimed returned, billed for.
    other_fees: int = 0
    lost_items: int = 0
    claims_returned: int = 0
    billed_items: int = 0
    # Privileges withdrawn: charge, renewal, renewals (none left), hold, recall, bring_in.
    denied: frozenset[str] = frozenset()
    # Recalled loans past their (brought forward) due date.
    recall_overdue: int = 0


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
    if patron.expired:
        blocks.append(Refusal.EXPIRED)
    if not patron.joined:
        blocks.append(Refusal.BRING_IN)
    if "charge" in patron.denied:
        blocks.append(Refusal.STAFF_BLOCK)
    if patron.fees + patron.other_fees > rules.fee_threshold:
        blocks.append(Refusal.FEES)
    if patron.lost_items:
        blocks.append(Refusal.LOST_ITEMS)
    if patron.billed_items:
        blocks.append(Refusal.BILLED)
    if patron.claims_returned:
        blocks.append(Refusal.CLAIMS_RETURNED)
    if patron.recall_overdue:
        blocks.append(Refusal.RECALL_OVERDUE)
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
    rules: Rules, card_id: str, patron: PatronState, item: ItemState, today: dt.date, no_block: bool = False
) -> tuple[Refusal | None, dt.date | None, bool]:
    """(refusal, due date, renewal) for checking `item` out to `card_id`. An item already
    on loan to the same patron is renewed, as Koha does, since SIP2 has no renew-or-borrow
    distinction at a self-check. `no_block`: the patron's blocks do not refuse it."""
    renewing = item.borrower == card_id
    blocking = [
        b for b in patron_blocks(rules, patron, today)
        if not no_block and not (renewing and b in (Refusal.LIMIT, Refusal.CHAEKIEUM_LIMIT))
    ]  # fmt: skip
    if blocking:
        return blocking[0], None, False
    if item.loan_type != "normal":
        return Refusal.NOT_FOR_LOAN, None, False
    if renewing:
        denied = renewal_denied(patron)
        if denied is not None:
            return denied, None, False
        refusal, due = decide_renewal(rules, card_id, item, today)
        return refusal, due, refusal is None
    if item.borrower is not None:
        return Refusal.ALREADY_ON_LOAN, None, False
    if item.hold_for is not None and item.hold_for != card_id and not no_block:
        return Refusal.ON_HOLD, None, False
    return None, today + dt.timedelta(days=loan_days_for(rules, patron)), False


def renewal_denied(patron: PatronState) -> Refusal | None:
    """Why this patron may renew nothing (privileges withdrawn, or none left), or None."""
    if "renewal" in patron.denied:
        return Refusal.RENEWAL_DENIED
    if "renewals" in patron.denied:
        return Refusal.RENEWAL_LIMIT
    return None


def decide_renewal(
    rules: Rules, card_id: str, item: ItemState, today: dt.date
) -> tuple[Refusal | None, dt.date | None]:
    """(refusal, new due date) for renewing the patron's loan: one renewal of 7 days, not
    when the item is reserved by someone else or overdue."""
    if item.borrower != card_id or item.due is None:
        return Refusal.NOT_ON_LOAN, None
    if item.due < today:
        return Refusal.RENEWAL_OVERDUE, None
    if item.hold_for is not None and item.hold_for != card_id:
        return Refusal.RENEWAL_RESERVED, None
    if item.renewals >= rules.max_renewals:
        return Refusal.RENEWAL_LIMIT, None
    return None, item.due + dt.timedelta(days=rules.renewal_days)


def suspension_after_checkin(due: dt.date, today: dt.date, current: dt.date | None) -> dt.date | None:
    """Seoul rule: an item returned late suspends borrowing for as many days as it was late,
    added to any suspension still running."""
    late = (today - due).days
    if late <= 0:
        return current
    start = current if current is not None and current >= today else today
    return start + dt.timedelta(days=late)
