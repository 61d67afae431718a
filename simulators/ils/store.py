"""SQLite circulation store of the simulated library: patrons, items, loans, holds."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from dataclasses import dataclass

from simulators.ils.rules import (
    ItemState,
    PatronState,
    Refusal,
    Rules,
    decide_checkout,
    suspension_after_checkin,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS patrons (
    card_id TEXT PRIMARY KEY, name TEXT NOT NULL, pin TEXT NOT NULL,
    home_library TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
    card_ok INTEGER NOT NULL DEFAULT 1, fees INTEGER NOT NULL DEFAULT 0,
    suspended_until TEXT, loans_elsewhere INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY, isbn TEXT NOT NULL, title TEXT NOT NULL, author TEXT NOT NULL,
    home_library TEXT NOT NULL, location TEXT NOT NULL,
    loan_type TEXT NOT NULL DEFAULT 'normal');
CREATE TABLE IF NOT EXISTS loans (
    item_id TEXT PRIMARY KEY REFERENCES items, card_id TEXT NOT NULL REFERENCES patrons,
    checked_out TEXT NOT NULL, due TEXT NOT NULL, renewals INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL REFERENCES items,
    card_id TEXT NOT NULL REFERENCES patrons, placed TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS loans_by_card ON loans(card_id);
CREATE INDEX IF NOT EXISTS holds_by_item ON holds(item_id);
"""


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
    loans_elsewhere: int = 0


@dataclass(frozen=True)
class ItemRecord:
    item_id: str
    isbn: str
    title: str
    author: str
    home_library: str
    location: str
    loan_type: str = "normal"


@dataclass(frozen=True)
class LoanRecord:
    item_id: str
    card_id: str
    checked_out: dt.date
    due: dt.date
    renewals: int = 0


@dataclass(frozen=True)
class CheckoutOutcome:
    ok: bool
    refusal: Refusal | None = None
    due: dt.date | None = None
    renewed: bool = False
    item: ItemRecord | None = None


