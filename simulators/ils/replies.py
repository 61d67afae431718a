"""The simulated library's answers to each SIP2 request, built from the circulation store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.ils.sip2.codec import Message, parse_date, sip_datetime, truncate_bytes
from kiosk.ils.sip2.layout import bx_field, patron_status
from simulators.ils import circulation
from simulators.ils.rules import PatronState, Refusal, Rules, limit_for, patron_blocks
from simulators.ils.seed import MEMBER_LIBRARIES
from simulators.ils.store import CirculationStore, ItemRecord, PatronRecord

# Messages this server supports (the 98 reply's BX field).
SUPPORTED = frozenset({"23", "11", "09", "99", "97", "93", "63", "35", "37", "17", "25", "15", "29", "65"})
MEDIA_BOOK = "001"
# Chaekieum extension fields (the kiosk's kiosk.ils.answers reads them; docs/sip2.md).
X_NETWORK_LOANS, X_NETWORK_LIMIT, X_BRING_IN, X_HOLD_DETAIL = "XN", "XM", "XB", "XR"
# A waiting hold's place in the queue and whether it is in transit: "item^position^T|W".
X_HOLD_QUEUE = "XP"
X_HISTORY, X_BIRTH_DATE, X_EXTENSIONS, X_LATE_DAYS, X_REFUSAL = "XH", "XD", "XC", "XL", "XE"
X_SUSPENDED_UNTIL = "XU"
# Counts the 64 fixed fields lack, repeated "kind^count": lost (items declared lost) and
# claims (items the patron claims were returned), told with their status flags.
X_ITEM_COUNTS = "XK"
PATRON_EXPIRES = "PA"


@dataclass(frozen=True)
class Context:
    store: CirculationStore
    rules: Rules
    institution: str
    library_name: str
    location: str
    now: dt.datetime
    encoding: str = "utf-8"
    # The 98 reply's timeout period, tenths of a second (the kiosk's heartbeat interval).
    timeout_period: str = "300"
    # The 98 reply's first flags: on-line, checkin ok, checkout ok (a library that stops
    # lending or taking returns for a while says so here).
    serving: str = "YYY"

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def stamp(self) -> str:
        return sip_datetime(self.now)


def _due_field(due: dt.date) -> str:
    # Koha's form: date, blank time zone, end of the library day.
    return due.strftime("%Y%m%d") + "    235959"


def _count(n: int) -> str:
    return f"{min(n, 9999):04d}"


def _title(ctx: Context, item: ItemRecord | None) -> str:
    # The 255 limit counts bytes: a Hangul title is cut at about 85 characters in UTF-8.
    return truncate_bytes(item.title, ctx.encoding) if item else ""


def status(ctx: Context, request: Message) -> Message:
    fixed = ctx.serving + "YNN" + ctx.timeout_period + "003" + ctx.stamp + "2.00"
    fields = (("AO", ctx.institution), ("AM", ctx.library_name), ("BX", bx_field(SUPPORTED)),
              ("AN", ctx.location), (X_EXTENSIONS, "bring_in,history"))  # fmt: skip
    return Message("98", fixed, fields)


def _unknown_patron(ctx: Context, code: str, card_id: str, extra_fixed: str) -> Message:
    fixed = patron_status(charge_denied=True, renewal_denied=True, recall_denied=True,
                          hold_denied=True) + "000" + ctx.stamp + extra_fixed  # fmt: skip
    fields = (("AO", ctx.institution), ("AA", card_id), ("AE", ""), ("BL", "N"),
              ("AF", Refusal.PATRON_UNKNOWN.value))  # fmt: skip
    return Message(code, fixed, fields)


def _patron_flags(blocks: list[Refusal], state: PatronState, rules: Rules) -> str:
    charged = {Refusal.LIMIT, Refusal.CHAEKIEUM_LIMIT} & set(blocks)
    return patron_status(
        charge_denied=bool(blocks),
        # What renewing refuses for the whole card (circulation.renew): a card not in order, or
        # renewals withdrawn; fees and suspensions stop borrowing, not renewing.
        renewal_denied=bool({Refusal.CARD_INVALID, Refusal.EXPIRED} & set(blocks))
        or "renewal" in state.denied,
        recall_denied="recall" in state.denied,
        hold_denied=not state.card_ok or "hold" in state.denied,
        card_lost=not state.card_ok,
        too_many_charged=bool(charged),
        # "Too many items overdue" is how SIP2 says "suspended for overdues".
        too_many_overdue=Refusal.SUSPENDED in blocks,
        too_many_renewals="renewals" in state.denied,
        too_many_claims_returned=state.claims_returned > 0,
        too_many_lost=state.lost_items > 0,
        excessive_fines=state.fees > rules.fee_threshold,
        excessive_fees=state.other_fees > rules.fee_threshold,
        recall_overdue=state.recall_overdue > 0,
        too_many_billed=state.billed_items > 0,
    )


def _patron_fields(ctx: Context, request: Message, patron: PatronRecord,
                   blocks: list[Refusal]) -> list[tuple[str, str]]:  # fmt: skip
    state = ctx.store.patron_state(patron, ctx.today, ctx.institution)
    fields: list[tuple[str, str]] = [("AO", ctx.institution), ("AA", patron.card_id), ("AE", patron.name)]
    if request.code == "63":
        fields += [("BZ", _count(ctx.rules.hold_limit)), ("CA", _count(0)),
                   ("CB", _count(limit_for(ctx.rules, state)))]  # fmt: skip
    fields.append(("BL", "Y"))
    if request.has("AD"):
        pin = ctx.store.membership_pin(patron.card_id, ctx.institution)
        fields.append(("CQ", "Y" if request.get("AD") == pin else "N"))
    fields += [("BH", "KRW"), ("BV", str(patron.fees + patron.other_fees))]
    if request.code == "63":
        fields += [("CC", str(ctx.rules.fee_threshold)), ("AQ", patron.home_library)]
        if patron.expires:
            fields.append((PATRON_EXPIRES, patron.expires.strftime("%Y%m%d")))
        fields += [(X_NETWORK_LOANS, str(state.loans_here + state.loans_elsewhere)),
                   (X_NETWORK_LIMIT, str(ctx.rules.chaekieum_limit)),
                   (X_BRING_IN, "N" if state.joined else "Y")]  # fmt: skip
        counts = (("lost", state.lost_items), ("claims", state.claims_returned))
        fields += [(X_ITEM_COUNTS, f"{kind}^{count}") for kind, count in counts if count]
    for refusal in blocks:
        fields.append(("AF", refusal.value))
    if Refusal.STAFF_BLOCK in blocks and patron.note:
        fields.append(("AF", patron.note))
    if Refusal.SUSPENDED in blocks and patron.suspended_until:
        fields.append(("AF", f"대출 정지 기간: {patron.suspended_until.isoformat()}까지"))
        fields.append((X_SUSPENDED_UNTIL, patron.suspended_until.strftime("%Y%m%d")))
    return fields


def patron_status_reply(ctx: Context, request: Message) -> Message:
    """23 -> 24: the patron's status flags without item lists."""
    card_id = request.get("AA")
    patron = ctx.store.patron(card_id)
    if patron is None:
        return _unknown_patron(ctx, "24", card_id, "")
    state = ctx.store.patron_state(patron, ctx.today, ctx.institution)
    blocks = patron_blocks(ctx.rules, state, ctx.today)
    fixed = _patron_flags(blocks, state, ctx.rules) + "000" + ctx.stamp
    return Message("24", fixed, tuple(_patron_fields(ctx, request, patron, blocks)))


