"""A whole visit through every layer on the simulators: card tap over nfcpy's udp driver, SIP2 over
TCP to the embedded server, barcodes rendered and decoded from camera frames, the receipt as
ESC/POS over a pty to the virtual printer, all driven by touches on the real window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk import config
from kiosk.app import attach_ui, build
from kiosk.core.privacy import mask_card
from kiosk.demo.transcript import Transcript
from tests.kiosk_settings import kiosk_settings

pytestmark = pytest.mark.timeout(180)


def settings(tmp_path):
    s = config.defaults()
    nfc = dict(s.nfc.as_dict(), technologies=["106A"], holdoff_s=1.0)
    base = config.validate({"nfc": nfc}, "<test>")
    return kiosk_settings(tmp_path, base, ("nfc",))


@pytest.fixture
def kiosk(qtbot, tmp_path):
    k = build(settings(tmp_path))
    window = attach_ui(k, headless=True)
    qtbot.addWidget(window)
    window.show()
    transcript = Transcript()
    k.runtime.observers.append(transcript)
    shots = []
    window.rendered.append(lambda view: shots.append((view, window.grab().toImage())))
    k.runtime.start()
    yield k, window, shots, transcript
    k.stop()


def wait_screen(qtbot, window, screen, timeout=20000):
    qtbot.waitUntil(
        lambda: window.view is not None and window.view.screen == screen and not window.view.busy,
        timeout=timeout,
    )


def test_borrow_from_tap_to_receipt(kiosk, qtbot, tmp_path):
    from simulators.ils.seed import DEMO_ITEMS, DEMO_PATRON_ID

    k, window, shots, transcript = kiosk
    wait_screen(qtbot, window, "idle")
    k.sims.nfc.tap(DEMO_PATRON_ID, "106A")
    wait_screen(qtbot, window, "borrow")
    k.sims.nfc.lift()

    for n, item in enumerate(DEMO_ITEMS[:2], 1):
        k.sims.camera.show(item, "Code128")
        qtbot.waitUntil(
            lambda n=n: len([x for x in window.view.lines if x.status == "ok"]) == n and not window.view.busy,
            timeout=20000,
        )
        k.sims.camera.remove()
    assert [line.detail for line in window.view.lines] == list(DEMO_ITEMS[:2])
    assert all(line.note_args for line in window.view.lines)  # due dates shown

    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    wait_screen(qtbot, window, "goodbye", timeout=60000)
    assert window.view.message == "goodbye.receipt"
    receipt = k.sims.printer.wait_for_receipt(30)
    assert receipt is not None and receipt.stat().st_size > 1000

    qtbot.mouseClick(window.buttons()["ok"], Qt.MouseButton.LeftButton)
    wait_screen(qtbot, window, "idle")
    assert k.flow.visit.patron is None and not k.runtime.errors
    # Nothing of the visit stays on screen for the next person.
    qtbot.wait(50)  # let deleteLater() remove the old visit's widgets
    texts = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "EM0000100001" not in texts and "님" not in texts

    screens = [view.screen for view, _ in shots]
    for expected in ("idle", "working", "borrow", "goodbye"):
        assert expected in screens
    for view, image in shots:
        small = image.scaled(54, 96)
        tones = {small.pixelColor(x, y).lightness() // 32 for x in range(54) for y in range(96)}
        assert len(tones) > 2, f"{view.screen} screenshot is blank"

    # Nothing in the transcript gives the patron away.
    dump = transcript.dump()
    assert DEMO_PATRON_ID not in dump and mask_card(DEMO_PATRON_ID) in dump


def test_loans_reach_the_library_exactly_once(kiosk, qtbot, tmp_path):
    from kiosk.ils.library import Sip2Library
    from simulators.ils.seed import DEMO_ITEMS, DEMO_PATRON_ID

    k, window, _, _ = kiosk
    wait_screen(qtbot, window, "idle")
    k.sims.nfc.tap(DEMO_PATRON_ID, "106A")
    wait_screen(qtbot, window, "borrow")
    before = len(window.view.lines)
    item = DEMO_ITEMS[2]
    # The book stays in view for many frames: still one checkout.
    k.sims.camera.show(item, "Code39")
    qtbot.waitUntil(lambda: len(window.view.lines) == before + 1 and not window.view.busy, timeout=20000)
    qtbot.wait(1500)
    k.sims.camera.remove()
    assert len(window.view.lines) == before + 1 and window.view.lines[-1].status == "ok"

    lib = k.sims.ils
    client = Sip2Library(
        host=lib.host,
        port=lib.port,
        login_id=k.settings.library.login_id,
        password=k.settings.sip2_password(),
        institution="MA",
    )
    try:
        patron = client.lookup_patron(DEMO_PATRON_ID)
    finally:
        client.close()
    assert [loan.item_id for loan in patron.loans].count(item) == 1


def borrow_one(k, window, qtbot, item):
    from simulators.ils.seed import DEMO_PATRON_ID

    wait_screen(qtbot, window, "idle")
    k.sims.nfc.tap(DEMO_PATRON_ID, "106A")
    wait_screen(qtbot, window, "borrow")
    k.sims.nfc.lift()
    k.sims.camera.show(item, "Code128")
    qtbot.waitUntil(
        lambda: any(x.detail == item for x in window.view.lines) and not window.view.busy, timeout=20000
    )
    k.sims.camera.remove()


def test_paper_out_keeps_the_loans_and_the_next_receipt_prints_whole(kiosk, qtbot):
    from simulators.ils.seed import DEMO_ITEMS

    k, window, _, transcript = kiosk
    borrow_one(k, window, qtbot, DEMO_ITEMS[3])
    k.sims.printer.paper_out()
    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    wait_screen(qtbot, window, "goodbye", timeout=60000)
    # The patron is told the loan is recorded and sees it on screen instead of the receipt.
    assert window.view.message == "goodbye.no_receipt"
    assert window.view.args()["reason"] == "printer.paper_out"
    assert [line.detail for line in window.view.lines] == [DEMO_ITEMS[3]]
    assert k.sims.printer.receipts == []
    # The technician's log line says what to check.
    assert any(
        "paper out" in e.get("message", "") for e in json.loads(transcript.dump()) if e["type"] == "Log"
    )

    k.sims.printer.paper_in()
    qtbot.mouseClick(window.buttons()["ok"], Qt.MouseButton.LeftButton)
    borrow_one(k, window, qtbot, DEMO_ITEMS[4])
    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    wait_screen(qtbot, window, "goodbye", timeout=60000)
    assert window.view.message == "goodbye.receipt"
    assert k.sims.printer.wait_for_receipt(30) is not None


def test_library_down_mid_visit_says_so_at_once_and_keeps_the_visit(kiosk, qtbot):
    from simulators.ils.seed import DEMO_ITEMS

    k, window, _, _ = kiosk
    borrow_one(k, window, qtbot, DEMO_ITEMS[0])
    k.sims.ils.stop()
    k.sims.camera.show(DEMO_ITEMS[1], "Code128")
    qtbot.waitUntil(
        lambda: window.view.message == "borrow.library_down" and not window.view.busy, timeout=30000
    )
    k.sims.camera.remove()
    # Nothing was sent for the second book: no line for it, the outage said instead.
    assert [line.detail for line in window.view.lines] == [DEMO_ITEMS[0]]
    assert not k.runtime.errors and k.flow.state == "active" and k.flow.activity.name == "borrow"
    # The loan made before the outage is still there and goes on the receipt.
    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    wait_screen(qtbot, window, "goodbye", timeout=60000)
    assert [line.detail for line in window.view.lines] == [DEMO_ITEMS[0]]
    assert k.sims.printer.wait_for_receipt(30) is not None
