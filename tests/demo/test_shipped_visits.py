"""The scripted visits shipped in kiosk/demo, each run as `kiosk demo --headless --script` on the
simulators: the visit completes, and the library's records, the screen lines and the receipt
agree on what became of every book."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.ils import seed
from simulators.ils.store import CirculationStore

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "kiosk" / "demo"
pytestmark = pytest.mark.timeout(180)


def run_visit(tmp_path: Path, name: str) -> tuple[CirculationStore, list[dict], Path]:
    db = tmp_path / "ils.sqlite"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[library]\nport = 0\ndb = "{db}"\n', encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--config", str(config),
         "--script", str(DEMO / f"{name}.visit"), "--out", str(out)],
        capture_output=True, text=True, timeout=170, cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "receipt.png").is_file() and len(list((out / "screens").glob("*.png"))) >= 5
    entries = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    return CirculationStore(str(db)), entries, out


def printed(entries: list[dict]) -> dict:
    (receipt,) = [e["receipt"] for e in entries if e["type"] == "PrintReceipt"]
    return receipt


def last_lines(entries: list[dict], screen: str) -> list[tuple[str, str]]:
    views = [e["view"] for e in entries if e["type"] == "Show" and e["view"]["screen"] == screen]
    # Item rows only: the totals lines above a list name no item.
    return [(line["detail"], line["status"]) for line in views[-1]["lines"] if line["detail"]]


def test_three_books_returned_without_a_card(tmp_path):
    store, entries, _ = run_visit(tmp_path, "return-without-card")
    books = (seed.ON_LOAN_ITEM, seed.WAITING_HOLD_ITEM, seed.OVERDUE_ITEM)
    try:
        assert all(store.loan(item) is None for item in books)  # all three checked in, once
    finally:
        store.close()
    assert last_lines(entries, "giveback") == [(item, "ok") for item in books]
    receipt = printed(entries)
    assert [x["item_id"] for x in receipt["returned"]] == list(books)
    assert receipt["card_masked"] is None or receipt["card_masked"] == ""  # no patron on it
    notes = {x["item_id"]: x["note"] for x in receipt["returned"]}
    assert notes[seed.WAITING_HOLD_ITEM] == "receipt.note.hold_shelf"
    assert receipt["suspended_days"] == 3


def test_return_then_tap_and_borrow(tmp_path):
    store, entries, _ = run_visit(tmp_path, "return-then-borrow")
    try:
        assert store.loan(seed.DEMO_LOAN_ITEM) is None
        loan = store.loan(seed.DEMO_ITEMS[0])
        assert loan is not None and loan.card_id == seed.DEMO_PATRON_ID
        due = loan.due.isoformat()
    finally:
        store.close()
    receipt = printed(entries)
    assert [x["item_id"] for x in receipt["returned"]] == [seed.DEMO_LOAN_ITEM]
    assert [(x["item_id"], x["due"]) for x in receipt["borrowed"]] == [(seed.DEMO_ITEMS[0], due)]
    assert receipt["loans_total"] == 1  # the returned book no longer counts


def test_the_patrons_own_loan_shown_again_is_renewed(tmp_path):
    store, entries, _ = run_visit(tmp_path, "renew-own-loan")
    try:
        loan = store.loan(seed.DEMO_LOAN_ITEM)
        assert loan is not None and loan.renewals == 1
        due = loan.due.isoformat()
    finally:
        store.close()
    receipt = printed(entries)
    assert receipt["borrowed"] == [] and [(x["item_id"], x["due"]) for x in receipt["renewed"]] == [
        (seed.DEMO_LOAN_ITEM, due)
    ]
    assert last_lines(entries, "borrow") == [(seed.DEMO_LOAN_ITEM, "ok")]


def test_a_reserved_loan_is_not_renewed_and_says_why(tmp_path):
    store, entries, _ = run_visit(tmp_path, "renewal-refused")
    try:
        loan = store.loan(seed.RESERVED_LOAN_ITEM)
        assert loan is not None and loan.renewals == 0
    finally:
        store.close()
    receipt = printed(entries)
    assert [(x["item_id"], x["action"]) for x in receipt["refused"]] == [(seed.RESERVED_LOAN_ITEM, "renewal")]
    assert receipt["renewed"] == [] and receipt["borrowed"] == []


def test_renew_all_from_my_loans(tmp_path):
    store, entries, _ = run_visit(tmp_path, "renew-all")
    try:
        loan = store.loan(seed.DEMO_LOAN_ITEM)
        assert loan is not None and loan.renewals == 1
        due = loan.due.isoformat()
    finally:
        store.close()
    assert last_lines(entries, "account") == [(seed.DEMO_LOAN_ITEM, "ok")]
    receipt = printed(entries)
    assert [(x["item_id"], x["due"]) for x in receipt["renewed"]] == [(seed.DEMO_LOAN_ITEM, due)]


@pytest.mark.parametrize(
    ("name", "patron", "here", "network", "left", "limit", "scope"),
    [
        # 5 here + 2 at GN, one more borrowed: 6 of this library's 7, so 1 more (network 8 of 20).
        ("near-library-limit", seed.LIBRARY_BOUND_PATRON_ID, 6, 8, 1, 7, "library"),
        # 2 here + 16 elsewhere, one more: 19 of the network's 20, so 1 more (here 3 of 7).
        ("near-network-limit", seed.NETWORK_BOUND_PATRON_ID, 3, 19, 1, 20, "network"),
    ],
)
def test_the_receipt_tells_which_limit_binds(tmp_path, name, patron, here, network, left, limit, scope):
    store, entries, _ = run_visit(tmp_path, name)
    try:
        assert len(store.loans_of(patron, seed.LIBRARY)) == here
        assert len(store.loans_of(patron)) == network - seed.NETWORK_BOUND_LOANS_OUTSIDE * (
            scope == "network"
        )
    finally:
        store.close()
    receipt = printed(entries)
    assert (receipt["loans_total"], receipt["loans_network"]) == (here, network)
    assert (receipt["quota_left"], receipt["quota_limit"]) == (left, limit)
    assert scope in str(receipt["quota_scope"]).lower()


def test_a_ready_hold_is_shown_and_collected(tmp_path):
    store, entries, _ = run_visit(tmp_path, "collect-hold")
    try:
        loan = store.loan(seed.ON_HOLD_ITEM)
        assert loan is not None and loan.card_id == seed.HOLDER_PATRON_ID
        assert seed.ON_HOLD_ITEM not in [h.item_id for h in store.holds_of(seed.HOLDER_PATRON_ID)]
    finally:
        store.close()
    borrow_views = [e["view"] for e in entries if e["type"] == "Show" and e["view"]["screen"] == "borrow"]
    first = [(x["detail"], x["status"], x["note"]) for x in borrow_views[0]["lines"]]
    assert first == [(seed.ON_HOLD_ITEM, "info", "borrow.hold_ready_line")]
    assert last_lines(entries, "borrow") == [(seed.ON_HOLD_ITEM, "ok")]
