"""The records check: the library's records after a run against what each patron was shown,
what the kiosk journaled and what the printer printed. Any difference is named (cards masked).

Inputs are plain data, so the check runs the same on a demo's own transcript in memory and on
the streams a killed kiosk left behind:
- the library's loans and holds before and after (`Records`, from the circulation store);
- the transcript's entries (kiosk.demo.transcript: screens shown, library requests, receipts
  sent to print and whether they printed, visits ended), in order;
- the journal's entries after the run (and after any reconciliation);
- the text of every receipt the printer cut, in order (None: no printer to ask).

What must hold:
1. the library's loans and holds are those before, changed by exactly the transactions the
   journal says were carried out (nothing lost, nothing doubled: a checkout sent twice shows
   as a renewal too many); an entry still open, or taken offline and waiting, is pending;
2. every outcome shown matches a journal entry (same transaction, book and masked card) with
   the same outcome, and every entry the journal marks as told was shown;
3. the library agrees with the last outcome each book was shown with, unless a later
   transaction (an orphan: one the patron was not told of) changed it;
4. each printed receipt lists exactly what its visit's screens said, for the visit's card.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.privacy import mask_card
from kiosk.ils.journal import Entry

# What a line on screen says happened, by the line's note (ok lines) or screen.
BORROWED, RENEWED, RETURNED, REQUESTED, CANCELLED = (
    "borrowed",
    "renewed",
    "returned",
    "requested",
    "cancelled",
)
REFUSED, UNCONFIRMED = "refused", "unconfirmed"
OK_NOTES = {
    "borrow.done_line": BORROWED,
    "borrow.done_offline_line": BORROWED,  # lent offline: journaled, sent when the library is back
    "borrow.earlier_line": BORROWED,  # an interrupted visit's loan, shown at the next tap
    "borrow.renewed_line": RENEWED,
    "library.hold_queued": REQUESTED,
    "library.closed_stack_requested": REQUESTED,
    "account.hold_cancelled": CANCELLED,
}
# Lines with a "refused" status that state a fact about the account, not a transaction refused.
ACCOUNT_FACTS = ("account.overdue_line", "account.fees", "block.")
OUTCOME_SCREENS = ("borrow", "giveback", "account")
# The journal's kinds each outcome may stand for (a checkout of one's own loan is renewed).
KINDS = {
    BORROWED: ("checkout",),
    RENEWED: ("renew", "checkout"),
    RETURNED: ("checkin",),
    REQUESTED: ("place_hold",),
    CANCELLED: ("cancel_hold",),
}
REFUSED_KINDS = {
    "borrow": ("checkout", "renew"),
    "giveback": ("checkin",),
    "account": ("renew", "cancel_hold"),
}
# A registration number as labels carry it: two letters and ten digits.
ITEM_ID = re.compile(r"\b[A-Z]{2}\d{10}\b")


@dataclass(frozen=True)
class Records:
    """The library's circulation records that a visit changes: item -> (card, renewals) for
    every loan, and (item, card) for every hold."""

    loans: dict[str, tuple[str, int]]
    holds: frozenset[tuple[str, str]] = frozenset()


@dataclass
class Shown:
    """One outcome a patron was shown for `item` in visit `visit` (as its last line said it)."""

    visit: int
    item: str
    outcome: str  # BORROWED ... UNCONFIRMED
    screen: str
    card: str  # masked: the card of the request that asked for it ("" for a return)
    offline: bool = False
    entry: int | None = None  # the journal entry it was matched with
    earlier: bool = False  # an interrupted visit's loan, told again at the next tap


@dataclass
class Visit:
    number: int
    card: str = ""  # masked
    # Every outcome shown for each book, in the order first shown (a refused checkout may
    # become a reservation on the same row; an unconfirmed one may be confirmed when shown again).
    shown: dict[tuple[str, str], Shown] = field(default_factory=dict)
    # The outcome each book was left with: what the receipt lists.
    last: dict[str, str] = field(default_factory=dict)
    # Receipts sent to the printer: (receipt data, printed ok?) in order.
    receipts: list[tuple[dict[str, Any], bool | None]] = field(default_factory=list)
    both: set[str] = field(default_factory=set)  # items one screen showed as done and refused
    # Cut by a kill: its last screen may be on while the journal never heard it was shown.
    killed: bool = False


@dataclass
class Report:
    visits: int = 0
    shown: int = 0
    transactions: int = 0
    receipts: int = 0
    differences: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        out = [
            f"records check: {self.visits} visit(s), {self.shown} outcome(s) shown, "
            f"{self.transactions} journaled transaction(s), {self.receipts} receipt(s) printed",
        ]
        out += [f"  orphan (not told; for staff): {o}" for o in self.orphans]
        out += [f"  pending: {p}" for p in self.pending]
        out += [f"  DIFFERENCE: {d}" for d in self.differences]
        out.append(
            "records agree: library, screens, journal and receipts"
            if self.ok
            else f"records DISAGREE: {len(self.differences)} difference(s)"
        )
        return out


# -- what the screens showed -------------------------------------------------------------


def _outcome(screen: str, line: dict[str, Any]) -> str | None:
    status, note = line.get("status"), str(line.get("note", ""))
    if not line.get("detail") or screen not in OUTCOME_SCREENS:
        return None
    if status == "ok":
        if note in OK_NOTES:
            return OK_NOTES[note]
        return RETURNED if screen == "giveback" else None
    if status == "refused":
        if screen == "account" and not note.startswith("refusal."):
            return None
        return None if note.startswith(ACCOUNT_FACTS) else REFUSED
    if status == "unconfirmed":
        return UNCONFIRMED
    return None


def visits(entries: Iterable[dict[str, Any]]) -> list[Visit]:
    """The transcript cut into visits (at each VisitEnded), each with the last outcome every
    book was shown with, the card that asked for it, and its receipts."""
    done: list[Visit] = []
    visit = Visit(1)
    asked: dict[str, str] = {}  # item -> masked card of the last request naming it
    jobs: dict[Any, int] = {}
    for e in entries:
        kind = e.get("type")
        if kind == "CallLibrary":
            request = e.get("request") or {}
            item, card = request.get("item_id"), request.get("patron_id")
            if item:
                asked[str(item)] = str(card or "")
            if card and not visit.card:
                visit.card = str(card)
        elif kind == "Show":
            view = e.get("view") or {}
            screen = str(view.get("screen", ""))
            statuses: dict[str, set[str]] = defaultdict(set)
            for line in view.get("lines") or ():
                outcome = _outcome(screen, line)
                if outcome is None:
                    continue
                item = str(line["detail"])
                statuses[item].add(outcome)
                card = asked.get(item, "") or ("" if outcome == RETURNED else visit.card)
                offline = "offline" in str(line.get("note", ""))
                earlier = line.get("note") == "borrow.earlier_line"
                visit.shown[(item, outcome)] = Shown(visit.number, item, outcome, screen, card, offline,
                                                     earlier=earlier)  # fmt: skip
                visit.last[item] = outcome
            visit.both |= {item for item, s in statuses.items() if REFUSED in s and len(s) > 1}
        elif kind == "PrintReceipt":
            jobs[e.get("job_id")] = len(visit.receipts)
            visit.receipts.append((e.get("receipt") or {}, None))
        elif kind == "ReceiptPrinted" and e.get("job_id") in jobs:
            index = jobs.pop(e.get("job_id"))
            ok = bool((e.get("outcome") or {}).get("ok"))
            # A receipt is printed for the visit that asked, even when the answer comes late.
            owner = visit if index < len(visit.receipts) and visit.receipts[index][1] is None else None
            for v in [owner, *reversed(done)]:
                if v is not None and index < len(v.receipts) and v.receipts[index][1] is None:
                    v.receipts[index] = (v.receipts[index][0], ok)
                    break
        elif kind == "Killed":
            visit.killed = True
        elif kind == "VisitEnded":
            if visit.shown or visit.receipts or visit.card:
                done.append(visit)
            visit = Visit(len(done) + 1)
            asked = {}
    if visit.shown or visit.receipts:
        done.append(visit)
    return done


# -- what the receipt says -----------------------------------------------------------------

RECEIPT_SECTIONS = {
    "receipt.borrowed": BORROWED,
    "receipt.renewed": RENEWED,
    "receipt.requested": REQUESTED,
    "receipt.returned": RETURNED,
    "receipt.refused": REFUSED,
    "receipt.refused.renewal": REFUSED,
    "receipt.refused.checkin": REFUSED,
    "receipt.unconfirmed": UNCONFIRMED,
    "receipt.on_loan": "",  # the patron's other loans: not this visit's outcomes
    "receipt.loans_now": "",
}


def _heading_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for msg_id, section in RECEIPT_SECTIONS.items():
        for language in Language:
            template = text(msg_id, language, count="\x00")
            body = re.escape(template).replace("\x00", r"\d+")
            patterns.append((re.compile(rf"^\s*{body}\s*$"), section))
    return patterns


_HEADINGS = _heading_patterns()


def printed_outcomes(lines: Sequence[str]) -> tuple[dict[str, str], str]:
    """What a printed receipt says of each book (item -> outcome) and the card it names."""
    said: dict[str, str] = {}
    section: str | None = None
    card = ""
    for line in lines:
        heading = next((s for pattern, s in _HEADINGS if pattern.match(line)), None)
        if heading is not None:
            section = heading
            continue
        found = re.search(r"\((\*+[^()\s]*)\)\s*$", line)
        if section is None and found:
            card = found.group(1)
        if section:
            for item in ITEM_ID.findall(line):
                said[item] = section
    return said, card


# -- the check -------------------------------------------------------------------------------


class _Expected:
    """The library's records as the journal's transactions leave them."""

    def __init__(self, before: Records) -> None:
        self.loans = dict(before.loans)
        self.holds = set(before.holds)

    def apply(self, e: Entry) -> None:
        loan = self.loans.get(e.item_id)
        if e.kind == "checkout":
            if loan is not None and loan[0] == e.patron_id:
                self.loans[e.item_id] = (loan[0], loan[1] + 1)  # the library renews it
            else:
                self.loans[e.item_id] = (e.patron_id, 0)
            self.holds.discard((e.item_id, e.patron_id))  # collected: the hold is filled
        elif e.kind == "renew" and loan is not None:
            self.loans[e.item_id] = (loan[0], loan[1] + 1)
        elif e.kind == "checkin":
            self.loans.pop(e.item_id, None)
        elif e.kind == "place_hold":
            self.holds.add((e.item_id, e.patron_id))
        elif e.kind == "cancel_hold":
            self.holds.discard((e.item_id, e.patron_id))


def _who(card: str) -> str:
    return mask_card(card) if card else "nobody"


def _entry_name(e: Entry) -> str:
    who = f", card {mask_card(e.patron_id)}" if e.patron_id else ""
    return f"journal entry {e.id} ({e.kind} {e.item_id}{who}, {e.state}{', offline' if e.offline else ''})"


def check(
    before: Records,
    after: Records,
    entries: Iterable[dict[str, Any]],
    journal: Sequence[Entry],
    receipts: Sequence[Sequence[str]] | None = None,
) -> Report:
    """Compare; see the module's docstring."""
    seen = visits(entries)
    report = Report(visits=len(seen), transactions=len(journal))
    report.shown = sum(len(v.shown) for v in seen)
    renewed_all, matched = _screens_against_journal(seen, journal, report)
    pending_items = _journal_against_library(before, after, journal, renewed_all, matched, report)
    _screens_against_library(seen, after, journal, pending_items, report)
    if receipts is not None:
        _receipts_against_screens(seen, receipts, report)
    return report


