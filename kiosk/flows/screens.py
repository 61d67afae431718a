"""What each screen of a visit shows, and the visit's receipt: pure functions of the visit's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from kiosk.core.model import CheckResult, HistoryEntry, Hold, Language, Loan, Patron, PrintOutcome
from kiosk.core.privacy import clean, mask_card, mask_name
from kiosk.core.receipt import Checkin, Receipt, Refusal
from kiosk.core.views import VIEW_TYPES, Input, Line, View


@dataclass(frozen=True)
class VisitSettings:
    library_name: str = "서울도서관"
    kiosk_id: str = "KIOSK-01"
    language: Language = Language.KO
    account_url: str = ""
    footer: str = ""
    # Seconds of no activity on the borrow screen before the countdown starts, and its length.
    inactivity_s: int = 120
    countdown_s: int = 20
    # Goodbye shows its countdown back to the first screen from the start.
    goodbye_s: int = 20
    # Keypad login: the PIN after a card too (always after a typed number), wrong PINs before
    # the card is locked at this kiosk, and for how long.
    pin_after_card: bool = False
    pin_attempts: int = 3
    lockout_s: int = 900
    # Digits of a membership number typed on the keypad (fewest, most).
    number_digits: tuple[int, int] = (6, 16)
    # A registration number typed on the keypad: these letters, then the digits zero-padded.
    registration_prefix: str = "EM"
    registration_digits: int = 10
    # Returns taken while the library is unreachable (journaled, sent when it is back), and
    # loans (to cards the library let borrow lately, a few each).
    offline_returns: bool = False
    offline_lending: bool = False
    # The library's bring-in consent text, by language.
    bring_in_consent: dict[Language, str] = field(default_factory=dict)
    # Chaekieum member libraries' names by code (a code with no name is shown as it is).
    member_libraries: dict[str, str] = field(default_factory=dict)
    # The technician: card UIDs (hex, upper case) that open the technician's screen at once;
    # the SHA-256 (hex) of the PIN the hidden gesture asks for ('' = the gesture opens
    # nothing), wrong PINs before the gesture is locked and for how long, and the seconds of
    # no use before the screen closes by itself.
    technician_cards: frozenset[str] = frozenset()
    technician_pin_sha256: str = ""
    technician_pin_attempts: int = 3
    technician_lockout_s: int = 900
    technician_idle_s: int = 300
    # Devices whose failure puts the kiosk out of service ("nfc", "camera").
    essential: tuple[str, ...] = ("nfc", "camera")

    def library_named(self, code: str) -> str:
        """A Chaekieum member library's name, or its code when the settings name none."""
        return self.member_libraries.get(code, code)


