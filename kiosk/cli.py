"""The `kiosk` command: run, demo (more subcommands arrive with their issues)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from kiosk.core.errors import ConfigError
from kiosk.demo.script import ScriptError


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="settings file (default: config/kiosk.toml, the embedded simulators)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Chaekieum self-checkout kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the kiosk full screen with the configured devices",
        description="Run the kiosk with the devices and library in --config.",
    )
    _config_arg(run)

    demo = sub.add_parser(
        "demo",
        help="the kiosk on simulators, with a control panel or a scripted visit",
        description="With a display: the kiosk window plus a simulator control panel. "
        "Without one (or with --headless): run a scripted visit, save a PNG of every "
        "screen, the receipt PNG and a JSON transcript in --out; exit 0 only if the "
        "visit completed.",
    )
    _config_arg(demo)
    demo.add_argument("--headless", action="store_true", help="no window: run a scripted visit")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo"),
        help="folder for screens, receipt and transcript (default: out/demo)",
    )
    demo.add_argument(
        "--script", type=Path, default=None, help="scripted-visit file (default: the built-in first borrow)"
    )
    return parser


def _load(path: Path | None):  # type: ignore[no-untyped-def]
    from kiosk import config

    return config.load(path)


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.ui.app import has_display

    settings = _load(args.config)
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=not has_display())
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        assert app is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.quit())
        # Python runs signal handlers only between bytecodes: wake it while Qt waits.
        wake = QTimer()
        wake.start(200)
        wake.timeout.connect(lambda: None)
        if settings.display.fullscreen:
            window.showFullScreen()
        else:
            window.show()
        kiosk.runtime.start()
        return int(app.exec())
    finally:
        kiosk.stop()


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.demo import script
    from kiosk.ui.app import has_display

    headless = args.headless or not has_display()
    steps = script.load(args.script or script.DEFAULT_SCRIPT) if headless else []
    settings = _load(args.config)
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=headless)
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "demo":
            return cmd_demo(args)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    except ScriptError as exc:
        print(f"kiosk: script error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
