"""The SIP2 client times each request the library answers, and a listener's fault never turns
an answered request (a loan made) into a failed one."""

from __future__ import annotations

import datetime as dt

from kiosk.ils.library import Sip2Library
from kiosk.metrics import KioskMetrics
from kiosk.runtime.tally import Tally
from simulators.ils import seed
from simulators.ils.server import start_server

TODAY = dt.date(2026, 3, 2)


def test_each_answered_request_is_timed_by_its_message_code():
    metrics = KioskMetrics(Tally(), None, dt.datetime.now)
    heard: list[tuple[str, float]] = []
    with start_server(today=TODAY) as server:
        lib = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        lib.client.on_round_trip = lambda code, seconds: (heard.append((code, seconds)),
                                                          metrics.round_trip(code, seconds))  # fmt: skip
        try:
            lib.lookup_patron(seed.DEMO_PATRON_ID)
            lib.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
        finally:
            lib.close()
    codes = [code for code, _ in heard]
    assert codes.count("11") == 1 and "63" in codes
    assert all(seconds >= 0 for _, seconds in heard)
    text = metrics.text()
    assert 'kiosk_library_round_trip_seconds_count{code="11"} 1.0' in text
    assert seed.DEMO_PATRON_ID not in text


def test_a_failing_listener_leaves_the_loan_made_and_told(caplog):
    def broken(code: str, seconds: float) -> None:
        raise RuntimeError("listener bug")

    with start_server(today=TODAY) as server:
        lib = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        lib.client.on_round_trip = broken
        try:
            result = lib.checkout(seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0])
        finally:
            lib.close()
        assert result.ok
        assert server.store.loan(seed.DEMO_ITEMS[0]) is not None
    assert "round-trip listener failed" in caplog.text
