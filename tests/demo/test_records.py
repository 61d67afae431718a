"""The records check (kiosk.demo.records) on real runs of shipped visits: it agrees when the visit
went right, and names the difference when the library's records, the journal, the transcript or
the printed receipt are changed after the visit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.demo.records import Records, check, printed_outcomes, visits
from kiosk.ils.journal import Journal
from simulators.ils import seed
from simulators.ils.store import CirculationStore

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(180)


@dataclasses.dataclass
class Run:
    before: Records
    after: Records
    entries: list[dict]
    journal: list
    receipts: list[list[str]]
    stdout: str


def run(tmp: Path, name: str) -> Run:
    db, journal, receipts = tmp / "ils.sqlite", tmp / "journal.sqlite", tmp / "receipts"
    config = tmp / "kiosk.toml"
    config.write_text(
        f'[library]\nport = 0\ndb = "{db}"\njournal = "{journal}"\n'
        f'[printer]\nsim_out = "{receipts}"\nsim_baud = 0\n',
        encoding="utf-8",
    )
    today = dt.date.today()
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--config", str(config),
         "--script", str(ROOT / "kiosk" / "demo" / f"{name}.visit"), "--out", str(tmp / "out")],
        capture_output=True, text=True, timeout=170, cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    seeded = CirculationStore(None)
    seed.seed(seeded, today)  # the records as the run found them
    store = CirculationStore(str(db))
    opened = Journal(journal)
    try:
        before, after = Records(*seeded.circulation()), Records(*store.circulation())
        entries = opened.entries()
    finally:
        seeded.close()
        store.close()
        opened.close()
    texts = [p.read_text(encoding="utf-8").splitlines() for p in sorted(receipts.glob("receipt-*.txt"))]
    transcript = json.loads((tmp / "out" / "transcript.json").read_text(encoding="utf-8"))
    return Run(before, after, transcript, entries, texts, done.stdout)


@pytest.fixture(scope="module")
def first_borrow(tmp_path_factory) -> Run:
    return run(tmp_path_factory.mktemp("first-borrow"), "first-borrow")


@pytest.fixture(scope="module")
def return_then_borrow(tmp_path_factory) -> Run:
    return run(tmp_path_factory.mktemp("return-then-borrow"), "return-then-borrow")


def verdict(r: Run, **changes) -> list[str]:
    fields = {"before": r.before, "after": r.after, "entries": r.entries, "journal": r.journal,
              "receipts": r.receipts, **changes}  # fmt: skip
    return check(**fields).differences


def test_the_demo_prints_the_check_and_it_agrees(first_borrow):
    assert "records agree" in first_borrow.stdout
    assert verdict(first_borrow) == []
    report = check(first_borrow.before, first_borrow.after, first_borrow.entries, first_borrow.journal,
                   first_borrow.receipts)  # fmt: skip
    assert (report.visits, report.shown, report.transactions, report.receipts) == (1, 3, 3, 1)


def test_what_the_screens_and_the_receipt_said(first_borrow, return_then_borrow):
    (visit,) = visits(first_borrow.entries)
    assert visit.last == {seed.DEMO_ITEMS[0]: "borrowed", seed.DEMO_ITEMS[1]: "borrowed",
                          seed.ON_HOLD_ITEM: "refused"}  # fmt: skip
    said, card = printed_outcomes(first_borrow.receipts[0])
    assert said == visit.last and card == "****E5F6"
    (visit,) = visits(return_then_borrow.entries)
    assert visit.last == {seed.DEMO_LOAN_ITEM: "returned", seed.DEMO_ITEMS[0]: "borrowed"}
    assert printed_outcomes(return_then_borrow.receipts[0])[0] == visit.last


def test_a_loan_the_library_lost_is_named(first_borrow):
    loans = dict(first_borrow.after.loans)
    del loans[seed.DEMO_ITEMS[1]]
    differences = verdict(first_borrow, after=Records(loans, first_borrow.after.holds))
    assert any(
        d.startswith(f"{seed.DEMO_ITEMS[1]}: the library has it on loan to nobody") for d in differences
    )
    assert any(
        "shown as borrowed to ****E5F6, but the library has it on loan to nobody" in d for d in differences
    )
    assert all(seed.DEMO_PATRON_ID not in d for d in differences)  # masked only


def test_a_doubled_checkout_shows_as_a_renewal_too_many(first_borrow):
    loans = dict(first_borrow.after.loans)
    card, renewals = loans[seed.DEMO_ITEMS[0]]
    loans[seed.DEMO_ITEMS[0]] = (card, renewals + 1)
    (difference,) = verdict(first_borrow, after=Records(loans, first_borrow.after.holds))
    assert seed.DEMO_ITEMS[0] in difference and "doubled" in difference


def test_a_refused_book_lent_all_the_same_is_named(first_borrow):
    loans = dict(first_borrow.after.loans, **{seed.ON_HOLD_ITEM: (seed.DEMO_PATRON_ID, 0)})
    differences = verdict(first_borrow, after=Records(loans, first_borrow.after.holds))
    assert any("shown as refused, but the library has it on loan to ****E5F6" in d for d in differences)


def test_a_book_returned_on_screen_but_still_on_loan_is_named(return_then_borrow):
    r = return_then_borrow
    loans = dict(r.after.loans, **{seed.DEMO_LOAN_ITEM: (seed.DEMO_PATRON_ID, 0)})
    differences = verdict(r, after=Records(loans, r.after.holds))
    assert any(
        f"{seed.DEMO_LOAN_ITEM} shown as returned, but the library still has it" in d for d in differences
    )


def test_a_receipt_that_leaves_a_book_out_is_named(first_borrow):
    printed = [line for line in first_borrow.receipts[0] if seed.DEMO_ITEMS[1] not in line]
    (difference,) = verdict(first_borrow, receipts=[printed])
    assert "the receipt says" in difference and f"{seed.DEMO_ITEMS[1]} borrowed" in difference.split(";")[1]


def test_a_receipt_the_kiosk_said_it_printed_but_never_came_out_is_named(first_borrow):
    assert verdict(first_borrow, receipts=[]) == ["visit 1: the kiosk says its receipt printed; none was cut"]


def test_an_outcome_shown_that_the_journal_never_recorded_is_named(first_borrow):
    journal = [e for e in first_borrow.journal if e.item_id != seed.DEMO_ITEMS[0]]
    differences = verdict(first_borrow, journal=journal)
    assert any(
        f"{seed.DEMO_ITEMS[0]} shown as borrowed" in d and "no journal entry" in d for d in differences
    )


def test_an_entry_marked_told_that_no_screen_showed_is_named(first_borrow):
    shown = [e for e in first_borrow.entries if e.get("type") != "Show"]
    differences = verdict(first_borrow, entries=shown, receipts=None)
    assert sum("marked as told, but no screen showed it" in d for d in differences) == 3


def test_untold_transactions_are_orphans_for_staff_not_differences(first_borrow):
    """A kiosk killed before it could show anything: the journal has the transactions, not told."""
    journal = [dataclasses.replace(e, told=False) for e in first_borrow.journal]
    report = check(first_borrow.before, first_borrow.after, [], journal, None)
    assert report.differences == [] and len(report.orphans) == 3
    assert all("****E5F6" in o and seed.DEMO_PATRON_ID not in o for o in report.orphans)


def killed(entries: list[dict]) -> list[dict]:
    """The transcript as a kill after its last screen leaves it (the soak marks the cut)."""
    cut = [e for e in entries if e.get("type") != "VisitEnded"]
    return [*cut, {"type": "Killed"}, {"type": "VisitEnded"}]


def test_a_kill_between_a_screen_and_the_journal_hearing_of_it_is_no_difference(first_borrow):
    """Killed after the screen showed the loans, before the journal heard they were shown: the
    entries stay untold, and the kiosk tells the loans again at the patron's next tap."""
    journal = [dataclasses.replace(e, told=False) for e in first_borrow.journal]
    assert verdict(first_borrow, entries=first_borrow.entries, journal=journal, receipts=None)  # not killed
    assert verdict(first_borrow, entries=killed(first_borrow.entries), journal=journal, receipts=None) == []
    loans = [e for e in first_borrow.journal if e.kind == "checkout" and e.state == "done"]
    retold = {"type": "Show", "view": {"screen": "borrow", "lines": [
        {"detail": e.item_id, "status": "ok", "note": "borrow.earlier_line"} for e in loans]}}  # fmt: skip
    later = [{"type": "CallLibrary", "request": {"patron_id": "****E5F6"}}, retold, {"type": "VisitEnded"}]
    assert verdict(first_borrow, entries=killed(first_borrow.entries) + later, receipts=None) == []
    # Told again without the kill, the second telling has no entry of its own.
    differences = verdict(first_borrow, entries=first_borrow.entries + later, receipts=None)
    assert sum("no journal entry says so" in d for d in differences) == len(loans) == 2


