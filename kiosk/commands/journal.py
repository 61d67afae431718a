"""`kiosk journal [status | export DIR [--forget]]`: the visit journal, for staff: what is
still open, what the patron was not told, and exports in Koha's offline circulation format
(.koc) and CSV."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from kiosk.commands import config_arg, load_settings
from kiosk.core.privacy import mask_card

HELP = "the visit journal: open and untold entries, exports for staff (.koc, CSV)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Show the journal's open entries (outcome unknown) and those whose outcome the patron was not "
        "told, or export them for staff."
    )
    config_arg(parser)
    sub = parser.add_subparsers(dest="action")
    sub.add_parser("status", help="counts, the oldest open entry, and each open or untold entry (masked)")
    export = sub.add_parser("export", help="write journal.koc and journal.csv of the open and untold entries")
    export.add_argument("out", type=Path, help="directory to write to")
    export.add_argument("--forget", action="store_true", help="then drop the untold entries exported")


def main(args: argparse.Namespace) -> int:
    from kiosk.ils.journal import Journal, csv_text, koc

    settings = load_settings(args.config)
    path = settings.library.journal
    if not path:
        print("kiosk journal: [library] journal is '' (in memory): nothing outlives the kiosk to show")
        return 1
    journal = Journal(path)
    try:
        open_entries, untold = journal.open_entries(), journal.untold()
        if args.action == "export":
            args.out.mkdir(parents=True, exist_ok=True)
            entries = open_entries + untold
            (args.out / "journal.koc").write_text(koc(entries), encoding="utf-8")
            (args.out / "journal.csv").write_text(csv_text(entries), encoding="utf-8")
            print(
                f"{len(entries)} entries written to {args.out / 'journal.koc'} and {args.out / 'journal.csv'}"
            )
            if args.forget:
                journal.forget(e.id for e in untold)
            return 0
        oldest = journal.oldest_open()
        age = f", oldest open {dt.datetime.now(oldest.tzinfo) - oldest} ago" if oldest else ""
        print(f"{len(journal)} entries, {len(open_entries)} open, {len(untold)} untold{age}")
        for e in open_entries + untold:
            patron = mask_card(e.patron_id) or "-"
            offline = " (offline)" if e.offline else ""
            print(f"  #{e.id} {e.at:%Y-%m-%d %H:%M:%S} {e.kind:<12} {e.state:<9} patron {patron} "
                  f"item {e.item_id or '-'}{offline}")  # fmt: skip
        return 2 if open_entries else (1 if untold else 0)
    finally:
        journal.close()
