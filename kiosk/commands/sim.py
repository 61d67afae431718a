"""`kiosk sim NAME`: run a simulator in the foreground (ils: the SIP2 library server)."""

from __future__ import annotations

import argparse

HELP = "run a simulator on its own (ils: the embedded SIP2 library server)"


def register(parser: argparse.ArgumentParser) -> None:
    from simulators.ils.__main__ import add_arguments

    parser.description = "Run a simulator in the foreground until Ctrl-C."
    sub = parser.add_subparsers(dest="simulator", required=True, metavar="NAME")
    ils = sub.add_parser(
        "ils",
        help="SIP2 library server with Chaekieum circulation rules and demo data",
        description="SIP2 server over TCP (or TLS) backed by SQLite; rules from a TOML file.",
    )
    add_arguments(ils)


def main(args: argparse.Namespace) -> int:
    from simulators.ils.__main__ import run

    return run(args)
