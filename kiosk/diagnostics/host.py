"""The kiosk's computer: disk space for the journal and the logs, the clock against the library's,
and the Korean font the screens and receipts need."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.core.errors import LibraryError
from kiosk.diagnostics import Check, Findings, Live, Verdict
from kiosk.diagnostics.library import library_status
from kiosk.ils.sip2.layout import parse_fixed

GIB = 1024**3
MIB = 1024**2
# Free space below these is a warning (either), below the last a failure.
DISK_WARNING_BYTES = 1 * GIB
DISK_WARNING_SHARE = 0.10
DISK_FAILED_BYTES = 100 * MIB
# The library's clock against this machine's, seconds either way.
SKEW_WARNING_S = 60.0
SKEW_FAILED_S = 300.0
FONT = "Noto Sans CJK KR"
FONT_ADVICE = "sudo apt-get install fonts-noto-cjk fontconfig"
ADVICE_DISK = (
    "free space on that file system: old logs, `kiosk journal export DIR` then tidy, or a larger disk"
)
ADVICE_CLOCK = (
    "set this machine's clock right (`timedatectl set-ntp true`, an NTP server the library's network "
    "allows), or ask the library to correct its server's clock"
)


def disk_verdict(free: int, total: int) -> Verdict:
    """Free bytes on a file system of `total` bytes, judged."""
    if free < DISK_FAILED_BYTES:
        return "failed"
    if free < DISK_WARNING_BYTES or (total > 0 and free < DISK_WARNING_SHARE * total):
        return "warning"
    return "ok"


def skew_verdict(skew_s: float) -> Verdict:
    """The library's clock minus this machine's, judged."""
    if abs(skew_s) > SKEW_FAILED_S:
        return "failed"
    return "warning" if abs(skew_s) > SKEW_WARNING_S else "ok"


def library_time(status_fixed: str) -> dt.datetime | None:
    """The 98 reply's date/time sync field (YYYYMMDDZZZZHHMMSS; a blank zone is local time, Z
    UTC) as an aware datetime, or None when it does not read."""
    text = status_fixed
    stamp, zone = text[:8] + text[12:18], text[8:12].strip()
    try:
        when = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if zone in ("Z", "UTC", "GMT"):
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone()  # local time


def check(
    settings: Settings,
    live: Live | None = None,
    *,
    log_paths: Iterable[str | Path] = (),
    font_family: str = FONT,
    **_options: Any,
) -> Check:
    found = Findings("host")
    _disks(found, settings, [Path(p) for p in log_paths])
    _clock(found, settings, live)
    _fonts(found, font_family)
    e = found.evidence
    free = min((d["free_bytes"] for d in e["disks"]), default=0)
    skew = e["clock_skew_s"]
    return found.check(
        f"{free / GIB:.1f} GiB free, clock {'not compared' if skew is None else f'{skew:+.0f} s'} "
        f"against the library, {font_family} present"
    )


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _disks(found: Findings, settings: Settings, logs: list[Path]) -> None:
    wanted: list[tuple[str, Path]] = []
    journal = settings.library.journal
    if journal:
        wanted.append(("journal", Path(journal)))
    configured = getattr(settings.log, "file", "")  # the JSON-lines log, where one is kept
    wanted += [("log", p) for p in [*([Path(configured)] if configured else []), *logs]]
    if not wanted:
        wanted.append(("working folder", Path.cwd()))
    disks: dict[int, dict[str, Any]] = {}
    for what, path in wanted:
        there = _existing(path if path.is_dir() else path.parent)
        st = os.statvfs(there)
        device = os.stat(there).st_dev
        if device in disks:
            disks[device]["for"].append(what)
            continue
        free, total = st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize
        disks[device] = {"for": [what], "path": str(there), "free_bytes": free, "total_bytes": total,
                         "free_share": round(free / total, 3) if total else None}  # fmt: skip
        verdict = disk_verdict(free, total)
        uses = ", ".join(disks[device]["for"])
        said = f"{uses} on {there}: {free / MIB:.0f} MiB free of {total / GIB:.1f} GiB"
        if verdict == "failed":
            found.fail(said, ADVICE_DISK)
        elif verdict == "warning":
            found.warn(said, ADVICE_DISK)
    found.evidence["disks"] = list(disks.values())


def _clock(found: Findings, settings: Settings, live: Live | None) -> None:
    found.evidence["clock_skew_s"] = None
    try:
        status = library_status(settings, live)
    except LibraryError as exc:
        found.warn(
            f"clock not compared: the library did not answer ({exc})",
            "see the library check; the clock is compared once the library answers",
        )
        return
    now = dt.datetime.now().astimezone()
    theirs = library_time(parse_fixed(status)["date_time_sync"])
    if theirs is None:
        found.warn("clock not compared: the library's status gives no readable time",
                   "ask the library's ILS vendor about the 98 reply's date/time field")  # fmt: skip
        return
    skew = (theirs - now).total_seconds()
    found.evidence.update({"clock_skew_s": round(skew, 1), "library_time": theirs.isoformat(),
                           "local_time": now.isoformat(timespec="seconds")})  # fmt: skip
    verdict = skew_verdict(skew)
    said = f"the clock is {abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} the library's"
    if verdict == "failed":
        found.fail(said, ADVICE_CLOCK)
    elif verdict == "warning":
        found.warn(said, ADVICE_CLOCK)


def _fonts(found: Findings, family: str) -> None:
    found.evidence["font"] = {"family": family, "files": []}
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        found.fail("fontconfig's fc-list is missing: the Korean font cannot be found", FONT_ADVICE)
        return
    done = subprocess.run([fc_list, family, "file"], capture_output=True, text=True, timeout=30, check=False)
    files = sorted({line.split(":")[0].strip() for line in done.stdout.splitlines() if line.strip()})
    found.evidence["font"]["files"] = files
    if not files:
        found.fail(
            f"the font {family} is missing: Korean shows as boxes on screens and receipts", FONT_ADVICE
        )