@dataclass
class Visit:
    """Everything held about the patron during one visit; dropped whole when it ends."""

    card: str = ""
    technology: str = ""
    patron: Patron | None = None
    started: dt.datetime | None = None
    borrowed: list[Loan] = field(default_factory=list)
    # The patron's own loans renewed by showing them again, with their new due dates.
    renewed: list[Loan] = field(default_factory=list)
    # Books given back in this visit (a giveback needs no patron).
    returned: list[Checkin] = field(default_factory=list)
    # Days late of the latest late return: suspends borrowing as many days.
    late_days: int = 0
    # Membership numbers typed on the keypad that the library did not know, this visit.
    unknown_numbers: int = 0

    @property
    def suspended_until(self) -> dt.date | None:
        """The last day of the suspension a late return brings (Seoul: a day per day late)."""
        if not self.late_days:
            return None
        return (self.started or dt.datetime(1970, 1, 1)).date() + dt.timedelta(days=self.late_days)

    refused: list[Refusal] = field(default_factory=list)
    # Checkouts whose answer was lost and whose outcome the library could not tell: shown
    # and printed as "not confirmed", never as borrowed or refused.
    unconfirmed: list[Refusal] = field(default_factory=list)
    # Closed-stack books requested in this visit: where and until when to collect them.
    requested: list[Hold] = field(default_factory=list)
    pending_items: list[str] = field(default_factory=list)
    # The checkout in flight: an error reply does not echo the item, so the flow remembers it.
    item_in_flight: str = ""
    finishing: bool = False
    print_outcome: PrintOutcome | None = None
    # A visit of returns may end without a receipt, by the patron's choice.
    receipt_wanted: bool = True
    # The borrowing history the patron asked to have printed on the receipt (never otherwise).
    history: tuple[HistoryEntry, ...] = ()
    # False for a patron who may not borrow now but looks at their account.
    may_borrow: bool = True
    banner: str = ""

    def settle(self, item_id: str, *, loan: Loan | None = None, refusal: Refusal | None = None,
               unconfirmed: Refusal | None = None, renewed: Loan | None = None,
               returned: Checkin | None = None, late_days: int = 0,
               requested: Hold | None = None) -> None:  # fmt: skip
        """Record what became of `item_id`, in exactly one list: an item shown again after a
        refusal or an unknown outcome moves rather than appearing twice."""
        done = (loan, refusal, unconfirmed, renewed, returned, requested)
        ids = {item_id} | {x.item_id for x in done if x is not None}
        self.refused = [r for r in self.refused if r.item_id not in ids]
        self.unconfirmed = [r for r in self.unconfirmed if r.item_id not in ids]
        if returned is not None:
            self.returned.append(returned)
            self.late_days = max(self.late_days, late_days)
        if renewed is not None:
            self.renewed.append(renewed)
        if requested is not None:
            self.requested.append(requested)
        if loan is not None:
            self.borrowed.append(loan)
        if refusal is not None:
            self.refused.append(refusal)
        if unconfirmed is not None:
            self.unconfirmed.append(unconfirmed)

    def has_borrowed(self, item_id: str) -> bool:
        return any(loan.item_id == item_id for loan in self.borrowed)

    def has_renewed(self, item_id: str) -> bool:
        return any(loan.item_id == item_id for loan in self.renewed)

    def has_returned(self, item_id: str) -> bool:
        return any(x.item_id == item_id for x in self.returned)

    def handled(self, item_id: str) -> bool:
        """Whether the book is already on this visit's list with an outcome (done, refused,
        requested) or waiting its turn. One whose outcome is unknown, or that could not be sent,
        is not: showing it again asks again."""
        listed: list[Loan | Checkin | Refusal | Hold] = [*self.borrowed, *self.renewed, *self.returned]
        listed += [*self.refused, *self.requested]
        return item_id in self.pending_items or any(x.item_id == item_id for x in listed)

    def had_before(self, item_id: str) -> bool:
        """On loan to the patron before this visit (and not returned in it)."""
        if self.patron is None or self.has_returned(item_id):
            return False
        return any(loan.item_id == item_id for loan in self.patron.loans)

    def is_unconfirmed(self, item_id: str) -> bool:
        return any(x.item_id == item_id for x in self.unconfirmed)

    @property
    def eventful(self) -> bool:
        """Anything to put on a receipt."""
        return bool(
            self.borrowed
            or self.renewed
            or self.returned
            or self.refused
            or self.unconfirmed
            or self.requested
            or self.history
        )


# On every screen (the first screen has no "start over": it is the start).
CONTROLS_EVERYWHERE = ("start_over", "lang.ko", "lang.en", "call_staff")


def loan_lines(loans: list[Loan]) -> tuple[Line, ...]:
    return tuple(
        Line(
            loan.title or loan.item_id,
            loan.item_id,
            "ok",
            "borrow.earlier_line"
            if loan.earlier
            else "borrow.done_offline_line"
            if loan.offline
            else "borrow.done_line",
            (("due", loan.due.isoformat() if loan.due else "-"),),
        )
        for loan in loans
    )


def offline_left(visit: Visit) -> int:
    """Books an offline-admitted patron may still borrow in this visit."""
    if visit.patron is None or not visit.patron.offline:
        return 0
    return max(0, visit.patron.offline_left - sum(1 for loan in visit.borrowed if loan.offline))


def everywhere(screen: str, controls: tuple[str, ...]) -> tuple[str, ...]:
    """`controls` completed with what every screen offers: start over (but on the first
    screen, which is where it leads), both languages (the window shows the other one), and
    call staff, always last."""
    wanted = [
        c for c in CONTROLS_EVERYWHERE if c not in controls and not (screen == "idle" and c == "start_over")
    ]
    ordered = [c for c in controls if c != "call_staff"] + wanted
    return (*[c for c in ordered if c != "call_staff"], "call_staff")


