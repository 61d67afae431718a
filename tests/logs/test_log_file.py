"""The log file: JSON lines with time, level, logger, message and the visit's id, rotated by
size; numbers that look like a card or patron number masked, tried on every seeded patron."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kiosk.logs import VisitIds, close_log_file, mask_numbers, open_log_file
from simulators.ils import seed
from tests.privacy import shows

log = logging.getLogger("kiosk.test")


@pytest.fixture
def log_file(tmp_path: Path):
    visits = VisitIds()
    path = tmp_path / "logs" / "kiosk.jsonl"
    handler = open_log_file(path, max_bytes=1_000_000, backups=2, level="info", visits=visits)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield path, visits, handler
    root.setLevel(level)
    close_log_file(handler)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_line_is_json_with_time_level_logger_message_and_visit(log_file):
    path, visits, handler = log_file
    log.info("idle")
    visit = visits.start()
    log.warning("receipt not printed: %s (visit %s)", "paper out", visit)
    log.debug("below the file's level")
    visits.end()
    log.info("idle again")
    handler.flush()
    first, second, third = lines(path)
    assert first["visit"] == "" and third["visit"] == ""
    assert second["visit"] == visit and len(visit) == 13
    assert second["level"] == "WARNING" and second["logger"] == "kiosk.test"
    assert second["message"] == f"receipt not printed: paper out (visit {visit})"  # never masked
    assert "T" in second["time"] and second["time"][-6] in "+-"  # ISO 8601 with the offset


def test_every_seeded_patron_number_is_masked(log_file):
    path, _, handler = log_file
    numbers = [
        value for name, value in vars(seed).items() if name.endswith("_PATRON_ID") and isinstance(value, str)
    ] + list(seed.MEMBER_NUMBERS.values())
    assert len(numbers) >= 30
    for number in numbers:
        log.info("lookup of %s failed", number)
        log.info("card %s tapped", number.lower())
    log.info("-> 63 ...AOMA|AA%s|AD%s|AE김민수|", seed.NETWORK_PATRON_ID, seed.NETWORK_PATRON_PIN)
    log.info("born %s", seed.BRING_IN_BIRTH_DATE.strftime("%Y%m%d"))
    handler.flush()
    text = path.read_text(encoding="utf-8")
    for number in numbers:
        assert number not in text and number.lower() not in text, number
        assert f"****{number[-4:]}" in text
    assert not shows(seed.NETWORK_PATRON_PIN, text) and "김민수" not in text
    assert "19900315" not in text


def test_what_names_a_book_or_a_fingerprint_stays():
    text = f"checkout of {seed.DEMO_ITEMS[0]} ok; code sha256:1a2b3c4d; port 6001; took 1234 ms"
    assert mask_numbers(text) == text


def test_a_traceback_is_one_line_and_masked(log_file):
    path, _, handler = log_file
    try:
        raise KeyError(seed.DEMO_PATRON_ID)
    except KeyError:
        log.exception("lookup failed")
    handler.flush()
    (line,) = lines(path)
    assert "Traceback" in line["exc"] and seed.DEMO_PATRON_ID not in line["exc"]
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1


def test_the_file_rotates_at_its_size_keeping_the_backups_asked(tmp_path):
    path = tmp_path / "kiosk.jsonl"
    handler = open_log_file(path, max_bytes=2_000, backups=2, level="info")
    try:
        for n in range(200):
            log.warning("line %d of many, padded to take room %s", n, "." * 40)
    finally:
        close_log_file(handler)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kiosk.jsonl", "kiosk.jsonl.1", "kiosk.jsonl.2"]
    for name in names:
        assert (tmp_path / name).stat().st_size <= 2_000
        assert all(entry["level"] == "WARNING" for entry in lines(tmp_path / name))
    assert lines(path)[-1]["message"].startswith("line 199 ")


def test_closing_the_file_leaves_the_console_handlers_as_they_were(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    handler = open_log_file(tmp_path / "kiosk.jsonl", max_bytes=10_000, backups=1)
    assert root.handlers == [*before, handler]
    close_log_file(handler)
    assert root.handlers == before