def patron_information(ctx: Context, request: Message) -> Message:
    card_id = request.get("AA")
    patron = ctx.store.patron(card_id)
    if patron is None:
        return _unknown_patron(ctx, "64", card_id, _count(0) * 6)
    state = ctx.store.patron_state(patron, ctx.today, ctx.institution)
    blocks = patron_blocks(ctx.rules, state, ctx.today)
    loans = ctx.store.loans_of(card_id, ctx.institution)
    overdue = [loan.item_id for loan in loans if loan.due < ctx.today]
    holds = ctx.store.holds_of(card_id, ctx.today)
    ready = [h for h in holds if h.ready_on is not None]
    waiting = [h for h in holds if h.ready_on is None]
    recalled = [loan.item_id for loan in loans if loan.recalled]
    # Fine items: the items billed for, and the overdue fines and other fees as one each.
    fined = state.billed_items + (1 if patron.fees else 0) + (1 if patron.other_fees else 0)
    fixed = (
        _patron_flags(blocks, state, ctx.rules) + "000" + ctx.stamp + _count(len(ready))
        + _count(len(overdue)) + _count(len(loans)) + _count(fined) + _count(len(recalled))
        + _count(len(waiting))
    )  # fmt: skip
    fields = _patron_fields(ctx, request, patron, blocks)
    # Real servers honour one list per request; this one honours every one asked for.
    wanted = request.fixed[21:31] if len(request.fixed) >= 31 else ""
    start, end = _range(request)
    if wanted[0:1] == "Y":
        fields += [("AS", h.item_id) for h in ready[start:end]]
        fields += [
            (X_HOLD_DETAIL, f"{h.item_id}^{h.expires.strftime('%Y%m%d') if h.expires else ''}^{h.pickup}")
            for h in ready[start:end]
        ]
    if wanted[1:2] == "Y":
        fields += [("AT", i) for i in overdue[start:end]]
    if wanted[2:3] == "Y":
        fields += [("AU", loan.item_id) for loan in loans[start:end]]
    if wanted[3:4] == "Y" and patron.fees:
        fields.append(("AV", f"연체료 {patron.fees}원"))
    if wanted[3:4] == "Y" and patron.other_fees:
        fields.append(("AV", f"변상·기타 요금 {patron.other_fees}원"))
    if wanted[4:5] == "Y":
        fields += [("BU", item_id) for item_id in recalled[start:end]]
    if wanted[5:6] == "Y":
        fields += [("CD", h.item_id) for h in waiting[start:end]]
        # Where each waiting hold stands: its place in the queue, or on its way here.
        fields += [
            (X_HOLD_QUEUE, f"{h.item_id}^{ctx.store.hold_position(h.item_id, card_id, ctx.today)}^"
                           f"{'T' if h.in_transit else 'W'}")
            for h in waiting[start:end]
        ]  # fmt: skip
    if request.get(X_HISTORY) == "Y":
        fields += [(X_HISTORY, _history_entry(ctx, entry)) for entry in ctx.store.history_of(card_id)]
    return Message("64", fixed, tuple(fields))


