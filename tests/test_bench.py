"""The benchmarks keep up with the code they measure: each one's cheapest step runs here (the
figures themselves come from `./dev bench`, never from a test)."""

from __future__ import annotations


def test_flow_bench_drives_a_whole_visit():
    from bench import flow

    assert flow._visit(3) == 10


def test_outage_bench_helpers_time_a_failing_call():
    from bench import outage
    from kiosk.core.errors import LibraryUnavailable

    def fail():
        raise LibraryUnavailable("down")

    seconds, outcome = outage._timed(fail)
    assert seconds >= 0 and isinstance(outcome, LibraryUnavailable)
