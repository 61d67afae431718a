"""A visit's receipt as data, and its layout into printable lines (pure; width in display cells)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from kiosk.core.messages import text
from kiosk.core.model import HistoryEntry, Hold, Language, Loan, LoanLimit


@dataclass(frozen=True)
class Refusal:
    item_id: str
    reason: str  # message id
    title: str = ""
    # What was refused: "checkout", "renewal" or "checkin"; each has its own heading.
    action: str = "checkout"


@dataclass(frozen=True)
class Checkin:
    """An item the patron gave back this visit, with what the library says to do with it."""

    item_id: str
    title: str = ""
    # A message id (e.g. "receipt.note.hold_shelf") or the library system's own text; "" for none.
    note: str = ""
    sort_bin: str = ""
    # Another member library's book: the library it goes back to.
    destination: str = ""


@dataclass(frozen=True)
class Receipt:
    library_name: str
    kiosk_id: str
    at: dt.datetime
    language: Language
    patron_name_masked: str
    card_masked: str
    borrowed: tuple[Loan, ...] = ()
    refused: tuple[Refusal, ...] = ()
    # Loans at this library after the visit, this visit's included.
    loans_total: int | None = None
    account_url: str = ""
    footer: str = ""
    returned: tuple[Checkin, ...] = ()
    # Renewed loans, each with its new due date.
    renewed: tuple[Loan, ...] = ()
    # The patron's other loans after the visit (not those listed as borrowed or renewed).
    on_loan: tuple[Loan, ...] = ()
    # How many more items the patron may borrow here after the visit, of which limit: the
    # smaller of what is left of this library's limit and of the Chaekieum network's (the
    # network's when the scope is not given).
    quota_left: int | None = None
    quota_limit: int | None = None
    quota_scope: LoanLimit | None = None
    # Items whose checkout the library could not confirm either way (reason: what to do).
    unconfirmed: tuple[Refusal, ...] = ()
    # A late return suspends borrowing: for how many days, until when.
    suspended_days: int = 0
    suspended_until: dt.date | None = None
    # Loans across every Chaekieum member library after the visit (this library's included).
    loans_network: int | None = None
    # Reservations and closed-stack requests placed in this visit.
    requested: tuple[Hold, ...] = ()
    # The borrowing history, only when the patron asked for it on "My loans" (library names).
    history: tuple[HistoryEntry, ...] = ()


def history_line(entry: HistoryEntry, library: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """How a borrowing history entry is told (on screen and on the receipt): the message id
    and its arguments, `library` the name shown for its library."""
    out = entry.checked_out.isoformat()
    if entry.returned is None:
        return "account.history_line_out", (("library", library), ("out", out))
    return "account.history_line", (("library", library), ("out", out), ("back", entry.returned.isoformat()))


@dataclass(frozen=True)
class PrintLine:
    """One line of paper. style: "normal", "bold", "big" (double size), "rule", "qr", "cut", "feed"."""

    text: str = ""
    style: str = "normal"
    align: str = "left"


def cell_width(s: str) -> int:
    """Display cells: Hangul and other wide characters take two. So do East Asian "ambiguous"
    ones (·, ※, ①, °): a Korean printer draws every KS X 1001 character full width."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in s)


def fit(s: str, cells: int) -> str:
    """Cut `s` to at most `cells` display cells, marking the cut with '..'."""
    if cell_width(s) <= cells:
        return s
    out, used = [], 0
    for c in s:
        w = cell_width(c)
        if used + w > cells - 2:
            break
        out.append(c)
        used += w
    return "".join(out) + ".."