def _history_entry(ctx: Context, entry: tuple[str, str, str, dt.date, dt.date | None]) -> str:
    library, item_id, title, out, returned = entry
    back = returned.strftime("%Y%m%d") if returned else ""
    return f"{library}^{item_id}^{out.strftime('%Y%m%d')}^{back}^" + truncate_bytes(title, ctx.encoding, 200)


def _range(request: Message) -> tuple[int, int]:
    """BP/BQ (1-based, inclusive) as a slice; all items when absent or unreadable."""
    try:
        start = max(1, int(request.get("BP") or 1))
        end = int(request.get("BQ") or 9999)
    except ValueError:
        return 0, 9999
    return start - 1, end


def no_block(request: Message, due_at: int | None) -> circulation.NoBlock | None:
    """A checkout's (11) or return's (09) no-block flag with its transaction date (and the
    no-block due date at `due_at`), as the kiosk sends what it did offline; None otherwise."""
    if request.flag(1 if due_at else 0) != "Y":
        return None
    start = 2 if due_at else 1
    day = parse_date(request.fixed[start : start + 18])
    if day is None:
        return None
    return circulation.NoBlock(day, parse_date(request.fixed[due_at : due_at + 18]) if due_at else None)


def checkout(ctx: Context, request: Message) -> Message:
    card_id, item_id = request.get("AA"), request.get("AB")
    outcome = circulation.checkout(ctx.store, ctx.institution, card_id, item_id, ctx.today, ctx.rules,
                                   no_block(request, due_at=20))  # fmt: skip
    ok = outcome.ok and outcome.due is not None
    fixed = ("1" if ok else "0") + ("Y" if outcome.renewed else "N") + "N" + ("Y" if ok else "N") + ctx.stamp
    if outcome.renewed:
        screen = "대출 기한이 연장되었습니다"
    elif ok:
        screen = "대출되었습니다"
    else:
        screen = (outcome.refusal or Refusal.NO_RENEWAL).value
    fields = [("AO", ctx.institution), ("AA", card_id), ("AB", item_id),
              ("AJ", _title(ctx, outcome.item)),
              ("AH", _due_field(outcome.due) if ok and outcome.due else ""),
              ("CK", MEDIA_BOOK), ("AF", screen)]  # fmt: skip
    return Message("12", fixed, tuple(fields))


