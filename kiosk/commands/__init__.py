"""Subcommands of `kiosk`: each module has HELP, register(parser) and main(args) -> exit code.

A module added here is a new subcommand, named after the module (`kiosk NAME`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.config import Settings


def config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="settings file (default: config/kiosk.toml, the embedded simulators)",
    )


def load_settings(path: Path | None) -> Settings:
    from kiosk import config

    return config.load(path)
