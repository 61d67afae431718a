"""The scripted-visit format and the transcript's masking."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.core.effects import CallLibrary
from kiosk.core.events import BarcodeRead, CardRead, LibraryReplied
from kiosk.core.model import Loan, Patron
from kiosk.core.requests import LookupPatron
from kiosk.demo.script import DEFAULT_SCRIPT, ScriptError, load, parse
from kiosk.demo.transcript import Transcript


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