@dataclass(frozen=True)
class CheckinOutcome:
    ok: bool
    item: ItemRecord | None = None
    borrower: str = ""
    late_days: int = 0
    hold_for: str | None = None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class CirculationStore:
    """One SQLite connection shared by the server's threads behind a lock: the simulator's
    load is a few kiosks, and a lock keeps every checkout's check-then-write atomic."""

    def __init__(self, db_path: str | None = None) -> None:
        path = db_path or ":memory:"
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0

    # -- writing seed data ------------------------------------------------------------

    def add_patron(self, p: PatronRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO patrons VALUES (?,?,?,?,?,?,?,?,?)",
                (p.card_id, p.name, p.pin, p.home_library, int(p.disabled), int(p.card_ok),
                 p.fees, p.suspended_until.isoformat() if p.suspended_until else None,
                 p.loans_elsewhere),
            )  # fmt: skip

    def add_item(self, i: ItemRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO items VALUES (?,?,?,?,?,?,?)",
                (i.item_id, i.isbn, i.title, i.author, i.home_library, i.location, i.loan_type),
            )

    def add_loan(self, loan: LoanRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO loans VALUES (?,?,?,?,?)",
                (loan.item_id, loan.card_id, loan.checked_out.isoformat(),
                 loan.due.isoformat(), loan.renewals),
            )  # fmt: skip

    def add_hold(self, item_id: str, card_id: str, placed: dt.date) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO holds (item_id, card_id, placed) VALUES (?,?,?)",
                (item_id, card_id, placed.isoformat()),
            )

    def transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    # -- reading ----------------------------------------------------------------------

    def patron(self, card_id: str) -> PatronRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM patrons WHERE card_id=?", (card_id,)).fetchone()
        if row is None:
            return None
        return PatronRecord(
            row["card_id"], row["name"], row["pin"], row["home_library"], bool(row["disabled"]),
            bool(row["card_ok"]), row["fees"], _date(row["suspended_until"]),
            row["loans_elsewhere"],
        )  # fmt: skip

    def item(self, item_id: str) -> ItemRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE item_id=?", (item_id,)).fetchone()
        return ItemRecord(*row) if row is not None else None

    def loan(self, item_id: str) -> LoanRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM loans WHERE item_id=?", (item_id,)).fetchone()
        return _loan(row) if row is not None else None

    def loans_of(self, card_id: str) -> list[LoanRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM loans WHERE card_id=? ORDER BY checked_out, item_id", (card_id,)
            ).fetchall()
        return [_loan(r) for r in rows]

    def hold_for(self, item_id: str) -> str | None:
        """The card id of the first patron in the item's hold queue."""
        with self._lock:
            row = self._db.execute(
                "SELECT card_id FROM holds WHERE item_id=? ORDER BY placed, id LIMIT 1", (item_id,)
            ).fetchone()
        return row[0] if row is not None else None

    def holds_of(self, card_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT item_id FROM holds WHERE card_id=? ORDER BY placed, id", (card_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def hold_queue_length(self, item_id: str) -> int:
        with self._lock:
            return int(
                self._db.execute("SELECT COUNT(*) FROM holds WHERE item_id=?", (item_id,)).fetchone()[0]
            )

    def patron_state(self, patron: PatronRecord, today: dt.date) -> PatronState:
        loans = self.loans_of(patron.card_id)
        return PatronState(
            card_ok=patron.card_ok,
            fees=patron.fees,
            suspended_until=patron.suspended_until,
            disabled=patron.disabled,
            loans_here=len(loans),
            loans_elsewhere=patron.loans_elsewhere,
            overdue=sum(1 for loan in loans if loan.due < today),
        )

    # -- circulation ------------------------------------------------------------------

    def checkout(self, card_id: str, item_id: str, today: dt.date, rules: Rules) -> CheckoutOutcome:
        """Decide and record one checkout (or renewal) atomically."""
        with self.transaction():
            patron = self.patron(card_id)
            if patron is None:
                return CheckoutOutcome(False, Refusal.PATRON_UNKNOWN)
            item = self.item(item_id)
            if item is None:
                return CheckoutOutcome(False, Refusal.ITEM_UNKNOWN)
            loan = self.loan(item_id)
            state = ItemState(
                loan_type=item.loan_type,
                borrower=loan.card_id if loan else None,
                hold_for=self.hold_for(item_id),
                due=loan.due if loan else None,
                renewals=loan.renewals if loan else 0,
            )
            refusal, due, renewed = decide_checkout(
                rules, card_id, self.patron_state(patron, today), state, today
            )
            if refusal is not None or due is None:
                return CheckoutOutcome(False, refusal, item=item)
            if renewed:
                self._db.execute(
                    "UPDATE loans SET due=?, renewals=renewals+1 WHERE item_id=?",
                    (due.isoformat(), item_id),
                )
            else:
                self._db.execute(
                    "INSERT INTO loans VALUES (?,?,?,?,0)",
                    (item_id, card_id, today.isoformat(), due.isoformat()),
                )
                self._db.execute("DELETE FROM holds WHERE item_id=? AND card_id=?", (item_id, card_id))
            return CheckoutOutcome(True, None, due, renewed, item)

    def checkin(self, item_id: str, today: dt.date) -> CheckinOutcome:
        """Record a return; a late return suspends the borrower (Seoul rule)."""
        with self.transaction():
            item = self.item(item_id)
            loan = self.loan(item_id)
            if item is None or loan is None:
                return CheckinOutcome(False, item)
            self._db.execute("DELETE FROM loans WHERE item_id=?", (item_id,))
            late = max(0, (today - loan.due).days)
            if late:
                patron = self.patron(loan.card_id)
                current = patron.suspended_until if patron else None
                until = suspension_after_checkin(loan.due, today, current)
                self._db.execute(
                    "UPDATE patrons SET suspended_until=? WHERE card_id=?",
                    (until.isoformat() if until else None, loan.card_id),
                )
            return CheckinOutcome(True, item, loan.card_id, late, self.hold_for(item_id))


def _loan(row: sqlite3.Row) -> LoanRecord:
    return LoanRecord(
        row["item_id"], row["card_id"], dt.date.fromisoformat(row["checked_out"]),
        dt.date.fromisoformat(row["due"]), row["renewals"],
    )  # fmt: skip


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
