"""`kiosk flows [--dot | --markdown]`: the visit's state machines, as diagrams or a document."""

from __future__ import annotations

import argparse

HELP = "print the flows' transition tables (Graphviz dot, or the docs/flows.md text)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print the session's and the activities' state machines."
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--dot", action="store_true", help="Graphviz digraphs (default)")
    group.add_argument("--markdown", action="store_true", help="the text of docs/flows.md")


def main(args: argparse.Namespace) -> int:
    from kiosk.flows import diagram

    print(diagram.markdown() if args.markdown else diagram.dot(), end="" if args.markdown else "\n")
    return 0