def _journal_against_library(
    before: Records,
    after: Records,
    journal: Sequence[Entry],
    renewed_all: Sequence[Shown],
    matched: set[int],
    report: Report,
) -> set[str]:
    """`renewed_all`: loans renewed by "renew all", one request for every loan (not journaled);
    `matched`: entries a screen showed the outcome of."""
    expected = _Expected(before)
    pending: set[str] = set()
    for e in journal:
        if e.state == "done":
            expected.apply(e)
        elif e.open:
            pending.add(e.item_id)
            why = "taken offline, waits to be sent" if e.waiting_offline else "outcome not known yet"
            report.pending.append(f"{_entry_name(e)}: {why}")
        if e.state in ("done", "not_done", "refused") and not e.told and e.id not in matched:
            report.orphans.append(_entry_name(e))
    for shown in renewed_all:
        loan = expected.loans.get(shown.item)
        if loan is not None:
            expected.loans[shown.item] = (loan[0], loan[1] + 1)
    for item in sorted(set(expected.loans) | set(after.loans)):
        if item in pending:
            continue
        want, have = expected.loans.get(item), after.loans.get(item)
        if want == have:
            continue
        if want is None or have is None:
            report.differences.append(
                f"{item}: the library has it on loan to {_who(have[0]) if have else 'nobody'}; "
                f"the journal's transactions leave it with {_who(want[0]) if want else 'nobody'}"
            )
        elif want[0] != have[0]:
            report.differences.append(
                f"{item}: on loan to {_who(have[0])} in the library, to {_who(want[0])} by the journal"
            )
        else:
            report.differences.append(
                f"{item}: renewed {have[1]} time(s) in the library, {want[1]} by the journal "
                f"(card {_who(have[0])}): a transaction {'doubled' if have[1] > want[1] else 'lost'}"
            )
    for item, card in sorted(expected.holds ^ set(after.holds)):
        if item in pending:
            continue
        where = "in the library only" if (item, card) in after.holds else "by the journal only"
        report.differences.append(f"{item}: a hold for {_who(card)} {where}")
    return pending


