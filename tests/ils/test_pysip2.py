"""The client's suite against an independent, strict SIP2 server (pysip2): checksums required,
login required, every fixed field validated by its own codec."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.errors import LoginRejected
from kiosk.ils.library import Sip2Library
from tests.ils import pysip2_server as ps

pytestmark = pytest.mark.timeout(30)
pytest.importorskip("pysip2")


@pytest.fixture(scope="module")
def port():
    with ps.running() as bound:
        yield bound


@pytest.fixture
def library(port):
    lib = Sip2Library("127.0.0.1", port, "kiosk", "kiosk", "MA", location_code="K1", timeout=5.0)
    yield lib
    lib.close()


def test_login_and_status(library):
    library.connect()
    status = library.client.acs_status
    assert status is not None and status.get("AM") == "pysip2 test library"
    assert library.client.heartbeat_interval == pytest.approx(0.5)


def test_wrong_password(port):
    lib = Sip2Library("127.0.0.1", port, "kiosk", "nope", "MA", timeout=5.0)
    with pytest.raises(LoginRejected):
        lib.connect()
    lib.close()


def test_the_whole_port(library):
    patron = library.lookup_patron(ps.PATRON)
    assert patron.valid and patron.name == "김민수" and patron.loan_limit == 7
    assert patron.details.fees_owed == 3000 and patron.details.quota_remaining == 7
    assert not library.lookup_patron("NOBODY").valid

    out = library.checkout(ps.PATRON, "I0001")
    assert out.ok and out.title == "채식주의자" and out.due == ps.TODAY + dt.timedelta(days=15)
    assert library.checkout(ps.PATRON, "I9999").reason == "refusal.item_unknown"
    info = library.item_information("I0001")
    assert info.known and info.due == out.due
    assert [loan.item_id for loan in library.lookup_patron(ps.PATRON).loans] == ["I0001"]

    renewed = library.renew(ps.PATRON, "I0001")
    assert renewed.ok and renewed.due == ps.TODAY + dt.timedelta(days=22)
    assert library.renew_all(ps.PATRON).renewed[0].item_id == "I0001"

    placed = library.place_hold(ps.PATRON, "I0002")
    assert placed.ok and placed.queue_position == 1
    assert [h.item_id for h in library.lookup_patron(ps.PATRON).details.holds] == ["I0002"]
    assert library.cancel_hold(ps.PATRON, "I0002").ok

    assert library.fee_paid(ps.PATRON, 1000, "T1").ok
    assert library.lookup_patron(ps.PATRON).details.fees_owed == 2000

    back = library.checkin("I0001")
    assert back.ok and back.title == "채식주의자"
    assert library.checkin("I0001").reason == "refusal.not_on_loan"
    library.end_session(ps.PATRON)


def test_membership_extensions_are_refused_politely(library):
    result = library.membership.bring_in(ps.PATRON, dt.date(1990, 1, 1), "1234")
    assert not result.ok and result.reason == "refusal.bring_in_unsupported"
    assert library.membership.borrowing_history(ps.PATRON) == ()
