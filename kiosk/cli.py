"""The `kiosk` command: one subcommand per module of kiosk.commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import kiosk.commands
from kiosk.core.errors import ConfigError
from kiosk.demo.script import ScriptError


def _commands() -> dict[str, object]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(kiosk.commands.__path__) if not m.name.startswith("_")
    )
    return {name: importlib.import_module(f"kiosk.commands.{name}") for name in names}


def _parser(commands: dict[str, object]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Chaekieum self-checkout kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in commands.items():
        command = sub.add_parser(name, help=module.HELP)  # type: ignore[attr-defined]
        module.register(command)  # type: ignore[attr-defined]
    return parser


def main(argv: list[str] | None = None) -> int:
    commands = _commands()
    args = _parser(commands).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        # python-escpos configures the root logger when imported (while the parser is built).
        force=True,
    )
    try:
        return int(commands[args.command].main(args))  # type: ignore[attr-defined]
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    except ScriptError as exc:
        print(f"kiosk: script error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
