"""`kiosk gallery`: every shipped visit run headless in Korean and English, one picture per screen state."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands import config_arg

HELP = "pictures of every screen the shipped visits reach, in Korean and English, with an index"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run each scripted visit (default: every shipped one, kiosk/demo/*.visit) headless, once "
        "with Korean and once with English as the kiosk's language, each in its own process; keep "
        "one picture per distinct screen state and write them with an index (README.md) to --out. "
        "Exits 1 if a visit failed; the gallery of the others is written all the same."
    )
    config_arg(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("docs/screens"), help="gallery folder (default: docs/screens)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="visits run at once (default: 2)")
    parser.add_argument("visits", nargs="*", type=Path, help="visit files (default: the shipped ones)")


def main(args: argparse.Namespace) -> int:
    from kiosk.demo import gallery, script

    visits = args.visits or list(gallery.SHIPPED)
    for visit in visits:
        script.load(visit)  # a script error stops here, before anything runs

    def progress(outcome: gallery.RunOutcome) -> None:
        said = "ok" if outcome.ok else f"FAILED: {outcome.failure}"
        print(f"  {outcome.run.name}: {outcome.seconds:.1f} s, {said}", flush=True)

    print(f"gallery: {len(visits)} visit(s) x {len(gallery.LANGUAGES)} languages, {args.jobs} at a time")
    result = gallery.build(args.out, visits, base_config=args.config, jobs=args.jobs, progress=progress)
    sensitive = sum(state.sensitive for state in result.states)
    print(
        f"{len(result.states)} screen states, {len(result.pictures)} pictures"
        f"{f' ({sensitive} sensitive, not captured)' if sensitive else ''} in {args.out}; "
        f"index {args.out / gallery.INDEX}; {result.seconds:.1f} s"
    )
    for failed in result.failures:
        print(f"visit FAILED: {failed.run.name}: {failed.failure}", file=sys.stderr)
    return 1 if result.failures else 0
