"""The kiosk killed (SIGKILL) at random points of its visits and restarted on the same journal
against a library that outlives it: nothing lost, nothing doubled, every transaction the
patron was not told of kept for staff. A few kills run in the suite; KIOSK_SOAK_KILLS=60 runs
that many (several minutes)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from kiosk.ils.journal import Journal
from tests.soak.helpers import figure, kiosk
from tests.soak.test_privacy import patrons_named
from tests.soak.test_soak import SUITE_WITHOUT

pytestmark = pytest.mark.slow


def kill_run(tmp_path, kills: int, visits: int, seed: int) -> str:
    done = kiosk("soak", "--visits", str(visits), "--seed", str(seed), "--kills", str(kills),
                 "--without", SUITE_WITHOUT, "--out", str(tmp_path), timeout=60 + kills * 20)  # fmt: skip
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    report = done.stdout
    assert figure(report, "kills survived:") == kills
    assert figure(report, "discrepancies:") == 0
    # Every orphan the report names is a settled journal entry the patron was not told of.
    journal = Journal(str(tmp_path / "journal.sqlite"))
    try:
        untold = journal.untold()
        assert not journal.open_entries()  # the last kiosk settled every one with the library
    finally:
        journal.close()
    assert figure(report, r"orphans \(not told, kept for staff\):") <= len(untold)
    # What the killed kiosks and the run left behind names no patron (logs, streams, receipts).
    found = patrons_named(tmp_path, dt.date.today())
    assert not found, "\n".join(found[:10])
    return report


@pytest.mark.timeout(240)
def test_kills_lose_and_double_nothing(tmp_path):
    report = kill_run(tmp_path, kills=6, visits=30, seed=21)
    assert figure(report, "transactions:") >= 10
    lives = sorted(p.name for p in tmp_path.glob("life-*"))
    assert len(lives) == 7 and all((tmp_path / life / "kiosk.log").exists() for life in lives)


@pytest.mark.skipif(not os.environ.get("KIOSK_SOAK_KILLS"), reason="set KIOSK_SOAK_KILLS=N for N kills")
@pytest.mark.timeout(3600)
def test_many_kills(tmp_path):
    kills = int(os.environ["KIOSK_SOAK_KILLS"])
    kill_run(tmp_path, kills=kills, visits=10 * kills, seed=kills)
