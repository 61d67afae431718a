"""The screen gallery: one short shipped visit in Korean and English into a temporary folder
(pictures for both, one per screen state, an index of them, no patron data in a file name, a
failed visit reported), and the committed gallery has a picture of every kind of screen."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import tomllib
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.commands import gallery as command
from kiosk.core.views import VIEW_TYPES
from kiosk.demo import gallery, gallery_views
from simulators.ils import seed

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "screens"
VISIT = gallery.DEMO / "renew-own-loan.visit"  # a short one: idle, working, borrow, goodbye


def patron_secrets() -> list[str]:
    """Every seeded patron's card id, membership number, name, PIN and birth date, as they
    might leak into a file name."""
    found = []
    for patron in seed.patrons(dt.date.today()):
        found += [patron.card_id, patron.name, patron.pin, patron.card_id[-4:].lower()]
        found += [x for x in (getattr(patron, "member_no", ""),) if x]
        if patron.birth_date is not None:
            found += [patron.birth_date.isoformat(), patron.birth_date.strftime("%Y%m%d")]
            found.append(patron.birth_date.strftime("%y%m%d"))
    return [x for x in found if x]


def pictures_named(index: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', index)


@pytest.mark.timeout(120)
def test_one_visit_in_both_languages(tmp_path, capsys):
    broken = tmp_path / "broken.visit"
    broken.write_text("expect_screen idle\nexpect_screen account 1\n", encoding="utf-8")
    out = tmp_path / "screens"
    args = argparse.Namespace(out=out, jobs=2, visits=[VISIT, broken], config=None)
    assert command.main(args) == 1  # the broken visit fails the command ...
    said = capsys.readouterr()
    assert "visit FAILED: broken (ko): line 2: expect_screen account 1: timed out" in said.err
    assert "visit FAILED: broken (en)" in said.err

    # ... and the gallery of the other is written: both languages, every picture indexed once.
    ko, en = sorted((out / "ko").glob("*.png")), sorted((out / "en").glob("*.png"))
    assert ko and [p.name for p in ko] == [p.name for p in en], "a Korean and an English picture per state"
    index = (out / "README.md").read_text(encoding="utf-8")
    named = pictures_named(index)
    assert sorted(named) == sorted(f"{p.parent.name}/{p.name}" for p in ko + en)
    assert len(set(named)) == len(named)
    assert "**Runs that failed**" in index and "`broken (ko)`" in index and "`renew-own-loan`" in index
    for kind in ("idle", "working", "borrow", "goodbye"):
        assert f"## {kind}" in index and any(f"-{kind}-" in name for name in named), kind

    # Small pictures of the panel, in their language.
    image = QImage(str(ko[0]))
    assert (image.width(), image.height()) == (gallery.WIDTH, gallery.WIDTH * 1920 // 1080)

    # File names carry screen names and message ids, never a patron's card, name or PIN.
    names = " ".join(p.name for p in ko + en)
    for secret in patron_secrets():
        assert secret not in names, secret
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.png", p.name) for p in ko + en)

    # One picture per screen state: the visit shows idle at its start and at its end, once here.
    assert len([p for p in ko if "-idle-" in p.name]) == 1
    assert "broken" not in index.split("**Runs that failed**")[0]


def test_screen_states_are_kept_once_per_language(tmp_path):
    def shot(language: str, png: str, **changes: object) -> gallery.Shot:
        record = {
            "screen": "idle", "type": "IdleView", "language": language, "title": "idle.title",
            "message": "idle.prompt", "hint": "idle.hint", "busy": False, "countdown": False,
            "lines": "0", "controls": ["borrow", "giveback"], **changes,
        }  # fmt: skip
        return gallery.Shot(record, tmp_path / png, "v")

    shots = [
        shot("ko", "1.png"),
        shot("ko", "2.png"),  # the same state again: not kept
        shot("en", "3.png"),  # the same in English: beside the first
        shot("ko", "4.png", lines="1"),
        shot("ko", "5.png", screen="borrow", message="borrow.greeting"),
        shot("ko", "6.png", lines="many"),
        shot("en", "7.png", screen="borrow", message="borrow.greeting", busy=True),
    ]
    states = gallery.screen_states(shots)
    assert [sorted((lang, s.png.name) for lang, s in state.shots.items()) for state in states] == [
        [("en", "3.png"), ("ko", "1.png")],
        [("ko", "4.png")],
        [("ko", "6.png")],
        [("ko", "5.png")],
        [("en", "7.png")],
    ]
    assert [s.file_name() for s in states] == [
        "01-idle-prompt-norows.png",
        "02-idle-prompt-1row.png",
        "03-idle-prompt-rows.png",
        "04-borrow-greeting.png",
        "05-borrow-greeting-busy.png",
    ]


def test_rows_with_other_outcomes_are_other_states(tmp_path):
    """A refused row offering a reservation, the reservation queued and a plain loan are each a
    state of the borrow screen; information rows and goodbye's summary are not told apart."""

    def view(*lines: tuple[str, str, str], screen: str = "borrow") -> dict:
        rows = [{"text": "t", "detail": "EM1", "status": s, "note": n, "control": c} for s, n, c in lines]
        return {
            "type": "View", "screen": screen, "language": "ko", "title": f"{screen}.title",
            "message": f"{screen}.greeting", "hint": "", "busy": False, "countdown": None,
            "lines": rows, "controls": ["finish"],
        }  # fmt: skip

    views = [
        view(("ok", "borrow.done_line", "")),
        view(("refused", "refusal.reservable", "reserve.EM1")),
        view(("ok", "library.hold_queued", "")),
        view(("info", "borrow.hold_ready_line", "")),
        view(("info", "account.due_line", "")),  # information rows: as the one before
        view(("ok", "borrow.done_line", ""), screen="goodbye"),
        view(("ok", "borrow.renewed_line", ""), screen="goodbye"),  # goodbye: as the one before
    ]
    shots = [
        gallery.Shot(gallery_views.record_of(v), tmp_path / f"{i}.png", "v") for i, v in enumerate(views)
    ]
    states = gallery.screen_states(shots)
    assert [s.file_name() for s in states] == [
        "01-borrow-greeting-done-line.png",
        "02-borrow-greeting-reservable-offer.png",
        "03-borrow-greeting-hold-queued.png",
        "04-borrow-greeting.png",
        "05-goodbye-greeting.png",
    ]
    index = gallery.index(states, [])
    assert "a refused row `refusal.reservable` to touch" in index and "an ok row" not in index


