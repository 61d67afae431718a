"""The simulated library's answers to renewals (29, 65), holds (15), fees (37), blocking a
card (01) and the Chaekieum bring-in (25 with extension fields)."""

from __future__ import annotations

from kiosk.ils.sip2.codec import Message
from kiosk.ils.sip2.layout import patron_status
from simulators.ils import circulation
from simulators.ils.replies import (
    X_BIRTH_DATE,
    X_BRING_IN,
    X_REFUSAL,
    Context,
    _count,
    _due_field,
    _title,
    patron_status_reply,
)
from simulators.ils.rules import Refusal

_BRING_IN_TEXTS = {
    "": "책이음 회원 가져오기가 완료되었습니다",
    "already": "이미 이 도서관 회원입니다",
    "identity": "본인 확인에 실패했습니다",
    "pin": "사용할 수 없는 비밀번호입니다",
    "not_member": "책이음 회원이 아닙니다",
    "home_refused": "소속 도서관에서 회원 가져오기를 허용하지 않는 회원입니다",
    "locked": "생년월일을 여러 번 잘못 입력해 본인 확인을 할 수 없습니다. 신분증을 가지고 데스크로 와 주세요",
}


def renew(ctx: Context, request: Message) -> Message:
    card_id, item_id = request.get("AA"), request.get("AB")
    outcome = circulation.renew(ctx.store, card_id, item_id, ctx.today, ctx.rules)
    ok = outcome.ok and outcome.due is not None
    fixed = ("1" if ok else "0") + ("Y" if ok else "N") + "N" + ("Y" if ok else "N") + ctx.stamp
    fields = [("AO", ctx.institution), ("AA", card_id), ("AB", item_id), ("AJ", _title(ctx, outcome.item)),
              ("AH", _due_field(outcome.due) if ok and outcome.due else ""), ("CK", "001")]  # fmt: skip
    screen = "대출 기한이 연장되었습니다" if ok else (outcome.refusal or Refusal.NO_RENEWAL).value
    fields.append(("AF", screen))
    if ok and outcome.due:
        fields.append(("AG", f"연장: {_title(ctx, outcome.item)} ~{outcome.due.isoformat()}"))
    return Message("30", fixed, tuple(fields))


def renew_all(ctx: Context, request: Message) -> Message:
    card_id = request.get("AA")
    if ctx.store.patron(card_id) is None:
        unknown = (("AO", ctx.institution), ("AF", Refusal.PATRON_UNKNOWN.value))
        return Message("66", "0" + _count(0) + _count(0) + ctx.stamp, unknown)
    renewed: list[str] = []
    refused: list[str] = []
    for loan in ctx.store.loans_of(card_id, ctx.institution):
        outcome = circulation.renew(ctx.store, card_id, loan.item_id, ctx.today, ctx.rules)
        (renewed if outcome.ok else refused).append(loan.item_id)
    fixed = "1" + _count(len(renewed)) + _count(len(refused)) + ctx.stamp
    fields: list[tuple[str, str]] = [("AO", ctx.institution)]
    fields += [("BM", item_id) for item_id in renewed] + [("BN", item_id) for item_id in refused]
    fields.append(("AF", f"{len(renewed)}권 연장, {len(refused)}권 연장 불가"))
    return Message("66", fixed, tuple(fields))


def hold(ctx: Context, request: Message) -> Message:
    card_id, item_id = request.get("AA"), request.get("AB")
    mode = request.fixed[:1]
    if mode == "-":
        outcome = circulation.cancel_hold(ctx.store, card_id, item_id)
        screen = "예약이 취소되었습니다" if outcome.ok else (outcome.refusal or Refusal.NO_HOLD).value
    elif mode in ("+", "*"):
        outcome = circulation.place_hold(ctx.store, ctx.institution, card_id, item_id, ctx.today, ctx.rules,
                                         request.get("BS"))  # fmt: skip
        if not outcome.ok:
            screen = (outcome.refusal or Refusal.HOLD_NOT_ALLOWED).value
        elif outcome.available and outcome.collect_by:
            screen = f"보존서고 자료 신청이 접수되었습니다. {outcome.collect_by.isoformat()}까지 찾아가세요"
        else:
            screen = f"예약되었습니다. 대기 순번 {outcome.position}"
    else:
        outcome = circulation.HoldOutcome(False, Refusal.HOLD_NOT_ALLOWED)
        screen = "알 수 없는 예약 방식입니다"
    fixed = ("1" if outcome.ok else "0") + ("Y" if outcome.available else "N") + ctx.stamp
    fields = [("AO", ctx.institution)]
    if outcome.collect_by:
        fields.append(("BW", _due_field(outcome.collect_by)))
    if outcome.position:
        fields.append(("BR", str(outcome.position)))
    if outcome.pickup:
        fields.append(("BS", outcome.pickup))
    fields += [("AA", card_id), ("AB", item_id), ("AJ", _title(ctx, outcome.item)), ("AF", screen)]
    return Message("16", fixed, tuple(fields))


def fee_paid(ctx: Context, request: Message) -> Message:
    card_id, transaction_id = request.get("AA"), request.get("BK")
    try:
        amount = int(float(request.get("BV") or "0"))
    except ValueError:
        amount = 0
    accepted = bool(transaction_id) and circulation.pay_fee(
        ctx.store, card_id, amount, transaction_id, ctx.today
    )
    fields = [("AO", ctx.institution), ("AA", card_id), ("BK", transaction_id)]
    fields.append(("AF", f"{amount}원이 결제되었습니다" if accepted else "결제를 처리할 수 없습니다"))
    if accepted:
        fields.append(("AG", f"연체료 납부 {amount}원 (거래번호 {transaction_id})"))
    return Message("38", ("Y" if accepted else "N") + ctx.stamp, tuple(fields))


def block_patron(ctx: Context, request: Message) -> Message:
    """01: the self-check reports a card to block (retained or misused): it stops working."""
    with ctx.store.transaction():
        ctx.store.db.execute("UPDATE patrons SET card_ok=0 WHERE card_id=?", (request.get("AA"),))
    status = Message("23", "000" + ctx.stamp, (("AO", ctx.institution), ("AA", request.get("AA"))))
    return patron_status_reply(ctx, status)


def patron_enable(ctx: Context, request: Message) -> Message:
    """25 -> 26. With a birth date (XD) and a new PIN (AD) it is the Chaekieum bring-in of a
    member of another library; without them it re-enables nothing and reports the status."""
    card_id = request.get("AA")
    code = "not_member"
    if request.has(X_BIRTH_DATE):
        code = circulation.bring_in(ctx.store, ctx.institution, card_id, request.get(X_BIRTH_DATE),
                                    request.get("AD"), ctx.today, ctx.rules)  # fmt: skip
    patron = ctx.store.patron(card_id)
    joined = ctx.store.membership_pin(card_id, ctx.institution) is not None
    fixed = patron_status(charge_denied=not joined) + "000" + ctx.stamp
    fields = [("AO", ctx.institution), ("AA", card_id), ("AE", patron.name if patron else ""),
              ("BL", "Y" if patron else "N"), (X_BRING_IN, "N" if joined else "Y")]  # fmt: skip
    if code:
        fields.append((X_REFUSAL, code))
    fields.append(("AF", _BRING_IN_TEXTS.get(code, code)))
    return Message("26", fixed, tuple(fields))
