"""The technician's screen on the kiosk as built (simulated devices, the embedded library): a
technician card opens it with the checks of the live devices, the counters and the recent log;
out of service and back; the hidden gesture asks for a PIN, and too many wrong ones lock it;
an essential device that fails closes the kiosk honestly, a printer out of paper says "no
receipts" on the first screen."""

from __future__ import annotations

import hashlib

import pytest

from kiosk import config
from kiosk.app import build
from kiosk.core.errors import ConfigError
from kiosk.core.events import CardRead, DeviceStatus, Pressed
from simulators.ils import seed
from tests.kiosk_settings import kiosk_settings

pytestmark = pytest.mark.timeout(120)

TECH_UID = "7E40C0DE"
PIN = "246810"


def settings(tmp_path, **technician):
    base = config.defaults()
    data = dict(base.technician.as_dict(), cards=[TECH_UID],
                pin_sha256=hashlib.sha256(PIN.encode()).hexdigest(), **technician)  # fmt: skip
    return kiosk_settings(tmp_path, config.validate({"technician": data}, "<test>"), ("technician",))


@pytest.fixture
def kiosk(tmp_path):
    k = build(settings(tmp_path))
    shown = []
    k.runtime.show = shown.append
    k.runtime.start()
    yield k, shown
    k.stop()


def run(k, until, timeout=60):
    assert k.runtime.run_until(until, timeout), f"not in time; flow in {k.flow.state}"


def open_with_card(k, shown) -> None:
    """From the first screen, a technician card: the screen with the checks done."""
    run(k, lambda: shown and shown[-1].screen == "idle")
    k.runtime.post(CardRead(technology="106A", uid=TECH_UID, identifier="x"))
    run(k, lambda: shown[-1].screen == "technician" and not shown[-1].busy)


def press(k, *controls):
    for control in controls:
        k.runtime.post(Pressed(control=control))
        k.runtime.pump()


def test_a_technician_card_opens_the_checks_of_the_live_devices(kiosk):
    k, shown = kiosk
    run(k, lambda: shown and shown[-1].screen == "idle")
    k.runtime.post(CardRead(technology="106A", uid=TECH_UID, identifier="x"))
    run(k, lambda: shown[-1].screen == "technician" and not shown[-1].busy and shown[-1].lines)
    view = shown[-1]
    names = [line.text for line in view.lines if line.text]
    assert names[:5] == ["library", "nfc", "camera", "printer", "host"]
    library = view.lines[0]
    assert library.status in ("ok", "unconfirmed")  # the embedded library answers (plain TCP warns)
    counters = next(line for line in view.lines if line.note == "tech.counters")
    assert dict(counters.note_args)["taps"] == "1"  # the technician's own tap
    assert any("technician: checks run" in line.text for line in view.lines)  # the recent log
    assert all(seed.DEMO_PATRON_ID not in line.text + line.detail for line in view.lines)
    assert k.flow.visit.patron is None  # no visit: nothing of a patron here


def test_out_of_service_and_back(kiosk):
    k, shown = kiosk
    open_with_card(k, shown)
    press(k, "tech.out_of_service")
    assert [line.control for line in shown[-1].lines] == ["oos.maintenance", "oos.printer", "oos.network",
                                                          "oos.closed"]  # fmt: skip
    press(k, "oos.maintenance")
    assert "tech.in_service" in shown[-1].controls and shown[-1].message == "tech.out_of_service_now"
    press(k, "tech.leave")
    assert shown[-1].screen == "out_of_service" and shown[-1].message == "oos.maintenance"
    assert set(shown[-1].controls) == {"lang.ko", "lang.en", "call_staff"}
    # A patron's card, a book, the buttons: nothing starts while out of service.
    k.runtime.post(CardRead(technology="106A", uid="04A1B2C3", identifier=seed.DEMO_PATRON_ID))
    press(k, "giveback")
    run(k, lambda: k.runtime.pump() == 0)
    assert shown[-1].screen == "out_of_service" and k.flow.state == "idle" and k.flow.visit.patron is None
    # Back in service by the technician.
    k.runtime.post(CardRead(technology="106A", uid=TECH_UID, identifier="x"))
    run(k, lambda: shown[-1].screen == "technician" and not shown[-1].busy)
    press(k, "tech.in_service", "tech.leave")
    assert shown[-1].screen == "idle" and shown[-1].message != "oos.maintenance"


def test_the_gesture_asks_for_the_pin_and_too_many_wrong_ones_lock_it(kiosk):
    k, shown = kiosk
    run(k, lambda: shown and shown[-1].screen == "idle")
    press(k, "technician")
    assert shown[-1].screen == "technician" and shown[-1].inputs[0].secret
    for digit in "1111":
        press(k, f"key.{digit}")
    assert shown[-1].inputs[0].value == "●●●●"  # dots only, never the digits
    press(k, "enter")
    assert shown[-1].message == "tech.pin_wrong" and dict(shown[-1].message_args)["left"] == "2"
    for _ in range(2):
        press(k, "key.9", "key.9", "key.9", "key.9", "enter")
    assert shown[-1].screen == "idle"  # locked: back to the patrons
    press(k, "technician")
    assert shown[-1].screen == "idle"  # the gesture is ignored while locked
    # A technician card still opens it.
    k.runtime.post(CardRead(technology="106A", uid=TECH_UID, identifier="x"))
    run(k, lambda: shown[-1].screen == "technician")


