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


def test_decode_bench_draws_valid_random_codes_and_runs_a_random_scene(capsys, monkeypatch):
    import os
    import random

    from bench import decode
    from kiosk.devices.codes import CodePatterns, Decoded, admit

    rng = random.Random(5)
    codes = [c for _ in range(50) for c in decode._random_codes(rng)]
    assert all(admit(Decoded(symbology, text), CodePatterns()) is not None for text, symbology in codes)
    assert decode._random_codes(random.Random(5)) == codes[:3]  # the seed decides
    # The bench keeps its process to one core: not the test run's.
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cores: None, raising=False)
    decode.random_scenes(5, 1, 2)
    out = capsys.readouterr().out
    for name in ("hard", "unseen", "unseen 2"):
        assert f"  {name:9} kiosk " in out
    assert "/6 " in out  # three codes, two frames each
