"""A support bundle: one zip with the settings (secrets replaced), the recent log (card numbers
masked), the versions of what the kiosk runs on, and the checks' results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
import platform
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.core.privacy import clean, mask_card
from kiosk.diagnostics import Check

REDACTED = "***"
# A settings key whose value is a secret, or names a patron or a technician's card.
SECRET_KEY = re.compile(r"password|secret|token|pin|key|card|webhook|auth|cookie|credential", re.IGNORECASE)
# What may be a card number, a UID or a patron identifier in a log line: 8 or more digits, or
# 8 or more hex digits holding a digit and a letter (a UID such as 04A1B2C3). Book numbers get
# masked too: a bundle may say less, never more.
CARDLIKE = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{8,}|(?=[0-9A-Fa-f]*[0-9])(?=[0-9A-Fa-f]*[A-Fa-f])[0-9A-Fa-f]{8,})(?![0-9A-Za-z])"
)
# Whatever follows these words on a log line is a secret.
SECRET_VALUE = re.compile(r"(?i)(password|passwd|pin|token|secret)([\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)")
LOG_TAIL_LINES = 2000
LOG_TAIL_BYTES = 2_000_000
# Distributions named in the bundle, with the name a reader knows them by.
VERSIONS = {
    "kiosk": "chaekieum-kiosk",
    "PySide6": "pyside6-essentials",
    "nfcpy": "nfcpy",
    "opencv": "opencv-python-headless",
    "zxing-cpp": "zxing-cpp",
    "pyzbar": "pyzbar",
    "pyserial": "pyserial",
}


def redacted(value: Any, key: str = "") -> Any:
    """`value` with every secret (by its key's name) replaced by "***", recursively."""
    if key and SECRET_KEY.search(key):
        return REDACTED if value not in ("", None, [], {}) else value
    if isinstance(value, dict):
        return {k: redacted(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(v) for v in value]
    return value


def settings_dict(settings: Settings) -> dict[str, Any]:
    """The settings by section, secrets replaced."""
    out: dict[str, Any] = {"source": str(settings.source)}
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        if hasattr(section, "as_dict"):
            out[f.name] = redacted(section.as_dict())
    return out


def masked_line(line: str, secrets: Iterable[str] = ()) -> str:
    """A log line as a bundle may hold it: cleaned, card-like numbers masked, secrets gone."""
    line = clean(line)
    for secret in secrets:
        if secret:
            line = line.replace(secret, REDACTED)
    line = SECRET_VALUE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, line)
    return CARDLIKE.sub(lambda m: mask_card(m.group()), line)


def log_tail(path: Path, secrets: Iterable[str] = ()) -> str:
    """The last lines of a log file, masked; a note when it cannot be read."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - LOG_TAIL_BYTES))
            data = f.read()
    except OSError as exc:
        return f"(cannot read {path}: {exc.strerror or exc})\n"
    lines = data.decode("utf-8", "replace").splitlines()[-LOG_TAIL_LINES:]
    secrets = list(secrets)
    return "".join(masked_line(line, secrets) + "\n" for line in lines)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "platform": platform.platform()}
    for shown, dist in VERSIONS.items():
        try:
            found[shown] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[shown] = "not installed"
    return found


def write_bundle(
    out: Path, settings: Settings, checks: Sequence[Check], logs: Iterable[Path] = ()
) -> list[str]:
    """Write the bundle to `out` (a zip); the names of what it holds."""
    secrets = [settings.sip2_password()]
    configured = getattr(settings.log, "file", "")
    paths = [*([Path(configured)] if configured else []), *logs]
    made = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("settings.json", json.dumps(settings_dict(settings), ensure_ascii=False, indent=2))
        z.writestr("versions.json", json.dumps({**versions(), "made": made, "argv0": sys.argv[0]}, indent=2))
        z.writestr("checks.json", json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
        for n, path in enumerate(paths):
            z.writestr(f"logs/{n:02d}-{path.name}", log_tail(path, secrets))
        return z.namelist()
