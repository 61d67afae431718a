"""Counts what happened at the kiosk since it started, read from the runtime's events and effects.

The tally is an observer (`Runtime.observers`): it is called on the runtime's thread with
("event", Event) or ("effect", Effect), and reads what the screens said, not what was asked,
so that a book counts once as what its patron was told. It also reads a recorded transcript
(kiosk.demo.transcript's JSON entries: the same fields as plain data), see `replay()`.

Nothing of a patron is kept: outcomes are counted by the message id that explains them
(a refusal's reason), never by card, item or name. `snapshot()` may be called from any thread
(the metrics endpoint, the technician screen).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger("kiosk.tally")

# What an ok line on screen says happened, by its note (as kiosk.demo.records reads lines).
LOANS, RETURNS, RENEWALS, REQUESTS = "loans", "returns", "renewals", "requests"
OK_NOTES = {
    "borrow.done_line": LOANS,
    "borrow.done_offline_line": LOANS,  # lent offline: journaled, sent when the library is back
    "borrow.earlier_line": LOANS,  # an interrupted visit's loan, first shown at the next tap
    "borrow.renewed_line": RENEWALS,
    "library.hold_queued": REQUESTS,
    "library.closed_stack_requested": REQUESTS,
}
OFFLINE_NOTES = frozenset({"borrow.done_offline_line"})
# Screens whose lines are a visit's transactions.
OUTCOME_SCREENS = frozenset({"borrow", "giveback", "account"})
# Lines with a "refused" status that state a fact about the account, not a transaction refused.
ACCOUNT_FACTS = ("account.overdue_line", "account.fees", "block.")
# A return refused says its reason in an argument of this note.
GIVEBACK_REFUSED = "giveback.refused_line"
# A reason is a message id ("refusal.already_on_loan"): anything else is counted as "other",
# so no outside text (a library's own message) becomes a counter's name.
MESSAGE_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}")
REASON_LIMIT = 64
OTHER = "other"
PAPER_OUT = frozenset({"paper_out", "printer.paper_out"})
PRINTER = "printer"


def message_id(value: Any) -> str:
    """`value` when it reads as a message id or a plain reason word, else "other"."""
    if isinstance(value, str) and len(value) <= REASON_LIMIT and MESSAGE_ID.fullmatch(value):
        return value
    return OTHER


def _kind(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return str(obj.get("type", ""))
    return type(obj).__name__


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _args(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or ():
        if isinstance(pair, (tuple, list)) and len(pair) == 2:
            out[str(pair[0])] = pair[1]
    return out


class Tally:
    """Counters of visits, transactions, refusals, receipts, reads and device faults, and the
    status each device last reported. Call it as an observer; read it with `snapshot()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._refusals: Counter[str] = Counter()
        self._receipt_failures: Counter[str] = Counter()
        self._card_problems: Counter[str] = Counter()
        self._device_errors: Counter[str] = Counter()
        self._devices: dict[str, dict[str, Any]] = {}
        self._in_visit = False
        # (item, outcome) already counted this visit: every screen lists the visit's lines again.
        self._seen: set[tuple[str, str]] = set()

    # ---------------------------------------------------------------- observing

    def __call__(self, kind: str, obj: Any) -> None:
        # An observer that raised would stop the runtime's dispatch: a miscount is only logged.
        try:
            with self._lock:
                self._count(_kind(obj), obj)
        except Exception:
            log.exception("tally: could not count %s %s", kind, _kind(obj))

    def replay(self, entries: Iterable[Mapping[str, Any]]) -> Tally:
        """Count a recorded transcript's entries (kiosk.demo.transcript), in order."""
        for entry in entries:
            self(str(entry.get("kind", "")), entry)
        return self

    def _count(self, kind: str, obj: Any) -> None:
        if kind == "CardRead":
            self._counts["card_taps"] += 1
        elif kind == "BarcodeRead":
            self._counts["barcode_scans"] += 1
        elif kind == "CardProblem":
            self._card_problems[message_id(_get(obj, "reason"))] += 1
        elif kind == "DeviceStatus":
            self._device(obj)
        elif kind == "ReceiptPrinted":
            self._receipt(_get(obj, "outcome"))
        elif kind == "FlowFailed":
            self._counts["flow_failures"] += 1
        elif kind == "Show":
            self._show(_get(obj, "view"))
        elif kind == "VisitEnded":
            if self._in_visit:
                self._counts["visits_ended"] += 1
            self._in_visit = False
            self._seen.clear()

    def _device(self, status: Any) -> None:
        name = message_id(_get(status, "device"))
        ok = bool(_get(status, "ok"))
        reason = str(_get(status, "reason", "") or "")
        if not ok:
            self._device_errors[name] += 1
        self._devices[name] = {
            "ok": ok,
            "status": "ok" if ok else (message_id(reason) if reason else "failed"),
            "detail": str(_get(status, "detail", "") or ""),
        }

    def _receipt(self, outcome: Any) -> None:
        ok = bool(_get(outcome, "ok"))
        reason = str(_get(outcome, "reason", "") or "")
        if ok:
            self._counts["receipts_printed"] += 1
        else:
            self._counts["receipts_failed"] += 1
            self._receipt_failures[message_id(reason) if reason else "printer.failed"] += 1
        # The printer has no watcher of its own: how the last receipt fared is its status.
        self._devices[PRINTER] = {
            "ok": ok,
            "status": "ok" if ok else message_id(reason or "failed"),
            "detail": str(_get(outcome, "detail", "") or ""),
        }

    def _show(self, view: Any) -> None:
        if view is None:
            return
        screen = str(_get(view, "screen", ""))
        if screen != "idle" and not self._in_visit:
            self._in_visit = True
            self._counts["visits_started"] += 1
        if screen not in OUTCOME_SCREENS:
            return
        for line in _get(view, "lines") or ():
            self._line(screen, line)

    def _line(self, screen: str, line: Any) -> None:
        item = str(_get(line, "detail", "") or "")
        if not item:
            return
        status, note = _get(line, "status"), str(_get(line, "note", "") or "")
        if status == "ok":
            outcome = OK_NOTES.get(note) or (RETURNS if screen == "giveback" else None)
            if outcome is None or not self._first(item, outcome):
                return
            self._counts[outcome] += 1
            if note in OFFLINE_NOTES:
                self._counts["loans_offline"] += 1
        elif status == "refused":
            if note.startswith(ACCOUNT_FACTS) or (screen == "account" and not note.startswith("refusal.")):
                return
            reason = _args(_get(line, "note_args")).get("reason") if note == GIVEBACK_REFUSED else note
            if self._first(item, "refused"):
                self._refusals[message_id(reason)] += 1
        elif status == "unconfirmed" and self._first(item, "unconfirmed"):
            self._counts["unconfirmed"] += 1

    def _first(self, item: str, outcome: str) -> bool:
        """Whether this visit shows `item` with `outcome` for the first time."""
        if (item, outcome) in self._seen:
            return False
        self._seen.add((item, outcome))
        return True

    # ---------------------------------------------------------------- reading

    def snapshot(self) -> dict[str, Any]:
        """Every counter and each device's last status, as plain data (copies)."""
        with self._lock:
            c = self._counts
            return {
                "visits_started": c["visits_started"],
                "visits_ended": c["visits_ended"],
                "loans": c[LOANS],
                "loans_offline": c["loans_offline"],
                "returns": c[RETURNS],
                "renewals": c[RENEWALS],
                "requests": c[REQUESTS],
                "unconfirmed": c["unconfirmed"],
                "refusals": dict(self._refusals),
                "receipts_printed": c["receipts_printed"],
                "receipts_failed": c["receipts_failed"],
                "receipt_failures": dict(self._receipt_failures),
                "card_taps": c["card_taps"],
                "barcode_scans": c["barcode_scans"],
                "card_problems": dict(self._card_problems),
                "flow_failures": c["flow_failures"],
                "device_errors": dict(self._device_errors),
                "devices": {name: dict(status) for name, status in self._devices.items()},
            }

    def lines(self) -> list[tuple[str, str]]:
        """The counters as (name, value) pairs of text, for a technician's screen."""
        snap = self.snapshot()
        out: list[tuple[str, str]] = []
        for name, value in snap.items():
            if name == "devices":
                out += [(f"device {d}", s["status"]) for d, s in sorted(value.items())]
            elif isinstance(value, dict):
                out += [(f"{name} {key}", str(n)) for key, n in sorted(value.items())]
            else:
                out.append((name, str(value)))
        return out
