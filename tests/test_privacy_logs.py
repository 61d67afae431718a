"""The SIP2 client's debug log of a whole exchange with the embedded server holds no patron's
card number, name, PIN, birth date or reading history."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest

from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import Message
from simulators.ils import seed
from simulators.ils.server import ServerHandle, start_server

pytestmark = pytest.mark.timeout(30)

NOW = "20260302    120000"


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with start_server(today=dt.date(2026, 3, 2), password="kiosk-secret") as handle:
        yield handle


@pytest.fixture
def client(server: ServerHandle) -> Iterator[Sip2Client]:
    sip = Sip2Client(server.host, server.port, login_id="kiosk", password="kiosk-secret", timeout=5.0)
    yield sip
    sip.close()


def test_patron_lookup_and_bring_in_leave_no_patron_detail_in_the_debug_log(
    server: ServerHandle, client: Sip2Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.ils.sip2.client")
    # A patron lookup with the PIN and the reading history (a Chaekieum network member).
    lookup = Message(
        "63",
        "000" + NOW + " " * 10,
        (("AO", "MA"), ("AA", seed.NETWORK_PATRON_ID), ("AD", seed.NETWORK_PATRON_PIN), ("XH", "Y")),
    )
    reply = client.request(lookup)
    name, history = reply.get("AE"), reply.get_all("XH")
    assert reply.code == "64" and reply.get("CQ") == "Y" and name and history
    # The bring-in: a birth date confirms who the patron is, and a new PIN is set.
    birth_date = seed.BRING_IN_BIRTH_DATE.strftime("%Y%m%d")
    bring_in = Message(
        "25", NOW, (("AO", "MA"), ("AA", seed.BRING_IN_PATRON_ID), ("XD", birth_date), ("AD", "5791"))
    )
    enabled = client.request(bring_in)
    assert enabled.code == "26" and enabled.get("XB") == "N"

    logged = caplog.text
    assert "-> 63" in logged and "<- 64" in logged and "<- 26" in logged  # the exchange is logged
    secrets = [
        seed.NETWORK_PATRON_ID,
        seed.BRING_IN_PATRON_ID,
        seed.NETWORK_PATRON_PIN,
        "5791",
        "kiosk-secret",
        name,
        enabled.get("AE"),
        birth_date,
    ]
    # Every loan of the history: its item and its title.
    for entry in history:
        _, item, _, _, title = entry.split("^")
        secrets += [item, title]
    for secret in secrets:
        assert secret and secret not in logged, f"{secret!r} reached the debug log"
    assert "AA=****2F30" in logged and "AD=****" in logged and "XD=****" in logged


def test_a_pin_is_found_where_it_stands_alone_not_inside_a_timestamp() -> None:
    from tests.privacy import shows

    assert shows("1234", "AA****0001|AD1234|AY=2")
    assert shows("1234", "PIN 1234")
    assert not shows("1234", "-> 63 '00020261203    123441  Y' AD=****")
    assert shows("김민수", "AE김민수|") and not shows("김민수", "AE김*수|")