def checkin(ctx: Context, request: Message) -> Message:
    item_id = request.get("AB")
    outcome = circulation.checkin(ctx.store, item_id, ctx.today, ctx.rules, no_block(request, due_at=None))
    alert = outcome.hold_for is not None or outcome.late_days > 0
    fixed = ("1" if outcome.ok else "0") + "YN" + ("Y" if alert else "N") + ctx.stamp
    fields = [("AO", ctx.institution), ("AB", item_id)]
    if outcome.item:
        fields += [("AQ", outcome.item.location), ("AJ", _title(ctx, outcome.item))]
    if outcome.borrower:
        fields.append(("AA", outcome.borrower))
    if outcome.hold_for is not None:
        fields += [("CV", "02"), ("CL", "HOLD")]  # hold for another patron at this library
    elif outcome.ok and outcome.item is not None and outcome.item.home_library != ctx.institution:
        # A member library's book returned here (Chaekieum returns anywhere): it travels home.
        home = MEMBER_LIBRARIES.get(outcome.item.home_library, outcome.item.home_library)
        fields += [("CV", "04"), ("CT", home), ("CL", "TRANSIT")]
    if outcome.late_days:
        fields.append((X_LATE_DAYS, str(outcome.late_days)))
    fields.append(("CK", MEDIA_BOOK))
    if not outcome.ok:
        screen = "등록되지 않은 자료입니다" if outcome.item is None else "대출 중인 자료가 아닙니다"
    elif outcome.late_days:
        screen = f"{outcome.late_days}일 늦게 반납되어 그만큼 대출이 정지됩니다"
    else:
        screen = "반납되었습니다"
    fields.append(("AF", screen))
    return Message("10", fixed, tuple(fields))


def item_information(ctx: Context, request: Message) -> Message:
    item_id = request.get("AB")
    item = ctx.store.item(item_id)
    if item is None:
        return Message(
            "18",
            "01" + "01" + "01" + ctx.stamp,
            (("AB", item_id), ("AJ", ""), ("AF", Refusal.ITEM_UNKNOWN.value)),
        )
    loan = ctx.store.loan(item_id)
    holds = ctx.store.holds_on(item_id, ctx.today)
    queue = len(holds)
    if loan is not None:
        status_code = "04"  # charged
    elif any(h.ready_on is not None for h in holds):
        status_code = "08"  # waiting on hold shelf
    else:
        status_code = "03"  # available
    fields = [("CF", _count(queue)), ("AB", item_id), ("AJ", _title(ctx, item))]
    if loan is not None:
        fields.append(("AH", _due_field(loan.due)))
    isbn = f"{item.isbn} {item.add_on}".strip()
    fields += [("BG", item.home_library), ("AQ", item.location), ("AP", item.location),
               ("CK", MEDIA_BOOK), ("CH", f"ISBN {isbn}")]  # fmt: skip
    if item.loan_type != "normal":
        fields.append(("AF", Refusal.NOT_FOR_LOAN.value))
    return Message("18", status_code + "02" + "01" + ctx.stamp, tuple(fields))


def end_session(ctx: Context, request: Message) -> Message:
    return Message("36", "Y" + ctx.stamp, (("AO", ctx.institution), ("AA", request.get("AA"))))