def test_run_settings_keep_tables_of_the_base_configuration(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(
        '[library]\nport = 6001\nmembers = { MA = "서울도서관", GN = "강남" }\n', encoding="utf-8"
    )
    settings = tomllib.loads(gallery.run_config(base, "en"))
    assert settings["library"]["members"] == {"MA": "서울도서관", "GN": "강남"}
    assert settings["library"]["port"] == 0 and settings["kiosk"]["language"] == "en"


def test_a_sensitive_screen_is_listed_not_captured(tmp_path):
    out = tmp_path / "run"
    (out / "screens").mkdir(parents=True)
    view = {
        "type": "View", "screen": "signin", "language": "ko", "title": "signin.title",
        "message": "signin.pin", "hint": "", "busy": False, "countdown": None, "lines": [],
        "controls": ["start_over"], "sensitive": True,
    }  # fmt: skip
    (out / "transcript.json").write_text(json.dumps([{"kind": "effect", "type": "Show", "view": view}]))
    outcome = gallery.RunOutcome(gallery.Run(Path("signin.visit"), "ko"), True, out, 1.0)
    states = gallery.screen_states(gallery.shots(outcome))
    assert [s.sensitive for s in states] == [True]
    index = gallery.index(states, [outcome])
    assert "## signin" in index and "not captured: sensitive" in index


def test_every_kind_of_screen_has_a_picture_in_the_committed_gallery():
    """A new kind of screen needs a shipped visit that shows it and `./dev gallery` run again."""
    index = (COMMITTED / "README.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", index, flags=re.M | re.S))
    missing = [kind for kind in VIEW_TYPES if not pictures_named(sections.get(kind, ""))]
    assert not missing, (
        f"no picture of screen(s) {missing} in docs/screens/README.md: add a visit in kiosk/demo "
        "that shows each and run ./dev gallery"
    )
    for name in pictures_named(index):
        assert (COMMITTED / name).is_file(), name
    names = " ".join(p.name for p in COMMITTED.rglob("*.png"))
    for secret in patron_secrets():
        assert secret not in names, secret
