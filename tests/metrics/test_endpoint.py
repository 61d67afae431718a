"""The whole kiosk on its simulators with [metrics] on: visits driven through the runtime, then
the endpoint scraped over HTTP and parsed as Prometheus would."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk import config
from kiosk.app import build
from kiosk.ils.journal import Journal
from kiosk.metrics import KioskMetrics, MetricsServer
from kiosk.runtime.tally import Tally
from simulators.ils import seed
from tests.metrics.scenario import EXPECTED, drive, settings
from tests.privacy import shows

pytestmark = pytest.mark.timeout(180)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        return answer.read().decode("utf-8")


def patron_secrets() -> set[str]:
    """Every seeded patron's card number, membership number and PIN."""
    cards = {v for k, v in vars(seed).items() if k.endswith("_PATRON_ID")}
    return cards | set(seed.MEMBER_NUMBERS.values()) | set(seed.PIN_OF.values())


def test_a_scrape_says_what_the_visits_did(tmp_path):
    k = build(settings(tmp_path))
    assert k.metrics is not None and k.tally is not None
    url = k.metrics.url
    k.runtime.start()
    try:
        drive(k)
        text = scrape(url)
        assert k.journal is not None
        journal = k.journal.entries()
    finally:
        k.stop()
    s = parse(text)
    counters = {
        "kiosk_visits_total": "visits_started", "kiosk_visits_ended_total": "visits_ended",
        "kiosk_loans_total": "loans", "kiosk_loans_offline_total": "loans_offline",
        "kiosk_returns_total": "returns", "kiosk_renewals_total": "renewals",
        "kiosk_card_taps_total": "card_taps", "kiosk_barcode_scans_total": "barcode_scans",
        "kiosk_flow_failures_total": "flow_failures",
    }  # fmt: skip
    assert {name: value(s, name) for name in counters} == {
        name: EXPECTED[key] for name, key in counters.items()
    }
    assert value(s, "kiosk_refusals_total", reason="refusal.not_for_loan") == 1
    assert value(s, "kiosk_receipts_total", outcome="printed") == 1
    assert value(s, "kiosk_receipts_total", outcome="failed") == 1
    assert value(s, "kiosk_receipt_failures_total", reason="printer.paper_out") == 1
    assert value(s, "kiosk_device_up", device="printer") == 0
    assert value(s, "kiosk_printer_paper_out") == 1
    assert value(s, "kiosk_device_up", device="nfc") == value(s, "kiosk_device_up", device="library") == 1
    assert value(s, "kiosk_info", kiosk_id=k.settings.kiosk.id, version="0.1.0") == 1

    # Every checkout and return the journal holds went to the library once, and was timed.
    checkouts = sum(e.kind == "checkout" for e in journal)
    returns = sum(e.kind == "checkin" for e in journal)
    assert (checkouts, returns) == (3, 1)  # two loans and the refused one
    assert value(s, "kiosk_library_round_trip_seconds_count", code="11") == checkouts
    assert value(s, "kiosk_library_round_trip_seconds_count", code="09") == returns
    assert value(s, "kiosk_library_round_trip_seconds_count", code="63") >= 3  # a lookup per card
    assert value(s, "kiosk_library_round_trip_seconds_bucket", code="11", le="+Inf") == checkouts
    assert value(s, "kiosk_library_round_trip_seconds_sum", code="11") > 0

    assert value(s, "kiosk_journal_readable") == 1
    assert value(s, "kiosk_journal_entries") == len(journal)
    assert value(s, "kiosk_journal_open_entries") == value(s, "kiosk_journal_waiting_entries") == 0
    assert value(s, "kiosk_journal_oldest_waiting_age_seconds") == 0

    # Nothing of a patron: no card, membership number or PIN in any label or value (a PIN's
    # digits inside a longer number, a round trip's seconds "0.0024681", are not a PIN).
    assert not [secret for secret in patron_secrets() if shows(secret, text)]
    labels = {v for _, pairs in s for _, v in pairs}
    assert all(not any(shows(secret, label) for secret in patron_secrets()) for label in labels)

    # The endpoint stopped with the kiosk.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)
    assert not [t for t in threading.enumerate() if t.name == "metrics-http"]


def test_metrics_are_off_unless_enabled(tmp_path):
    assert config.defaults().metrics.enabled is False
    assert (config.defaults().metrics.bind, config.defaults().metrics.port) == ("127.0.0.1", 9464)
    k = build(settings(tmp_path, metrics=False))
    try:
        assert k.metrics is None and k.tally is not None
    finally:
        k.stop()


def test_a_port_taken_leaves_the_kiosk_running_without_metrics(tmp_path, caplog):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        s = settings(tmp_path)
        s = config.validate(
            {**{n: getattr(s, n).as_dict() for n in ("library", "printer")},
             "metrics": {"enabled": True, "port": taken.getsockname()[1]}},
            "<test>",
        )  # fmt: skip
        with caplog.at_level(logging.ERROR, logger="kiosk.metrics"):
            k = build(s)
        try:
            assert k.metrics is None
            assert f"port = {taken.getsockname()[1]}: cannot listen there" in caplog.text
        finally:
            k.stop()
    finally:
        taken.close()


@pytest.mark.parametrize("bind", ["127.0.0.1 x", "localhost", "::g", ""])
def test_bind_must_be_an_ip_address(bind):
    with pytest.raises(config.ConfigError, match=r"\[metrics\] bind"):
        config.validate({"metrics": {"bind": bind}}, "<test>")


def test_the_journal_is_read_at_scrape_time(tmp_path):
    """A loan taken offline 20 minutes ago and not sent yet: the age the not-draining alert reads."""
    then = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    now = [then]
    journal = Journal(tmp_path / "j.sqlite")
    metrics = KioskMetrics(Tally(), journal, lambda: now[0])
    try:
        assert value(parse(metrics.text()), "kiosk_journal_entries") == 0
        journal.begin("checkout", then, seed.DEMO_PATRON_ID, seed.DEMO_ITEMS[0], offline=True)
        now[0] = then + dt.timedelta(minutes=20)
        s = parse(metrics.text())
        assert value(s, "kiosk_journal_waiting_entries") == value(s, "kiosk_journal_open_entries") == 1
        assert value(s, "kiosk_journal_oldest_waiting_age_seconds") == 1200
        assert value(s, "kiosk_journal_oldest_open_age_seconds") == 1200
        assert seed.DEMO_PATRON_ID not in metrics.text()
    finally:
        journal.close()
    # A journal that cannot be read says so, and the rest is still served.
    s = parse(metrics.text())
    assert value(s, "kiosk_journal_readable") == 0
    assert ("kiosk_journal_entries", frozenset()) not in s
    assert value(s, "kiosk_visits_total") == 0


def test_the_server_stops_and_frees_its_port():
    server = MetricsServer(KioskMetrics(Tally(), None, dt.datetime.now), "127.0.0.1", 0).start()
    port = server.port
    assert "kiosk_visits_total 0.0" in scrape(server.url)
    server.stop()
    with socket.socket() as again:
        # The scrape's closed connection may linger (TIME_WAIT); a listener still there would not.
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
