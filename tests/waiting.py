"""Waiting for something another thread or process does, without asserting on time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False): a guard, not a measure."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
