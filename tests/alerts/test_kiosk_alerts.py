"""The kiosk as built: a patron's call for staff is confirmed on screen and reaches the webhook
and the log file with the visit's id; a device lost reaches the webhook; stopping the kiosk
tells the library (status 2) and the webhook; the log file names no patron."""

from __future__ import annotations

import json
import logging

import pytest

from kiosk import config
from kiosk.app import build
from kiosk.core.events import CardRead, DeviceStatus, Pressed
from simulators.ils import seed
from tests.alerts.webhook_server import webhook_server
from tests.kiosk_settings import kiosk_settings

pytestmark = pytest.mark.timeout(120)


def settings(tmp_path, url: str) -> config.Settings:
    base = config.validate(
        {
            "alerts": {"adapters": ["log", "webhook", "sip2"], "webhook_url": url, "webhook_attempts": 1},
            "log": {"file": str(tmp_path / "log" / "kiosk.jsonl"), "max_bytes": 100_000, "backups": 1},
        },
        "<test>",
    )
    return kiosk_settings(tmp_path, base, sections=("alerts", "log"), journal=str(tmp_path / "j.sqlite"))


def test_a_call_for_staff_a_device_lost_and_the_shutdown_reach_staff(tmp_path, caplog):
    caplog.set_level(logging.INFO)  # the root logger passes info lines on to the file
    with webhook_server() as hook:
        k = build(settings(tmp_path, hook.url))
        try:
            k.runtime.start()
            k.runtime.post(CardRead(technology="106A", uid="04a1b2c3d4e5f6", identifier=seed.DEMO_PATRON_ID))
            assert k.runtime.run_until(
                lambda: k.flow.activity is not None and k.flow.activity.name == "borrow", 30
            )
            k.runtime.post(Pressed(control="call_staff"))
            assert k.runtime.run_until(lambda: "call_staff" in hook.kinds(), 30)
            shown = k.flow._last_view
            assert shown is not None and shown.message == "notice.staff_called" and shown.screen == "borrow"
            k.runtime.post(DeviceStatus(device="camera", ok=False, detail="camera 0 gives no frames"))
            assert k.runtime.run_until(lambda: "camera_lost" in hook.kinds(), 30)
            k.runtime.post(Pressed(control="finish_no_receipt"))
            assert k.runtime.run_until(lambda: k.flow.state == "goodbye", 30)
            k.runtime.post(Pressed(control="ok"))  # the visit ends
            assert k.runtime.run_until(lambda: ("cleared", "call_staff") in events(hook), 30)
        finally:
            k.stop()
        call = next(b for b in hook.bodies("raised") if b["kind"] == "call_staff")
        assert call["visit"] and call["kiosk_id"] == k.settings.kiosk.id
        assert call["message"] == "a patron asked for staff at the kiosk: staff called from screen active"
        assert hook.kinds()[-1] == "shutting_down"
        assert k.sims.ils.status_codes[-1] == "2"
    text = (tmp_path / "log" / "kiosk.jsonl").read_text(encoding="utf-8")
    logged = [json.loads(line) for line in text.splitlines()]
    assert seed.DEMO_PATRON_ID not in text and seed.DEMO_PATRON_ID.lower() not in text
    in_visit = [line for line in logged if line["visit"] == call["visit"]]
    assert any("staff alert call_staff" in line["message"] and f"visit {call['visit']}]" in line["message"]
               for line in in_visit)  # fmt: skip
    assert any(line["level"] == "WARNING" and "camera_lost" in line["message"] for line in logged)
    (shutdown,) = [line for line in logged if "staff alert shutting_down" in line["message"]]
    assert shutdown["visit"] == "" and shutdown["level"] == "INFO"  # the visit ended before


def events(hook) -> list[tuple[str, str]]:
    return [(b["event"], b["kind"]) for b in hook.bodies()]