def _screens_against_journal(
    seen: Sequence[Visit], journal: Sequence[Entry], report: Report
) -> tuple[list[Shown], set[int]]:
    """Match every outcome shown with its journal entry; the renewals of "renew all" (which
    have none) and the entries matched."""
    renewed_all = []
    unused = list(journal)
    matched: set[int] = set()
    # Entries a killed visit's screen showed: the kiosk, not knowing whether the patron saw
    # them, tells them again at the next tap (an earlier loan), which matches them again.
    retell: list[Entry] = []
    for visit in seen:
        for item in sorted(visit.both):
            report.differences.append(f"visit {visit.number}: {item} shown both as done and as refused")
        for shown in visit.shown.values():
            # A loan told again is first the one a killed visit showed: a later loan of the same
            # book to the same card must be left for the screen that will show it.
            again = _match(shown, retell, cut=True) if shown.earlier else None
            if again is not None:
                retell.remove(again)
                shown.entry = again.id
                continue
            entry = _match(shown, unused, visit.killed)
            if entry is None:
                if shown.outcome == RENEWED and shown.screen == "account":
                    renewed_all.append(shown)  # one request for every loan, not journaled per book
                    continue
                others = [
                    _entry_name(e) + ("" if e.told else ", not told")
                    for e in unused
                    if e.item_id == shown.item
                ]
                report.differences.append(
                    f"visit {visit.number}: {shown.item} shown as {shown.outcome} on the {shown.screen} "
                    f"screen (card {shown.card or 'none'}), and no journal entry says so"
                    + (f" (the journal has: {'; '.join(others[:3])})" if others else "")
                )
                continue
            shown.entry = entry.id
            matched.add(entry.id)
            unused.remove(entry)
            if visit.killed:
                retell.append(entry)
    for e in journal:
        if e.told and e.id not in matched:
            report.differences.append(f"{_entry_name(e)}: marked as told, but no screen showed it")
    return renewed_all, matched


