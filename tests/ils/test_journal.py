"""The visit journal: written before a transaction is sent, it survives a kill; open entries
are what the kiosk must ask the library about; settled ones are purged after the retention;
staff exports in Koha's offline circulation format and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ils.journal import Journal, JournalError, csv_text, koc

AT = dt.datetime(2026, 12, 2, 14, 30, 5, 123000)
CARD, BOOK = "04A1B2C3D4E5F6", "EM0000100001"


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite")
    yield j
    j.close()


def test_wal_and_synchronous_writes(journal):
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_entry_goes_from_written_to_settled(journal):
    e = journal.begin("checkout", AT, CARD, BOOK, due_before=None)
    assert [x.id for x in journal.open_entries()] == [e] and journal.entry(e).state == "new"
    journal.sent(e)
    assert journal.entry(e).state == "sent" and journal.oldest_open() == AT
    journal.settle(e, "refused", AT, "이미 대출 중인 자료입니다")
    assert not journal.open_entries() and journal.entry(e).message == "이미 대출 중인 자료입니다"
    assert [x.id for x in journal.untold()] == [e]  # the patron has not been shown it yet
    journal.told(e)
    assert not journal.untold()
    with pytest.raises(ValueError, match="unknown journal entry kind"):
        journal.begin("borrow", AT)
    with pytest.raises(ValueError, match="cannot settle"):
        journal.settle(e, "sent", AT)


def test_an_entry_written_before_a_kill_is_there_after(tmp_path):
    """SIGKILL right after the write returns (the request would be on its way): the entry is
    on disk, open, for the restarted kiosk to ask the library about."""
    path = tmp_path / "journal.sqlite"
    script = textwrap.dedent(f"""
        import datetime as dt, os, signal, sys
        from kiosk.ils.journal import Journal
        j = Journal({str(path)!r})
        e = j.begin("checkout", dt.datetime(2026, 12, 2, 14, 30), "{CARD}", "{BOOK}")
        j.sent(e)
        sys.stdout.write(str(e)); sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL and done.stdout.strip()
    j = Journal(path)
    try:
        (entry,) = j.open_entries()
        assert (entry.id, entry.state, entry.patron_id, entry.item_id) == (
            int(done.stdout),
            "sent",
            CARD,
            BOOK,
        )
    finally:
        j.close()


def test_purge_keeps_what_the_patron_was_not_told(journal):
    old = AT - dt.timedelta(days=8)
    told = journal.begin("checkin", old, item_id=BOOK)
    journal.settle(told, "done", old)
    journal.told(told)
    untold = journal.begin("checkout", old, CARD, "EM0000100002")
    journal.settle(untold, "done", old)
    recent = journal.begin("checkin", AT, item_id="EM0000100003")
    journal.settle(recent, "done", AT)
    journal.told(recent)
    still_open = journal.begin("checkout", old, CARD, "EM0000100004")
    assert journal.purge(AT) == 1
    assert {e.id for e in journal.entries()} == {untold, recent, still_open}
    journal.forget([untold])  # staff exported and handled it
    assert {e.id for e in journal.entries()} == {recent, still_open}


def test_koha_offline_circulation_and_csv_exports(journal):
    out = journal.begin("checkout", AT, CARD, BOOK, offline=True)
    back = journal.begin("checkin", AT + dt.timedelta(seconds=1), item_id="EM0000100002", offline=True)
    fee = journal.begin("fee_paid", AT, CARD, amount=500, transaction_id="K1-7")
    journal.settle(out, "refused", AT, '=HYPERLINK("x")')
    text = koc(journal.entries(), version="0.9")
    lines = text.splitlines()
    assert lines[0] == "Version=1.0\tGenerator=chaekieum-kiosk\tGeneratorVersion=0.9"
    assert lines[1:] == [
        f"2026-12-02 14:30:05 123\tissue\t{CARD}\t{BOOK}",
        "2026-12-02 14:30:06 123\treturn\tEM0000100002",
    ]  # the payment has no form in a .koc file; the CSV has it
    rows = list(csv.DictReader(io.StringIO(csv_text(journal.entries()))))
    assert [(r["id"], r["kind"], r["state"]) for r in rows] == [
        (str(out), "checkout", "refused"), (str(back), "checkin", "new"), (str(fee), "fee_paid", "new"),
    ]  # fmt: skip
    assert rows[0]["message"].startswith("'=")  # never a formula in a spreadsheet
    assert back and fee


def test_an_unusable_path_is_a_journal_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(JournalError, match="journal"):
        Journal(blocker / "journal.sqlite")


@settings(max_examples=60, deadline=None)
@given(
    patron=st.text(max_size=40),
    item=st.text(max_size=40),
    message=st.text(max_size=600),
)
def test_any_text_is_data_in_the_journal_and_its_exports(tmp_path_factory, patron, item, message):
    """Hostile or odd text (control characters, tabs, SQL, 600 characters) is stored and
    read back as it was, and never breaks an export's lines or columns."""
    path = tmp_path_factory.mktemp("j") / "journal.sqlite"
    j = Journal(path)
    try:
        e = j.begin("checkout", AT, patron, item)
        j.settle(e, "refused", AT, message)
        (entry,) = j.entries()
        assert (entry.patron_id, entry.item_id, entry.message) == (patron, item, message[:500])
        lines = koc(j.entries()).split("\n")
        assert len(lines) == 3 and lines[1].count("\t") == 3
        rows = list(csv.reader(io.StringIO(csv_text(j.entries()), newline="")))
        assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    finally:
        j.close()
        os.remove(path)
