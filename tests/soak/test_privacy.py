"""After a short soak with faults (and a demo visit that types a membership number and a PIN),
nothing the kiosk wrote names a patron: the debug log, the transcripts, the screens' JSON, the
receipts' text and the journal's exports hold no card number, patron id, membership number,
name, birth date or PIN of any seeded patron; masked forms are fine. The library's own database
and the kiosk's journal file hold them by design and are not outputs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from simulators.ils import seed
from tests.privacy import standalone
from tests.soak.helpers import ROOT, kiosk
from tests.soak.test_soak import SUITE_WITHOUT

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]

# Outputs are text; these are the stores, not outputs (and pictures say nothing greppable).
NOT_OUTPUTS = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".png")
SIP2_RANGES = re.compile(r"\bB[PQ]=?\d{1,5}\b")


def secrets(today: dt.date) -> dict[str, re.Pattern[str]]:
    """What would name a patron, each as a pattern (a PIN only as a whole number)."""
    found: dict[str, re.Pattern[str]] = {}
    for p in seed.patrons(today):
        for value in (p.card_id, p.member_no, p.name):
            if value:
                found[value] = re.compile(re.escape(value), re.IGNORECASE)
        found[f"PIN of {p.card_id[-4:]}"] = standalone(p.pin)
        if p.birth_date:
            for shown in (p.birth_date.isoformat(), f"{p.birth_date:%Y%m%d}", f"{p.birth_date:%y%m%d}"):
                found[shown] = standalone(shown)
    found["membership PIN"] = standalone(seed.NETWORK_PATRON_PIN)
    return found


def without_card_fields(path: Path, text: str) -> str:
    """Staff's exports carry the card where the format needs it (Koha's .koc `issue CARD ITEM`,
    the CSV's patron_id column): that field is left out, everything else is searched."""
    if path.suffix == ".koc":
        lines = []
        for line in text.splitlines():
            fields = line.split("\t")
            lines.append(
                "\t".join(fields[:2] + fields[3:] if len(fields) > 3 and fields[1] == "issue" else fields)
            )
        return "\n".join(lines)
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        return "\n".join(",".join(v for k, v in row.items() if k != "patron_id") for row in rows)
    return text


def outputs_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(NOT_OUTPUTS)]


def patrons_named(root: Path, today: dt.date) -> list[str]:
    """Every place in the outputs under `root` that names a seeded patron (file: what: where)."""
    found = []
    for path in outputs_under(root):
        text = without_card_fields(path, path.read_text(encoding="utf-8", errors="replace"))
        # SIP2's start and end item fields (BP, BQ) carry list ranges such as 9999: no PIN.
        text = SIP2_RANGES.sub("", text)
        for name, pattern in secrets(today).items():
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 60)
                found.append(f"{path.relative_to(root)}: {name}: ...{text[start : match.end() + 20]!r}")
    return found


def test_no_output_of_a_soak_names_a_patron(tmp_path):
    today = dt.date.today()
    soak = tmp_path / "soak"
    done = kiosk("-v", "soak", "--visits", "15", "--seed", "5", "--faults", "0.6", "--without", SUITE_WITHOUT,
                 "--out", str(soak))  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (tmp_path / "soak.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    assert " DEBUG " in done.stderr  # the log really is at DEBUG
    # A visit that types the membership number and the PIN, with its screens kept.
    config = tmp_path / "demo.toml"
    config.write_text(f'[library]\nport = 0\ndb = "{tmp_path / "demo.sqlite"}"\n', encoding="utf-8")
    demo = kiosk("-v", "demo", "--headless", "--config", str(config), "--out", str(tmp_path / "demo"),
                 "--script", str(ROOT / "kiosk" / "demo" / "sign-in-with-number.visit"))  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-3000:]
    (tmp_path / "demo.log").write_text(demo.stdout + demo.stderr, encoding="utf-8")
    # The journal as staff export it.
    journal_config = tmp_path / "journal.toml"
    journal_config.write_text(f'[library]\njournal = "{soak / "journal.sqlite"}"\n', encoding="utf-8")
    export = kiosk("journal", "--config", str(journal_config), "export", str(tmp_path / "export"))
    assert export.returncode == 0, export.stdout + export.stderr
    outputs = outputs_under(tmp_path)
    kinds = {p.suffix for p in outputs}
    assert {".log", ".jsonl", ".json", ".txt", ".koc", ".csv"} <= kinds, kinds
    assert any(p.parent.name == "screens" for p in outputs) and any(
        p.name == "transcript.json" for p in outputs
    )
    found = patrons_named(tmp_path, today)
    assert not found, "\n".join(found[:20])
    # Masked forms are there: the check looked where cards are named.
    assert "****E5F6" in (tmp_path / "demo.log").read_text(encoding="utf-8")
