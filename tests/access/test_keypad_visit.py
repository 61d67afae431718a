"""A whole visit with a physical keypad only: every press is a key event on the window (the keys
config/kiosk.toml's [keypad] names: the arrows move, Enter presses, Escape goes back, digits
type); the card and the books are what the reader and the camera post, as they would. The
language switched, a book returned, a registration number typed and cancelled with Back, typed
again, a book shown, the zoom turned on, the receipt chosen, goodbye, and the next patron finds
the screen as configured. Runs the kiosk with its embedded library server and simulators."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk import config
from kiosk.app import attach_ui, build
from kiosk.core.events import BarcodeRead, CardRead
from kiosk.ils.library import Sip2Library
from kiosk.ui.keys import KeyMap
from tests.access.render import focus_name, table
from tests.kiosk_settings import kiosk_settings

pytestmark = pytest.mark.timeout(180)

KEYS = KeyMap.from_names(config.load().keypad.as_dict()).keys


def settings(tmp_path):
    # The shipped configuration: its [keypad] and [display].
    return kiosk_settings(tmp_path, config.load(), ("kiosk", "display", "keypad", "nfc", "camera"))


@pytest.fixture
def kiosk(qtbot, tmp_path):
    k = build(settings(tmp_path))
    window = attach_ui(k, headless=True)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    k.runtime.start()
    yield k, window
    k.stop()


class Keypad:
    """Key events on the window, and what they did, for the test's table."""

    def __init__(self, window, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.window = window
        self.qtbot = qtbot
        self.log: list[tuple[str, str, str]] = []

    def key(self, action: str, times: int = 1) -> None:
        for _ in range(times):
            QTest.keyClick(self.window, Qt.Key(KEYS[action][0]))

    def settle(self, screen: str | None = None, timeout: int = 20000) -> None:
        def ready() -> bool:
            view = self.window.view
            return view is not None and not view.busy and (screen is None or view.screen == screen)

        self.qtbot.waitUntil(ready, timeout=timeout)

    def press(self, control: str) -> None:
        """Move the focus to `control` with the next key, then Enter: only keys."""
        moves = 0
        while focus_name(self.window.focusWidget()) != control:
            self.key("next")
            moves += 1
            assert moves < 80, f"{control} is not in the keypad's reach on {self.window.view.screen}"
        self.key("enter")
        self.log.append((self.window.view.screen, control, f"{moves} x next, enter"))

    def type(self, digits: str) -> None:
        for digit in digits:
            QTest.keyClick(self.window, Qt.Key(Qt.Key.Key_0 + int(digit)))
        self.log.append((self.window.view.screen, f"{len(digits)} digits", "number keys"))

    def back(self) -> None:
        screen = self.window.view.screen
        self.key("back")
        self.log.append((screen, "back", "Escape"))


def test_a_whole_visit_with_the_keypad_alone(kiosk, qtbot):
    from simulators.ils.seed import DEMO_ITEMS, DEMO_LOAN_ITEM, DEMO_PATRON_ID

    k, window = kiosk
    pad = Keypad(window, qtbot)
    pad.settle("idle")
    assert window.focusWidget() is not None and window.focusWidget().hasFocus(), (
        "a visible focus from the start"
    )

    # The other language, then return a book (no card needed).
    pad.press("lang.en")
    qtbot.waitUntil(lambda: window.view.language.value == "en")
    pad.press("giveback")
    pad.settle("giveback")
    k.runtime.post(BarcodeRead(text=DEMO_LOAN_ITEM, symbology="Code128"))
    qtbot.waitUntil(lambda: any(x.detail == DEMO_LOAN_ITEM and x.status == "ok" for x in window.view.lines),
                    timeout=20000)  # fmt: skip
    pad.settle("giveback")

    # The card, as the reader posts it: on to borrowing.
    k.runtime.post(CardRead(technology="106A", uid="04A1B2C3", identifier=DEMO_PATRON_ID))
    pad.settle("borrow")

    # Type a registration number, think better of it (Back), type it again.
    pad.press("type_item")
    qtbot.waitUntil(lambda: bool(window.view.inputs))
    pad.type("1")
    pad.back()
    qtbot.waitUntil(lambda: window.view.screen == "borrow" and not window.view.inputs)
    pad.press("type_item")
    qtbot.waitUntil(lambda: bool(window.view.inputs))
    pad.type(DEMO_ITEMS[0][-6:])
    pad.press("enter")
    qtbot.waitUntil(lambda: any(x.detail == DEMO_ITEMS[0] and x.status == "ok" for x in window.view.lines),
                    timeout=20000)  # fmt: skip
    pad.settle("borrow")

    # A book shown to the camera; bigger text for the rest of the visit.
    k.runtime.post(BarcodeRead(text=DEMO_ITEMS[1], symbology="Code128"))
    qtbot.waitUntil(lambda: any(x.detail == DEMO_ITEMS[1] and x.status == "ok" for x in window.view.lines),
                    timeout=20000)  # fmt: skip
    pad.settle("borrow")
    pad.press("zoom")
    assert window.mode.zoom and window.theme.zoom == 2.0

    # The receipt chosen: finish with one; goodbye; OK.
    pad.press("finish")
    pad.settle("goodbye", timeout=60000)
    assert window.view.message == "goodbye.receipt"
    assert k.sims.printer.wait_for_receipt(30) is not None
    pad.press("ok")
    pad.settle("idle")

    # The visit ended: the next patron finds the screen as configured.
    assert not window.mode.zoom and window.theme == window.base_theme
    assert not k.runtime.errors
    print(table("A visit on the keypad alone", ("screen", "control", "keys"), pad.log))

    lib = k.sims.ils
    client = Sip2Library(lib.host, lib.port, k.settings.library.login_id, k.settings.sip2_password(), "MA")
    try:
        loans = [loan.item_id for loan in client.lookup_patron(DEMO_PATRON_ID).loans]
    finally:
        client.close()
    assert DEMO_ITEMS[0] in loans and DEMO_ITEMS[1] in loans and DEMO_LOAN_ITEM not in loans
