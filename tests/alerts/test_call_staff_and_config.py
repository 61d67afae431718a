"""The patron's call for staff, in the flow: an AlertStaff effect (no patron data) and the
screen saying staff were called; and the [alerts] and [log] settings."""

from __future__ import annotations

import pytest

from kiosk import config
from kiosk.core.effects import AlertStaff, Log, Show
from kiosk.core.errors import ConfigError
from kiosk.core.events import CardRead, LibraryReplied, Pressed, Started
from kiosk.core.messages import text
from kiosk.core.model import Language, Patron
from kiosk.flows.session import Session

PATRON = Patron(patron_id="04A1B2C3D4E5F6", name="김민수")


def test_calling_staff_alerts_them_and_the_screen_says_so():
    flow = Session()
    flow.handle(Started())
    (call,) = [e for e in flow.handle(CardRead(technology="106A", uid="04a1", identifier=PATRON.patron_id))
               if hasattr(e, "request_id")]  # fmt: skip
    flow.handle(LibraryReplied(request_id=call.request_id, operation="lookup_patron", result=PATRON))
    effects = flow.handle(Pressed(control="call_staff"))
    (alert,) = [e for e in effects if isinstance(e, AlertStaff)]
    assert alert.kind == "call_staff" and alert.level == "warning"
    assert PATRON.patron_id not in alert.message and PATRON.name not in alert.message
    view = [e.view for e in effects if isinstance(e, Show)][-1]
    assert view.message == "notice.staff_called" and flow.state == "active"
    # Without a StaffAlerts port the runtime still logs it (an AlertStaff is a Log).
    assert isinstance(alert, Log)


def test_the_call_is_confirmed_at_idle_too_in_both_languages():
    flow = Session()
    flow.handle(Started())
    flow.handle(Pressed(control="lang.en"))
    effects = flow.handle(Pressed(control="call_staff"))
    assert any(isinstance(e, AlertStaff) for e in effects)
    view = [e.view for e in effects if isinstance(e, Show)][-1]
    assert view.message == "notice.staff_called" and view.language == Language.EN
    assert text("notice.staff_called", Language.EN).startswith("Staff have been called")
    assert "직원을 호출했습니다" in text("notice.staff_called", Language.KO)


def test_alerts_and_log_defaults():
    s = config.defaults()
    assert "log" in s.alerts.adapters and s.alerts.journal_waiting_min >= 1
    assert s.log.file == "" and s.log.backups >= 1


@pytest.mark.parametrize(
    ("alerts", "problem"),
    [
        ({"adapters": ["webhook"]}, "expected a webhook_url"),
        ({"adapters": ["log", "log"]}, "each at most once"),
        ({"adapters": ["email"]}, "expected a list of log, webhook, sip2"),
        ({"webhook_url": "ftp://desk.example/alerts"}, "http:// or https://"),
        ({"webhook_url": "http://desk.example/a b"}, "http:// or https://"),
        ({"webhook_timeout_s": 0}, "expected a number"),
    ],
)
def test_alerts_settings_are_checked(alerts, problem):
    with pytest.raises(ConfigError, match=problem):
        config.validate({"alerts": alerts}, "<test>")


def test_a_webhook_with_its_url_is_accepted():
    s = config.validate(
        {"alerts": {"adapters": ["webhook", "sip2"], "webhook_url": "https://desk.example/k"}}, "t"
    )
    assert s.alerts.adapters == ["webhook", "sip2"]
