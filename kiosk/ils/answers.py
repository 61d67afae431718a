"""SIP2 replies read into the kiosk's model: refusal reasons, patron blocks and details, items, holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

from kiosk.core.model import Circulation, Hold, ItemInfo, PatronDetails
from kiosk.core.privacy import clean
from kiosk.ils.sip2.codec import Message, parse_date
from kiosk.ils.sip2.layout import parse_fixed, patron_flags

# Chaekieum extension fields of the embedded server (docs/sip2.md); other servers omit them.
X_NETWORK_LOANS = "XN"
X_NETWORK_LIMIT = "XM"
X_BRING_IN = "XB"
X_HOLD_DETAIL = "XR"
# A waiting hold's place in its queue and whether it is on its way here: "item^position^T|W".
X_HOLD_QUEUE = "XP"
X_HISTORY = "XH"
X_BIRTH_DATE = "XD"
X_EXTENSIONS = "XC"
X_LATE_DAYS = "XL"
X_REFUSAL = "XE"
# The last day of a suspension for overdue returns (Seoul suspends instead of charging fines).
X_SUSPENDED_UNTIL = "XU"
# Counts the 64 fixed fields lack, repeated "kind^count": lost (items declared lost), claims
# (items claimed returned).
X_ITEM_COUNTS = "XK"
# The longest library note (an AF message the kiosk has no sentence for) shown as it is.
NOTE_LIMIT = 200
# Where a library keeps books lent only on request (the preservation library's closed stacks).
CLOSED_STACK_MARKERS = ("보존서고", "보존 서고", "closed stack", "closed-stack", "stack request")
_DATE_IN_TEXT = re.compile(r"(\d{4})[-./](\d{2})[-./](\d{2})")
# Expiry date of the patron's membership, as Evergreen's and Koha's extensions send it.
PATRON_EXPIRES = "PA"

# Patron status flags of 24/64 replies that stop borrowing (flag name -> block message id),
# most telling first.
_PATRON_FLAGS: tuple[tuple[str, str], ...] = (
    ("card_lost", "refusal.card_invalid"),
    ("excessive_fines", "refusal.fees"),
    ("excessive_fees", "refusal.fees"),
    ("recall_overdue", "refusal.recall_overdue"),
    ("too_many_overdue", "refusal.suspended"),
    ("too_many_lost", "refusal.items_lost"),
    ("too_many_billed", "refusal.items_billed"),
    ("too_many_claims_returned", "refusal.claims_returned"),
    ("too_many_charged", "refusal.limit"),
)
# Flags that leave borrowing open but close something else: kept as the patron's
# restrictions (PatronDetails.restrictions) for the screens that offer it.
RESTRICTION_FLAGS = ("renewal_denied", "hold_denied", "recall_denied", "too_many_renewals")

# SIP2 has no refusal codes: servers explain in the AF screen message. Phrases of Koha,
# Evergreen and Korean servers (lower case), checked in this order: specific before general.
_RENEWAL_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refusal.renewal_denied", ("연장이 제한", "renewal privileges", "renewals are not allowed",
                                "not allowed to renew")),
    ("refusal.renewal_limit", ("renewal limit", "too many renewals", "already renewed",
                               "no more renewals", "연장 횟수")),
    ("refusal.renewal_reserved", ("on hold", "reserved", "hold", "예약")),
    ("refusal.renewal_overdue", ("overdue", "연체 중")),
    ("refusal.not_on_loan", ("not checked out", "not on loan", "not charged",
                             "대출 중인 자료가 아닙니다")),
)  # fmt: skip

_HOLD_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refusal.hold_denied", ("예약이 제한", "hold privileges", "not allowed to place holds")),
    ("refusal.hold_unknown", ("no hold", "hold not found", "not on hold", "예약 내역이 없")),
    ("refusal.item_unknown", ("invalid item", "item not found", "unknown item", "등록되지 않은 자료")),
    ("refusal.hold_refused", ("hold not allowed", "cannot be placed", "not holdable", "already",
                              "예약할 수 없", "이미 예약", "예약 가능 권수")),
)  # fmt: skip

_REFUSAL_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refusal.bring_in_needed", ("bring-in", "bring in", "가져오기")),
    ("refusal.card_expired", ("expired", "만료")),
    ("refusal.network_limit", ("책이음 대출 가능 권수", "network limit", "chaekieum")),
    ("refusal.other_library_item", ("다른 도서관 소장", "belongs to another library",
                                    "wrong library")),
    ("refusal.not_on_loan", ("not checked out", "not on loan", "대출 중인 자료가 아닙니다")),
    ("refusal.item_unknown", ("invalid item", "item not found", "unknown item",
                              "no such item", "item barcode not found", "등록되지 않은 자료")),
    ("refusal.patron_unknown", ("invalid patron", "unknown patron", "patron not found",
                                "등록되지 않은 회원")),
    ("refusal.renewal_denied", ("연장이 제한", "renewal privileges")),
    ("refusal.hold_denied", ("예약이 제한", "hold privileges")),
    ("refusal.items_lost", ("분실 처리", "items lost", "lost items", "too many lost")),
    ("refusal.claims_returned", ("반납 주장", "claims returned", "claimed returned",
                                 "claims of items returned")),
    ("refusal.items_billed", ("변상", "items billed", "billed items", "too many billed")),
    ("refusal.recall_overdue", ("반납 요청", "recall overdue", "overdue recall")),
    ("refusal.patron_blocked", ("대출이 제한", "charge privileges denied", "patron blocked",
                                "account is blocked")),
    ("refusal.card_invalid", ("card lost", "lost card", "card reported lost", "분실",
                              "사용할 수 없는 회원증")),
    ("refusal.fees", ("fine", "fee", "outstanding", "연체료", "미납")),
    ("refusal.suspended", ("suspend", "debarred", "restricted until", "대출이 정지",
                           "대출 정지")),
    ("refusal.not_for_loan", ("not for loan", "notforloan", "reference", "non-circulating",
                              "cannot be checked out at this", "대출 불가", "열람 전용",
                              "보존서고")),
    ("refusal.on_hold", ("on hold", "hold shelf", "reserved for", "is reserved", "예약")),
    ("refusal.already_on_loan", ("checked out to another", "already checked out",
                                 "already on loan", "issued to another", "이미 대출")),
    ("refusal.limit", ("too many", "maximum number", "limit", "권수")),
)  # fmt: skip

PATRON_REASONS = frozenset(
    {"refusal.card_invalid", "refusal.fees", "refusal.suspended", "refusal.limit",
     "refusal.card_expired", "refusal.bring_in_needed", "refusal.network_limit",
     "refusal.recall_overdue", "refusal.items_lost", "refusal.items_billed", "refusal.claims_returned"}
)  # fmt: skip

_CIRCULATION: dict[str, Circulation] = {
    "03": Circulation.AVAILABLE, "04": Circulation.ON_LOAN, "05": Circulation.ON_LOAN,
    "07": Circulation.ON_LOAN, "08": Circulation.ON_HOLD_SHELF, "10": Circulation.IN_TRANSIT,
    "12": Circulation.MISSING, "13": Circulation.MISSING, "09": Circulation.AVAILABLE,
}  # fmt: skip


def refusal_reason(
    screen_message: str, default: str = "refusal.checkout_refused", *, context: str = ""
) -> str:
    """The message id for a refusal explained by `screen_message`; `context` ("renewal",
    "hold") reads the phrases of that kind of request first."""
    text = screen_message.lower()
    first = {"renewal": (_RENEWAL_PHRASES,), "hold": (_HOLD_PHRASES,)}.get(context, ())
    tables = (*first, _REFUSAL_PHRASES)
    for table in tables:
        for message_id, phrases in table:
            if any(phrase in text for phrase in phrases):
                return message_id
    return default


def screen(reply: Message) -> str:
    """The AF screen messages of a reply, joined."""
    return " ".join(part.strip() for part in reply.get_all("AF") if part.strip())


def print_lines(reply: Message) -> tuple[str, ...]:
    """The AG print lines of a reply, in order."""
    return tuple(reply.get_all("AG"))


def amount(text: str) -> float | None:
    """A money amount as sent, or None (empty, unreadable, or not a finite number)."""
    try:
        value = float(text.strip().replace(",", "")) if text.strip() else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def integer(text: str, default: int = 0) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return default


def patron_blocks(reply: Message, today: dt.date | None = None) -> tuple[str, ...]:
    """Block message ids from a 24/64 reply's flags, fee fields and Chaekieum extension."""
    blocks: list[str] = []
    if reply.get("BL", "Y") == "N":
        return ("refusal.patron_unknown",)
    if reply.get("CQ") == "N":
        blocks.append("refusal.pin_wrong")
    if reply.get(X_BRING_IN) == "Y":
        blocks.append("refusal.bring_in_needed")
    flags = patron_flags(reply.fixed[:14])
    for flag, message_id in _PATRON_FLAGS:
        if flag in flags:
            blocks.append(message_id)
    fee, limit = amount(reply.get("BV")), amount(reply.get("CC"))
    if fee is not None and limit is not None and fee > limit:
        blocks.append("refusal.fees")
    expires = parse_date(reply.get(PATRON_EXPIRES))
    if expires is not None and today is not None and expires < today:
        blocks.append("refusal.card_expired")
    loans, limit_n = reply.get(X_NETWORK_LOANS), reply.get(X_NETWORK_LIMIT)
    if loans and limit_n and integer(loans) >= integer(limit_n, 1 << 30):
        blocks.append("refusal.network_limit")
        # The flag says "too many charged" for either limit: keep the local one only when
        # this library's own count is reached too.
        charged = integer(parse_fixed(reply)["charged_items_count"]) if reply.code == "64" else 0
        if reply.get("CB") and charged < integer(reply.get("CB")) and "refusal.limit" in blocks:
            blocks.remove("refusal.limit")
    if "charge_denied" in flags:
        # Charge privileges denied: the screen message may say why a flag does not (Koha's
        # debarments, expiry); else a generic block.
        reason = refusal_reason(screen(reply))
        if reason in PATRON_REASONS and reason not in blocks:
            blocks.append(reason)
        elif not blocks:
            blocks.append("refusal.patron_blocked")
    return tuple(dict.fromkeys(blocks))


