"""The gallery's screens as data: the View of each screen state in each language, written to
views.json beside the pictures and read back as real View objects (the accessibility tests render
every one of them)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.core.model import Language
from kiosk.core.views import VIEW_TYPES, Input, Line, View

VIEWS = "views.json"
# View fields that hold (placeholder, value) pairs; a Line's note_args likewise.
PAIRS = ("message_args", "note_args")
_BY_TYPE: dict[str, type[View]] = {kind.__name__: kind for kind in VIEW_TYPES.values()}


class GalleryView(NamedTuple):
    """One screen state in one language: `name` is its picture's stem (01-idle-prompt)."""

    name: str
    language: str
    view: View

    @property
    def id(self) -> str:
        return f"{self.name}-{self.language}"


def row_kinds(screen: str, busy: bool, rows: Iterable[tuple[str, str, bool]]) -> list[str]:
    """What a screen's rows are, for telling states apart, without a word of their text: each
    distinct status and message id of a row with an outcome ("refused:refusal.reservable",
    "ok:library.hold_queued"), "+touch" when the patron can touch it (an offer). Information
    rows (loans, totals, holds), a busy screen's and goodbye's summary are left out: they
    would make a state of every combination a visit happens to reach."""
    if busy or screen == "goodbye":
        return []
    kinds = {
        f"{status}:{note}" + ("+touch" if touch else "") for status, note, touch in rows if status != "info"
    }
    return sorted(kinds)


def record_of(view: dict[str, Any]) -> dict[str, Any]:
    """A view as the transcript wrote it, in the form of a screenshot's sidecar (what tells
    screen states apart)."""
    count = len(view.get("lines") or ())
    return {
        "screen": view["screen"],
        "type": view.get("type", ""),
        "language": view["language"],
        "title": view.get("title", ""),
        "message": view.get("message", ""),
        "hint": view.get("hint", ""),
        "busy": bool(view.get("busy")),
        "countdown": view.get("countdown") is not None,
        "lines": "0" if count == 0 else "1" if count == 1 else "many",
        "rows": row_kinds(
            view["screen"],
            bool(view.get("busy")),
            (
                (x.get("status", ""), x.get("note", ""), bool(x.get("control")))
                for x in view.get("lines") or ()
            ),
        ),
        "controls": list(view.get("controls") or ()),
    }


def state_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """A screen state without its language (the gallery's key)."""
    r = record
    return (
        r["screen"], r["title"], r["message"], r["hint"], r["busy"], r["countdown"], r["lines"],
        tuple(r.get("rows", ())), tuple(r["controls"]),
    )  # fmt: skip


def shown(transcript: Path) -> list[dict[str, Any]]:
    """Every view a run's transcript shows, in order (as written there: masked)."""
    if not transcript.is_file():
        return []
    entries = json.loads(transcript.read_text(encoding="utf-8"))
    return [e["view"] for e in entries if e.get("type") == "Show" and isinstance(e.get("view"), dict)]


def entries(
    states: Iterable[tuple[str, tuple[Any, ...], Iterable[str]]], views: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """views.json's entries: for each state (name, key, languages) and language, the first view
    shown whose state is that one."""
    first: dict[tuple[tuple[Any, ...], str], dict[str, Any]] = {}
    for view in views:
        first.setdefault((state_key(record_of(view)), view["language"]), view)
    out = []
    for name, key, languages in states:
        for language in languages:
            found = first.get((key, language))
            if found is not None:
                out.append({"state": name, "language": language, "view": found})
    return out


def write(path: Path, items: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- reading them back


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in value or ())


def _fields(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(kind)}
    out = {k: v for k, v in data.items() if k in names}
    for key in PAIRS:
        if key in out:
            out[key] = _pairs(out[key])
    return out


def view_of(data: dict[str, Any]) -> View:
    """A View (of its screen's own type) from the JSON a transcript writes."""
    kind = _BY_TYPE.get(data.get("type", "")) or VIEW_TYPES.get(data["screen"], View)
    fields = _fields(kind, data)
    fields["language"] = Language(data["language"])
    fields["lines"] = tuple(Line(**_fields(Line, line)) for line in data.get("lines") or ())
    fields["inputs"] = tuple(Input(**_fields(Input, field)) for field in data.get("inputs") or ())
    fields["controls"] = tuple(data.get("controls") or ())
    return kind(**fields)


def load(path: Path) -> list[GalleryView]:
    """Every screen state of a gallery's views.json, in its order, as View objects."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return [GalleryView(item["state"], item["language"], view_of(item["view"])) for item in items]


def load_views(path: Path) -> list[View]:
    return [item.view for item in load(path)]