def test_the_right_pin_opens_the_menu(kiosk):
    k, shown = kiosk
    run(k, lambda: shown and shown[-1].screen == "idle")
    press(k, "technician", *(f"key.{d}" for d in PIN), "enter")
    run(k, lambda: shown[-1].screen == "technician" and not shown[-1].busy and shown[-1].lines)
    assert "tech.refresh" in shown[-1].controls and not shown[-1].inputs


def test_a_test_page_prints_on_the_live_printer(kiosk):
    k, shown = kiosk
    open_with_card(k, shown)
    press(k, "tech.test_page")
    run(k, lambda: shown[-1].message in ("tech.done", "tech.failed"))
    assert shown[-1].message == "tech.done", shown[-1].message_args
    assert k.sims.printer.wait_for_receipt(30) is not None


def test_an_essential_device_lost_closes_the_kiosk_and_paper_out_says_no_receipts(kiosk):
    k, shown = kiosk
    run(k, lambda: shown and shown[-1].screen == "idle")
    k.runtime.post(DeviceStatus(device="printer", ok=False, detail="paper out", reason="paper_out"))
    run(k, lambda: any(line.note == "idle.no_receipts" for line in shown[-1].lines))
    assert shown[-1].screen == "idle" and "borrow" in shown[-1].controls  # still lends
    k.runtime.post(DeviceStatus(device="camera", ok=False, detail="camera gone", reason="unreachable"))
    run(k, lambda: shown[-1].screen == "out_of_service")
    assert shown[-1].message == "oos.device"
    assert [dict(line.note_args)["device"] for line in shown[-1].lines] == ["device.camera"]
    k.runtime.post(DeviceStatus(device="camera", ok=True, detail="camera back"))
    run(k, lambda: shown[-1].screen == "idle")
    k.runtime.post(DeviceStatus(device="printer", ok=True, detail="ready"))
    run(k, lambda: not shown[-1].lines)


def test_a_device_left_out_of_essential_does_not_close_the_kiosk(tmp_path):
    k = build(settings(tmp_path, essential=["camera"]))
    shown = []
    k.runtime.show = shown.append
    k.runtime.start()
    try:
        run(k, lambda: shown and shown[-1].screen == "idle")
        k.runtime.post(DeviceStatus(device="nfc", ok=False, detail="reader unplugged", reason="unreachable"))
        run(k, lambda: k.runtime.pump() == 0)
        assert shown[-1].screen == "idle"
    finally:
        k.stop()


def test_settings_reject_a_pin_that_is_not_a_sha256():
    with pytest.raises(ConfigError, match="pin_sha256"):
        config.validate({"technician": {"pin_sha256": "246810"}}, "<test>")  # the PIN itself


def test_paper_out_before_a_visit_is_known_from_the_printer_and_told_on_the_first_screen(tmp_path):
    base = config.defaults()
    printer = dict(base.printer.as_dict(), watch_s=0.2)
    s = kiosk_settings(tmp_path, config.validate({"printer": printer}, "<test>"), ("printer",))
    k = build(s)
    shown = []
    k.runtime.show = shown.append
    k.runtime.start()
    try:
        run(k, lambda: shown and shown[-1].screen == "idle")
        assert not shown[-1].lines
        k.sims.printer.paper_out()
        run(k, lambda: any(line.note == "idle.no_receipts" for line in shown[-1].lines))
        k.sims.printer.paper_in()
        run(k, lambda: shown[-1].screen == "idle" and not shown[-1].lines)
    finally:
        k.stop()


def test_the_technician_screen_on_the_window_from_card_tap_to_out_of_service_and_back(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from kiosk.app import attach_ui
    from kiosk.ui.widgets.line_row import LineRow

    k = build(settings(tmp_path))
    window = attach_ui(k, headless=True)  # ended by k.stop(), not by qtbot
    window.show()
    k.runtime.start()

    def on(screen: str) -> None:
        qtbot.waitUntil(lambda: window.view is not None and window.view.screen == screen
                        and not window.view.busy, timeout=60000)  # fmt: skip

    def click(control: str) -> None:
        qtbot.mouseClick(window.buttons()[control], Qt.MouseButton.LeftButton)

    def lift() -> None:
        # The reader sees the card go (a few poll rounds) before the screen is left: leaving
        # ends the re-tap hold-off only for a card already lifted, as at a real counter.
        polls = k.sims.nfc.polls
        k.sims.nfc.lift()
        qtbot.waitUntil(lambda: k.sims.nfc.polls >= polls + 6, timeout=20000)

    try:
        on("idle")
        k.sims.nfc.tap(TECH_UID, "106A")
        on("technician")
        qtbot.waitUntil(lambda: len(window.view.lines) >= 5, timeout=60000)
        lift()
        window.grab().save(str(tmp_path / "technician.png"))
        click("tech.out_of_service")
        rows = lambda: [r for r in window.findChildren(LineRow) if r.line.control == "oos.maintenance"]  # noqa: E731
        qtbot.waitUntil(lambda: bool(rows()))
        row = rows()[0]
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "tech.in_service" in window.buttons())
        click("tech.leave")
        on("out_of_service")
        assert window.view.message == "oos.maintenance"
        window.grab().save(str(tmp_path / "out_of_service.png"))
        k.sims.nfc.tap(TECH_UID, "106A")
        on("technician")
        lift()
        click("tech.in_service")
        qtbot.waitUntil(lambda: "tech.out_of_service" in window.buttons())
        click("tech.leave")
        on("idle")
        assert window.view.message == "idle.prompt" and not k.runtime.errors
    finally:
        k.stop()