def patron_details(reply: Message, charged_here: int, loan_limit: int) -> PatronDetails:
    """The account details of a 64 reply (item lists already gathered into it): loans here
    (the charged items count, or the `charged_here` listed when more) against this library's
    `loan_limit` (CB), and across the Chaekieum network (XN, this library's included) against
    its limit (XM)."""
    counted = integer(parse_fixed(reply)["charged_items_count"], -1) if reply.code == "64" else -1
    loans_here = max(counted, charged_here)
    network_loans = _opt_int(reply.get(X_NETWORK_LOANS))
    if network_loans is not None:
        network_loans = max(network_loans, loans_here)
    fee = amount(reply.get("BV"))
    limit = amount(reply.get("CC"))
    flags = patron_flags(reply.fixed[:14])
    counts = item_counts(reply)
    billed = integer(parse_fixed(reply)["fine_items_count"], -1) if reply.code == "64" else -1
    details = PatronDetails(
        overdue=tuple(_item_ids(reply.get_all("AT"))),
        holds=holds(reply),
        fees_owed=int(fee) if fee is not None else 0,
        fee_currency=reply.get("BH") or "KRW",
        fee_limit=int(limit) if limit is not None else None,
        loans_here=loans_here,
        loan_limit_here=loan_limit or None,
        network_loans=network_loans,
        network_limit=_opt_int(reply.get(X_NETWORK_LIMIT)),
        bring_in_needed=reply.get(X_BRING_IN) == "Y",
        expires=parse_date(reply.get(PATRON_EXPIRES)),
        suspended_until=suspended_until(reply),
        email=reply.get("BE"),
        restrictions=tuple(f for f in RESTRICTION_FLAGS if f in flags),
        print_lines=print_lines(reply),
        recalled=tuple(_item_ids(reply.get_all("BU"))),
        lost_items=counts.get("lost") if "too_many_lost" in flags else None,
        claims_returned=counts.get("claims") if "too_many_claims_returned" in flags else None,
        billed_items=billed if "too_many_billed" in flags and billed > 0 else None,
        library_note=library_note(reply),
    )
    allowance = details.allowance()
    return dataclasses.replace(details, quota_remaining=allowance.left if allowance else None)


