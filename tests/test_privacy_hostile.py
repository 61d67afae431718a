"""What leaves the kiosk about a patron or an outside text: identifiers masked, secrets hidden,
control characters removed; masking by what a value is, not on every string."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.core.effects import CallLibrary, CancelTimer, Log, StartTimer
from kiosk.core.events import BarcodeRead, LibraryReplied, TimerFired
from kiosk.core.model import Patron, PatronDetails
from kiosk.core.privacy import (
    clean,
    digest,
    has_controls,
    mask_card,
    mask_email,
    mask_name,
    mask_secret,
    shown_code,
    summary,
)
from kiosk.core.requests import BringIn, LookupPatron
from kiosk.demo.script import parse
from kiosk.demo.transcript import Transcript
from tests.hostile import BIDI, CARD_WITH_PIN, CLEAR_SCREEN, LONG_LINE, PIN, SET_TITLE
from tests.hostile import OTHER_CARD as CARD

SECRETS = (CARD, PIN, "\x1b", "\x07", BIDI, LONG_LINE)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret[:20]!r} leaked"


# --- privacy helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (CLEAR_SCREEN + "EM0000100001", "EM0000100001"),
        (SET_TITLE + "EM0000100001", "EM0000100001"),
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST-terminated
        ("EM00001\x9b31m00001", "EM0000100001"),  # 8-bit CSI
        ("\x1b[31mred\x1b[0m", "red"),
        (BIDI + "1000001MP", "1000001MP"),
        ("a\u2066b\u2069c\u200fd", "abcd"),
        ("item\n2026-01-01 INFO forged line", "item 2026-01-01 INFO forged line"),
        ("tab\there\r\nand\u2028there", "tab here  and there"),
        ("nul\x00bell\x07del\x7f", "nulbelldel"),
        ("lone \udcff surrogate", "lone  surrogate"),
        ("unterminated \x1b]0;title", "unterminated "),
        ("서울도서관 EM0000100001", "서울도서관 EM0000100001"),
    ],
)
def test_clean_removes_what_a_terminal_or_log_reader_would_obey(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned
    assert not has_controls(cleaned)


def test_clean_cuts_long_text_and_says_how_much() -> None:
    assert clean(LONG_LINE, limit=40) == LONG_LINE[:40] + "...(+1460 chars)"


def test_masks() -> None:
    assert mask_card(CARD) == "****1234"
    assert mask_card("04A1B2C3D4E5F6" + CLEAR_SCREEN) == "****E5F6"
    assert mask_card("xy" + CLEAR_SCREEN) == "**"
    assert mask_secret(PIN) == mask_secret("1") == "****" and mask_secret("") == ""
    assert mask_email("minsu.kim@example.org") == "m***@example.org"
    assert mask_name("김" + BIDI + "민수") == "김*수"


def test_codes_are_shown_by_what_they_are() -> None:
    assert shown_code("item", "EM0000100001") == "EM0000100001"
    assert shown_code("isbn", "9788936434120") == "9788936434120"
    assert shown_code("member", CARD) == "****1234"
    assert shown_code("unknown", CARD_WITH_PIN) == f"31 chars, sha256:{digest(CARD_WITH_PIN)}"
    assert shown_code("item", CLEAR_SCREEN) == summary(CLEAR_SCREEN)  # a loose item pattern
    assert len(digest(LONG_LINE)) == 8 and shown_code("unknown", LONG_LINE).startswith("1500 chars")


# --- the transcript -------------------------------------------------------------------------


def test_transcript_masks_identifiers_not_every_string() -> None:
    t = Transcript()
    t("effect", StartTimer("notice", 8))
    t("effect", CancelTimer("countdown"))
    t("event", TimerFired(name="notice"))
    t("effect", Log("info", "card ****1234 read (qr)"))
    dump = t.dump()
    entries = json.loads(dump)
    assert [e["name"] for e in entries[:3]] == ["notice", "countdown", "notice"]
    assert "n****e" not in dump and "c*******n" not in dump
    assert entries[3]["message"] == "card ****1234 read (qr)"


def test_transcript_hides_patron_details_and_outside_text() -> None:
    t = Transcript()
    t("effect", CallLibrary(1, LookupPatron(CARD, PIN)))
    t("effect", CallLibrary(2, BringIn(CARD, dt.date(1990, 3, 15), PIN)))
    patron = Patron(
        CARD,
        "김민수",
        screen_message=CLEAR_SCREEN + "연체료가 있습니다" + SET_TITLE,
        details=PatronDetails(email="minsu.kim@example.org"),
    )
    t("event", LibraryReplied(request_id=1, operation="lookup_patron", result=patron))
    t("event", LibraryReplied(request_id=3, operation="checkout", error=RuntimeError(LONG_LINE + BIDI)))
    for text, symbology, kind in [
        (CARD_WITH_PIN, "QRCode", "unknown"),
        (CLEAR_SCREEN + SET_TITLE, "QRCode", "unknown"),
        (LONG_LINE, "QRCode", "unknown"),
        (CARD, "QRCode", "member"),
        ("EM0000100001", "Code128", "item"),
    ]:
        t("event", BarcodeRead(text=text, symbology=symbology, kind=kind))
    dump = t.dump()
    assert_no_secret(dump)
    assert "김민수" not in dump and "minsu.kim" not in dump and "1990-03-15" not in dump
    entries = json.loads(dump)
    assert entries[0]["request"] == {"type": "LookupPatron", "patron_id": "****1234", "pin": "****"}
    assert entries[1]["request"]["birth_date"] == "****" and entries[1]["request"]["new_pin"] == "****"
    result = entries[2]["result"]
    assert result["name"] == "김*수" and result["screen_message"] == "연체료가 있습니다"
    assert result["details"]["email"] == "m***@example.org"
    assert [e["text"] for e in entries[4:]] == [
        summary(CARD_WITH_PIN),
        summary(CLEAR_SCREEN + SET_TITLE),
        summary(LONG_LINE),
        "****1234",
        "EM0000100001",
    ]


def test_view_arguments_mask_the_patron_name_only() -> None:
    from kiosk.core.effects import Show
    from kiosk.core.model import Language
    from kiosk.core.views import View

    view = View(
        "borrow", Language.KO, "borrow.title", "borrow.greeting", (("name", "김민수"), ("count", "2"))
    )
    t = Transcript()
    t("effect", Show(view))
    entry = json.loads(t.dump())[0]
    assert entry["view"]["message_args"] == [["name", "김*수"], ["count", "2"]]


# --- the demo's step log and failures ---------------------------------------------------------


def test_step_log_masks_cards_and_codes() -> None:
    steps = parse(
        "tap_card 04A1B2C3D4E5F6\n"
        "show_barcode CHAEKIEUM:04A1B2C3D4E5F6 QRCode\n"
        f"show_barcode {CARD_WITH_PIN} QRCode\n"
        f"show_barcode '{CLEAR_SCREEN}{SET_TITLE}' QRCode\n"
        f"show_barcode {LONG_LINE} QRCode\n"
        "show_barcode EM0000100001\n"
        f"expect_line ok '{BIDI}EM0000100001{CLEAR_SCREEN}'\n"
    )
    shown = [s.masked() for s in steps]
    assert shown[:2] == ["line 1: tap_card ****E5F6", "line 2: show_barcode ****E5F6 QRCode"]
    assert shown[2] == f"line 3: show_barcode <{summary(CARD_WITH_PIN)}> QRCode"
    assert shown[3] == f"line 4: show_barcode <{summary(CLEAR_SCREEN + SET_TITLE)}> QRCode"
    assert shown[4] == f"line 5: show_barcode <{summary(LONG_LINE)}> QRCode"
    assert shown[5] == "line 6: show_barcode EM0000100001"
    assert shown[6] == "line 7: expect_line ok EM0000100001"
    assert_no_secret("\n".join(shown))
    assert "04A1B2C3D4E5F6" not in "\n".join(shown) and LONG_LINE[:20] not in "\n".join(shown)


def test_step_errors_name_no_private_argument() -> None:
    step = parse(f"show_barcode {CARD_WITH_PIN} EAN13\n")[0]
    error = f"cannot render EAN13 {CARD_WITH_PIN!r}: Invalid size: 31 digits {CARD_WITH_PIN}"
    redacted = step.redact(error)
    assert_no_secret(redacted)
    assert summary(CARD_WITH_PIN) in redacted and "Invalid size" in redacted


class _Camera:
    """Refuses a code as the virtual camera does: quoting it."""

    def show(self, text: str, symbology: str = "Code128") -> None:
        raise ValueError(f"cannot render {symbology} {text!r}: Invalid size")


class _Reader:
    def tap(self, uid: str, technology: str = "106A") -> None:
        raise RuntimeError(f"no card emulator for {uid}")


@pytest.mark.parametrize(
    "line",
    [
        f"show_barcode {CARD_WITH_PIN} EAN13",
        f"show_barcode '{CLEAR_SCREEN}{SET_TITLE}' EAN13",
        f"show_barcode {LONG_LINE} EAN13",
        f"tap_card {CARD}",
    ],
)
def test_a_failed_visit_reports_no_private_argument(
    line: str, qapp: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.demo.runner import ScriptRunner

    caplog.set_level(logging.DEBUG)
    kiosk = SimpleNamespace(
        runtime=SimpleNamespace(observers=[], errors=[]),
        sims=SimpleNamespace(camera=_Camera(), nfc=_Reader()),
    )
    window = SimpleNamespace(rendered=[])
    runner = ScriptRunner(kiosk, window, tmp_path)
    runner._main.quit.disconnect()  # no event loop to quit here
    runner.run(parse(line + "\n"))
    runner.save_transcript()
    assert not runner.result.ok and "line 1:" in runner.result.failure
    assert_no_secret(runner.result.failure)
    assert_no_secret(caplog.text)
    assert_no_secret((tmp_path / "summary.json").read_text())


def test_secret_keypad_fields_and_sensitive_screens_are_never_kept():
    from kiosk.core.effects import Show
    from kiosk.core.model import Language
    from kiosk.core.views import Input, NoticeView

    pin = Input("pin", "login.pin", "1234", secret=True)
    view = NoticeView("notice", Language.KO, "notice.title", inputs=(pin,), sensitive=True)
    assert view.inputs[0].shown() == "●●●●"
    t = Transcript()
    t("effect", Show(view))
    dump = t.dump()
    assert "1234" not in dump and json.loads(dump)[0]["view"]["inputs"][0]["value"] == "****"
