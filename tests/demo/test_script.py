"""The scripted-visit format, the transcript's masking, and the steps that touch the window."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import replace
from types import SimpleNamespace

import pytest

from kiosk.core.effects import CallLibrary, Log, Show
from kiosk.core.events import BarcodeRead, CardRead, LibraryReplied, Pressed
from kiosk.core.model import Language, Loan, Patron
from kiosk.core.requests import LookupPatron
from kiosk.core.views import Input, Line, View
from kiosk.demo import runner as runner_module
from kiosk.demo.runner import ScriptRunner, StepFailed
from kiosk.demo.script import DEFAULT_SCRIPT, ScriptError, load, parse
from kiosk.demo.transcript import Transcript
from tests.ui.test_window import make_window


def test_builtin_script_parses():
    steps = load(DEFAULT_SCRIPT)
    assert steps[0].name == "expect_screen" and any(s.name == "take_receipt" for s in steps)


def test_comments_quotes_and_line_numbers():
    steps = parse("# visit\n\ntap_card 04A1 106A  # the card\nexpect_line ok '채식 주의자' 5\n")
    assert [(s.line, s.name, s.args) for s in steps] == [
        (3, "tap_card", ("04A1", "106A")),
        (4, "expect_line", ("ok", "채식 주의자", "5")),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("dance\n", "unknown step 'dance'"),
        ("press\n", "press takes 1..1 arguments, got 0"),
        ("wait soon\n", "'soon' is not a number of seconds"),
        ("expect_screen idle later\n", "'later' is not a number"),
        ("show_barcode 'unclosed\n", "No closing quotation"),
        ("# nothing\n", "no steps"),
    ],
)
def test_bad_scripts_name_the_line(text, message):
    with pytest.raises(ScriptError, match=message):
        parse(text, "x.visit")


def test_transcript_masks_cards_names_and_member_qr():
    t = Transcript()
    t(
        "event",
        CardRead(
            technology="106A", uid="04A1B2C3D4E5F6", identifier="04A1B2C3D4E5F6", at=dt.datetime(2026, 1, 1)
        ),
    )
    t("effect", CallLibrary(1, LookupPatron("04A1B2C3D4E5F6")))
    t(
        "event",
        LibraryReplied(
            request_id=1,
            operation="lookup_patron",
            result=Patron("04A1B2C3D4E5F6", "김민수", loans=(Loan("EM1", "토지", dt.date(2026, 1, 2)),)),
        ),
    )
    t("event", BarcodeRead(text="04A1B2C3D4E5F6", symbology="QRCode", kind="member"))
    dump = t.dump()
    assert "04A1B2C3D4E5F6" not in dump and "김민수" not in dump
    assert "****E5F6" in dump and "김*수" in dump and "토지" in dump
    assert json.loads(dump)[2]["result"]["loans"][0]["due"] == "2026-01-02"


# ---------------------------------------------------------------------- keypad, rows, messages


def test_new_steps_parse():
    steps = parse(
        "type 0012\npress_row '토지 1'\nexpect_message borrow.greeting\n"
        "expect_message idle.hint 5\nlanguage en\n"
    )
    assert [(s.name, s.args) for s in steps] == [
        ("type", ("0012",)),
        ("press_row", ("토지 1",)),
        ("expect_message", ("borrow.greeting",)),
        ("expect_message", ("idle.hint", "5")),
        ("language", ("en",)),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("type\n", "type takes 1..1 arguments, got 0"),
        ("type 12 34\n", "type takes 1..1 arguments, got 2"),
        ("type 12a4\n", "type takes digits only"),
        ("type ١٢٣\n", "type takes digits only"),  # Arabic-Indic digits: no key for them
        ("expect_message x.y soon\n", "'soon' is not a number of seconds"),
        ("language fr\n", "language takes ko or en, got 'fr'"),
        ("press_row\n", "press_row takes 1..1 arguments, got 0"),
        ("idle_for\n", "idle_for takes 1..1 arguments, got 0"),
        ("idle_for soon\n", "'soon' is not a number of seconds"),
        ("idle_for 0\n", "idle_for takes 0 < seconds <= 3600"),
        ("idle_for -5\n", "idle_for takes 0 < seconds <= 3600"),
        ("idle_for nan\n", "idle_for takes 0 < seconds <= 3600"),
        ("idle_for 86400\n", "idle_for takes 0 < seconds <= 3600"),
    ],
)
def test_bad_new_steps_name_the_line(text, message):
    with pytest.raises(ScriptError, match=message):
        parse(text, "x.visit")


def test_a_mistyped_value_is_not_quoted():
    with pytest.raises(ScriptError) as error:
        parse("type 98x7\n", "x.visit")
    assert "98" not in str(error.value) and "x7" not in str(error.value)


def test_typed_digits_are_masked_in_logs_and_failures():
    (step,) = parse("type 29123456781234\n")
    assert step.masked() == "line 1: type ****"
    failure = step.redact("no keypad field for '29123456781234' (29123456781234)")
    assert "2912" not in failure and "1234" not in failure and failure.count("****") == 2
    (pin,) = parse("type 1234\n")
    assert "1234" not in pin.masked()


def test_other_new_steps_keep_their_words():
    steps = parse("press_row EM0000100196\nexpect_message block.fees 3\nlanguage ko\n")
    assert [s.masked() for s in steps] == [
        "line 1: press_row EM0000100196",
        "line 2: expect_message block.fees 3",
        "line 3: language ko",
    ]


def test_transcript_masks_keypad_keys_and_typed_values():
    t = Transcript()
    for digit in "4821":
        t("event", Pressed(control=f"key.{digit}"))
    t("event", Pressed(control="key.clear"))
    t("effect", Log("debug", "control 'key.7' not offered in state signin"))
    view = View(
        screen="signin",
        language=Language.KO,
        title="idle.title",
        inputs=(
            Input("card", "idle.title", value="29123456"),
            Input("pin", "idle.title", value="4821", secret=True),
        ),
    )
    t("effect", Show(view))
    dump = t.dump()
    entries = json.loads(dump)
    assert [e["control"] for e in entries[:5]] == ["key.•"] * 4 + ["key.clear"]
    assert entries[5]["message"] == "control 'key.•' not offered in state signin"
    assert [i["value"] for i in entries[6]["view"]["inputs"]] == ["•" * 8, "****"]
    assert "4821" not in dump and "2912" not in dump and "key.7" not in dump
    assert not any(f"key.{d}" in dump for d in "0123456789")


# The steps against a real window (no kiosk behind it: what a touch posts is kept).


def _runner(qtbot, tmp_path):
    window = make_window(qtbot)
    kiosk = SimpleNamespace(runtime=SimpleNamespace(observers=[], errors=[]), sims=None)
    return window, ScriptRunner(kiosk, window, tmp_path / "out")


def _on_thread(qtbot, body, then=None):
    """Run `body` on a script thread while Qt runs here; `then` runs here once it is waiting."""
    box: dict = {}

    def run():
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if then is not None:
        then()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=15000)
    if "error" in box:
        raise box["error"]


KEYPAD = View(
    screen="signin",
    language=Language.KO,
    title="idle.title",
    inputs=(Input("pin", "idle.title", secret=True, max_length=4),),
    controls=("start_over", "call_staff"),
)


def test_type_touches_each_key_in_turn(qtbot, tmp_path):
    window, runner = _runner(qtbot, tmp_path)
    window.show_view(KEYPAD)
    _on_thread(qtbot, lambda: runner.run_step(parse("type 4821\n")[0]))
    keys = [e.control for e in window.posted if isinstance(e, Pressed)]
    assert keys == ["key.4", "key.8", "key.2", "key.1"]


def test_type_waits_for_a_keypad_field_and_its_failure_names_no_digit(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "DEFAULT_TIMEOUT", 0.3)
    window, runner = _runner(qtbot, tmp_path)
    runner._main.quit.disconnect()  # the test's Qt loop is not the runner's to end
    window.show_view(View(screen="idle", language=Language.KO, title="idle.title"))
    _on_thread(qtbot, lambda: runner.run(parse("type 4821\n")))
    assert not runner.result.ok and window.posted == []
    assert runner.result.failure == (
        "line 1: type ****: timed out after 0.3 s waiting for a keypad field; screen is 'idle'"
    )


def test_press_row_touches_the_row_with_the_text(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "DEFAULT_TIMEOUT", 0.3)
    window, runner = _runner(qtbot, tmp_path)
    lines = (
        Line("토지 1", "EM0000000001", control="select.EM0000000001", selected=False),
        Line("소년이 온다", "EM0000000002", "ok"),  # not touchable
    )
    window.show_view(View(screen="account", language=Language.KO, title="account.title", lines=lines))
    _on_thread(qtbot, lambda: runner.run_step(parse("press_row '토지 1'\n")[0]))
    assert [e.control for e in window.posted] == ["select.EM0000000001"]
    with pytest.raises(StepFailed, match="a touchable row with 'EM0000000002'"):
        _on_thread(qtbot, lambda: runner.run_step(parse("press_row EM0000000002\n")[0]))


def test_expect_message_and_language(qtbot, tmp_path):
    window, runner = _runner(qtbot, tmp_path)
    idle = View(
        screen="idle", language=Language.KO, title="idle.title", message="idle.prompt", hint="idle.hint",
        controls=("borrow", "giveback", "lang.ko", "lang.en", "call_staff"),
    )  # fmt: skip
    window.show_view(idle)
    _on_thread(qtbot, lambda: runner.run_step(parse("expect_message idle.prompt 1\n")[0]))
    _on_thread(qtbot, lambda: runner.run_step(parse("expect_message idle.hint 1\n")[0]))
    _on_thread(qtbot, lambda: runner.run_step(parse("language ko\n")[0]))  # already: nothing touched
    assert window.posted == []

    def answer():
        qtbot.waitUntil(lambda: bool(window.posted), timeout=5000)
        window.show_view(replace(idle, language=Language.EN))

    _on_thread(qtbot, lambda: runner.run_step(parse("language en\n")[0]), then=answer)
    assert [e.control for e in window.posted] == ["lang.en"]


def test_each_screenshot_has_its_view_record_without_patron_data(qtbot, tmp_path):
    window, _ = _runner(qtbot, tmp_path)
    view = View(
        screen="borrow", language=Language.EN, title="borrow.title", message="borrow.greeting",
        message_args=(("name", "김민수"), ("count", "1")),
        lines=(
            Line("채식주의자", "EM0000100001", "ok", "borrow.done_line"),
            Line("소년이 온다", "EM0000100002", "refused", "refusal.reservable", control="reserve.EM2"),
            Line("", "", "info", "account.loans_here", (("count", "2"),)),
        ),
        controls=("finish", "call_staff"), countdown=9,
    )  # fmt: skip
    window.show_view(view)
    (sidecar,) = (tmp_path / "out" / "screens").glob("*.json")
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    assert record == {
        "screen": "borrow", "type": "View", "language": "en", "title": "borrow.title",
        "message": "borrow.greeting", "hint": "", "busy": False, "countdown": True, "lines": "many",
        # Each row's outcome and whether it offers a touch; no title or number; no information row.
        "rows": ["ok:borrow.done_line", "refused:refusal.reservable+touch"],
        "controls": ["finish", "call_staff"],
    }  # fmt: skip
    window.show_view(replace(view, sensitive=True))
    assert len(list((tmp_path / "out" / "screens").glob("*"))) == 2  # the sensitive one: neither


def test_idle_for_passes_time_on_the_kiosks_clock(qtbot, tmp_path):
    """idle_for: the timers' clock and the wall clock move on at once, after what was posted;
    the loop is woken to fire what is due; the clock keeps its own pace after."""
    from kiosk.runtime.clock import ManualClock

    window = make_window(qtbot)
    clock = ManualClock()
    woken: list[str] = []
    pumped: list[float] = []
    runtime = SimpleNamespace(observers=[], errors=[], clock=clock, wakeup=lambda: woken.append("wake"))
    runtime.pump = lambda: pumped.append(runtime.clock.monotonic())
    kiosk = SimpleNamespace(runtime=runtime, sims=None)
    runner = ScriptRunner(kiosk, window, tmp_path / "out")
    start_wall, start = clock.now(), clock.monotonic()
    _on_thread(qtbot, lambda: runner.run_step(parse("idle_for 121\n")[0]))
    assert pumped == [start]  # what was posted is handled before the time passes
    assert runtime.clock.monotonic() == start + 121 and woken == ["wake"]
    assert runtime.clock.now() == start_wall + dt.timedelta(seconds=121)
    clock.advance(5)
    _on_thread(qtbot, lambda: runner.run_step(parse("idle_for 20\n")[0]))
    assert isinstance(runtime.clock, runner_module.Elapsing) and runtime.clock.clock is clock  # one wrapper
    assert runtime.clock.monotonic() == start + 146