def item_counts(reply: Message) -> dict[str, int]:
    """The Chaekieum extension's counts of items lost and claimed returned (XK "kind^count")."""
    found: dict[str, int] = {}
    for entry in reply.get_all(X_ITEM_COUNTS):
        kind, _, count = entry.partition("^")
        value = _opt_int(count)
        if kind.strip() and value is not None and value >= 0:
            found[kind.strip()] = value
    return found


def library_note(reply: Message) -> str:
    """The library's own words: the screen messages (AF) that match no reason the kiosk has a
    sentence for, cleaned of control characters and bidi overrides (they come from outside),
    cut at NOTE_LIMIT characters; "" when there are none."""
    notes = []
    for message in reply.get_all("AF"):
        text = " ".join(clean(message).split())
        if text and refusal_reason(text, default="") == "" and text not in notes:
            notes.append(text)
    note = " ".join(notes)
    return note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1] + "…"


def closed_stack(location: str) -> bool:
    """Whether an item's location is a closed stack: not "cannot be borrowed", but "request it"."""
    return any(marker in location.lower() for marker in CLOSED_STACK_MARKERS)


def suspended_until(reply: Message) -> dt.date | None:
    """The suspension's last day: the extension field, else a date in a screen message that
    speaks of a suspension (Koha's "restricted until", our simulator's "대출 정지 기간")."""
    told = parse_date(reply.get(X_SUSPENDED_UNTIL))
    if told is not None:
        return told
    for message in reply.get_all("AF"):
        found = _DATE_IN_TEXT.search(message)
        if found and refusal_reason(message) == "refusal.suspended":
            try:
                return dt.date(*(int(part) for part in found.groups()))
            except ValueError:
                return None
    return None