def test_a_loan_told_again_is_the_killed_visits_not_a_later_one(first_borrow):
    """The same book lent again later to the same card: the retelling at the next tap belongs
    to the loan the killed visit showed, and the later loan to the screen that shows it."""
    journal = [dataclasses.replace(e, told=True) for e in first_borrow.journal]
    loans = [e for e in journal if e.kind == "checkout" and e.state == "done"]
    later = [dataclasses.replace(e, id=e.id + 100) for e in loans]  # lent again, returned between
    returns = [dataclasses.replace(e, id=e.id + 50, kind="checkin", patron_id="") for e in loans]
    retold = {"type": "Show", "view": {"screen": "borrow", "lines": [
        {"detail": e.item_id, "status": "ok", "note": "borrow.earlier_line"} for e in loans]}}  # fmt: skip
    card = [{"type": "CallLibrary", "request": {"patron_id": "****E5F6"}}]
    lent_again = {"type": "Show", "view": {"screen": "borrow", "lines": [
        {"detail": e.item_id, "status": "ok", "note": "borrow.done_line"} for e in loans]}}  # fmt: skip
    returned = {"type": "Show", "view": {"screen": "giveback", "lines": [
        {"detail": e.item_id, "status": "ok", "note": "giveback.returned_line"} for e in loans]}}  # fmt: skip
    end = {"type": "VisitEnded"}
    entries = [*killed(first_borrow.entries), *card, retold, end, returned, end, *card, lent_again, end]
    seen = journal + returns + later
    report = check(first_borrow.before, first_borrow.after, entries, seen, None)
    assert not [d for d in report.differences if "no journal entry says so" in d], report.differences
