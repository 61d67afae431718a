"""Library outages as a patron meets them: how long until the kiosk says so, and until it lends again.

Against the embedded server with the kiosk's default settings (timeout_s 10, recovery_s 8,
heartbeat on): a normal checkout (the baseline); the server stopped, then a book shown (until the
patron sees the outage); the whole server hung right after committing a checkout (until the line
says "not confirmed"); the server started again while a patron shows a book every half second
(until it is borrowed).

Run: ./dev bench outage (or .venv/bin/python -m bench outage). Seconds are of this run.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time

from kiosk.core.errors import LibraryError, OutcomeUnknown
from kiosk.ils.library import Sip2Library
from simulators.ils import seed
from simulators.ils.server import start_server
from simulators.ils.store import CirculationStore

TODAY = dt.date(2026, 3, 2)
PATRON = seed.DEMO_PATRON_ID


def _timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        outcome: object = fn()
    except LibraryError as exc:
        outcome = exc
    return time.perf_counter() - started, outcome


def main() -> None:
    logging.getLogger("kiosk").setLevel(logging.ERROR)  # the expected link warnings
    store = CirculationStore()
    server = start_server(today=TODAY, store=store)
    port = server.port
    library = Sip2Library(server.host, port, "kiosk", "kiosk", "MA", heartbeat=True)
    try:
        library.lookup_patron(PATRON)
        base = []
        for item in seed.DEMO_ITEMS[:3]:
            seconds, _ = _timed(lambda item=item: library.checkout(PATRON, item))
            base.append(seconds)
            library.checkin(item)
        baseline = statistics.median(base)
        print(f"  normal checkout (baseline)            {baseline * 1000:8.1f} ms")

        server.add_fault("reply_lost_freeze", on="11")
        seconds, outcome = _timed(lambda: library.checkout(PATRON, seed.DEMO_ITEMS[0]))
        told = "not confirmed" if isinstance(outcome, OutcomeUnknown) else type(outcome).__name__
        print(f"  server hung after committing: {told:<10} {seconds:8.1f} s   ({seconds / baseline:,.0f}x)")
        server.thaw()
        server.stop()

        seconds, outcome = _timed(lambda: library.checkout(PATRON, seed.DEMO_ITEMS[1]))
        print(f"  server stopped: outage shown after    {seconds:8.3f} s   ({seconds / baseline:,.1f}x) "
              f"[{type(outcome).__name__}]")  # fmt: skip

        time.sleep(6)  # long enough for the heartbeat's back-off to have grown
        back = start_server(today=TODAY, store=store, port=port)
        restarted = time.perf_counter()
        try:
            while True:
                _, outcome = _timed(lambda: library.checkout(PATRON, seed.DEMO_ITEMS[2]))
                if getattr(outcome, "ok", False):
                    break
                time.sleep(0.5)
            seconds = time.perf_counter() - restarted
            print(f"  server back: book borrowed after      {seconds:8.3f} s   (patron retrying every 0.5 s)")
        finally:
            back.stop()
    finally:
        library.close()
        store.close()


if __name__ == "__main__":
    main()
