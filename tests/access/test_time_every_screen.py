"""Rule 8, time, on every screen a patron can be on while a visit runs: the session (pure) is
driven to each (the number and the PIN of signing in, the bring-in's steps, borrowing, typing a
number, My loans, returning, the notices, goodbye), the clock moving 7 s with every event, and:

- the inactivity timer runs, with the whole of `[kiosk] inactivity_s` (the shipped config's,
  at least 120 s) left after the patron's last action;
- when it fires, the same screen shows (and says) a countdown of `countdown_s` (at least 20 s)
  with "시간 연장 / More time" first;
- "extend", a touch, a key and a book shown each put the screen back as it was, no countdown,
  the whole time left again;
- a notice waits for the patron and leaves only after its countdown has been shown to its
  last second; goodbye shows and says its own countdown from its first moment;
- the time keeps running under the staff-called message (a dialog over the screen).

The table printed: screen, seconds left after the last action, countdown, extend offered, and
what extended it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from kiosk import config
from kiosk.app import visit_settings
from kiosk.core.effects import CallLibrary, CancelTimer, Effect, Show, StartTimer
from kiosk.core.events import BarcodeRead, CardRead, Event, TimerFired
from kiosk.core.messages import text
from kiosk.core.model import CheckinResult, CheckoutResult, Patron
from kiosk.core.speech import change
from kiosk.core.views import View
from tests.access.render import table
from tests.flows.test_signin_bring_in_flow import AT, CARD, GUEST, NUMBER, PATRON, Drive

SETTINGS = visit_settings(config.load())
STEP = dt.timedelta(seconds=7)
NEW_BOOK = "EM0000100077"


class Clocked(Drive):
    """A visit whose clock moves STEP with every event, and which knows its running timers."""

    def __init__(self) -> None:
        self.log: list[tuple[dt.datetime, Effect]] = []
        super().__init__(SETTINGS)

    def run(self, event: Event) -> list[Effect]:
        self.at += STEP
        effects = super().run(event)
        self.log += [(self.at, e) for e in effects]
        return effects

    def timers(self) -> dict[str, tuple[dt.datetime, float]]:
        running: dict[str, tuple[dt.datetime, float]] = {}
        for at, effect in self.log:
            if isinstance(effect, StartTimer):
                running[effect.name] = (at, effect.seconds)
            elif isinstance(effect, CancelTimer):
                running.pop(effect.name, None)
        return running

    def left(self, name: str) -> float:
        """Seconds before `name` fires, from now; 0 when it does not run."""
        if name not in self.timers():
            return 0.0
        started, seconds = self.timers()[name]
        return seconds - (self.at - started).total_seconds()

    def views(self) -> list[View]:
        return [e.view for _, e in self.log if isinstance(e, Show)]

    def answer(self) -> None:
        """Answer the book's request in flight, if one was sent, as done."""
        calls = [e for _, e in self.log if isinstance(e, CallLibrary)]
        if not calls or calls[-1].request_id in self.answered:
            return
        result = {
            "checkout": CheckoutResult(True, NEW_BOOK, "새 책"),
            "checkin": CheckinResult(True, NEW_BOOK, "새 책"),
        }.get(calls[-1].operation)
        if result is not None:
            self.answered.add(calls[-1].request_id)
            self.reply(result)

    answered: set[int]


def clocked() -> Clocked:
    d = Clocked()
    d.answered = set()
    return d


def borrowing() -> Clocked:
    d = clocked()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    return d


def with_a_book(d: Clocked) -> Clocked:
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128"))
    d.answered.add(d.call().request_id)
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자", due=AT.date() + dt.timedelta(days=14)))
    return d


def bring_in() -> Clocked:
    d = clocked()
    d.run(CardRead(technology="106A", uid="01", identifier=GUEST.patron_id))
    d.reply(GUEST)
    return d


def returning() -> Clocked:
    d = clocked()
    d.press("giveback")
    return d


def blocked() -> Clocked:
    d = clocked()
    d.run(CardRead(technology="106A", uid="01", identifier="X1"))
    d.reply(Patron("X1", "이서연", blocks=("refusal.fees",)))
    return d


def then(make: Callable[[], Clocked], *steps: Callable[[Clocked], object]) -> Callable[[], Clocked]:
    def build() -> Clocked:
        d = make()
        for step in steps:
            step(d)
        return d

    return build


