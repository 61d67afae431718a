"""The webhook adapter posts each alert as JSON to a real local HTTP server, in the background:
retried when the server fails, never holding up the caller, stopped when closed."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest

from kiosk.alerts.webhook import WebhookAlerts
from kiosk.core.alerts import Alert, AlertKind
from tests.alerts.webhook_server import webhook_server
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

AT = dt.datetime(2026, 11, 28, 14, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def paper_out() -> Alert:
    return Alert.of(
        AlertKind.PAPER_OUT, "KIOSK-07", AT, "printer on /dev/ttyUSB0 reports paper out", "a1b2c3"
    )


def test_an_alert_and_its_clearing_are_posted_as_json_in_order():
    with webhook_server() as server:
        hook = WebhookAlerts(server.url, "KIOSK-07", timeout_s=5, attempts=1)
        try:
            hook.raise_alert(paper_out())
            hook.clear(AlertKind.PAPER_OUT)
            assert wait_for(lambda: len(server.bodies()) == 2)
        finally:
            hook.close()
        raised, cleared = server.bodies()
        assert raised == {
            "event": "raised",
            "kind": "paper_out",
            "severity": "warning",
            "message": "the receipt printer is out of paper: printer on /dev/ttyUSB0 reports paper out",
            "kiosk_id": "KIOSK-07",
            "at": "2026-11-28T14:30:05+09:00",
            "visit": "a1b2c3",
        }
        assert cleared == {"event": "cleared", "kind": "paper_out", "kiosk_id": "KIOSK-07"}
        assert server.headers[0]["Content-Type"].startswith("application/json")
        assert hook.sent == 2 and hook.failed == 0


def test_a_failing_webhook_is_tried_again_until_it_takes_the_alert():
    with webhook_server() as server:
        server.statuses = [500, 503]
        hook = WebhookAlerts(server.url, "KIOSK-07", timeout_s=5, attempts=3, backoff_s=0.01)
        try:
            hook.raise_alert(paper_out())
            assert wait_for(lambda: hook.sent == 1)
        finally:
            hook.close()
        assert server.kinds() == ["paper_out"] * 3 and hook.failed == 0


def test_an_alert_still_refused_after_every_try_is_dropped_and_logged(caplog):
    with webhook_server() as server:
        server.statuses = [500, 500]
        hook = WebhookAlerts(server.url, "KIOSK-07", timeout_s=5, attempts=2, backoff_s=0.01)
        try:
            hook.raise_alert(paper_out())
            assert wait_for(lambda: hook.failed == 1)
            hook.clear(AlertKind.PAPER_OUT)  # the next one still goes
            assert wait_for(lambda: hook.sent == 1)
        finally:
            hook.close()
    assert len(server.bodies("raised")) == 2
    assert "not delivered after 2 tries: answered 500" in caplog.text


def test_a_webhook_that_hangs_never_holds_up_the_caller_and_close_stops_the_thread():
    with webhook_server() as server:
        server.released.clear()  # the server reads the post and does not answer
        hook = WebhookAlerts(server.url, "KIOSK-07", timeout_s=30, attempts=1, drain_s=0.2)
        hook.raise_alert(paper_out())
        hook.clear(AlertKind.PAPER_OUT)
        # Both calls returned while the first post is still unanswered.
        assert wait_for(lambda: len(server.bodies()) == 1)
        assert hook.sent == 0
        closing = threading.Thread(target=hook.close)
        closing.start()
        server.released.set()  # the answer comes: the thread ends (what waited is dropped)
        closing.join(40)
        assert not closing.is_alive() and not hook._thread.is_alive()


def test_an_unreachable_webhook_is_logged_not_raised(caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nobody listens there
    hook = WebhookAlerts(
        f"http://127.0.0.1:{port}/alerts", "KIOSK-07", timeout_s=2, attempts=2, backoff_s=0.01
    )
    try:
        hook.raise_alert(paper_out())
        assert wait_for(lambda: hook.failed == 1)
    finally:
        hook.close()
    assert "cannot be reached" in caplog.text and hook.sent == 0
