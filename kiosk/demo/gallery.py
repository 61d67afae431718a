"""The screen gallery: every shipped visit run headless in Korean and in English, one picture per
screen state, and an index of them side by side."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.privacy import clean
from kiosk.core.views import VIEW_TYPES
from kiosk.demo import gallery_views
from kiosk.demo.gallery_views import VIEWS, GalleryView, load_views

__all__ = ["VIEWS", "GalleryView", "build", "load_views"]

DEMO = Path(__file__).parent
SHIPPED = tuple(sorted(DEMO.glob("*.visit")))
LANGUAGES = ("ko", "en")
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
WIDTH = 540  # pixels: the panel (1080 wide) at half size, small enough to commit
JOBS = 2
RUN_TIMEOUT = 300.0
INDEX = "README.md"
ROWS = {"0": "no rows", "1": "1 row", "many": "rows"}
FILE_ROWS = {"0": "norows", "1": "1row", "many": "rows"}

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Run:
    visit: Path
    language: str

    @property
    def name(self) -> str:
        return f"{self.visit.stem} ({self.language})"


@dataclass
class RunOutcome:
    run: Run
    ok: bool
    out: Path
    seconds: float
    failure: str = ""


@dataclass
class Shot:
    """One screenshot a run kept, with what its sidecar says it shows."""

    record: dict[str, Any]
    png: Path | None  # None: a sensitive screen, seen in the transcript but never captured
    visit: str

    @property
    def state(self) -> Key:
        """The screen state without its language: a Korean and an English picture pair on it."""
        return gallery_views.state_key(self.record)


@dataclass
class State:
    number: int
    shots: dict[str, Shot] = field(default_factory=dict)  # by language: the first one seen
    visits: list[str] = field(default_factory=list)
    # Told apart from a state of the same screen and message: its rows, countdown or controls.
    suffix: str = ""

    @property
    def record(self) -> dict[str, Any]:
        return next(iter(self.shots.values())).record

    @property
    def key(self) -> Key:
        return next(iter(self.shots.values())).state

    @property
    def sensitive(self) -> bool:
        return all(shot.png is None for shot in self.shots.values())

    def file_name(self) -> str:
        return f"{self.stem()}.png"

    def stem(self) -> str:
        return f"{self.number:02d}-{self.slug()}"

    def slug(self) -> str:
        """Screen, message id, busy and suffix: names of the kiosk's own, never a patron's."""
        r = self.record
        said = r["message"] or r["hint"] or r["title"]
        if said.startswith(f"{r['screen']}."):
            said = said[len(r["screen"]) + 1 :]
        parts = (_slug(r["screen"]), _slug(said), "busy" if r["busy"] else "", self.suffix)
        return "-".join(x for x in parts if x)


@dataclass
class GalleryResult:
    out: Path
    outcomes: list[RunOutcome]
    states: list[State]
    pictures: list[Path]
    seconds: float

    @property
    def failures(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _slug(message_id: str) -> str:
    """A message id as a file name's part: only a-z, 0-9 and dashes (ids hold no patron data)."""
    return re.sub(r"[^a-z0-9]+", "-", message_id.lower()).strip("-")[:40]


# ---------------------------------------------------------------------- running the visits


def run_config(base: Path | None, language: str) -> str:
    """The settings of one run: `base` (default: the embedded simulators) in `language`, with its
    own library store and port so that runs side by side share nothing."""
    from kiosk import config

    data = tomllib.loads((base or config.DEFAULT_CONFIG).read_text(encoding="utf-8-sig"))
    data.setdefault("kiosk", {})["language"] = language
    library = data.setdefault("library", {})
    if library.get("embedded", True):
        library.update(db="", port=0)
    data.get("printer", {}).pop("sim_out", None)
    lines = []
    for table, keys in data.items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {config.toml_value(value)}" for key, value in keys.items()]
        lines.append("")
    return "\n".join(lines)


