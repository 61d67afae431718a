"""The visit journal against hostile text and damaged files: any text is stored and read back
exactly and never breaks an export's lines; a file that is garbage, truncated or holds rows the
kiosk never wrote is a JournalError saying which file and which entry, never a raw sqlite3
error or a crash. And the summary a technician reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ils.journal import CSV_FIELDS, Journal, JournalError, csv_text, koc
from tests.fuzz.hostile_text import EVERYTHING, SURROGATES, UNICODE, hostile_text

AT = dt.datetime(2026, 12, 2, 14, 30, 5, 123000)
SEOUL = dt.timezone(dt.timedelta(hours=9))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fresh(path: Path) -> Journal:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return Journal(path)


# -- hostile text is data -------------------------------------------------------------------


@FUZZ
@given(patron=hostile_text(), item=hostile_text(), txn=hostile_text(), message=hostile_text())
def test_hostile_text_round_trips_and_exports_keep_one_line_per_entry(tmp_path, patron, item, txn, message):
    j = fresh(tmp_path / "j.sqlite")
    try:
        out = j.begin("checkout", AT, patron, item, transaction_id=txn)
        j.begin("checkin", AT, item_id=item, offline=True)
        j.settle(out, "refused", AT, message)
        first, second = j.entries()
        assert (first.patron_id, first.item_id, first.transaction_id) == (patron, item, txn)
        assert first.message == message[:500] and second.item_id == item
        # Koha reads a .koc file line by line, fields split on tabs: whatever a field held,
        # there is the header and one line per entry, each with its columns.
        lines = koc(j.entries()).splitlines()
        assert len(lines) == 3
        assert [line.count("\t") for line in lines[1:]] == [3, 2]
        assert lines[2].split("\t")[1] == "return"
        rows = list(csv.reader(io.StringIO(csv_text(j.entries()), newline="")))
        assert rows[0] == list(CSV_FIELDS) and len(rows) == 3
        assert all(len(row) == len(CSV_FIELDS) for row in rows)
        by_name = dict(zip(CSV_FIELDS, rows[1], strict=True))
        for field, value in (("patron_id", patron), ("item_id", item), ("transaction_id", txn)):
            # Exactly as stored, but never a formula when a spreadsheet opens the file.
            shown = by_name[field]
            assert shown in (value, "'" + value)
            assert shown[:1] not in ("=", "+", "-", "@")
    finally:
        j.close()


@pytest.mark.parametrize("text", UNICODE, ids=range(len(UNICODE)))
def test_every_hostile_text_is_an_item_id_like_any_other(tmp_path, text):
    j = fresh(tmp_path / "j.sqlite")
    try:
        entry_id = j.begin("checkin", AT, item_id=text, offline=True)
        assert j.entry(entry_id).item_id == text
        assert [e.item_id for e in j.waiting_offline()] == [text]
        # The query that finds it is not changed by what it holds.
        assert j.summary(AT).waiting == 1 and len(j) == 1
        assert len(koc(j.entries()).splitlines()) == 2
    finally:
        j.close()


@pytest.mark.parametrize("text", SURROGATES)
def test_text_that_is_not_unicode_is_a_journal_error(tmp_path, text):
    j = fresh(tmp_path / "j.sqlite")
    try:
        with pytest.raises(JournalError, match="not valid Unicode"):
            j.begin("checkout", AT, "04A1B2C3", text)
        assert len(j) == 0
    finally:
        j.close()


# -- damaged files --------------------------------------------------------------------------


def written(path: Path, n: int = 120) -> None:
    j = fresh(path)
    try:
        for i in range(n):
            j.begin("checkout", AT + dt.timedelta(seconds=i), f"PATRON{i:04d}", f"EM{i:010d}")
    finally:
        j.close()


def read_all(path: Path) -> None:
    """Everything a reader of the journal asks of it."""
    j = Journal(path)
    try:
        j.entries()
        j.open_entries()
        j.untold()
        j.waiting_offline()
        j.summary(AT)
        len(j)
    finally:
        j.close()


def damaged(error: JournalError, path: Path) -> None:
    text = str(error)
    assert text.startswith(f"journal {path}: ") and len(text) < 400
    assert "\n" not in text and "\x1b" not in text


@FUZZ
@given(st.binary(min_size=1, max_size=4096))
def test_a_garbage_file_is_a_journal_error(tmp_path, garbage):
    path = tmp_path / "garbage.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(garbage)
    try:
        read_all(path)
    except JournalError as exc:
        damaged(exc, path)


@FUZZ
@given(
    cut=st.floats(0.0, 0.999),
    flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), max_size=8),
)
def test_a_truncated_or_scribbled_file_is_a_journal_error(tmp_path, cut, flips):
    path = tmp_path / "j.sqlite"
    written(path)
    data = bytearray(path.read_bytes())
    for where, value in flips:
        data[int(where * len(data))] = value
    path.write_bytes(bytes(data[: max(1, int(cut * len(data)))]) if cut else bytes(data))
    try:
        read_all(path)
    except JournalError as exc:
        damaged(exc, path)


def test_a_file_cut_in_half_says_so(tmp_path):
    path = tmp_path / "j.sqlite"
    written(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(JournalError) as info:
        read_all(path)
    damaged(info.value, path)
    assert "malformed" in str(info.value)


def test_a_database_that_is_not_a_journal_is_a_journal_error(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, what TEXT)")
        db.execute("INSERT INTO entries (what) VALUES ('x')")
    with pytest.raises(JournalError) as info:
        read_all(path)
    damaged(info.value, path)


# Rows the kiosk never writes: (column, value).
BAD_ROWS = [
    ("at", "yesterday"),
    ("at", ""),
    ("at", "2026-13-45T25:61:00"),
    ("at", "\x1b[2J" + "9" * 5000),
    ("at", 12345),
    ("at", b"2026-12-02"),
    ("settled_at", "later"),
    ("due_before", "2026-02-30"),
    ("due_before", 3.5),
    ("state", "lost"),
    ("state", "'; DROP TABLE entries; --"),
    ("kind", "borrow"),
    ("kind", b"checkout"),
    ("item_id", b"\xff\xfe"),
    ("patron_id", b"\x00"),
    ("offline", "yes"),
    ("offline", 7),
    ("told", -1),
    ("amount", "500 won"),
    ("amount", 12.5),
]


@pytest.mark.parametrize(("column", "value"), BAD_ROWS, ids=[f"{c}={v!r}"[:40] for c, v in BAD_ROWS])
def test_a_row_the_kiosk_never_wrote_is_a_journal_error_naming_it(tmp_path, column, value):
    path = tmp_path / "j.sqlite"
    written(path, 3)
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE entries SET {column}=? WHERE id=2", (value,))
    with pytest.raises(JournalError) as info:
        read_all(path)
    damaged(info.value, path)
    assert "entry #2 is damaged" in str(info.value) and column in str(info.value)


def test_text_that_is_not_utf8_in_the_file_is_a_journal_error(tmp_path):
    path = tmp_path / "j.sqlite"
    written(path, 2)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET item_id=CAST(X'454DFF' AS TEXT) WHERE id=1")
    with pytest.raises(JournalError) as info:
        read_all(path)
    damaged(info.value, path)


@FUZZ
@given(
    column=st.sampled_from(["at", "settled_at", "due_before", "state", "kind", "item_id", "amount", "told"]),
    value=st.none() | st.integers() | st.floats() | st.binary(max_size=20) | hostile_text(),
)
def test_any_value_in_any_column_reads_or_is_a_journal_error(tmp_path, column, value):
    path = tmp_path / "j.sqlite"
    written(path, 2)
    try:
        with sqlite3.connect(path) as db:
            db.execute(f"UPDATE entries SET {column}=? WHERE id=1", (value,))
    except (sqlite3.IntegrityError, UnicodeEncodeError, OverflowError):
        return  # NOT NULL, or nothing SQLite can hold: no such row can exist
    try:
        read_all(path)
    except JournalError as exc:
        damaged(exc, path)
        assert "entry #1" in str(exc)


# -- the summary ----------------------------------------------------------------------------


def test_summary_counts_open_waiting_refused_untold_and_the_oldest_open(tmp_path):
    j = fresh(tmp_path / "j.sqlite")
    try:
        empty = j.summary(AT)
        assert (empty.entries, empty.open, empty.oldest_open, empty.oldest_open_age) == (0, 0, None, None)
        lost = j.begin("checkout", AT, "P1", "EM0000000001")  # sent, answer lost
        j.sent(lost)
        j.settle(lost, "unknown", AT + dt.timedelta(minutes=1))
        offline = j.begin("checkin", AT + dt.timedelta(minutes=5), item_id="EM0000000002")
        j.take_offline(offline)
        refused = j.begin("checkout", AT + dt.timedelta(minutes=6), "P1", "EM0000000003")
        j.settle(refused, "refused", AT, "on hold for another patron")  # untold: the screen was gone
        told = j.begin("renew", AT + dt.timedelta(minutes=7), "P1", "EM0000000004")
        j.settle(told, "refused", AT, "reserved")
        j.told(told)
        done = j.begin("checkin", AT + dt.timedelta(minutes=8), item_id="EM0000000005")
        j.settle(done, "done", AT)
        j.told(done)
        s = j.summary(AT + dt.timedelta(hours=2))
        assert (s.entries, s.open, s.waiting, s.refused, s.untold) == (5, 2, 1, 2, 1)
        assert s.oldest_open == AT and s.oldest_open_age == dt.timedelta(hours=2)
        j.settle(lost, "done", AT + dt.timedelta(hours=1))
        s = j.summary(AT + dt.timedelta(hours=2))
        assert (s.open, s.untold) == (1, 2)
        assert s.oldest_open == AT + dt.timedelta(minutes=5)
        assert s.oldest_open_age == dt.timedelta(hours=1, minutes=55)
    finally:
        j.close()


def test_summary_ages_mixed_zoned_and_naive_times_and_never_goes_negative(tmp_path):
    j = fresh(tmp_path / "j.sqlite")
    try:
        j.begin("checkout", AT.replace(tzinfo=SEOUL), "P1", "EM0000000001")  # as the kiosk's clock writes
        later = (AT + dt.timedelta(minutes=30)).replace(tzinfo=SEOUL)
        assert j.summary(later).oldest_open_age == dt.timedelta(minutes=30)
        assert j.summary(AT + dt.timedelta(minutes=30)).oldest_open_age == dt.timedelta(minutes=30)
        assert j.summary(AT - dt.timedelta(days=1)).oldest_open_age == dt.timedelta(0)  # clock set back
    finally:
        j.close()


def test_summary_only_reads(tmp_path):
    path = tmp_path / "j.sqlite"
    written(path, 4)
    before = path.read_bytes()
    mtime = os.stat(path).st_mtime_ns
    j = Journal(path)
    try:
        assert j.summary(AT).open == 4
    finally:
        j.close()
    assert path.read_bytes() == before and os.stat(path).st_mtime_ns == mtime


def test_every_corpus_string_is_covered():
    # The strategies draw from the corpus; a corpus emptied by mistake must not pass quietly.
    assert len(EVERYTHING) > 30 and all(EVERYTHING)
