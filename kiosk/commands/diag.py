"""`kiosk diag NAME`: check one device or the library link (see kiosk.diagnostics)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import kiosk.diagnostics

HELP = "check a device or the library link (technicians)"


def _checks() -> dict[str, object]:
    found = pkgutil.iter_modules(kiosk.diagnostics.__path__)
    names = sorted(m.name for m in found if not m.name.startswith("_"))
    return {name: importlib.import_module(f"kiosk.diagnostics.{name}") for name in names}


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = "Run one device's self-test and say what to check when it fails."
    sub = parser.add_subparsers(dest="check", required=True, metavar="NAME")
    for name, module in _checks().items():
        module.register(sub.add_parser(name, help=module.HELP))  # type: ignore[attr-defined]


def main(args: argparse.Namespace) -> int:
    return int(_checks()[args.check].main(args))  # type: ignore[attr-defined]