def run_visit(run: Run, out: Path, base_config: Path | None = None) -> RunOutcome:
    """`kiosk demo --headless` on one visit in one language, in its own process."""
    out.mkdir(parents=True, exist_ok=True)
    settings = out / "kiosk.toml"
    settings.write_text(run_config(base_config, run.language), encoding="utf-8")
    command = [
        sys.executable, "-m", "kiosk", "demo", "--headless", "--config", str(settings),
        "--script", str(run.visit), "--out", str(out),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return RunOutcome(run, False, out, time.monotonic() - started, f"no end after {RUN_TIMEOUT:g} s")
    seconds = time.monotonic() - started
    if done.returncode == 0:
        return RunOutcome(run, True, out, seconds)
    failure = ""
    summary = out / "summary.json"
    if summary.is_file():
        failure = json.loads(summary.read_text(encoding="utf-8")).get("failure", "")
    if not failure:  # it stopped before the visit ran (a script or configuration error)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        failure = lines[-1] if lines else f"exit status {done.returncode}"
    return RunOutcome(run, False, out, seconds, clean(failure, 400))


def run_all(
    runs: list[Run], work: Path, base_config: Path | None = None, jobs: int = JOBS,
    progress: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:  # fmt: skip
    """Every run, `jobs` processes at a time; outcomes in the order of `runs`."""

    def one(item: tuple[int, Run]) -> RunOutcome:
        i, run = item
        outcome = run_visit(run, work / f"{i:02d}-{run.visit.stem}-{run.language}", base_config)
        if progress is not None:
            progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, enumerate(runs)))


# ---------------------------------------------------------------------- screen states


def shots(outcome: RunOutcome) -> list[Shot]:
    """The screenshots a run kept, in order, then the sensitive screens its transcript shows."""
    visit = outcome.run.visit.stem
    found = []
    for png in sorted((outcome.out / "screens").glob("*.png")):
        sidecar = png.with_suffix(".json")
        if sidecar.is_file():
            found.append(Shot(json.loads(sidecar.read_text(encoding="utf-8")), png, visit))
    for view in gallery_views.shown(outcome.out / "transcript.json"):
        if view.get("sensitive"):
            found.append(Shot(gallery_views.record_of(view), None, visit))
    return found


def screen_states(all_shots: Iterable[Shot]) -> list[State]:
    """One state per distinct screen, in the order of the kinds in VIEW_TYPES (then any other
    screen as first seen), each kind's states as first seen; numbered in that order."""
    states: dict[Key, State] = {}
    for shot in all_shots:
        state = states.setdefault(shot.state, State(0))
        language = shot.record["language"]
        kept = state.shots.get(language)
        if kept is None or (kept.png is None and shot.png is not None):
            state.shots[language] = shot
        if shot.visit not in state.visits:
            state.visits.append(shot.visit)
    kinds = list(VIEW_TYPES)
    kinds += [k for k in dict.fromkeys(s.record["screen"] for s in states.values()) if k not in kinds]
    ordered = sorted(states.values(), key=lambda s: kinds.index(s.record["screen"]))  # stable
    for number, state in enumerate(ordered, 1):
        state.number = number
    _tell_apart(ordered)
    return ordered


def _tell_apart(states: list[State]) -> None:
    """Suffixes for states whose file names would otherwise read alike: how many rows, then
    the rows' outcomes, then a countdown (each where it tells them apart), then a letter."""
    parts: list[Callable[[State], str]] = [
        lambda s: FILE_ROWS[s.record["lines"]],
        lambda s: _rows_slug(s.record.get("rows", ())),
        lambda s: "countdown" if s.record["countdown"] else "",
    ]
    for part in parts:
        for alike in _alike(states):
            if len({part(state) for state in alike}) < 2:
                continue  # the same for all of them: it tells none apart
            for state in alike:
                state.suffix = "-".join(x for x in (state.suffix, part(state)) if x)
    for alike in _alike(states):
        for letter, state in zip("abcdefghijklmnopqrstuvwxyz", alike, strict=False):
            state.suffix = "-".join(x for x in (state.suffix, letter) if x)


def _rows_slug(kinds: Iterable[str]) -> str:
    """Row kinds (row_kinds) as a file name's part: each one's message id without its
    domain, "offer" for a row to touch: refused:refusal.reservable+touch -> reservable-offer."""
    parts = []
    for kind in kinds:
        note = kind.split(":", 1)[-1]
        touch = note.endswith("+touch")
        parts.append(note.removesuffix("+touch").rsplit(".", 1)[-1] + ("-offer" if touch else ""))
    return _slug("-".join(parts))


def _alike(states: list[State]) -> list[list[State]]:
    names: dict[str, list[State]] = {}
    for state in states:
        names.setdefault(state.slug(), []).append(state)
    return [group for group in names.values() if len(group) > 1]


# ---------------------------------------------------------------------- writing the gallery


def save_picture(source: Path, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    image = QImage(str(source))
    if image.isNull():
        raise OSError(f"cannot read {source}")
    if image.width() > WIDTH:
        image = image.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):  # PNG, by its suffix
        raise OSError(f"cannot write {target}")


def _cell(state: State, language: str) -> str:
    shot = state.shots.get(language)
    if shot is None:
        return "—"
    if shot.png is None:
        return "not captured: sensitive"
    name = f"{language}/{state.file_name()}"
    return f'<img src="{name}" width="{WIDTH // 2}" alt="{name}">'