def _view(language: Language, screen: str, title: str, message: str = "", **kw: object) -> View:
    controls = kw.pop("controls", ())
    kind = VIEW_TYPES.get(screen, View)
    return kind(
        screen=screen,
        language=language,
        title=title,
        message=message,
        controls=everywhere(screen, tuple(controls)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


IDLE_CONTROLS = ("borrow", "giveback", "sign_in", "lang.ko", "lang.en", "call_staff")
KEYPAD_CONTROLS = ("enter", "start_over", "lang.ko", "lang.en", "call_staff")
SECRET_DOT = "●"


def signin(
    language: Language,
    stage: str,
    number: str,
    pin: str,
    message: str,
    message_args: tuple[tuple[str, str], ...],
    digits: tuple[int, int],
    countdown: int | None,
) -> View:
    """The membership number on the keypad, then the PIN (dots only). `number` is shown only
    when it was typed here: a card's id is never on screen."""
    if stage == "number":
        field = Input("number", "signin.number_label", number, max_length=digits[1], private=True)
        prompt = "signin.number_prompt"
    else:
        # A secret field carries dots, never the digits: the PIN does not leave the activity.
        field = Input("pin", "signin.pin_label", SECRET_DOT * len(pin), secret=True, max_length=6)
        prompt = "signin.pin_prompt"
    return _view(language, "signin", "signin.title", message or prompt, message_args=message_args,
                 inputs=(field,), controls=_keypad_controls(countdown), countdown=countdown,
                 sensitive=stage == "number" and bool(number))  # fmt: skip


def _keypad_controls(countdown: int | None) -> tuple[str, ...]:
    return ("extend", *KEYPAD_CONTROLS) if countdown is not None else KEYPAD_CONTROLS


_BRING_IN_FIELDS = {
    "birth": ("birth_date", "bring_in.birth_label", "bring_in.birth_date", False),
    "pin": ("new_pin", "bring_in.pin_label", "bring_in.new_pin", True),
    "pin_again": ("new_pin_again", "bring_in.pin_again_label", "bring_in.repeat_pin", True),
}


def bring_in(
    language: Language,
    stage: str,
    value: str,
    consent: str,
    message: str,
    message_args: tuple[tuple[str, str], ...],
    countdown: int | None,
) -> View:
    """The bring-in, a step at a time: what it means and the library's consent text, then the
    birth date, the new PIN and the PIN again on the keypad."""
    common = {"message_args": message_args, "countdown": countdown}
    if stage == "consent":
        lines = tuple(Line(part.strip()) for part in consent.split("\n\n") if part.strip())
        lines = lines or (Line("", note="bring_in.consent_default"),)  # the library set none
        controls: tuple[str, ...] = ("agree", "start_over", "lang.ko", "lang.en", "call_staff")
        if countdown is not None:
            controls = ("extend", *controls)
        return _view(language, "bring_in", "bring_in.title", message or "bring_in.consent_prompt",
                     lines=lines, controls=controls, **common)  # fmt: skip
    if stage == "sending":
        return _view(language, "bring_in", "bring_in.title", "bring_in.working", busy=True,
                     controls=KEYPAD_CONTROLS, **common)  # fmt: skip
    name, label, prompt, secret = _BRING_IN_FIELDS[stage]
    shown = SECRET_DOT * len(value) if secret else value
    field = Input(name, label, shown, secret=secret, max_length=6 if secret else 8, private=not secret)
    sensitive = bool(value) and not secret
    return _view(language, "bring_in", "bring_in.title", message or prompt, inputs=(field,),
                 controls=_keypad_controls(countdown), sensitive=sensitive, **common)  # fmt: skip


def offline_prompt(settings: VisitSettings) -> str:
    """The first screen's message while the library cannot be reached: what still works."""
    if settings.offline_lending:
        return "idle.offline"
    return "idle.offline_returns" if settings.offline_returns else "idle.library_down"


def idle(language: Language, message: str = "idle.prompt") -> View:
    """Borrowing starts with a card (or the mobile card's QR); returning needs none: the
    "return" button, or simply showing a book."""
    return _view(language, "idle", "idle.title", message, controls=IDLE_CONTROLS, pictogram="card_tap",
                 hint="idle.hint")  # fmt: skip


def idle_notes(degraded: dict[str, str]) -> tuple[Line, ...]:
    """What works less well today, told on the first screen (no receipts: paper out)."""
    if "printer" not in degraded:
        return ()
    note = "idle.no_receipts" if degraded["printer"] == "paper_out" else "idle.printer_down"
    return (Line("", status="unconfirmed", note=note),)


OUT_OF_SERVICE_CONTROLS = ("lang.ko", "lang.en", "call_staff")


def out_of_service(language: Language, message: str, failed: tuple[str, ...] = ()) -> View:
    """The honest screen of a kiosk that cannot serve: why (the technician's message, or the
    devices that failed) and where to go instead. Nothing is offered but staff and language."""
    lines = tuple(Line("", status="refused", note="oos.device_line", note_args=(("device", f"device.{d}"),))
                  for d in failed)  # fmt: skip
    return VIEW_TYPES["out_of_service"](
        screen="out_of_service", language=language, title="oos.title", message=message, lines=lines,
        controls=OUT_OF_SERVICE_CONTROLS,
    )  # fmt: skip


VERDICT_STATUS = {"ok": "ok", "warning": "unconfirmed", "failed": "refused"}


def technician(
    language: Language,
    stage: str,
    message: str = "",
    message_args: tuple[tuple[str, str], ...] = (),
    checks: tuple[CheckResult, ...] = (),
    counters: tuple[tuple[str, str], ...] = (),
    log: tuple[str, ...] = (),
    pin: str = "",
    out_of_service: bool = False,
    busy: bool = False,
) -> View:
    """The technician's screen: the PIN (dots), the menu (checks, counters, recent log,
    actions) or the choice of what patrons see while the kiosk is out of service."""
    kind = VIEW_TYPES["technician"]
    languages = ("lang.ko", "lang.en")
    if stage == "pin":
        field = Input("pin", "tech.pin_label", SECRET_DOT * len(pin), secret=True, max_length=8)
        return kind(screen="technician", language=language, title="tech.title",
                    message=message or "tech.pin_prompt", message_args=message_args, inputs=(field,),
                    controls=("enter", "tech.leave", *languages), sensitive=True)  # fmt: skip
    if stage == "reason":
        reasons = tuple(Line("", control=f"oos.{r}", note=f"control.oos.{r}") for r in OUT_OF_SERVICE_REASONS)
        return kind(screen="technician", language=language, title="tech.title", message="tech.reason_prompt",
                    lines=reasons, controls=("tech.back", *languages))  # fmt: skip
    lines = [
        Line(c.name, " · ".join((c.summary, *c.advice[:1])), VERDICT_STATUS.get(c.verdict, "refused"))
        for c in checks
    ]
    if counters:
        lines.append(Line("", status="info", note="tech.counters", note_args=counters))
    lines += [Line(entry, status="info") for entry in log]
    service = "tech.in_service" if out_of_service else "tech.out_of_service"
    controls = ("tech.leave", "tech.refresh", "tech.test_page", "tech.reopen_nfc", "tech.reopen_camera",
                service, "tech.restart", "tech.quit", *languages)  # fmt: skip
    if not message:
        message = "tech.checking" if busy else "tech.out_of_service_now" if out_of_service else "tech.prompt"
    return kind(screen="technician", language=language, title="tech.title", message=message,
                message_args=message_args, lines=tuple(lines), controls=controls, busy=busy,
                empty="tech.no_checks")  # fmt: skip


OUT_OF_SERVICE_REASONS = ("maintenance", "printer", "network", "closed")


def working(language: Language, message: str) -> View:
    return _view(language, "working", "working.title", message, busy=True)


def notice(
    language: Language,
    message: str,
    lines: tuple[Line, ...] = (),
    args: tuple[tuple[str, str], ...] = (),
    giveback: bool = False,
) -> View:
    """A notice; with `giveback`, Return is offered (a patron who may not borrow now)."""
    controls = ("giveback", "ok", "call_staff") if giveback else ("ok", "call_staff")
    return _view(
        language, "notice", "notice.title", message, message_args=args, lines=lines, controls=controls
    )


def explain_block(reason: str, patron: Patron) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A block the library sent, as a sentence with its figures and the next step."""
    d = patron.details
    if reason == "refusal.fees" and d.fees_owed:
        return "block.fees", (("amount", f"{d.fees_owed:,}"),)
    if reason == "refusal.suspended" and d.suspended_until is not None:
        return "block.suspended", (("until", d.suspended_until.isoformat()),)
    if reason == "refusal.suspended" and d.overdue:
        return "block.overdue", (("count", str(len(d.overdue))),)
    if reason == "refusal.card_invalid":
        return "block.card_lost", ()
    if reason == "refusal.card_expired" and d.expires is not None:
        return "block.card_expired", (("date", d.expires.isoformat()),)
    if reason == "refusal.limit" and d.loan_limit_here:
        count = d.loans_here if d.loans_here is not None else len(patron.loans)
        return "block.limit", (("limit", str(d.loan_limit_here)), ("count", str(count)))
    if reason == "refusal.network_limit" and d.network_limit is not None and d.network_loans is not None:
        return "block.network_limit", (("limit", str(d.network_limit)), ("count", str(d.network_loans)))
    counted = {
        "refusal.items_lost": d.lost_items,
        "refusal.claims_returned": d.claims_returned,
        "refusal.items_billed": d.billed_items,
        "refusal.recall_overdue": len(d.recalled) or None,
    }
    if counted.get(reason):
        return "block." + reason.removeprefix("refusal."), (("count", str(counted[reason])),)
    return reason, ()


# What the library closed while borrowing stays open (PatronDetails.restrictions), as said
# on the blocked notice; a card that cannot be used at all closes them anyway, unsaid.
RESTRICTION_LINES = {
    "renewal_denied": "account.renewal_denied",
    "too_many_renewals": "block.too_many_renewals",
    "hold_denied": "account.hold_denied",
    "recall_denied": "block.recall_denied",
}
CARD_UNUSABLE = ("refusal.card_invalid", "refusal.card_expired")


def blocked(language: Language, patron: Patron, reasons: tuple[str, ...]) -> View:
    """Why this patron cannot borrow now, each reason with its figures and next step; what
    else the library closed (renewals, reservations); the overdue and recalled books listed;
    the library's own words where the kiosk has no sentence for them; Return offered rather
    than a dead end."""
    d = patron.details
    message, args = explain_block(reasons[0], patron)
    lines = [Line("", "", "refused", *explain_block(r, patron)) for r in reasons[1:]]
    if not set(CARD_UNUSABLE) & set(reasons):
        closed = [RESTRICTION_LINES[r] for r in d.restrictions if r in RESTRICTION_LINES]
        lines += [Line("", "", "refused", note) for note in closed]
    lines += [Line(item, item, "refused", "block.recalled_item") for item in d.recalled]
    overdue = [item for item in d.overdue if item not in d.recalled]
    lines += [Line(item, item, "refused", "block.overdue_item") for item in overdue]
    note = clean(d.library_note, limit=300).strip()
    if note:
        # The library's own words (its AF message matching no known reason), shown as they are.
        lines.append(Line(note, "", "info", "library.note"))
    return _view(language, "notice", "notice.title", message, message_args=args, lines=tuple(lines),
                 controls=("giveback", "my_loans", "ok", "call_staff"))  # fmt: skip


def unconfirmed_lines(visit: Visit) -> tuple[Line, ...]:
    return tuple(Line(r.title or r.item_id, r.item_id, "unconfirmed", r.reason) for r in visit.unconfirmed)


REQUEST = "request."  # a row offering a reservation or a closed-stack request
# Refusals whose book can be reserved (on loan or on the hold shelf for someone else) or
# requested from the closed stacks instead, and what the row then says.
RESERVABLE = {
    "refusal.closed_stack": "refusal.closed_stack",
    "refusal.already_on_loan": "refusal.reservable",
    "refusal.on_hold": "refusal.on_hold_reservable",
}


def refused_lines(visit: Visit, *actions: str) -> tuple[Line, ...]:
    """Refusals with their reason; a book that can be reserved or requested instead offers it
    on its row (not for a checkout whose outcome is still unknown)."""
    lines = []
    for r in visit.refused:
        if r.action in actions:
            offer = (
                r.action == "checkout"
                and r.reason in RESERVABLE
                and visit.patron is not None
                # Reservations closed for this patron (a closed-stack request is one too).
                and "hold_denied" not in visit.patron.details.restrictions
            )
            control, note = (REQUEST + r.item_id, RESERVABLE[r.reason]) if offer else ("", r.reason)
            lines.append(Line(r.title or r.item_id, r.item_id, "refused", note, control=control))
    return tuple(lines)


def requested_lines(visit: Visit) -> tuple[Line, ...]:
    """Reservations and closed-stack requests of this visit: where and until when to collect a
    requested book, a reserved one's place in the queue."""
    lines = []
    for h in visit.requested:
        if h.collect_by is None and not h.ready:
            place = (("position", str(h.position or "-")),)
            lines.append(Line(h.title or h.item_id, h.item_id, "ok", "library.hold_queued", place))
            continue
        args = (
            ("place", h.pickup_location or "-"),
            ("date", h.collect_by.isoformat() if h.collect_by else "-"),
        )
        lines.append(Line(h.title or h.item_id, h.item_id, "ok", "library.closed_stack_requested", args))
    return tuple(lines)


def renewed_lines(loans: list[Loan]) -> tuple[Line, ...]:
    return tuple(
        Line(loan.title or loan.item_id, loan.item_id, "ok", "borrow.renewed_line",
             (("due", loan.due.isoformat() if loan.due else "-"),))
        for loan in loans
    )  # fmt: skip


def returned_lines(visit: Visit) -> tuple[Line, ...]:
    """Each book returned, with where it goes now: the bin, the hold shelf, staff, or (a member
    library's book) back to its library."""
    lines = []
    for x in visit.returned:
        if x.destination and not x.note.endswith(("hold_shelf", "staff")):
            args = (("library", x.destination),)
            lines.append(Line(x.title or x.item_id, x.item_id, "ok", "giveback.transit_line", args))
        else:
            lines.append(Line(x.title or x.item_id, x.item_id, "ok", x.note or "giveback.returned_line"))
    return tuple(lines)


def hold_lines(visit: Visit) -> tuple[Line, ...]:
    """The patron's ready holds not yet borrowed in this visit: where and until when."""
    if visit.patron is None:
        return ()
    lines = []
    for hold in visit.patron.details.holds_ready:
        if visit.has_borrowed(hold.item_id):
            continue  # borrowed now: the library cleared the hold
        by = hold.collect_by.isoformat() if hold.collect_by else "-"
        lines.append(Line(hold.title or hold.item_id, hold.item_id, "info", "borrow.hold_ready_line",
                          (("shelf", hold.pickup_location or "-"), ("until", by))))  # fmt: skip
    return tuple(lines)


def borrow(language: Language, visit: Visit, countdown: int | None, busy: bool) -> View:
    lines = (
        loan_lines(visit.borrowed)
        + renewed_lines(visit.renewed)
        + requested_lines(visit)
        + refused_lines(visit, "checkout", "renewal")
        + unconfirmed_lines(visit)
        + hold_lines(visit)
    )
    name = mask_name(visit.patron.name) if visit.patron else ""
    controls: tuple[str, ...] = (
        "finish",
        "finish_no_receipt",
        "type_item",
        "my_loans",
        "start_over",
        "call_staff",
    )
    if countdown is not None:
        controls = ("extend", *controls)
    return _view(
        language,
        "borrow",
        "borrow.title",
        "working.checkout" if busy else visit.banner or "borrow.greeting",
        empty="borrow.empty",
        message_args=(
            ("name", name),
            ("count", str(len(visit.borrowed))),
            ("left", str(offline_left(visit))),
        ),
        lines=lines,
        controls=controls,
        countdown=countdown,
        busy=busy,
    )


def book_typing(
    language: Language,
    screen: str,
    prefix: str,
    value: str,
    digits: int,
    message: str,
    countdown: int | None,
) -> View:
    """The borrow or return screen with the keypad: a registration number typed (from the
    catalogue, or from a label the camera cannot read)."""
    field = Input("item", "borrow.type_label", value, max_length=digits, prefix=prefix)
    controls: tuple[str, ...] = ("enter", "cancel_typing", "call_staff")
    if countdown is not None:
        controls = ("extend", *controls)
    return _view(language, screen, f"{screen}.title", message or "borrow.type_prompt",
                 message_args=(("prefix", prefix),), inputs=(field,), controls=controls,
                 countdown=countdown)  # fmt: skip


def giveback(
    language: Language, visit: Visit, countdown: int | None, busy: bool, offline_returns: bool = False
) -> View:
    refused = tuple(
        Line(r.title or r.item_id, r.item_id, "refused", "giveback.refused_line", (("reason", r.reason),))
        for r in visit.refused
        if r.action == "checkin"
    )
    lines = returned_lines(visit) + refused + unconfirmed_lines(visit)
    controls: tuple[str, ...] = (
        "finish_return",
        "finish_no_receipt",
        "type_item",
        "start_over",
        "call_staff",
    )
    if countdown is not None:
        controls = ("extend", *controls)
    down = "giveback.offline" if offline_returns else "giveback.library_down"
    banner = down if visit.banner == "borrow.library_down" else visit.banner
    message = banner or ("giveback.late" if visit.late_days else "giveback.prompt")
    if busy:
        message = "working.checkin"
    return _view(
        language,
        "giveback",
        "giveback.title",
        message,
        message_args=(
            ("count", str(len(visit.returned))),
            ("days", str(visit.late_days)),
            ("until", visit.suspended_until.isoformat() if visit.suspended_until else ""),
        ),
        lines=lines,
        controls=controls,
        countdown=countdown,
        busy=busy,
    )


def account(
    language: Language,
    message: str,
    lines: tuple[Line, ...],
    controls: tuple[str, ...],
    countdown: int | None,
    busy: bool,
) -> View:
    """ "My loans": each loan a row to select, with its due date (overdue marked)."""
    return _view(
        language, "account", "account.title", message, lines=lines, controls=controls, countdown=countdown,
        busy=busy,
    )  # fmt: skip


def goodbye(language: Language, visit: Visit, countdown: int | None = None) -> View:
    outcome = visit.print_outcome
    args: tuple[tuple[str, str], ...] = ()
    if not visit.eventful:
        message = "goodbye.nothing"
    elif not visit.receipt_wanted:
        message = "goodbye.no_receipt_chosen" if visit.patron is None else "goodbye.no_receipt_chosen_loans"
    elif outcome is not None and not outcome.ok:
        message, args = "goodbye.no_receipt", (("reason", outcome.reason or "printer.failed"),)
    else:
        message = "goodbye.receipt"
    return _view(
        language,
        "goodbye",
        "goodbye.title",
        message,
        message_args=args,
        lines=loan_lines(visit.borrowed)
        + renewed_lines(visit.renewed)
        + returned_lines(visit)
        + unconfirmed_lines(visit),
        controls=("ok",),
        # A card was used: it is on the reader or in the patron's hand.
        hint="goodbye.take_card" if visit.card else "",
        countdown=countdown,
    )


def receipt(settings: VisitSettings, visit: Visit, language: Language) -> Receipt:
    """The receipt of a whole visit: loans, renewals, returns, and the patron's totals. A
    visit of returns only (no card tapped) carries no patron detail at all."""
    if visit.patron is None:
        return Receipt(
            library_name=settings.library_name,
            kiosk_id=settings.kiosk_id,
            at=visit.started or dt.datetime(1970, 1, 1),
            language=language,
            patron_name_masked="",
            card_masked="",
            returned=tuple(visit.returned),
            refused=tuple(visit.refused),
            unconfirmed=tuple(visit.unconfirmed),
            footer=settings.footer,
            suspended_days=visit.late_days,
            suspended_until=visit.suspended_until,
        )
    patron = visit.patron
    details = patron.details
    held = {loan.item_id for loan in patron.loans}
    borrowed = {loan.item_id for loan in visit.borrowed}
    listed = borrowed | {loan.item_id for loan in visit.renewed}
    # The counts the library reported when the card was read (after any returns made before
    # it in this visit), plus this visit's loans; a book the patron already had and checked
    # out again was renewed, not lent once more.
    new_loans = len(borrowed - held)
    here = details.loans_here if details.loans_here is not None else len(patron.loans)
    allowance = details.allowance(new_loans)
    return Receipt(
        library_name=settings.library_name,
        kiosk_id=settings.kiosk_id,
        at=visit.started or dt.datetime(1970, 1, 1),
        language=language,
        patron_name_masked=mask_name(patron.name),
        card_masked=mask_card(visit.card),
        borrowed=tuple(visit.borrowed),
        refused=tuple(visit.refused),
        loans_total=here + new_loans,
        account_url=settings.account_url,
        footer=settings.footer,
        returned=tuple(visit.returned),
        renewed=tuple(visit.renewed),
        on_loan=tuple(loan for loan in patron.loans if loan.item_id not in listed),
        quota_left=allowance.left if allowance else None,
        quota_limit=allowance.limit if allowance else None,
        quota_scope=allowance.binds if allowance else None,
        unconfirmed=tuple(visit.unconfirmed),
        loans_network=None if details.network_loans is None else details.network_loans + new_loans,
        requested=tuple(visit.requested),
        suspended_days=visit.late_days,
        suspended_until=visit.suspended_until,
        history=tuple(
            replace(entry, library=settings.library_named(entry.library)) for entry in visit.history
        ),
    )
