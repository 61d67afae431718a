"""Running `kiosk soak` (and friends) as a process, as ./dev soak does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, timeout: float = 170) -> subprocess.CompletedProcess[str]:
    """`kiosk ARGS...` headless; its output (stdout and the log) as text."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )


def figure(output: str, pattern: str) -> int:
    """The number after `pattern` in the soak's report."""
    found = re.search(pattern + r"\s*(-?\d+)", output)
    assert found, f"no {pattern!r} in the soak's report:\n{output[-3000:]}"
    return int(found.group(1))