def _match(shown: Shown, entries: list[Entry], cut: bool = False) -> Entry | None:
    """The first journal entry not matched yet that records what `shown` says. `cut`: the
    visit was cut by a kill, maybe between its screen and the journal hearing it was shown."""
    for e in entries:
        if e.item_id != shown.item or (shown.card and e.patron_id and mask_card(e.patron_id) != shown.card):
            continue
        if shown.outcome == UNCONFIRMED:
            agrees = not e.told  # the patron was told it could not be confirmed
        elif shown.outcome == REFUSED:
            # Refused by the library (told), or not done because it could not be sent.
            said = (e.state == "refused" and (e.told or cut)) or e.state == "not_done"
            agrees = e.kind in REFUSED_KINDS.get(shown.screen, ()) and said
        else:
            done = e.offline if shown.offline else e.state == "done"
            agrees = e.kind in KINDS.get(shown.outcome, ()) and (e.told or cut) and done
        if agrees:
            return e
    return None


def _screens_against_library(
    seen: Sequence[Visit], after: Records, journal: Sequence[Entry], pending: set[str], report: Report
) -> None:
    kinds = {e.id: e.kind for e in journal}
    last: dict[str, Shown] = {}
    for visit in seen:
        for (item, outcome), shown in visit.shown.items():
            if visit.last[item] == outcome and outcome in (BORROWED, RENEWED, RETURNED, REFUSED):
                last[item] = shown
    for item, shown in sorted(last.items()):
        if item in pending:
            continue
        later = [e for e in journal if e.item_id == item and e.state == "done" and e.id > (shown.entry or 0)]
        if later:
            continue  # changed after by a transaction the patron was not told of (an orphan)
        loan = after.loans.get(item)
        holder = mask_card(loan[0]) if loan else ""
        where = f"visit {shown.visit}: {item} shown as {shown.outcome}"
        if shown.outcome in (BORROWED, RENEWED) and not shown.offline and holder != shown.card:
            report.differences.append(
                f"{where} to {shown.card}, but the library has it on loan to {holder or 'nobody'}"
            )
        elif shown.outcome == RETURNED and loan is not None and not shown.offline:
            report.differences.append(f"{where}, but the library still has it on loan to {holder}")
        elif (
            shown.outcome == REFUSED
            and holder
            and holder == shown.card
            and kinds.get(shown.entry or 0) == "checkout"
        ):
            # A checkout refused (not a renewal of the patron's own loan), yet lent to them.
            report.differences.append(f"{where}, but the library has it on loan to {holder}")


