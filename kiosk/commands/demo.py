"""`kiosk demo`: the kiosk on simulators, with a control panel or a scripted visit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands import config_arg, load_settings

HELP = "the kiosk on simulators, with a control panel or a scripted visit"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "With a display: the kiosk window plus a simulator control panel. "
        "Without one (or with --headless): run a scripted visit, save a PNG of every "
        "screen, the receipt PNG and a JSON transcript in --out; exit 0 only if the "
        "visit completed."
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
        result = run_script(kiosk, window, steps, args.out)
    finally:
        kiosk.stop()
    print(f"screens: {len(result.screens)} PNG in {args.out / 'screens'}")
    print(f"receipt: {result.receipt or 'none'}")
    print(f"transcript: {result.transcript}")
    if not result.ok:
        print(f"visit FAILED: {result.failure}", file=sys.stderr)
        return 1
    print("visit completed")
    return 0
