"""`kiosk diag [CHECK...]`: run the technician's checks from the command line (see kiosk.diagnostics),
or `kiosk diag bundle OUT.zip` for a support bundle."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.diagnostics import CHECKS, Check, exit_code, run_checks

HELP = "check the devices, the library link and this machine (technicians); `diag bundle OUT.zip`"
MARK = {"ok": "OK  ", "warning": "WARN", "failed": "FAIL"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run the named checks (default: all of " + ", ".join(CHECKS) + ") and print each one's verdict, "
        "summary, evidence and what to do. Exit 0 when all are ok, 1 when any warns, 2 when any failed. "
        "`kiosk diag bundle OUT.zip` writes a support bundle: settings without secrets, the recent log "
        "with card numbers masked, versions, and every check's result."
    )
    parser.add_argument("checks", nargs="*", metavar="CHECK", help=f"{', '.join(CHECKS)}, or: bundle OUT.zip")
    config_arg(parser)
    parser.add_argument("--json", action="store_true", help="the results as a JSON list")
    parser.add_argument("--tap", type=float, default=0.0, metavar="S", help="nfc: wait S seconds for a card")
    parser.add_argument("--test-page", action="store_true", help="printer: print a test page when ready")
    parser.add_argument("--preview", type=Path, default=None, metavar="OUT.png",
                        help="camera: the last frame with what was decoded on it")  # fmt: skip
    parser.add_argument("--frames", type=int, default=30, help="camera: frames to measure (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="library: status round trips to time")
    parser.add_argument("--log", type=Path, action="append", default=[], metavar="FILE",
                        help="a log file for the bundle and the disk check (besides [log] file)")  # fmt: skip


def main(args: argparse.Namespace) -> int:
    names: list[str] = list(args.checks)
    bundle: Path | None = None
    if names[:1] == ["bundle"]:
        if len(names) != 2:
            print("kiosk diag bundle: give one OUT.zip")
            return 2
        bundle, names = Path(names[1]), []
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(
            f"kiosk diag: no check {', '.join(unknown)}; choose from {', '.join(CHECKS)} (or bundle OUT.zip)"
        )
        return 2
    settings = load_settings(args.config)
    options: dict[str, Any] = {
        "tap": args.tap,
        "test_page": args.test_page,
        "preview_path": args.preview,
        "frames": args.frames,
        "rounds": args.rounds,
        "log_paths": args.log,
    }
    checks = run_checks(settings, names or None, **options)
    if bundle is not None:
        from kiosk.diagnostics.bundle import write_bundle

        held = write_bundle(bundle, settings, checks, args.log)
        print(f"{bundle}: {', '.join(held)}")
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
    elif bundle is None:
        print(table(checks))
    return exit_code(checks)


def table(checks: list[Check]) -> str:
    """The checks as a technician reads them: name, verdict, summary; then evidence and advice."""
    width = max((len(c.name) for c in checks), default=0)
    lines = []
    for c in checks:
        lines.append(f"{c.name:<{width}}  {MARK[c.verdict]}  {c.summary}")
        for key, value in c.evidence.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if len(shown) > 100:
                shown = shown[:97] + "..."
            lines.append(f"{'':<{width}}    {key}: {shown}")
        for line in c.advice:
            lines.append(f"{'':<{width}}    -> {line}")
    return "\n".join(lines)