def holds(reply: Message) -> tuple[Hold, ...]:
    """Ready holds (AS) and holds still waiting (CD), with collect-by dates (XR) and queue
    places or transit (XP) when told."""
    detail: dict[str, tuple[dt.date | None, str]] = {}
    for entry in reply.get_all(X_HOLD_DETAIL):
        item_id, _, rest = entry.partition("^")
        date_text, _, pickup = rest.partition("^")
        detail[item_id] = (parse_date(date_text), pickup)
    queue: dict[str, tuple[int, bool]] = {}
    for entry in reply.get_all(X_HOLD_QUEUE):
        item_id, _, rest = entry.partition("^")
        place, _, where = rest.partition("^")
        queue[item_id] = (_opt_int(place) or 0, where.strip().upper() == "T")
    found = []
    for ready, list_id in ((True, "AS"), (False, "CD")):
        for entry in reply.get_all(list_id):
            item_id, _, title = entry.partition(" ")
            collect_by, pickup = detail.get(item_id, (None, ""))
            position, in_transit = (0, False) if ready else queue.get(item_id, (0, False))
            found.append(
                Hold(item_id, title, ready, collect_by if ready else None, pickup, position, in_transit)
            )
    return tuple(found)


def _item_ids(entries: list[str]) -> list[str]:
    # Some servers send "barcode title" (Evergreen's msg64_summary_datatype).
    return [entry.partition(" ")[0] for entry in entries]


def _opt_int(text: str) -> int | None:
    try:
        return int(text) if text.strip() else None
    except ValueError:
        return None


def item_info(item_id: str, reply: Message) -> ItemInfo:
    """An 18 reply as ItemInfo; an empty title with circulation status 01 means unknown
    (how Koha and Evergreen answer a barcode they do not have)."""
    fixed = parse_fixed(reply)
    status = fixed["circulation_status"]
    title = reply.get("AJ")
    message = screen(reply)
    known = bool(title) or status not in ("01", "  ", "")
    not_for_loan = ""
    if known and message:
        reason = refusal_reason(message, default="")
        if reason == "refusal.not_for_loan":
            not_for_loan = reason
    isbn = ""
    other = reply.get("CH")
    if other.upper().startswith("ISBN "):
        isbn = other[5:].strip()
    return ItemInfo(
        item_id=reply.get("AB") or item_id,
        known=known,
        title=title,
        circulation=_CIRCULATION.get(status, Circulation.OTHER) if known else Circulation.UNKNOWN,
        due=parse_date(reply.get("AH")),
        hold_queue=integer(reply.get("CF")),
        location=reply.get("AQ") or reply.get("AP"),
        home_library=reply.get("BG"),
        isbn=isbn,
        media=reply.get("CK"),
        screen_message=message,
        not_for_loan=not_for_loan,
    )
