"""The kiosk's log file: JSON lines with rotation, each with the visit's correlation id, patron
numbers masked as a last line of defence."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.core.privacy import clean

# What looks like a card or patron number: a run of 8 or more digits, or of 8 or more hex
# digits with a digit in it (a card's UID as hex: 8, 14 or 16 of them; a membership number;
# a UID read as decimal; a birth date). Runs glued to letters are left alone: item numbers
# (EM0000100001) name books, not people; so are privacy.summary()'s fingerprints
# (sha256:1a2b3c4d).
_NUMBER = re.compile(r"(?<![0-9A-Za-z_])(?<!sha256:)(?=[0-9A-Fa-f]*[0-9])[0-9A-Fa-f]{8,}(?![0-9A-Za-z_])")
# SIP2 text: the patron identifier (AA), PIN (AD) and name (AE) fields, whatever they hold.
_SIP2_PATRON_FIELD = re.compile(r"(?<=\|A[ADE])[^|\r\n]+")
# The attributes every LogRecord has: anything else was passed in `extra`.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "visit"}


def mask_numbers(text: str) -> str:
    """Every card- or patron-number-like run in `text` as `****` + its last 4 characters;
    SIP2 patron fields (identifier, PIN, name) as `****`."""
    text = _SIP2_PATRON_FIELD.sub("****", text)
    return _NUMBER.sub(lambda m: "****" + m.group()[-4:], text)


class VisitIds:
    """The correlation id of the visit in progress: a random id set when a visit starts and
    cleared when it ends (one visit at a time per kiosk). Read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = ""

    @property
    def current(self) -> str:
        with self._lock:
            return self._current

    def start(self) -> str:
        with self._lock:
            # Led by a letter, so that the masking of card-like numbers leaves it as it is.
            self._current = "v" + secrets.token_hex(6)
            return self._current

    def end(self) -> None:
        with self._lock:
            self._current = ""

    def watcher(self, in_visit: Callable[[], bool]) -> Callable[[str, Any], None]:
        """A runtime observer: the first effect the flow asks for once `in_visit()` (a patron's
        visit has started) starts an id, so that the visit's first log lines carry it. `end`
        goes to the runtime's on_visit_ended."""

        def observe(kind: str, obj: Any) -> None:
            if kind == "effect" and not self._current and in_visit():
                self.start()

        return observe


# The kiosk's one: the log file and the alerts both read it.
VISITS = VisitIds()


class VisitFilter(logging.Filter):
    """Puts the visit's correlation id on every record (`record.visit`, "" outside a visit)."""

    def __init__(self, visits: VisitIds = VISITS) -> None:
        super().__init__()
        self.visits = visits

    def filter(self, record: logging.LogRecord) -> bool:
        record.visit = self.visits.current
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 with offset), level, logger, message, visit, and
    the exception's traceback when there is one. The message and traceback are cleaned of
    controls and their card-like numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        at = dt.datetime.fromtimestamp(record.created).astimezone()
        line: dict[str, Any] = {
            "time": at.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_numbers(clean(record.getMessage())),
            "visit": getattr(record, "visit", ""),
        }
        if record.exc_info:
            line["exc"] = mask_numbers(clean(self.formatException(record.exc_info)))
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = mask_numbers(clean(str(value)))
        return json.dumps(line, ensure_ascii=False)


def open_log_file(
    path: str | Path, max_bytes: int, backups: int, level: str = "info", visits: VisitIds = VISITS
) -> logging.Handler:
    """Log to `path` as JSON lines, rotated at `max_bytes` keeping `backups` old files. Remove
    with close_log_file()."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setLevel(logging.getLevelName(level.upper()))
    handler.setFormatter(JsonFormatter())
    handler.addFilter(VisitFilter(visits))
    # What the root logger passes (info, or debug with `kiosk -v`) at `level` and up: the
    # console's level and format stay as they are.
    logging.getLogger().addHandler(handler)
    return handler


def close_log_file(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
