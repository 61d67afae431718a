"""`kiosk demo`: the kiosk on simulators, with a control panel or a scripted visit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.demo.records import Records, Report, check

HELP = "the kiosk on simulators, with a control panel or a scripted visit"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "With a display: the kiosk window plus a simulator control panel. "
        "Without one (or with --headless): run a scripted visit, save a PNG of every "
        "screen, the receipt PNG and a JSON transcript in --out, then check the library's "
        "records against what the patron was shown, the journal and the printed receipt; "
        "exit 0 only if the visit completed and the records agree."
    )
    config_arg(parser)
    parser.add_argument("--headless", action="store_true", help="no window: run a scripted visit")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        help="folder for screens, receipt and transcript (default: out/demo)",
    )
    parser.add_argument(
        "--script", type=Path, default=None, help="scripted-visit file (default: the built-in first borrow)"
    )


def main(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.demo import script
    from kiosk.ui.app import has_display

    headless = args.headless or not has_display()
    steps = script.load(args.script or script.DEFAULT_SCRIPT) if headless else []
    settings = load_settings(args.config)
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=headless, fit_screen=not headless)
        if not headless:
            from kiosk.app import attach_panel

            return attach_panel(kiosk, window)
        from kiosk.demo.runner import run_script

        args.out.mkdir(parents=True, exist_ok=True)
        before = records_of(kiosk)
        result = run_script(kiosk, window, steps, args.out)
        report = records_check(kiosk, before, result.entries)
    finally:
        kiosk.stop()
    print(f"screens: {len(result.screens)} PNG in {args.out / 'screens'}")
    print(f"receipt: {result.receipt or 'none'}")
    print(f"transcript: {result.transcript}")
    if not result.ok:
        print(f"visit FAILED: {result.failure}", file=sys.stderr)
        return 1
    print("visit completed")
    if report is None:
        print("records check: skipped (the library is not the embedded simulator)")
        return 0
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def records_of(kiosk: Any) -> Records | None:
    """The embedded library's loans and holds now (None for a library elsewhere)."""
    if kiosk.sims.ils is None:
        return None
    loans, holds = kiosk.sims.ils.store.circulation()
    return Records(loans, holds)


def records_check(kiosk: Any, before: Records | None, entries: list[dict[str, Any]]) -> Report | None:
    """The records check of kiosk.demo.records on a finished demo: library, screens, journal
    and the virtual printer's receipts."""
    after = records_of(kiosk)
    if before is None or after is None or kiosk.journal is None:
        return None
    printer = kiosk.sims.printer
    receipts = list(printer.receipt_texts) if printer is not None else None
    return check(before, after, entries, kiosk.journal.entries(), receipts)
