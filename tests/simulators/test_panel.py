"""The demo's simulator control panel drives the simulators the kiosk reads."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk import config
from kiosk.app import attach_ui, build
from simulators.panel import ControlPanel

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def kiosk(qtbot, tmp_path):
    s = config.defaults()
    printer = dict(s.printer.as_dict(), sim_out=str(tmp_path), sim_baud=0)
    k = build(config.validate({"library": {"port": 0}, "printer": printer}, "<test>"))
    window = attach_ui(k, headless=True)
    qtbot.addWidget(window)
    k.runtime.start()
    yield k, window
    k.stop()


def click(qtbot, panel, label):
    (button,) = [b for b in panel.findChildren(QPushButton) if b.text() == label]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_panel_taps_a_card_and_shows_a_book(kiosk, qtbot):
    k, window = kiosk
    panel = ControlPanel(k.sims)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: window.view is not None and window.view.screen == "idle", timeout=10000)
    click(qtbot, panel, "Tap 김민수 (good)")
    qtbot.waitUntil(lambda: window.view.screen == "borrow" and not window.view.busy, timeout=20000)
    click(qtbot, panel, "Lift card")
    click(qtbot, panel, "Show EM0000100004")
    qtbot.waitUntil(lambda: any(line.detail == "EM0000100004" for line in window.view.lines), timeout=20000)
    click(qtbot, panel, "Remove")


def test_panel_blocked_card_gets_the_fee_notice(kiosk, qtbot):
    k, window = kiosk
    panel = ControlPanel(k.sims)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: window.view is not None and window.view.screen == "idle", timeout=10000)
    click(qtbot, panel, "Tap 이서연 (fees)")
    qtbot.waitUntil(lambda: window.view.screen == "notice", timeout=20000)
    # The fee, with the amount the library sent and where to pay.
    assert window.view.message == "block.fees" and window.view.message_args == (("amount", "5,000"),)


def test_panel_takes_the_printed_receipt(kiosk, qtbot):
    k, window = kiosk
    panel = ControlPanel(k.sims)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: window.view is not None and window.view.screen == "idle", timeout=10000)
    click(qtbot, panel, "Take the receipt")
    assert panel.status.text() == "no receipt in the tray" and panel.paper.pixmap().isNull()
    click(qtbot, panel, "Tap 김민수 (good)")
    qtbot.waitUntil(lambda: window.view.screen == "borrow" and not window.view.busy, timeout=20000)
    click(qtbot, panel, "Lift card")
    click(qtbot, panel, "Show EM0000100005")
    qtbot.waitUntil(lambda: any(line.detail == "EM0000100005" for line in window.view.lines), timeout=20000)
    click(qtbot, panel, "Remove")
    qtbot.waitUntil(lambda: not window.view.busy, timeout=20000)
    qtbot.mouseClick(window.buttons()["finish"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.view.screen == "goodbye", timeout=30000)
    qtbot.waitUntil(lambda: "in the tray" in panel.status.text(), timeout=30000)
    click(qtbot, panel, "Take the receipt")
    assert not panel.paper.pixmap().isNull() and panel.status.text().startswith("took receipt-")
