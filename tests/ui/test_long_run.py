"""A kiosk runs for days: 500 visits (KIOSK_LONG_RUN_VISITS for more) in one process through
the real Qt pump, and the reference counts of None, True and False do not drift (a binding
that drops them aborted the interpreter after ~250 visits). `./dev soak` runs thousands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("longrun_visits.py")
VISITS = int(os.environ.get("KIOSK_LONG_RUN_VISITS", "500"))


@pytest.mark.timeout(600)
def test_hundreds_of_visits_in_one_process_keep_the_interpreter_whole():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--visits", str(VISITS), "--warmup", "20"],
        capture_output=True, text=True, timeout=540, env=env,
    )  # fmt: skip
    tail = done.stderr[-3000:]
    assert done.returncode == 0, f"exit {done.returncode} (negative: killed by a signal)\n{tail}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failure"] == "", result["failure"]
    assert result["visits"] == VISITS
    assert result["runtime_errors"] == []
    # Each visit: idle, working, borrow, the book, printing, goodbye (the busy screen of a quick
    # checkout is not drawn at all).
    assert result["screens"] >= 6 * VISITS
    drift = result["drift"]
    # True and False are held by a steady set of objects once warm; None may gain references
    # (caches), but a loss of one per call is the defect.
    assert abs(drift["True"]) < 100, drift
    assert abs(drift["False"]) < 100, drift
    assert drift["None"] > -100, drift
