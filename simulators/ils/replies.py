"""The simulated library's answers to each SIP2 request, built from the circulation store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.ils.sip2.codec import Message, sip_datetime, truncate_bytes
from simulators.ils.rules import Refusal, Rules, limit_for, patron_blocks
from simulators.ils.store import CirculationStore, ItemRecord

# Messages this server supports, in the order of the 98 BX field.
SUPPORTED = "NYYNYYYYYNYNNNNN"
MEDIA_BOOK = "001"


@dataclass(frozen=True)
class Context:
    store: CirculationStore
    rules: Rules
    institution: str
    library_name: str
    location: str
    now: dt.datetime
    encoding: str = "utf-8"

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
    fixed = "YYYYNN" + "030" + "003" + ctx.stamp + "2.00"
    fields = (("AO", ctx.institution), ("AM", ctx.library_name), ("BX", SUPPORTED),
              ("AN", ctx.location))  # fmt: skip
    return Message("98", fixed, fields)


def patron_information(ctx: Context, request: Message) -> Message:
    card_id = request.get("AA")
    patron = ctx.store.patron(card_id)
    if patron is None:
        fixed = "YYYY" + " " * 10 + "000" + ctx.stamp + _count(0) * 6
        return Message(
            "64",
            fixed,
            (
                ("AO", ctx.institution),
                ("AA", card_id),
                ("AE", ""),
                ("BL", "N"),
                ("AF", Refusal.PATRON_UNKNOWN.value),
            ),
        )
    state = ctx.store.patron_state(patron, ctx.today)
    blocks = patron_blocks(ctx.rules, state, ctx.today)
    loans = ctx.store.loans_of(card_id)
    overdue = [loan.item_id for loan in loans if loan.due < ctx.today]
    holds = ctx.store.holds_of(card_id)
    flags = [" "] * 14
    if blocks:
        flags[0] = "Y"  # charge privileges denied
    if {Refusal.CARD_INVALID, Refusal.FEES, Refusal.SUSPENDED} & set(blocks):
        flags[1] = "Y"  # renewal privileges denied
    if not patron.card_ok:
        flags[3] = flags[4] = "Y"  # hold privileges denied, card reported lost
    if {Refusal.LIMIT, Refusal.CHAEKIEUM_LIMIT} & set(blocks):
        flags[5] = "Y"  # too many items charged
    if Refusal.SUSPENDED in blocks:
        flags[6] = "Y"  # too many items overdue: how SIP2 says "suspended for overdues"
    if Refusal.FEES in blocks:
        flags[10] = "Y"  # excessive outstanding fines
    fixed = (
        "".join(flags) + "000" + ctx.stamp + _count(len(holds)) + _count(len(overdue))
        + _count(len(loans)) + _count(1 if patron.fees else 0) + _count(0) + _count(0)
    )  # fmt: skip
    fields: list[tuple[str, str]] = [
        ("AO", ctx.institution), ("AA", card_id), ("AE", patron.name),
        ("BZ", _count(5)), ("CA", _count(0)), ("CB", _count(limit_for(ctx.rules, state))),
        ("BL", "Y"),
    ]  # fmt: skip
    if request.has("AD"):
        fields.append(("CQ", "Y" if request.get("AD") == patron.pin else "N"))
    fields += [("BH", "KRW"), ("BV", str(patron.fees)), ("CC", str(ctx.rules.fee_threshold)),
               ("AQ", patron.home_library)]  # fmt: skip
    summary = request.fixed[21:31] if len(request.fixed) >= 31 else ""
    start, end = _range(request)
    if summary[0:1] == "Y":
        fields += [("AS", i) for i in holds[start:end]]
    if summary[1:2] == "Y":
        fields += [("AT", i) for i in overdue[start:end]]
    if summary[2:3] == "Y":
        fields += [("AU", loan.item_id) for loan in loans[start:end]]
    for refusal in blocks:
        fields.append(("AF", refusal.value))
    if Refusal.SUSPENDED in blocks and patron.suspended_until:
        fields.append(("AF", f"대출 정지 기간: {patron.suspended_until.isoformat()}까지"))
    return Message("64", fixed, tuple(fields))


def _range(request: Message) -> tuple[int, int]:
    """BP/BQ (1-based, inclusive) as a slice; all items when absent or unreadable."""
    try:
        start = max(1, int(request.get("BP") or 1))
        end = int(request.get("BQ") or 9999)
    except ValueError:
        return 0, 9999
    return start - 1, end


def checkout(ctx: Context, request: Message) -> Message:
    card_id, item_id = request.get("AA"), request.get("AB")
    outcome = ctx.store.checkout(card_id, item_id, ctx.today, ctx.rules)
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
    outcome = ctx.store.checkin(item_id, ctx.today)
    alert = outcome.hold_for is not None or outcome.late_days > 0
    fixed = ("1" if outcome.ok else "0") + "YN" + ("Y" if alert else "N") + ctx.stamp
    fields = [("AO", ctx.institution), ("AB", item_id)]
    if outcome.item:
        fields += [("AQ", outcome.item.location), ("AJ", _title(ctx, outcome.item))]
    if outcome.borrower:
        fields.append(("AA", outcome.borrower))
    if outcome.hold_for is not None:
        fields.append(("CV", "02"))  # hold for another patron at this library
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
    queue = ctx.store.hold_queue_length(item_id)
    if loan is not None:
        circulation = "04"  # charged
    elif queue:
        circulation = "08"  # waiting on hold shelf
    else:
        circulation = "03"  # available
    fields = [("CF", _count(queue)), ("AB", item_id), ("AJ", _title(ctx, item))]
    if loan is not None:
        fields.append(("AH", _due_field(loan.due)))
    fields += [("BG", item.home_library), ("AQ", item.location), ("AP", item.location),
               ("CK", MEDIA_BOOK), ("CH", f"ISBN {item.isbn}")]  # fmt: skip
    if item.loan_type != "normal":
        fields.append(("AF", Refusal.NOT_FOR_LOAN.value))
    return Message("18", circulation + "02" + "01" + ctx.stamp, tuple(fields))


def end_session(ctx: Context, request: Message) -> Message:
    return Message("36", "Y" + ctx.stamp, (("AO", ctx.institution), ("AA", request.get("AA"))))
