"""Scanning help: the same book shown again at once is one showing; later it is told it is
already on the list; a label the camera cannot read gets help and the keypad."""

from __future__ import annotations

import datetime as dt

from kiosk.core.effects import CallLibrary, PlaySound
from kiosk.core.events import BarcodeRead, CardRead, ScanTrouble
from kiosk.core.model import CheckinResult, CheckoutResult
from tests.flows.test_signin_bring_in_flow import AT, CARD, PATRON, Drive

BOOK = "EM0000100001"


def calls(d: Drive) -> int:
    return len([e for e in d.effects if isinstance(e, CallLibrary)])


def borrowing() -> Drive:
    d = Drive()
    d.run(CardRead(technology="106A", uid="01", identifier=CARD))
    d.reply(PATRON)
    return d


def test_a_book_shown_again_at_once_is_ignored_and_later_told_it_is_on_the_list():
    d = borrowing()
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    d.reply(CheckoutResult(True, BOOK, "채식주의자"))
    sent, sounds = calls(d), len([e for e in d.effects if isinstance(e, PlaySound)])
    d.at = AT + dt.timedelta(seconds=1.5)
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    assert calls(d) == sent and d.view.message == "borrow.greeting"  # nothing said, no beep
    assert len([e for e in d.effects if isinstance(e, PlaySound)]) == sounds
    d.at = AT + dt.timedelta(seconds=5)
    effects = d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    assert calls(d) == sent and d.view.message == "borrow.already_this_visit"
    assert PlaySound("beep.warning") in effects and PlaySound("beep.error") not in effects  # nothing refused


def test_a_book_not_yet_handled_is_never_ignored_as_a_repeat():
    """Only a book already on the list is a repeat: one shown twice at once before anything
    happened to it is still taken once."""
    d = borrowing()
    d.run(BarcodeRead(text=BOOK, symbology="Code128"))
    assert calls(d) == 2  # the lookup and this checkout


def test_a_label_that_will_not_read_gets_help_and_the_keypad():
    d = borrowing()
    d.run(ScanTrouble())
    assert d.view.message == "scan.help" and "type_item" in d.view.controls
    assert PlaySound("beep.warning") in d.effects
    d.press("type_item")
    d.enter("100001")
    assert d.call().args == {"patron_id": CARD, "item_id": BOOK}


def test_returns_get_the_same_help_and_keypad():
    d = Drive()
    d.press("giveback")
    d.run(ScanTrouble())
    assert d.view.screen == "giveback" and d.view.message == "scan.help"
    d.press("type_item")
    assert d.view.inputs and d.view.title == "giveback.title"
    d.enter("100021")
    assert d.call().operation == "checkin" and d.call().args == {"item_id": "EM0000100021"}
    d.reply(CheckinResult(True, "EM0000100021", "토지 1"))
    # Typed, then shown: already on the list; shown again at once: the same showing.
    d.at = AT + dt.timedelta(seconds=4)
    effects = d.run(BarcodeRead(text="EM0000100021", symbology="Code128"))
    assert d.view.message == "giveback.already_returned" and PlaySound("beep.warning") in effects
    d = Drive()
    d.press("giveback")
    d.at = AT + dt.timedelta(seconds=5)
    d.run(BarcodeRead(text="EM0000100022", symbology="Code128"))
    d.reply(CheckinResult(True, "EM0000100022", "작별하지 않는다"))
    d.at = AT + dt.timedelta(seconds=6)
    effects = d.run(BarcodeRead(text="EM0000100022", symbology="Code128"))
    assert d.view.message == "giveback.prompt" and "the same book shown again at once" in repr(effects)


def test_scan_trouble_elsewhere_is_ignored():
    d = Drive()
    d.run(ScanTrouble())
    assert d.view.screen == "idle"


def test_a_return_taken_offline_says_so_on_screen_and_receipt():
    from kiosk.core.effects import PrintReceipt
    from kiosk.core.events import DeviceStatus
    from kiosk.flows.screens import VisitSettings

    d = Drive(VisitSettings(offline_returns=True))
    d.press("giveback")
    d.run(DeviceStatus(device="library", ok=False, detail="down"))
    assert d.view.message == "giveback.offline"  # returns go on: said at once
    d.run(BarcodeRead(text="EM0000100021", symbology="Code128"))
    d.reply(CheckinResult(True, "EM0000100021", offline=True))
    (line,) = [x for x in d.view.lines if x.detail == "EM0000100021"]
    assert (line.status, line.note) == ("ok", "receipt.note.offline")
    d.press("finish_return")
    (job,) = [e for e in d.effects if isinstance(e, PrintReceipt)]
    assert [(c.item_id, c.note) for c in job.receipt.returned] == [("EM0000100021", "receipt.note.offline")]
