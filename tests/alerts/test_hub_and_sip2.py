"""Alerts are raised once until cleared and reach every adapter; the SIP2 adapter sets the
status code the kiosk's status messages (99) carry, as the embedded library server reads them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest

from kiosk.alerts.adapters import LogAlerts, Sip2StatusAlerts
from kiosk.alerts.hub import Alerts
from kiosk.alerts.webhook import WebhookAlerts
from kiosk.core.alerts import AlertKind
from kiosk.ils.sip2.client import Sip2Client
from kiosk.runtime.clock import ManualClock
from simulators.ils import seed
from simulators.ils.server import ServerHandle, start_server
from tests.alerts.webhook_server import webhook_server
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with start_server(today=dt.date(2026, 3, 2)) as handle:
        yield handle


def staff_lines(caplog) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "kiosk.alerts" and r.levelno == logging.WARNING
    ]


def test_an_alert_is_raised_once_until_cleared_and_then_again(caplog):
    caplog.set_level(logging.INFO, logger="kiosk.alerts")
    alerts = Alerts([LogAlerts()], "KIOSK-01", ManualClock().now, lambda: "v1")
    assert alerts.alert(AlertKind.READER_LOST, "nfc: reader unplugged")
    assert not alerts.alert(AlertKind.READER_LOST, "nfc: still unplugged")
    assert staff_lines(caplog) == [
        "staff alert reader_lost (critical): the card reader is gone: nfc: reader unplugged "
        "[kiosk KIOSK-01, visit v1]"
    ]
    assert not alerts.clear(AlertKind.CAMERA_LOST)  # never raised: nothing said
    assert alerts.clear(AlertKind.READER_LOST) and not alerts.active
    assert "staff alert reader_lost cleared" in caplog.text
    assert alerts.alert(AlertKind.READER_LOST)
    assert len(staff_lines(caplog)) == 2
    alerts.alert(AlertKind.SHUTTING_DOWN)  # news, not trouble: an INFO line
    assert len(staff_lines(caplog)) == 2 and "staff alert shutting_down (info)" in caplog.text


def test_an_alert_message_never_carries_a_card_number(caplog):
    alerts = Alerts([LogAlerts()], "KIOSK-01", ManualClock().now)
    alerts.alert(AlertKind.LINK_DOWN, f"lookup of {seed.DEMO_PATRON_ID} failed\x1b[2J")
    (line,) = staff_lines(caplog)
    assert seed.DEMO_PATRON_ID not in line and "****E5F6" in line and "\x1b" not in line


def test_every_adapter_hears_the_alert():
    with webhook_server() as hook_server:
        hook = WebhookAlerts(hook_server.url, "KIOSK-01", attempts=1)
        alerts = Alerts([LogAlerts(), hook], "KIOSK-01", ManualClock().now)
        try:
            alerts.alert(AlertKind.CALL_STAFF, "staff called from screen active")
            alerts.alert(AlertKind.CALL_STAFF, "pressed again")
            alerts.clear(AlertKind.CALL_STAFF)
            assert wait_for(lambda: len(hook_server.bodies()) == 2)
        finally:
            alerts.close()
        assert [(b["event"], b["kind"]) for b in hook_server.bodies()] == [
            ("raised", "call_staff"),
            ("cleared", "call_staff"),
        ]


def test_paper_out_goes_to_the_library_as_status_1_with_the_next_heartbeat_and_back_to_0(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk", heartbeat=True,
                        heartbeat_s=600)  # fmt: skip
    try:
        client.connect()
        assert server.status_codes == ["0"]
        alerts = Alerts([Sip2StatusAlerts(client)], "KIOSK-01", ManualClock().now)
        alerts.alert(AlertKind.PAPER_OUT, "printer reports paper out")
        # The link has been busy for less than the interval: the change goes at the next tick.
        assert wait_for(lambda: server.status_codes[-1:] == ["1"])
        alerts.alert(AlertKind.READER_LOST)  # not SIP2's: nothing sent for it
        alerts.clear(AlertKind.PAPER_OUT)
        assert wait_for(lambda: server.status_codes[-1:] == ["0"])
        assert server.status_codes == ["0", "1", "0"]
    finally:
        client.close()


def test_shutting_down_sends_status_2_at_once_and_outranks_paper_out(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk")  # no heartbeat
    try:
        client.connect()
        alerts = Alerts([Sip2StatusAlerts(client)], "KIOSK-01", ManualClock().now)
        alerts.alert(AlertKind.PAPER_OUT)
        assert server.status_codes == ["0"] and client.status_code == "1"  # waits for a heartbeat
        alerts.alert(AlertKind.SHUTTING_DOWN)
        assert server.status_codes == ["0", "2"]
    finally:
        client.close()


def test_a_status_code_set_while_the_link_is_down_goes_with_the_connect(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk")
    try:
        Alerts([Sip2StatusAlerts(client)], "KIOSK-01", ManualClock().now).alert(AlertKind.PAPER_OUT)
        client.connect()
        assert server.status_codes == ["1"]
    finally:
        client.close()


def test_the_client_refuses_a_status_code_sip2_does_not_have(server):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk")
    with pytest.raises(ValueError):
        client.set_status_code("3")


@pytest.mark.timeout(20)
def test_a_library_that_hangs_does_not_hold_up_the_shutdown(server, caplog):
    client = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk", timeout=60)
    try:
        client.connect()
        server.freeze()  # reads the status, never answers: the kiosk waits STATUS_NOW_S, not 60 s
        Alerts([Sip2StatusAlerts(client)], "KIOSK-01", ManualClock().now).alert(AlertKind.SHUTTING_DOWN)
        assert "status 2 not sent" in caplog.text
    finally:
        server.thaw()
        client.close()
