"""Dispatch cost: a visit's events through Session.handle, beside a bare queue round trip."""

from __future__ import annotations

import datetime as dt
import queue
import statistics
import time

from kiosk.core.effects import CallLibrary
from kiosk.core.events import BarcodeRead, CardRead, LibraryReplied, Pressed, Started
from kiosk.core.model import CheckoutResult, Patron
from kiosk.flows.session import Session


def _answer(flow: Session, effects: list, result: object) -> None:
    """The reply to the one library call among `effects`, as the runtime would post it."""
    (call,) = [e for e in effects if isinstance(e, CallLibrary)]
    flow.handle(LibraryReplied(request_id=call.request_id, operation=call.operation, result=result))


def _visit(n_items: int) -> int:
    """One visit fed straight to a new flow, as the runtime does; returns the number of events."""
    flow = Session()
    flow.handle(Started())
    _answer(flow, flow.handle(CardRead(technology="106A", uid="01", identifier="P")), Patron("P", "김민수"))
    for i in range(n_items):
        item = f"EM{i:010d}"
        effects = flow.handle(BarcodeRead(text=item, symbology="Code128"))
        _answer(flow, effects, CheckoutResult(True, item, "책", dt.date(2026, 12, 1)))
    flow.handle(Pressed(control="finish"))
    return 4 + 2 * n_items


def main() -> None:
    rounds = 200
    flow_times, queue_times = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        n = sum(_visit(7) for _ in range(rounds))
        flow_times.append((time.perf_counter() - t0) / n)
        q: queue.Queue[int] = queue.Queue()
        t0 = time.perf_counter()
        for i in range(n):
            q.put(i)
            q.get_nowait()
        queue_times.append((time.perf_counter() - t0) / n)
    f, b = statistics.median(flow_times), statistics.median(queue_times)
    print(f"{'measure':<42}{'µs/event':>10}")
    print(f"{'Session.handle (visits of 7 books)':<42}{f * 1e6:>10.2f}")
    print(f"{'baseline: queue.Queue put + get':<42}{b * 1e6:>10.2f}")
    print(f"ratio flow/baseline: {f / b:.1f}x")


if __name__ == "__main__":
    main()
