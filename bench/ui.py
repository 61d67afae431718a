"""Screens: a scanned book's row and a tapped card's screen through the real window, beside a SIP2 round trip.

Views come from the real visit flow; the window is the kiosk's own KioskWindow on Qt's offscreen
platform (1080 x 1920, 4 px/mm). Each figure is the median of its rounds:

- call: window.show_view, what the runtime does for a Show effect (widgets updated, laid out);
- + paint: that call and the next event loop turn, in which Qt paints the window;
- book's row shown: the borrow screen with one more book, after the screen without it;
- a whole scan: the flow taking the barcode, the busy screen shown and painted, the flow taking
  the library's answer and the screen with the new row shown (and painted, in "+ paint"); the
  round trip to the library is not in it: that is the baseline;
- card tap -> patron screen: the patron's borrow screen after the idle screen.

"rebuild" forces every row and button to be made afresh, as every screen was before screens
were updated in place (through today's window, so the rows are stacked as they are now);
"in place" is what the window does now. The baseline is one loopback SIP2 round trip (item
information, 17) through the kiosk's client and the embedded server, measured in the same
run. The goal: the kiosk's own part of a scan no larger than one round trip, and twenty rows
on screen no slower than one.

With twenty rows the list scrolls and the new, twenty-first row lands below what the list
shows, so its paint is not in "+ paint" there (it is with one row): compare the two counts
by "call" as well as by "+ paint".

Run: ./dev bench ui (or QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench ui).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.effects import CallLibrary, Effect, Show
from kiosk.core.events import BarcodeRead, CardRead, Event, LibraryReplied, Started
from kiosk.core.model import CheckoutResult, Patron
from kiosk.core.views import View
from kiosk.flows.session import Session
from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.codec import Message
from simulators.ils import seed
from simulators.ils.server import start_server

ROUNDS = 60
SIP2_ROUNDS = 300
ON_SCREEN = (1, 20)


def sip2_round_trip() -> float:
    """Median seconds of an item information (17) round trip on loopback."""
    with start_server(today=dt.date(2026, 3, 2)) as server:
        library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        client = library.client
        request = Message("17", "20260302    120000", (("AO", "MA"), ("AB", seed.DEMO_LOAN_ITEM), ("AC", "")))
        client.connect()
        client.request(request)
        times = []
        for _ in range(SIP2_ROUNDS):
            started = time.perf_counter()
            client.request(request, idempotent=True)
            times.append(time.perf_counter() - started)
        library.close()
    return statistics.median(times)


@dataclass
class Scan:
    """One book scanned with `before` rows on screen: the flow waiting for it, the events, and
    the views they lead to."""

    before: int
    flow: Session  # a copy, untouched: each round feeds its own copy of it
    shown: View  # the borrow screen with `before` rows
    barcode: BarcodeRead
    result: CheckoutResult
    after: View  # with the new row


class Visit:
    """The real visit flow fed by hand; keeps the last effects it gave."""

    def __init__(self, flow: Session | None = None) -> None:
        self.flow = flow or Session()
        self.effects: list[Effect] = []

    def feed(self, event: Event) -> list[View]:
        self.effects = self.flow.handle(event)
        return [e.view for e in self.effects if isinstance(e, Show)]

    def reply(self, operation: str, result: object) -> LibraryReplied:
        (call,) = [e for e in self.effects if isinstance(e, CallLibrary)]
        return LibraryReplied(request_id=call.request_id, operation=operation, result=result)


def _checkout(n: int) -> CheckoutResult:
    item = f"EM{n:010d}"
    return CheckoutResult(True, item, f"채식주의자 {n}: 한강 장편소설", dt.date(2026, 12, 13))


def visit_views() -> tuple[View, View, dict[int, Scan]]:
    """The idle screen, the patron's first borrow screen, and a scan at each count in ON_SCREEN."""
    visit = Visit()
    idle = visit.feed(Started())[-1]
    visit.feed(CardRead(technology="106A", uid="01", identifier="P1"))
    shown = visit.feed(visit.reply("lookup_patron", Patron("P1", "김민수")))[-1]
    patron_screen = shown
    scans: dict[int, Scan] = {}
    for n in range(max(ON_SCREEN) + 1):
        flow = copy.deepcopy(visit.flow)
        barcode = BarcodeRead(text=f"EM{n:010d}", symbology="Code128")
        visit.feed(barcode)
        after = visit.feed(visit.reply("checkout", _checkout(n)))[-1]
        assert len(after.lines) == n + 1, "a scanned book is one more row"
        if n in ON_SCREEN:
            scans[n] = Scan(n, flow, shown, barcode, _checkout(n), after)
        shown = after
    return idle, patron_screen, scans


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.app import ensure_app
    from kiosk.ui.theme import Theme
    from kiosk.ui.window import KioskWindow

    ensure_app(headless=True)
    window = KioskWindow(Theme(px_per_mm=4.0), "서울도서관", lambda event: None)
    window.resize(1080, 1920)
    window.show()
    QApplication.processEvents()
    idle, patron_screen, scans = visit_views()

    def timed(prepare: Callable[[], object], act: Callable[[], object]) -> tuple[float, float]:
        """Median ms of `act`, and of `act` plus the event loop turn that paints it."""
        calls, painted = [], []
        for _ in range(ROUNDS):
            prepare()
            QApplication.processEvents()
            started = time.perf_counter()
            act()
            middle = time.perf_counter()
            QApplication.processEvents()
            ended = time.perf_counter()
            calls.append(middle - started)
            painted.append(ended - started)
        return _median_ms(calls), _median_ms(painted)

    def whole_scan(scan: Scan, rebuild: bool) -> tuple[Callable[[], object], Callable[[], object]]:
        visits: list[Visit] = []

        def prepare() -> None:
            window.show_view(scan.shown, rebuild=rebuild)
            visits.append(Visit(copy.deepcopy(scan.flow)))

        def act() -> None:
            visit = visits.pop()
            for view in visit.feed(scan.barcode):
                window.show_view(view, rebuild=rebuild)
            QApplication.processEvents()  # the busy screen is painted while the library answers
            for view in visit.feed(visit.reply("checkout", scan.result)):
                window.show_view(view, rebuild=rebuild)

        return prepare, act

    rows: list[tuple[str, float, float]] = []
    for rebuild in (True, False):
        how = "rebuild" if rebuild else "in place"
        for n, scan in scans.items():
            call, paint = timed(
                lambda scan=scan, rebuild=rebuild: window.show_view(scan.shown, rebuild=rebuild),
                lambda scan=scan, rebuild=rebuild: window.show_view(scan.after, rebuild=rebuild),
            )
            rows.append((f"book's row shown, {n:>2} on screen, {how}", call, paint))
    for rebuild in (True, False):
        how = "rebuild" if rebuild else "in place"
        for n, scan in scans.items():
            call, paint = timed(*whole_scan(scan, rebuild))
            rows.append((f"a whole scan, {n:>2} on screen, {how}", call, paint))
    # As the kiosk runs (kiosk/app.py): a busy screen waits 150 ms for the answer, which on a
    # quick library comes first, so the scan draws only the new row.
    window.busy_delay_ms = 150
    for n, scan in scans.items():
        call, paint = timed(*whole_scan(scan, False))
        rows.append((f"a whole scan, {n:>2} on screen, busy deferred", call, paint))
    window.busy_delay_ms = 0
    call, paint = timed(lambda: window.show_view(idle), lambda: window.show_view(patron_screen))
    rows.append(("card tap -> patron screen (idle -> borrow)", call, paint))
    # The floor: the smallest change a patron can see, one label's text, laid out and painted.
    flip = iter(range(10**9))
    _, floor = timed(lambda: None, lambda: window.message.setText("가" if next(flip) % 2 else "나"))
    rows.append(("floor: one label's text changed", 0.0, floor))
    sip2 = sip2_round_trip() * 1e3
    window.close()

    print(f"{'measure (median ms)':<46}{'call':>8}{'+ paint':>9}{'/ SIP2':>8}")
    for name, call, paint in rows:
        print(f"{name:<46}{call:>8.2f}{paint:>9.2f}{paint / sip2:>7.1f}x")
    print(f"{'baseline: SIP2 item information (17) loopback':<46}{'':>8}{sip2:>9.2f}{1:>7.1f}x")
    by = {name: paint for name, _, paint in rows}
    for n in ON_SCREEN:
        before = by[f"book's row shown, {n:>2} on screen, rebuild"]
        after = by[f"book's row shown, {n:>2} on screen, in place"]
        print(f"book's row shown, {n:>2} on screen: in place {before / after:.1f}x faster than a rebuild")
    one, twenty = (by[f"a whole scan, {n:>2} on screen, in place"] for n in ON_SCREEN)
    print(f"a whole scan in place, {max(ON_SCREEN)} rows on screen / 1 row: {twenty / one:.2f}x")


if __name__ == "__main__":
    main()
