"""`kiosk ARGS...` whose Qt main thread a test can freeze and thaw, as a stuck slot would.

SIGUSR1 runs a handler on the main thread (Python runs signal handlers there) that writes
FREEZE_MARK and then holds the thread until the file THAW_MARK exists: the screen, the visit's
runtime and the watchdog's timer all stop while the device and library threads go on."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from kiosk.cli import main

FROZEN = Path(os.environ["KIOSK_TEST_FROZEN_MARK"])
THAW = Path(os.environ["KIOSK_TEST_THAW_MARK"])


def _freeze(signum: int, frame: object) -> None:
    FROZEN.write_text("frozen")
    while not THAW.exists():
        time.sleep(0.02)


signal.signal(signal.SIGUSR1, _freeze)
sys.exit(main(sys.argv[1:]))