# The line every printer test page carries (kiosk.diagnostics.printer.test_page).
TEST_PAGE_MARK = "Printer test page"


def _receipts_against_screens(
    seen: Sequence[Visit], printed: Sequence[Sequence[str]], report: Report
) -> None:
    # A technician's test page is no visit's receipt.
    queue = [lines for lines in printed if not any(TEST_PAGE_MARK in line for line in lines)]
    report.receipts = len(queue)
    for visit in seen:
        for data, ok in visit.receipts:
            if not ok:
                continue
            if not queue:
                report.differences.append(
                    f"visit {visit.number}: the kiosk says its receipt printed; none was cut"
                )
                continue
            said, card = printed_outcomes(queue.pop(0))
            screen = visit.last
            if said != screen:
                report.differences.append(
                    f"visit {visit.number}: the receipt says {_outcomes(said)}; "
                    f"the screens said {_outcomes(screen)}"
                )
            want = str(data.get("card_masked") or "")
            if card != want or (visit.card and want and want != visit.card):
                report.differences.append(
                    f"visit {visit.number}: the receipt names card {card or 'none'}; the visit was "
                    f"{visit.card or want or 'without a card'}"
                )
    if queue:
        report.differences.append(f"{len(queue)} receipt(s) printed that no visit sent to print")


def _outcomes(said: dict[str, str]) -> str:
    return ", ".join(f"{item} {outcome}" for item, outcome in sorted(said.items())) or "nothing"
