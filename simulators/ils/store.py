"""SQLite store of the simulated Chaekieum network: patrons, memberships, items, loans, holds, history."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from dataclasses import dataclass

from simulators.ils.rules import PatronState

SCHEMA = """
CREATE TABLE IF NOT EXISTS patrons (
    card_id TEXT PRIMARY KEY, name TEXT NOT NULL, pin TEXT NOT NULL,
    home_library TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
    card_ok INTEGER NOT NULL DEFAULT 1, fees INTEGER NOT NULL DEFAULT 0,
    suspended_until TEXT, loans_elsewhere INTEGER NOT NULL DEFAULT 0,
    birth_date TEXT, expires TEXT, member_no TEXT,
    other_fees INTEGER NOT NULL DEFAULT 0, lost_items INTEGER NOT NULL DEFAULT 0,
    claims_returned INTEGER NOT NULL DEFAULT 0, billed_items INTEGER NOT NULL DEFAULT 0,
    denied TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
    birth_failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS memberships (
    card_id TEXT NOT NULL REFERENCES patrons, library TEXT NOT NULL, pin TEXT NOT NULL,
    joined TEXT NOT NULL, PRIMARY KEY (card_id, library));
CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY, isbn TEXT NOT NULL, title TEXT NOT NULL, author TEXT NOT NULL,
    home_library TEXT NOT NULL, location TEXT NOT NULL,
    loan_type TEXT NOT NULL DEFAULT 'normal', add_on TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS loans (
    item_id TEXT PRIMARY KEY REFERENCES items, card_id TEXT NOT NULL REFERENCES patrons,
    checked_out TEXT NOT NULL, due TEXT NOT NULL, renewals INTEGER NOT NULL DEFAULT 0,
    library TEXT NOT NULL DEFAULT 'MA', recalled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL REFERENCES items,
    card_id TEXT NOT NULL REFERENCES patrons, placed TEXT NOT NULL,
    ready_on TEXT, expires TEXT, pickup TEXT NOT NULL DEFAULT '',
    in_transit INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, card_id TEXT NOT NULL, library TEXT NOT NULL,
    item_id TEXT NOT NULL, title TEXT NOT NULL, checked_out TEXT NOT NULL, returned TEXT);
CREATE TABLE IF NOT EXISTS payments (
    transaction_id TEXT PRIMARY KEY, card_id TEXT NOT NULL, amount INTEGER NOT NULL,
    paid TEXT NOT NULL, accepted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS loans_by_card ON loans(card_id);
CREATE INDEX IF NOT EXISTS holds_by_item ON holds(item_id);
CREATE INDEX IF NOT EXISTS history_by_card ON history(card_id);
"""

# Columns added since the first version: a database file written by it is brought up to date.
_ADDED_COLUMNS = {
    "patrons": (
        ("birth_date", "TEXT"),
        ("expires", "TEXT"),
        ("member_no", "TEXT"),
        ("other_fees", "INTEGER NOT NULL DEFAULT 0"),
        ("lost_items", "INTEGER NOT NULL DEFAULT 0"),
        ("claims_returned", "INTEGER NOT NULL DEFAULT 0"),
        ("billed_items", "INTEGER NOT NULL DEFAULT 0"),
        ("denied", "TEXT NOT NULL DEFAULT ''"),
        ("note", "TEXT NOT NULL DEFAULT ''"),
        ("birth_failures", "INTEGER NOT NULL DEFAULT 0"),
    ),
    "items": (("add_on", "TEXT NOT NULL DEFAULT ''"),),
    "loans": (("library", "TEXT NOT NULL DEFAULT 'MA'"), ("recalled", "INTEGER NOT NULL DEFAULT 0")),
    "holds": (
        ("ready_on", "TEXT"),
        ("expires", "TEXT"),
        ("pickup", "TEXT NOT NULL DEFAULT ''"),
        ("in_transit", "INTEGER NOT NULL DEFAULT 0"),
    ),
}


@dataclass(frozen=True)
class PatronRecord:
    card_id: str
    name: str
    pin: str
    home_library: str
    disabled: bool = False
    card_ok: bool = True
    fees: int = 0
    suspended_until: dt.date | None = None
    # Loans at libraries outside this database (the rest of the Chaekieum network).
    loans_elsewhere: int = 0
    birth_date: dt.date | None = None
    expires: dt.date | None = None
    # The Chaekieum membership number printed on the card: typed on the keypad instead of a tap.
    member_no: str = ""
    # Fees other than overdue fines (a replacement or service charge), in won.
    other_fees: int = 0
    # What the library's staff recorded that circulation here does not model: items declared
    # lost, items the patron says were returned but were not found, items billed for.
    lost_items: int = 0
    claims_returned: int = 0
    billed_items: int = 0
    # Privileges the library withdrew, comma-separated: charge, renewal, renewals (none left),
    # hold, recall, bring_in (the home library does not let the membership be brought in).
    denied: str = ""
    # The staff's message to the patron, sent as a screen message (AF) with a charge denial.
    note: str = ""


@dataclass(frozen=True)
class ItemRecord:
    item_id: str
    isbn: str
    title: str
    author: str
    home_library: str
    location: str
    loan_type: str = "normal"
    # The Korean ISBN add-on (부가기호): reader, form and KDC class, printed as EAN-5.
    add_on: str = ""


@dataclass(frozen=True)
class LoanRecord:
    item_id: str
    card_id: str
    checked_out: dt.date
    due: dt.date
    renewals: int = 0
    library: str = "MA"
    # Recalled: another patron needs it, and its due date was brought forward.
    recalled: bool = False


@dataclass(frozen=True)
class HoldRecord:
    item_id: str
    card_id: str
    placed: dt.date
    ready_on: dt.date | None = None
    expires: dt.date | None = None
    pickup: str = ""
    # On its way from another library to this one's hold shelf.
    in_transit: bool = False


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


class CirculationStore:
    """One SQLite connection shared by the server's threads behind a lock: the simulator's
    load is a few kiosks, and a lock keeps every checkout's check-then-write atomic.
    Several servers (member libraries) may share one store: it is the network's database."""

    def __init__(self, db_path: str | None = None) -> None:
        path = db_path or ":memory:"
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        for table, columns in _ADDED_COLUMNS.items():
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0

    def transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    # -- writing seed data ------------------------------------------------------------

    def add_patron(self, p: PatronRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO patrons (card_id, name, pin, home_library, disabled, card_ok, fees, "
                "suspended_until, loans_elsewhere, birth_date, expires, member_no, other_fees, "
                "lost_items, claims_returned, billed_items, denied, note) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (p.card_id, p.name, p.pin, p.home_library, int(p.disabled), int(p.card_ok),
                 p.fees, _iso(p.suspended_until), p.loans_elsewhere, _iso(p.birth_date),
                 _iso(p.expires), p.member_no or None, p.other_fees, p.lost_items,
                 p.claims_returned, p.billed_items, p.denied, p.note),
            )  # fmt: skip

    def add_membership(self, card_id: str, library: str, pin: str, joined: dt.date) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO memberships VALUES (?,?,?,?)", (card_id, library, pin, joined.isoformat())
            )

    def add_item(self, i: ItemRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO items VALUES (?,?,?,?,?,?,?,?)",
                (i.item_id, i.isbn, i.title, i.author, i.home_library, i.location, i.loan_type, i.add_on),
            )

    def add_loan(self, loan: LoanRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO loans (item_id, card_id, checked_out, due, renewals, library, recalled) "
                "VALUES (?,?,?,?,?,?,?)",
                (loan.item_id, loan.card_id, loan.checked_out.isoformat(), loan.due.isoformat(),
                 loan.renewals, loan.library, int(loan.recalled)),
            )  # fmt: skip
            item = self.item(loan.item_id)
            self.add_history(loan.card_id, loan.library, loan.item_id, item.title if item else "",
                             loan.checked_out, None)  # fmt: skip

    def add_history(self, card_id: str, library: str, item_id: str, title: str, out: dt.date,
                    returned: dt.date | None) -> None:  # fmt: skip
        with self._lock:
            self._db.execute(
                "INSERT INTO history (card_id, library, item_id, title, checked_out, returned) "
                "VALUES (?,?,?,?,?,?)",
                (card_id, library, item_id, title, out.isoformat(), _iso(returned)),
            )

    def add_hold(self, item_id: str, card_id: str, placed: dt.date, ready_on: dt.date | None = None,
                 expires: dt.date | None = None, pickup: str = "",
                 in_transit: bool = False) -> None:  # fmt: skip
        with self._lock:
            self._db.execute(
                "INSERT INTO holds (item_id, card_id, placed, ready_on, expires, pickup, in_transit) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    item_id,
                    card_id,
                    placed.isoformat(),
                    _iso(ready_on),
                    _iso(expires),
                    pickup,
                    int(in_transit),
                ),
            )

    def hold_position(self, item_id: str, card_id: str, today: dt.date) -> int:
        """The patron's place in the item's hold queue (1: next), 0 when not in it."""
        queue = [h.card_id for h in self.holds_on(item_id, today)]
        return queue.index(card_id) + 1 if card_id in queue else 0

    # -- reading ----------------------------------------------------------------------

    def patron(self, card_id: str) -> PatronRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM patrons WHERE card_id=?", (card_id,)).fetchone()
        if row is None:
            return None
        return PatronRecord(
            row["card_id"], row["name"], row["pin"], row["home_library"], bool(row["disabled"]),
            bool(row["card_ok"]), row["fees"], _date(row["suspended_until"]),
            row["loans_elsewhere"], _date(row["birth_date"]), _date(row["expires"]), row["member_no"] or "",
            row["other_fees"], row["lost_items"], row["claims_returned"], row["billed_items"],
            row["denied"], row["note"],
        )  # fmt: skip

    def card_for(self, number: str) -> str | None:
        """The card id of the patron whose membership number (or card id) is `number`."""
        with self._lock:
            row = self._db.execute(
                "SELECT card_id FROM patrons WHERE card_id=? OR member_no=?", (number, number)
            ).fetchone()
        return row[0] if row is not None else None

    def membership_pin(self, card_id: str, library: str) -> str | None:
        """The patron's PIN at `library`: their own at home, the bring-in's elsewhere; None
        when they have not joined `library`."""
        patron = self.patron(card_id)
        if patron is not None and patron.home_library == library:
            return patron.pin
        with self._lock:
            row = self._db.execute(
                "SELECT pin FROM memberships WHERE card_id=? AND library=?", (card_id, library)
            ).fetchone()
        return row[0] if row is not None else None

    def item(self, item_id: str) -> ItemRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE item_id=?", (item_id,)).fetchone()
        return ItemRecord(*row) if row is not None else None

    def loan(self, item_id: str) -> LoanRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM loans WHERE item_id=?", (item_id,)).fetchone()
        return _loan(row) if row is not None else None

    def loans_of(self, card_id: str, library: str | None = None) -> list[LoanRecord]:
        """The patron's loans at `library`, or at every member library."""
        query, args = "SELECT * FROM loans WHERE card_id=?", [card_id]
        if library is not None:
            query, args = query + " AND library=?", [card_id, library]
        with self._lock:
            rows = self._db.execute(query + " ORDER BY checked_out, item_id", args).fetchall()
        return [_loan(r) for r in rows]

    def circulation(self) -> tuple[dict[str, tuple[str, int]], frozenset[tuple[str, str]]]:
        """Every loan (item -> (card, renewals)) and every hold ((item, card)), read at once:
        what a records check compares before and after a run."""
        with self._lock:
            loans = self._db.execute("SELECT item_id, card_id, renewals FROM loans").fetchall()
            holds = self._db.execute("SELECT item_id, card_id FROM holds").fetchall()
        return {r[0]: (r[1], int(r[2])) for r in loans}, frozenset((r[0], r[1]) for r in holds)

    def holds_on(self, item_id: str, today: dt.date) -> list[HoldRecord]:
        """The item's hold queue, first first; holds not collected in time are left out."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM holds WHERE item_id=? AND (expires IS NULL OR expires>=?) ORDER BY placed, id",
                (item_id, today.isoformat()),
            ).fetchall()
        return [_hold(r) for r in rows]

    def hold_for(self, item_id: str, today: dt.date | None = None) -> str | None:
        """The card id of the first patron in the item's hold queue."""
        queue = self.holds_on(item_id, today or dt.date.min)
        return queue[0].card_id if queue else None

    def holds_of(self, card_id: str, today: dt.date | None = None) -> list[HoldRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM holds WHERE card_id=? AND (expires IS NULL OR expires>=?) ORDER BY placed, id",
                (card_id, (today or dt.date.min).isoformat()),
            ).fetchall()
        return [_hold(r) for r in rows]

    def hold_queue_length(self, item_id: str, today: dt.date | None = None) -> int:
        return len(self.holds_on(item_id, today or dt.date.min))

    def history_of(self, card_id: str) -> list[tuple[str, str, str, dt.date, dt.date | None]]:
        """(library, item id, title, checked out, returned) of every loan, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT library, item_id, title, checked_out, returned FROM history WHERE card_id=? "
                "ORDER BY checked_out, id",
                (card_id,),
            ).fetchall()
        return [(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), _date(r[4])) for r in rows]

    def patron_state(self, patron: PatronRecord, today: dt.date, library: str | None = None) -> PatronState:
        """What the rules need, as seen from `library` (default: the patron's home library)."""
        here = library or patron.home_library
        every = self.loans_of(patron.card_id)
        return PatronState(
            card_ok=patron.card_ok,
            fees=patron.fees,
            suspended_until=patron.suspended_until,
            disabled=patron.disabled,
            loans_here=sum(1 for loan in every if loan.library == here),
            loans_elsewhere=patron.loans_elsewhere + sum(1 for loan in every if loan.library != here),
            overdue=sum(1 for loan in every if loan.due < today),
            expired=patron.expires is not None and patron.expires < today,
            joined=self.membership_pin(patron.card_id, here) is not None,
            other_fees=patron.other_fees,
            lost_items=patron.lost_items,
            claims_returned=patron.claims_returned,
            billed_items=patron.billed_items,
            denied=frozenset(x.strip() for x in patron.denied.split(",") if x.strip()),
            recall_overdue=sum(1 for loan in every if loan.recalled and loan.due < today),
        )

    def birth_failures(self, card_id: str) -> int:
        """Wrong birth dates given for this member's bring-in, at any member library."""
        with self._lock:
            row = self._db.execute(
                "SELECT birth_failures FROM patrons WHERE card_id=?", (card_id,)
            ).fetchone()
        return int(row[0]) if row is not None else 0


def _loan(row: sqlite3.Row) -> LoanRecord:
    return LoanRecord(
        row["item_id"], row["card_id"], dt.date.fromisoformat(row["checked_out"]),
        dt.date.fromisoformat(row["due"]), row["renewals"], row["library"], bool(row["recalled"]),
    )  # fmt: skip


def _hold(row: sqlite3.Row) -> HoldRecord:
    return HoldRecord(row["item_id"], row["card_id"], dt.date.fromisoformat(row["placed"]),
                      _date(row["ready_on"]), _date(row["expires"]), row["pickup"],
                      bool(row["in_transit"]))  # fmt: skip


class _Transaction:
    """`with store.transaction():` holds the lock and commits, or rolls back on error."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._lock.release()