def press(*controls: str) -> Callable[[Clocked], None]:
    return lambda d: d.press(*controls)


# Every screen a visit can be on, waiting for the patron.
SCREENS: dict[str, Callable[[], Clocked]] = {
    "sign-in: number": then(clocked, press("sign_in")),
    "sign-in: number typed": then(clocked, press("sign_in", "key.1", "key.2")),
    "sign-in: PIN": then(clocked, press("sign_in"), lambda d: d.enter(NUMBER)),
    "bring-in: consent": bring_in,
    "bring-in: birth date": then(bring_in, press("agree")),
    "bring-in: new PIN": then(bring_in, press("agree"), lambda d: d.enter("900315")),
    "borrow: first": borrowing,
    "borrow: a book on the list": then(borrowing, with_a_book),
    "borrow: typing a number": then(borrowing, press("type_item")),
    "my loans": then(borrowing, press("my_loans")),
    "return": returning,
    "return: typing a number": then(returning, press("type_item")),
    "notice: cannot borrow": blocked,
    "blocked: my loans": then(blocked, press("my_loans")),
    "borrow: staff called": then(borrowing, press("call_staff")),
}
EXTENDERS: dict[str, Callable[[Clocked], object]] = {
    "extend": press("extend"),
    "touch": press("touch"),
    "key": press("key.1"),
    "book": lambda d: (d.run(BarcodeRead(text=NEW_BOOK, symbology="Code128")), d.answer()),
}
# Gaps found by this module and since mended (each was a strict xfail): the countdown left on
# screen after a digit or a book, a book at a notice, on a blocked patron's My loans, and the
# switch to My loans giving no more time.
KNOWN: dict[tuple[str, str], str] = {}
# Where a book shown leads to another screen, as it should: on My loans a book is borrowed.
AFTER_A_BOOK = {"account": "borrow"}


def shape(view: View) -> tuple[object, ...]:
    """A screen without its countdown: what must come back once the patron is there again."""
    return (
        view.screen,
        view.title,
        view.lines,
        view.inputs,
        tuple(c for c in view.controls if c != "extend"),
    )


def problems_of(name: str) -> tuple[list[tuple[object, ...]], dict[str, list[str]]]:
    """The row of the table for screen `name`, and what is wrong, by check."""
    d = SCREENS[name]()
    before = d.view
    wrong: dict[str, list[str]] = {}
    left = d.left("inactivity")
    # Calling staff is no action on the visit: the time runs on under its message (as under
    # any message), so what is left is the time since the action before it.
    full = SETTINGS.inactivity_s - (STEP.seconds if before.message == "notice.staff_called" else 0)
    if left < full or SETTINGS.inactivity_s < 120:
        wrong.setdefault("armed", []).append(f"{left:.0f} s left after the last action")
    d.run(TimerFired(name="inactivity"))
    timed = d.view
    said = change(before, timed)
    countdown_said = text("voice.countdown", timed.language, seconds=SETTINGS.countdown_s)
    if not (
        timed.countdown == SETTINGS.countdown_s >= 20
        and timed.controls[:1] == ("extend",)
        and shape(timed) == shape(before)
        and d.left("countdown") > 0
        and countdown_said in said
    ):
        wrong.setdefault("countdown", []).append(f"{timed.countdown} {timed.controls[:1]} {said[:60]}")
    extended = []
    for how, act in EXTENDERS.items():
        if how == "key" and not before.inputs:
            # Without fields a key moves the focus or presses a control in the window: that is
            # test_a_keypads_arrow_keys_give_more_time_during_the_countdown's.
            continue
        e = SCREENS[name]()
        e.run(TimerFired(name="inactivity"))
        act(e)
        after = e.view
        ok = (
            after.countdown is None
            and "extend" not in after.controls
            and after.screen in (before.screen, AFTER_A_BOOK.get(before.screen) if how == "book" else None)
            and e.left("countdown") == 0
            and e.left("inactivity") >= SETTINGS.inactivity_s
        )
        if ok:
            extended.append(how)
        else:
            detail = f"countdown {after.countdown}, {e.left('inactivity'):.0f} s, {after.screen}"
            wrong.setdefault(how, []).append(detail)
    row = (
        name,
        before.screen,
        round(left),
        timed.countdown,
        timed.controls[:1] == ("extend",),
        " ".join(extended),
    )
    return [row], wrong


