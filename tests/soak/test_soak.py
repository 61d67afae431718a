"""A short soak in the suite: random visits with faults against one headless kiosk, then the
records check. It must find no difference, and it must have had something to check."""

from __future__ import annotations

import json

import pytest

from kiosk.demo.soak import VisitMaker, read_stream
from tests.soak.helpers import figure, kiosk

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]
# Faults whose differences are known and pinned in test_known_faults.py: left out here until
# fixed (none now; the soak command's --without takes a comma-separated list).
SUITE_WITHOUT = ""


def test_a_short_soak_with_faults_leaves_the_records_in_agreement(tmp_path):
    done = kiosk("soak", "--visits", "30", "--seed", "11", "--faults", "0.5", "--without", SUITE_WITHOUT,
                 "--out", str(tmp_path))  # fmt: skip
    report = done.stdout
    assert done.returncode == 0, report[-4000:] + done.stderr[-4000:]
    assert figure(report, "discrepancies:") == 0
    assert figure(report, "visits:") == 30
    assert figure(report, "faults injected:") >= 5
    assert figure(report, "transactions:") >= 15  # borrowing, returning, renewing really happened
    assert "records agree" in report
    for label in ("start:", "end:"):
        assert figure(report, label + r" RSS") > 0 and "open files" in report
    # What the check read: the stream of every screen, ended visits and printed receipts.
    entries = read_stream(tmp_path / "stream.jsonl")
    assert sum(e.get("type") == "VisitEnded" for e in entries) >= 25
    assert sum(1 for _ in (tmp_path / "receipts").glob("receipt-*.txt")) >= 5


def test_the_same_seed_makes_the_same_visits():
    from kiosk.demo.soak import Catalogue

    catalogue = Catalogue(
        ["04A1B2C3D4E5F6", "04E4F5A6B7C8D9"], [f"EM{100000 + n:010d}" for n in range(1, 40)]
    )

    def visits(seed: int) -> list[str]:
        maker = VisitMaker(catalogue, seed, fault_rate=0.5, library_faults=True)
        return [json.dumps([str(s) for s in maker.visit()[0]]) for _ in range(20)]

    assert visits(3) == visits(3) and visits(3) != visits(4)
    made = "".join(visits(3))
    assert "tap_card" in made and "press giveback" in made and "fault " in made
