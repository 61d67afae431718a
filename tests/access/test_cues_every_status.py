"""Rule 5, sounds: every kind of outcome a patron meets plays its cue, and the cues are distinct:
success (beep.ok), refusal (beep.error), attention (beep.warning), staff called (chime.staff).

The session (kiosk.flows.session, pure: events in, effects out) is driven through each kind of
outcome, and the PlaySound effects of that one event are read. Each row status and outcome the
gallery shows (docs/screens/views.json, both languages) must be one of the outcomes driven here,
so a new kind of outcome on a screen needs its cue checked. The real audio path (the WAVs and
the player) is tests/devices/test_sounds.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.effects import PlaySound
from kiosk.core.errors import OutcomeUnknown
from kiosk.core.events import BarcodeRead, CardRead, ScanTrouble, TimerFired
from kiosk.core.model import CheckinResult, CheckoutResult, Patron
from kiosk.devices.sounds import CUES
from tests.access.render import table
from tests.access.screens import gallery_views
from tests.flows.test_signin_bring_in_flow import AT, CARD, PATRON, Drive

# The kind of each cue: what the patron must tell apart by ear.
KIND = {"beep.ok": "success", "beep.error": "refusal", "beep.warning": "attention", "chime.staff": "staff"}
BOOK, OTHER = "EM0000100001", "EM0000100002"


@dataclass(frozen=True)
class Outcome:
    name: str
    kind: str  # the cue's kind it must play
    drive: Callable[[Drive], list]  # the event's effects (the visit brought to it first)
    shows: str  # the row status or screen outcome it shows, as the gallery tells them


def borrowing() -> Drive:
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    return d


def reply(d: Drive, result=None, error=None) -> list:
    before = len(d.effects)
    d.reply(result, error)
    return d.effects[before:]


def borrow_ok(d: Drive) -> list:
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    return reply(d, CheckoutResult(True, BOOK, "채식주의자", due=AT.date() + dt.timedelta(days=14)))


def borrow_refused(d: Drive) -> list:
    d.run(BarcodeRead(text=OTHER, symbology="Code128"))
    return reply(d, CheckoutResult(False, OTHER, "토지", reason="refusal.on_hold"))


def borrow_unknown(d: Drive) -> list:
    d.run(BarcodeRead(text=OTHER, symbology="Code128"))
    return reply(d, error=OutcomeUnknown("answer lost"))


def returning() -> Drive:
    d = Drive()
    d.press("giveback")
    return d


def return_ok(d: Drive) -> list:
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    return reply(d, CheckinResult(True, BOOK, "채식주의자"))


def return_refused(d: Drive) -> list:
    d.run(BarcodeRead(text=OTHER, symbology="Code128"))
    return reply(d, CheckinResult(False, OTHER, "토지", reason="refusal.not_ours"))


def repeat_later(d: Drive) -> list:
    borrow_ok(d)
    d.at = AT + dt.timedelta(seconds=5)
    return d.run(BarcodeRead(text=BOOK, symbology="Code128"))


def sign_in_refused(d: Drive) -> list:
    d.run(CardRead(technology="106A", uid="01", identifier="X1"))
    return reply(d, Patron("X1", "이서연", blocks=("refusal.fees",)))


def return_repeat_later(d: Drive) -> list:
    return_ok(d)
    d.at = AT + dt.timedelta(seconds=5)
    return d.run(BarcodeRead(text=BOOK, symbology="Code128"))


def staff_called(d: Drive) -> list:
    before = len(d.effects)
    d.press("call_staff")
    return d.effects[before:]


def blocked() -> Drive:
    d = Drive()
    sign_in_refused(d)
    return d


def sign_in_ok(d: Drive) -> list:
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    return reply(d, PATRON)


OUTCOMES = (
    Outcome("sign-in ok", "success", sign_in_ok, "screen:borrow"),
    Outcome("sign-in refused (blocked)", "refusal", sign_in_refused, "screen:notice"),
    Outcome("borrow ok", "success", lambda d: borrow_ok(d), "row:ok"),
    Outcome("borrow refused", "refusal", lambda d: borrow_refused(d), "row:refused"),
    Outcome("borrow outcome unknown", "refusal", lambda d: borrow_unknown(d), "row:unconfirmed"),
    Outcome("return ok", "success", lambda d: return_ok(d), "row:ok"),
    Outcome("return refused", "refusal", lambda d: return_refused(d), "row:refused"),
    Outcome("book shown again later", "attention", repeat_later, "message:borrow.already_this_visit"),
    Outcome("scan trouble (borrow)", "attention", lambda d: d.run(ScanTrouble()), "message:scan.help"),
    Outcome("countdown warning", "attention", lambda d: d.run(TimerFired(name="inactivity")), "countdown"),
    Outcome(
        "return shown again later", "attention", return_repeat_later, "message:giveback.already_returned"
    ),
    Outcome("scan trouble (return)", "attention", lambda d: d.run(ScanTrouble()), "message:scan.help"),
    Outcome(
        "notice countdown warning", "attention", lambda d: d.run(TimerFired(name="inactivity")), "countdown"
    ),
    Outcome("staff called", "staff", staff_called, "message:notice.staff_called"),
)
# Where each outcome is driven from.
START = {
    "sign-in ok": Drive,
    "sign-in refused (blocked)": Drive,
    "return ok": returning,
    "return refused": returning,
    "return shown again later": returning,
    "scan trouble (return)": returning,
    "notice countdown warning": blocked,
}


def effects_of(outcome: Outcome) -> tuple[Drive, list]:
    d = START.get(outcome.name, borrowing)()
    return d, outcome.drive(d)


def shown_kinds(view) -> set[str]:
    """What outcome a screen shows, as OUTCOMES name them."""
    kinds = {f"row:{line.status}" for line in view.lines if line.status != "info"}
    if view.countdown is not None and view.screen != "goodbye":
        kinds.add("countdown")
    if view.message in ("borrow.already_this_visit", "giveback.already_returned", "scan.help",
                        "notice.staff_called"):  # fmt: skip
        kinds.add(f"message:{view.message}")
    return kinds


def test_the_four_cues_are_distinct_sounds():
    assert set(KIND) <= set(CUES)
    assert len({CUES[c] for c in KIND}) == len(KIND), "two cues sound the same"


def test_each_kind_of_outcome_plays_its_own_cue():
    rows, wrong = [], []
    for outcome in OUTCOMES:
        d, effects = effects_of(outcome)
        cues = [e.cue for e in effects if isinstance(e, PlaySound)]
        view = d.view
        shows = shown_kinds(view) | {f"screen:{view.screen}"}
        rows.append(
            (outcome.name, outcome.kind, " ".join(cues) or "(none)", view.screen, outcome.shows in shows)
        )
        if [KIND.get(c) for c in cues] != [outcome.kind]:
            wrong.append((outcome.name, outcome.kind, cues))
        if outcome.shows not in shows:
            wrong.append((outcome.name, "does not show", outcome.shows, sorted(shows)))
    print(
        table(
            "Cues: each outcome and what it played", ("outcome", "must be", "played", "screen", "shown"), rows
        )
    )
    assert not wrong, wrong
    # One cue per kind, different kinds different cues.
    by_kind: dict[str, set[str]] = {}
    for outcome in OUTCOMES:
        _, effects = effects_of(outcome)
        by_kind.setdefault(outcome.kind, set()).update(e.cue for e in effects if isinstance(e, PlaySound))
    assert all(len(c) == 1 for c in by_kind.values()) and len(set().union(*by_kind.values())) == len(by_kind)


def test_every_outcome_the_gallery_shows_has_its_cue_checked():
    driven = {o.shows for o in OUTCOMES}
    rows, unchecked = [], []
    seen: dict[str, list[str]] = {}
    for item in gallery_views():
        for kind in shown_kinds(item.view):
            seen.setdefault(kind, []).append(item.id)
    for kind, screens in sorted(seen.items()):
        names = [o.name for o in OUTCOMES if o.shows == kind]
        rows.append((kind, len(screens), ", ".join(names) or "-", screens[0]))
        if kind not in driven:
            unchecked.append((kind, screens[:3]))
    print(table("Cues: outcomes the gallery shows", ("outcome shown", "screens", "driven as", "e.g."), rows))
    assert {"row:ok", "row:refused", "countdown"} <= set(seen)
    assert not unchecked, unchecked