def test_every_screen_of_a_visit_counts_down_and_gives_more_time():
    rows, wrong = [], []
    for name in SCREENS:
        row, problems = problems_of(name)
        rows += row
        for check, details in problems.items():
            if (name, check) not in KNOWN:
                wrong.append((name, check, details))
    header = ("screen", "kind", "timer s", "countdown s", "extend offered", "extended by")
    print(
        table(
            f"Time (inactivity {SETTINGS.inactivity_s} s, countdown {SETTINGS.countdown_s} s)", header, rows
        )
    )
    assert not wrong, wrong
    assert SETTINGS.inactivity_s >= 120 and SETTINGS.countdown_s >= 20


def test_a_keypads_arrow_keys_give_more_time_during_the_countdown():
    """A physical key is the patron there: moving the focus during the countdown must reach the
    visit (the window posts "touch" for a touch beside the controls, and should for a key)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tests.access.render import STANDARD, make_window

    d = borrowing()
    d.run(TimerFired(name="inactivity"))
    window = make_window(STANDARD)
    try:
        window.show_view(d.view, rebuild=True)
        QApplication.processEvents()
        window.posted.clear()
        QTest.keyClick(window.focusWidget() or window, Qt.Key(window.keys.keys["next"][0]))
        posted = [e.control for e in window.posted if hasattr(e, "control")]
    finally:
        window.close()
    print(
        table("A key during the countdown", ("key", "posted to the visit"), [("next", posted or "(nothing)")])
    )
    assert posted, "moving the focus with the keypad posted nothing: the countdown runs on"


def test_a_notice_waits_and_leaves_only_after_its_countdown_is_shown_to_the_end():
    rows = []
    for name, make in (("notice: cannot borrow", blocked),
                       ("notice: card locked", lambda: locked())):  # fmt: skip
        d = make()
        assert d.view.screen == "notice" and d.view.countdown is None
        # Nothing but the inactivity time runs: no timer of its own takes the notice away.
        assert set(d.timers()) == {"inactivity"} and d.left("inactivity") >= SETTINGS.inactivity_s, d.timers()
        d.run(TimerFired(name="inactivity"))
        shown = []
        while d.view.screen == "notice":
            shown.append(d.view.countdown)
            d.run(TimerFired(name="countdown"))
        assert shown == list(range(SETTINGS.countdown_s, 0, -1)) and d.view.screen == "idle"
        rows.append((name, "inactivity only", SETTINGS.countdown_s, f"{shown[0]}..{shown[-1]}", "idle"))
    d = then(borrowing, with_a_book, press("finish_no_receipt"))()
    said = change(None, d.view)
    assert d.view.screen == "goodbye" and d.view.countdown == SETTINGS.goodbye_s >= 10
    assert text("voice.countdown", d.view.language, seconds=SETTINGS.goodbye_s) in said
    shown = []
    while d.view.screen == "goodbye":
        shown.append(d.view.countdown)
        d.run(TimerFired(name="countdown"))
    assert shown == list(range(SETTINGS.goodbye_s, 0, -1)) and d.view.screen == "idle"
    rows.append(("goodbye", "its own countdown", SETTINGS.goodbye_s, f"{shown[0]}..{shown[-1]}", "idle"))
    header = ("screen", "timers while waiting", "countdown s", "shown", "then")
    print(table("Notices wait, then count down", header, rows))


def locked() -> Clocked:
    d = clocked()
    d.flow.settings = dataclasses.replace(SETTINGS, pin_attempts=1)
    d.press("sign_in")
    d.enter(NUMBER)
    d.enter("0000")
    d.reply(dataclasses.replace(PATRON, blocks=("refusal.pin_wrong",)))
    return d


def test_the_time_runs_on_under_the_staff_called_message():
    """Calling staff is the patron there (a touch): the time starts again, and runs on under
    the message: it is never held while staff are on their way."""
    d = borrowing()
    d.press("call_staff")
    assert d.view.message == "notice.staff_called" and d.timers()["inactivity"][1] == SETTINGS.inactivity_s
    d.run(TimerFired(name="inactivity"))
    assert d.view.countdown == SETTINGS.countdown_s and d.view.controls[0] == "extend"