def _describe(state: State) -> str:
    r = state.record
    said = [f"`{x}`" for x in dict.fromkeys((r["title"], r["message"], r["hint"])) if x]
    shape = [ROWS[r["lines"]]]
    shape += [_row_said(kind) for kind in r.get("rows", ())]
    if r["busy"]:
        shape.append("busy")
    if r["countdown"]:
        shape.append("countdown")
    controls = ", ".join(f"`{c}`" for c in r["controls"]) or "none"
    return f"**{state.number:02d}** {' '.join(said)}<br>{', '.join(shape)}<br>controls: {controls}"


def _row_said(kind: str) -> str:
    """refused:refusal.reservable+touch -> a refused row `refusal.reservable` to touch."""
    status, _, note = kind.partition(":")
    touch = note.endswith("+touch")
    return f"a {status} row `{note.removesuffix('+touch')}`" + (" to touch" if touch else "")


def index(states: list[State], outcomes: list[RunOutcome]) -> str:
    visits = sorted({o.run.visit.stem for o in outcomes if o.ok})
    kinds = list(VIEW_TYPES) + [s.record["screen"] for s in states if s.record["screen"] not in VIEW_TYPES]
    out = [
        "# Screens",
        "",
        "Every screen state the shipped visits (`kiosk/demo/*.visit`) reach, each run headless",
        "once with Korean and once with English as the kiosk's language, one picture per state",
        "(screen, message ids, busy, countdown, none/one/many rows, the outcomes of the rows and",
        "whether they offer a touch, controls), Korean and English side by side; the 1080 x 1920",
        f"panel at {WIDTH} px wide. Generated by `./dev gallery`",
        "(`kiosk gallery --out docs/screens`): do not edit, regenerate after changing a screen.",
        "A screen marked sensitive (a PIN typed, a patron's details) is never captured.",
        "",
        f"Visits: {', '.join(f'`{v}`' for v in visits)}.",
        "",
    ]
    failed = [o for o in outcomes if not o.ok]
    if failed:
        out += ["**Runs that failed** (their screens are not shown):", ""]
        out += [f"- `{o.run.name}`: {o.failure}" for o in failed]
        out.append("")
    for kind in dict.fromkeys(kinds):
        out += [f"## {kind}", ""]
        mine = [s for s in states if s.record["screen"] == kind]
        if not mine:
            out += ["No shipped visit shows this screen.", ""]
            continue
        out += [
            f"| state | {LANGUAGE_NAMES['ko']} | {LANGUAGE_NAMES['en']} | visit |",
            "|---|---|---|---|",
        ]
        for state in mine:
            visit = f"`{state.visits[0]}`" + (f" +{len(state.visits) - 1}" if len(state.visits) > 1 else "")
            cells = (_describe(state), _cell(state, "ko"), _cell(state, "en"), visit)
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def write(out: Path, states: list[State], outcomes: list[RunOutcome]) -> list[Path]:
    """The pictures and the index in `out`, replacing a gallery written there before."""
    for language in LANGUAGES:
        for old in (out / language).glob("*.png"):
            old.unlink()
    written = []
    for state in states:
        for language, shot in state.shots.items():
            if shot.png is not None:
                target = out / language / state.file_name()
                save_picture(shot.png, target)
                written.append(target)
    (out / INDEX).write_text(index(states, outcomes), encoding="utf-8")
    # Each state's View in each language, for the tests that render every screen.
    shown = (view for o in outcomes if o.ok for view in gallery_views.shown(o.out / "transcript.json"))
    named = [(s.stem(), s.key, [lang for lang in LANGUAGES if lang in s.shots]) for s in states]
    gallery_views.write(out / VIEWS, gallery_views.entries(named, shown))
    return written


def build(
    out: Path, visits: Iterable[Path] = SHIPPED, languages: Iterable[str] = LANGUAGES,
    base_config: Path | None = None, jobs: int = JOBS,
    progress: Callable[[RunOutcome], None] | None = None,
) -> GalleryResult:  # fmt: skip
    """Run every visit in every language and write the gallery of the runs that completed."""
    started = time.monotonic()
    runs = [Run(visit, language) for visit in visits for language in languages]
    with tempfile.TemporaryDirectory(prefix="kiosk-gallery-") as work:
        outcomes = run_all(runs, Path(work), base_config, jobs, progress)
        states = screen_states(shot for o in outcomes if o.ok for shot in shots(o))
        out.mkdir(parents=True, exist_ok=True)
        pictures = write(out, states, outcomes)
    return GalleryResult(out, outcomes, states, pictures, time.monotonic() - started)