def wrap(s: str, cells: int) -> list[str]:
    """Break `s` into lines of at most `cells` display cells, at spaces where possible."""
    lines: list[str] = []
    current = ""
    for word in s.split(" "):
        candidate = f"{current} {word}" if current else word
        if cell_width(candidate) <= cells:
            current = candidate
            continue
        if current:
            lines.append(current)
        # A word longer than the line is broken by cells, never inside a wide character.
        while cell_width(word) > cells:
            cut, used = 0, 0
            while cut < len(word) and used + cell_width(word[cut]) <= cells:
                used += cell_width(word[cut])
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def indented(first: str, rest: str, body: str, width: int, max_lines: int = 0) -> list[str]:
    """`body` wrapped after the prefix `first`, continuation lines after `rest` (same width as
    `first` for a hanging indent); with max_lines, the last line kept is cut with '..'."""
    room = max(4, width - cell_width(first))
    parts = wrap(body, room) or [""]
    if max_lines and len(parts) > max_lines:
        tail = " ".join(parts[max_lines - 1 :])
        parts = parts[: max_lines - 1] + [fit(tail, room)]
    return [(first if i == 0 else rest) + p for i, p in enumerate(parts)]


class _Layout:
    """Builds the lines of one receipt; one method per section."""

    def __init__(self, receipt: Receipt, width: int) -> None:
        self.r = receipt
        self.width = width
        self.lines: list[PrintLine] = []

    def t(self, msg_id: str, **args: object) -> str:
        return text(msg_id, self.r.language, **args)

    def add(self, s: str = "", style: str = "normal", align: str = "left") -> None:
        self.lines.append(PrintLine(s, style, align))

    def para(self, s: str, style: str = "normal", align: str = "left", indent: str = "") -> None:
        for part in indented(indent, indent, s, self.width):
            self.add(part, style, align)

    def item(self, n: int, title: str, item_id: str, detail: str = "") -> None:
        """A numbered title (up to two lines, hanging indent), then its registration number and
        `detail` (a due date) on one line, or two when the paper is too narrow for both."""
        first = f"{n}. "
        for part in indented(first, " " * len(first), title or item_id, self.width, max_lines=2):
            self.add(part)
        pad = " " * len(first)
        both = f"{pad}{item_id}  {detail}" if detail else f"{pad}{item_id}"
        if cell_width(both) <= self.width:
            self.add(both)
            return
        self.para(item_id, indent=pad)
        if detail:
            self.para(detail, indent=pad)

    def due(self, loan: Loan, msg_id: str = "receipt.due") -> str:
        due = loan.due.isoformat() if loan.due else "-"
        late = loan.due is not None and loan.due < self.r.at.date()
        return f"{self.t(msg_id)} {due}" + (f" ({self.t('receipt.overdue')})" if late else "")

    def header(self) -> None:
        r = self.r
        # Double size: half as many cells; a long name wraps rather than losing its end.
        for part in wrap(r.library_name, self.width // 2) or [""]:
            self.add(part, "big", "center")
        only_loans = not (r.returned or r.renewed or any(x.action != "checkout" for x in r.refused))
        self.add(self.t("receipt.title" if only_loans else "receipt.title.visit"), "bold", "center")
        self.add(style="rule")
        self.para(f"{self.t('receipt.date')}: {r.at:%Y-%m-%d %H:%M}")
        self.para(f"{self.t('receipt.kiosk')}: {r.kiosk_id}")
        if r.card_masked:  # a return needs no card: then nothing about a patron is printed
            self.para(f"{self.t('receipt.patron')}: {r.patron_name_masked} ({r.card_masked})")
        self.add(style="rule")

    def body(self) -> None:
        r = self.r
        if r.borrowed:
            self.add(self.t("receipt.borrowed", count=len(r.borrowed)), "bold")
            for n, loan in enumerate(r.borrowed, 1):
                self.item(n, loan.title, loan.item_id, self.due(loan))
                note = (
                    "receipt.note.earlier"
                    if loan.earlier
                    else "receipt.note.offline_loan"
                    if loan.offline
                    else ""
                )
                if note:
                    self.para(f"! {self.t(note)}", indent=" " * len(f"{n}. "))
        if r.renewed:
            self.add(self.t("receipt.renewed", count=len(r.renewed)), "bold")
            for n, loan in enumerate(r.renewed, 1):
                self.item(n, loan.title, loan.item_id, self.due(loan, "receipt.new_due"))
        if r.requested:
            self.add(self.t("receipt.requested", count=len(r.requested)), "bold")
            for n, hold in enumerate(r.requested, 1):
                if hold.collect_by is not None:
                    place = hold.pickup_location or "-"
                    detail = self.t("receipt.collect", place=place, date=hold.collect_by.isoformat())
                else:
                    detail = self.t("receipt.queued", position=hold.position or "-")
                self.item(n, hold.title, hold.item_id, detail)
        if r.returned:
            self.add(self.t("receipt.returned", count=len(r.returned)), "bold")
            for n, c in enumerate(r.returned, 1):
                self.item(n, c.title, c.item_id)
                pad = " " * len(f"{n}. ")
                if c.sort_bin:
                    self.para(self.t("receipt.sort_bin", bin=c.sort_bin), indent=pad)
                if c.note:
                    self.para(f"! {self.t(c.note)}", indent=pad)
                if c.destination:
                    self.para(self.t("receipt.goes_to", library=c.destination), indent=pad)
            if r.suspended_days and r.suspended_until is not None:
                until = r.suspended_until.isoformat()
                self.para("! " + self.t("receipt.suspended", days=r.suspended_days, until=until), "bold")
        for action, heading in (
            ("checkout", "receipt.refused"),
            ("renewal", "receipt.refused.renewal"),
            ("checkin", "receipt.refused.checkin"),
        ):
            self.explained(heading, [x for x in r.refused if x.action == action], "- ")
        # Neither borrowed nor refused: the library could not say; the patron asks at the desk.
        self.explained("receipt.unconfirmed", list(r.unconfirmed), "? ")
        if r.history:
            self.add(self.t("receipt.history", count=len(r.history)), "bold")
            for n, entry in enumerate(r.history, 1):
                msg_id, args = history_line(entry, entry.library)
                self.item(n, entry.title, entry.item_id, self.t(msg_id, **dict(args)))

    def explained(self, heading: str, group: list[Refusal], marker: str) -> None:
        """A heading with its count, then each item with the reason under it."""
        if not group:
            return
        self.add(self.t(heading, count=len(group)), "bold")
        for x in group:
            for part in indented(marker, "  ", x.title or x.item_id, self.width, max_lines=2):
                self.add(part)
            if x.title:
                self.para(x.item_id, indent="  ")
            self.para(self.t(x.reason), indent="  ")

    def account(self) -> None:
        r = self.r
        counted = r.loans_total is not None or r.loans_network is not None
        if r.on_loan or counted or r.quota_left is not None:
            self.add(style="rule")
        if r.on_loan:
            self.add(self.t("receipt.on_loan", count=len(r.on_loan)), "bold")
            for n, loan in enumerate(r.on_loan, 1):
                self.item(n, loan.title, loan.item_id, self.due(loan))
        if counted:
            # Two counts, never one ambiguous total: this library's and the whole network's.
            self.para(self.t("receipt.loans_now"), "bold")
            if r.loans_total is not None:
                self.para(self.t("receipt.loans_here", count=r.loans_total), indent="  ")
            if r.loans_network is not None:
                self.para(self.t("receipt.loans_network", count=r.loans_network), indent="  ")
        if r.quota_left is not None:
            limit = r.quota_limit if r.quota_limit is not None else "-"
            msg_id = f"receipt.quota.{(r.quota_scope or LoanLimit.NETWORK).value}"
            if r.quota_left == 0 and r.quota_limit is not None:
                msg_id += ".reached"
            self.para(self.t(msg_id, left=r.quota_left, limit=limit))
        if r.account_url:
            self.para(self.t("receipt.account"), align="center")
            self.add(r.account_url, "qr", "center")
        if r.footer:
            self.add(style="rule")
            self.para(r.footer, align="center")
        self.add(style="feed")
        self.add(style="cut")


def layout(receipt: Receipt, width: int) -> list[PrintLine]:
    """Lay the receipt out for paper `width` display cells wide (32 on 58 mm, 48 on 80 mm):
    no text line is wider than `width` cells (a "big" line's cells count twice)."""
    lay = _Layout(receipt, width)
    lay.header()
    lay.body()
    lay.account()
    return lay.lines
