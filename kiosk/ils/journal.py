"""The visit journal: every transaction the kiosk asks of the library, written before it is
sent and updated when the answer comes, so that nothing is lost or doubled by a crash, a
power cut or a lost answer.

SQLite in WAL mode with synchronous writes (`synchronous=FULL`): an entry the kiosk wrote
before sending survives a kill at any point after. An entry's state:

- `new`: written, not (known to be) sent;
- `sent`: handed to the library, no answer yet;
- `done` / `refused`: the library answered (with its message when refused);
- `unknown`: the answer was lost and the library could not be asked;
- `not_done`: found not carried out (never sent, or asked after a crash and not there).

`new`, `sent` and `unknown` entries are open: at start-up the kiosk asks the library what
became of each (item information 17, patron information 63; never a blind resend) and
records the truth. `told` says whether the patron saw the outcome; what they could not be
told is kept for staff (diagnostics, exports). Settled entries are purged after a retention
time, so patron data is kept only as long as needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    patron_id TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new',
    offline INTEGER NOT NULL DEFAULT 0,
    due_before TEXT,
    amount INTEGER,
    transaction_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    told INTEGER NOT NULL DEFAULT 0,
    settled_at TEXT,
    due TEXT);
CREATE INDEX IF NOT EXISTS entries_by_state ON entries(state);
CREATE TABLE IF NOT EXISTS cards (
    key TEXT PRIMARY KEY,
    seen_on TEXT NOT NULL,
    may_borrow INTEGER NOT NULL,
    loan_days INTEGER);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

KINDS = ("checkout", "checkin", "renew", "place_hold", "cancel_hold", "fee_paid")
OPEN = ("new", "sent", "unknown")
SETTLED = ("done", "refused", "not_done")
STATES = OPEN + SETTLED


class JournalError(Exception):
    """The journal cannot be opened or written (the kiosk stops taking transactions)."""


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    patron_id: str
    item_id: str
    at: dt.datetime
    state: str = "new"
    offline: bool = False
    due_before: dt.date | None = None
    amount: int | None = None
    transaction_id: str = ""
    message: str = ""
    told: bool = False
    settled_at: dt.datetime | None = None
    # A loan made offline: the due date the patron was given.
    due: dt.date | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN

    @property
    def waiting_offline(self) -> bool:
        """Taken while the library was unreachable and not sent yet: for the replay."""
        return self.offline and self.state == "new"


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        row["id"], row["kind"], row["patron_id"], row["item_id"], dt.datetime.fromisoformat(row["at"]),
        row["state"], bool(row["offline"]),
        dt.date.fromisoformat(row["due_before"]) if row["due_before"] else None,
        row["amount"], row["transaction_id"], row["message"], bool(row["told"]),
        dt.datetime.fromisoformat(row["settled_at"]) if row["settled_at"] else None,
        dt.date.fromisoformat(row["due"]) if row["due"] else None,
    )  # fmt: skip


class Journal:
    """Thread-safe: the runtime's library worker writes, diagnostics read."""

    def __init__(self, path: str | Path, retention: dt.timedelta = dt.timedelta(days=7)) -> None:
        self.path = str(path)
        self.retention = retention
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if self.path != ":memory:" and str(mode).lower() != "wal":
                raise JournalError(f"journal {self.path}: WAL mode refused ({mode})")
            # Every commit reaches the disk before the call returns: the entry outlives a kill.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(entries)")}
            if "due" not in columns:  # a journal written before offline lending
                self._db.execute("ALTER TABLE entries ADD COLUMN due TEXT")
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"journal {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, args)
            except sqlite3.Error as exc:
                raise JournalError(f"journal {self.path}: {exc}") from exc
            except UnicodeEncodeError as exc:  # a lone surrogate has no UTF-8 form to store
                raise JournalError(
                    f"journal {self.path}: text that is not valid Unicode ({exc.reason})"
                ) from exc

    # -- writing ------------------------------------------------------------------------

    def begin(
        self,
        kind: str,
        at: dt.datetime,
        patron_id: str = "",
        item_id: str = "",
        *,
        offline: bool = False,
        due_before: dt.date | None = None,
        amount: int | None = None,
        transaction_id: str = "",
    ) -> int:
        """Write a transaction before it is sent; its entry id."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}; known: {', '.join(KINDS)}")
        cursor = self._write(
            "INSERT INTO entries (kind, patron_id, item_id, at, offline, due_before, amount, transaction_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (kind, patron_id, item_id, at.isoformat(), int(offline),
             due_before.isoformat() if due_before else None, amount, transaction_id),
        )  # fmt: skip
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def sent(self, entry_id: int) -> None:
        self._write("UPDATE entries SET state='sent' WHERE id=? AND state='new'", (entry_id,))

    def settle(self, entry_id: int, state: str, at: dt.datetime, message: str = "") -> None:
        """The library's answer (or what it was found to have done)."""
        if state not in STATES or state in ("new", "sent"):
            raise ValueError(f"cannot settle a journal entry as {state!r}")
        self._write(
            "UPDATE entries SET state=?, message=?, settled_at=? WHERE id=?",
            (state, message[:500], at.isoformat(), entry_id),
        )

    def take_offline(self, entry_id: int, due: dt.date | None = None) -> None:
        """Not sent (the library unreachable): taken offline, to be replayed (a loan with its
        `due` date)."""
        self._write(
            "UPDATE entries SET state='new', offline=1, due=? WHERE id=?",
            (due.isoformat() if due else None, entry_id),
        )

    def reopen(self, entry_id: int) -> None:
        """A replay that could not go: the entry waits, unsent, for the next try."""
        self._write("UPDATE entries SET state='new' WHERE id=? AND state='sent'", (entry_id,))

    def told(self, entry_id: int) -> None:
        """The patron saw the outcome on screen."""
        self._write("UPDATE entries SET told=1 WHERE id=?", (entry_id,))

    def purge(self, now: dt.datetime) -> int:
        """Drop settled entries the patron was told of, older than the retention; how many.
        What the patron could not be told stays until staff have exported it."""
        cutoff = (now - self.retention).isoformat()
        states = ",".join("?" * len(SETTLED))
        cursor = self._write(
            f"DELETE FROM entries WHERE state IN ({states}) AND told=1 AND settled_at < ?", (*SETTLED, cutoff)
        )
        return cursor.rowcount

    def forget(self, ids: Iterable[int]) -> None:
        """Drop entries staff have handled (after an export)."""
        for entry_id in ids:
            self._write("DELETE FROM entries WHERE id=?", (entry_id,))

    # -- cards the library let borrow (for lending offline) ----------------------------------

    def _card_key(self, card: str) -> str:
        """A card is kept as a salted hash, never its number: enough to know it again."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name='salt'").fetchone()
            if row is None:
                salt = secrets.token_hex(16)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (salt,))
                row = self._db.execute("SELECT value FROM meta WHERE name='salt'").fetchone()
        return hashlib.sha256((row[0] + card).encode("utf-8", "surrogatepass")).hexdigest()

    def card_seen(self, card: str, day: dt.date, may_borrow: bool) -> None:
        """The library answered for `card` on `day`: whether it let the patron borrow."""
        self._write(
            "INSERT INTO cards (key, seen_on, may_borrow) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE SET "
            "seen_on=excluded.seen_on, "
            "may_borrow=excluded.may_borrow",
            (self._card_key(card), day.isoformat(), int(may_borrow)),
        )

    def card_loan_days(self, card: str, days: int | None = None) -> int | None:
        """The loan period the library last gave this card (set it with `days`)."""
        key = self._card_key(card)
        if days is not None:
            self._write("UPDATE cards SET loan_days=? WHERE key=?", (days, key))
            return days
        with self._lock:
            row = self._db.execute("SELECT loan_days FROM cards WHERE key=?", (key,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], int) else None

    def card_last_seen(self, card: str) -> tuple[dt.date, bool] | None:
        """(day, may borrow) of the library's last answer for `card`, or None."""
        key = self._card_key(card)
        with self._lock:
            row = self._db.execute("SELECT seen_on, may_borrow FROM cards WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return dt.date.fromisoformat(row[0]), bool(row[1])
        except ValueError:
            return None

    def remember(self, name: str, value: str) -> None:
        """A setting the kiosk learnt from the library (e.g. its loan period), kept across starts."""
        self._write("INSERT INTO meta VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                    (name, value))  # fmt: skip

    def recalled(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def forget_cards(self, before: dt.date) -> int:
        """Drop cards last seen before `before`; how many."""
        return self._write("DELETE FROM cards WHERE seen_on < ?", (before.isoformat(),)).rowcount

    def lent_offline(self, patron_id: str) -> int:
        """Books lent offline to `patron_id` that the library has not confirmed yet."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM entries WHERE kind='checkout' AND offline=1 AND patron_id=? "
                f"AND state IN ({','.join('?' * len(OPEN))})",
                (patron_id, *OPEN),
            ).fetchone()
        return int(row[0])

    # -- reading ------------------------------------------------------------------------

    def _read(self, where: str = "", args: tuple[object, ...] = ()) -> list[Entry]:
        with self._lock:
            try:
                rows = self._db.execute(f"SELECT * FROM entries {where} ORDER BY id", args).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"journal {self.path}: cannot be read ({exc})") from exc
        entries = []
        for row in rows:
            try:
                entries.append(_entry(_checked(row)))
            except (ValueError, TypeError, IndexError, OverflowError) as exc:  # IndexError: a column missing
                raise JournalError(f"journal {self.path}: entry {_row_id(row)} is damaged: {exc}") from exc
        return entries

    def entry(self, entry_id: int) -> Entry | None:
        found = self._read("WHERE id=?", (entry_id,))
        return found[0] if found else None

    def entries(self) -> list[Entry]:
        return self._read()

    def open_entries(self) -> list[Entry]:
        """Entries whose outcome the kiosk does not know, oldest first."""
        return self._read(f"WHERE state IN ({','.join('?' * len(OPEN))})", OPEN)

    def waiting_offline(self) -> list[Entry]:
        """What was taken offline and waits to be sent, oldest first."""
        return self._read("WHERE offline=1 AND state='new'")

    def untold(self) -> list[Entry]:
        """Settled entries whose outcome the patron was not shown (for staff)."""
        return self._read(f"WHERE told=0 AND state IN ({','.join('?' * len(SETTLED))})", SETTLED)

    def oldest_open(self) -> dt.datetime | None:
        entries = self.open_entries()
        return entries[0].at if entries else None

    def summary(self, now: dt.datetime) -> Summary:
        """Counts of what is open, waiting to be replayed, refused and untold, and the oldest
        open entry's time and age at `now`. Reads only; a damaged entry is a JournalError."""
        entries = self.entries()
        open_entries = [e for e in entries if e.open]
        oldest = open_entries[0].at if open_entries else None
        return Summary(
            entries=len(entries),
            open=len(open_entries),
            waiting=sum(e.waiting_offline for e in entries),
            refused=sum(e.state == "refused" for e in entries),
            untold=sum(not e.told and e.state in SETTLED for e in entries),
            oldest_open=oldest,
            oldest_open_age=_age(now, oldest) if oldest is not None else None,
        )

    def __len__(self) -> int:
        with self._lock:
            try:
                return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
            except sqlite3.Error as exc:
                raise JournalError(f"journal {self.path}: cannot be read ({exc})") from exc


@dataclass(frozen=True)
class Summary:
    """What the journal holds, for a technician: counts, and the oldest open entry's time."""

    entries: int
    open: int  # outcome unknown: new, sent or unknown
    waiting: int  # taken offline, waiting to be replayed
    refused: int
    untold: int  # settled, the patron not shown the outcome
    oldest_open: dt.datetime | None
    oldest_open_age: dt.timedelta | None


def _age(now: dt.datetime, then: dt.datetime) -> dt.timedelta:
    # The kiosk's clock writes local times with their offset; an older file may hold naive ones.
    if (now.tzinfo is None) != (then.tzinfo is None):
        zone = now.tzinfo or then.tzinfo
        now, then = now.replace(tzinfo=now.tzinfo or zone), then.replace(tzinfo=then.tzinfo or zone)
    return max(now - then, dt.timedelta(0))


# -- rows as written ---------------------------------------------------------------------

_TEXT_COLUMNS = ("kind", "patron_id", "item_id", "at", "state", "transaction_id", "message")


def _checked(row: sqlite3.Row) -> sqlite3.Row:
    """`row` when it is an entry as the kiosk writes them; else ValueError naming the column
    (a file edited or damaged outside the kiosk). Dates are checked where they are read."""
    for column in _TEXT_COLUMNS:
        if not isinstance(row[column], str):
            raise ValueError(f"{column} is not text: {_shown(row[column])}")
    if row["kind"] not in KINDS:
        raise ValueError(f"kind {_shown(row['kind'])} is none of {', '.join(KINDS)}")
    if row["state"] not in STATES:
        raise ValueError(f"state {_shown(row['state'])} is none of {', '.join(STATES)}")
    for column in ("offline", "told"):
        if isinstance(row[column], str | bytes) or row[column] not in (0, 1):
            raise ValueError(f"{column} is not 0 or 1: {_shown(row[column])}")
    amount = row["amount"]
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise ValueError(f"amount is not a whole number: {_shown(amount)}")
    for column, kind in (("at", dt.datetime), ("settled_at", dt.datetime), ("due_before", dt.date)):
        value = row[column]
        if column != "at" and not value:
            continue
        try:
            kind.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"{column} is not a {kind.__name__}: {_shown(value)}") from None
    return row


def _shown(value: object) -> str:
    # repr escapes control characters; a damaged row may hold anything, of any length.
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _row_id(row: sqlite3.Row) -> str:
    try:
        return f"#{row['id']}"
    except IndexError:
        return "(no id)"


# -- exports for staff ------------------------------------------------------------------

KOC_KINDS = {"checkout": "issue", "checkin": "return"}


def koc(entries: Iterable[Entry], generator: str = "chaekieum-kiosk", version: str = "1") -> str:
    """Koha's offline circulation file: a header, then one tab-separated line per checkout
    (`issue CARD ITEM`) or return (`return ITEM`), with the time and milliseconds. Only
    checkouts and returns have a form in it; the CSV carries everything."""
    lines = [f"Version=1.0\tGenerator={generator}\tGeneratorVersion={version}"]
    for e in entries:
        action = KOC_KINDS.get(e.kind)
        if action is None:
            continue
        stamp = f"{e.at:%Y-%m-%d %H:%M:%S} {e.at.microsecond // 1000:03d}"
        fields = [stamp, action] + ([e.patron_id] if action == "issue" else []) + [e.item_id]
        lines.append("\t".join(_koc_field(f) for f in fields))
    return "\n".join(lines) + "\n"


# What str.splitlines() breaks a line at, and the tab: inside a field, either would forge a
# line or shift every column after it.
_KOC_BREAKS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029")


def _koc_field(text: str) -> str:
    return "".join(" " if c in _KOC_BREAKS else c for c in text)


CSV_FIELDS = ("id", "at", "kind", "state", "offline", "patron_id", "item_id", "amount", "transaction_id",
              "message", "told")  # fmt: skip


def csv_text(entries: Iterable[Entry]) -> str:
    """Every entry with the library's message (a refusal's reason), for staff."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a bare CR stays in its field
    writer.writerow(CSV_FIELDS)
    for e in entries:
        writer.writerow([
            e.id, e.at.isoformat(), e.kind, e.state, int(e.offline), _csv_safe(e.patron_id),
            _csv_safe(e.item_id), "" if e.amount is None else e.amount, _csv_safe(e.transaction_id),
            _csv_safe(e.message), int(e.told),
        ])  # fmt: skip
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """Text from outside (a library's message, a scanned or answered id) opened in a
    spreadsheet must not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
