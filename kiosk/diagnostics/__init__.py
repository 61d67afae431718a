"""Self-tests a technician runs, per device and for the library link: `kiosk diag NAME` and the
diagnostics screen share them.

Each module here is one check, named after the module (`kiosk diag NAME`), and has:
- HELP: one line for `kiosk diag --help`;
- register(parser): its command-line options (argparse);
- main(args) -> int: the command (exit 0 when the device is fine);
- check(settings) -> Check: a quick, non-interactive check for the diagnostics screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """The outcome of one device's self-test, as a technician reads it."""

    device: str
    ok: bool
    # One line: what is wrong and what to check, or what was found.
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    # What works but should not stay so (one line each), whether or not the check passed.
    warnings: tuple[str, ...] = ()
