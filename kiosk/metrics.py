"""The Prometheus endpoint: the tally's counters, device status, library round trips and the
journal, served over HTTP for a library's monitoring (off unless [metrics] enabled = true).

Nothing of a patron is exposed: counters are labelled by message ids, device names and SIP2
message codes only. The journal is read when scraped, never on the kiosk's own threads.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector

from kiosk import __version__
from kiosk.config import Settings
from kiosk.ils.journal import Journal, JournalError
from kiosk.runtime.tally import PAPER_OUT, PRINTER, Tally

log = logging.getLogger("kiosk.metrics")

# Seconds: a SIP2 answer on a LAN takes milliseconds, a loaded library server seconds; the
# client gives up after [library] timeout_s (10 by default).
ROUND_TRIP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A scraper that stops reading mid-request is dropped after this.
REQUEST_TIMEOUT_S = 5.0

# (metric name without _total, help, snapshot key) of the plain counters.
COUNTERS = (
    ("kiosk_visits", "Visits begun (a screen other than the first one shown)", "visits_started"),
    ("kiosk_visits_ended", "Visits ended (back to the first screen, the patron's details forgotten)",
     "visits_ended"),
    ("kiosk_loans", "Books lent, as the patron was shown (offline loans included)", "loans"),
    ("kiosk_loans_offline", "Books lent while the library could not be reached (journaled)", "loans_offline"),
    ("kiosk_returns", "Books returned, as the patron was shown", "returns"),
    ("kiosk_renewals", "Loans renewed", "renewals"),
    ("kiosk_requests", "Reservations and closed-stack requests placed", "requests"),
    ("kiosk_unconfirmed", "Transactions the library could not confirm (please check at the desk)",
     "unconfirmed"),
    ("kiosk_card_taps", "Cards read (NFC tap or mobile card)", "card_taps"),
    ("kiosk_barcode_scans", "Barcodes read by the camera", "barcode_scans"),
    ("kiosk_flow_failures", "Events a flow failed on (the patron was asked to call staff)", "flow_failures"),
)  # fmt: skip
# (metric name without _total, help, snapshot key, label) of the counters by one label.
LABELLED = (
    ("kiosk_refusals", "Transactions the library refused, by the reason the patron was shown", "refusals",
     "reason"),
    ("kiosk_receipt_failures", "Receipts not printed, by the printer's reason", "receipt_failures", "reason"),
    ("kiosk_card_problems", "Cards that gave no patron id, by problem", "card_problems", "reason"),
    ("kiosk_device_errors", "Faults devices reported (the library link included), by device",
     "device_errors", "device"),
)  # fmt: skip


class TallyCollector:
    """The tally's counters and each device's last status, read at scrape time."""

    def __init__(self, tally: Tally, kiosk_id: str) -> None:
        self.tally, self.kiosk_id = tally, kiosk_id

    def collect(self) -> Iterator[Metric]:
        snap = self.tally.snapshot()
        info = GaugeMetricFamily(
            "kiosk_info", "This kiosk: its id and software version", labels=["kiosk_id", "version"]
        )
        info.add_metric([self.kiosk_id, __version__], 1)
        yield info
        for name, doc, key in COUNTERS:
            yield CounterMetricFamily(name, doc, value=snap[key])
        receipts = CounterMetricFamily(
            "kiosk_receipts", "Receipts sent to the printer, by outcome", labels=["outcome"]
        )
        receipts.add_metric(["printed"], snap["receipts_printed"])
        receipts.add_metric(["failed"], snap["receipts_failed"])
        yield receipts
        for name, doc, key, label in LABELLED:
            family = CounterMetricFamily(name, doc, labels=[label])
            for value, count in sorted(snap[key].items()):
                family.add_metric([value], count)
            yield family
        up = GaugeMetricFamily(
            "kiosk_device_up",
            "1 when the device last reported working, 0 when failed (the printer: as its last receipt "
            "fared); absent until it reports",
            labels=["device"],
        )
        for device, status in sorted(snap["devices"].items()):
            up.add_metric([device], 1 if status["ok"] else 0)
        yield up
        printer = snap["devices"].get(PRINTER, {})
        yield GaugeMetricFamily(
            "kiosk_printer_paper_out",
            "1 when the printer last reported paper out",
            value=1 if not printer.get("ok", True) and printer.get("status") in PAPER_OUT else 0,
        )


def _seconds_since(now: dt.datetime, then: dt.datetime) -> float:
    # Journal times carry the kiosk's offset; an older file may hold naive ones.
    if (now.tzinfo is None) != (then.tzinfo is None):
        zone = now.tzinfo or then.tzinfo
        now, then = now.replace(tzinfo=now.tzinfo or zone), then.replace(tzinfo=then.tzinfo or zone)
    return max((now - then).total_seconds(), 0.0)


class JournalCollector:
    """What the journal holds, read when scraped (never on the runtime's thread)."""

    def __init__(self, journal: Journal, now: Callable[[], dt.datetime]) -> None:
        self.journal, self.now = journal, now
        self._readable = True

    def collect(self) -> Iterator[Metric]:
        now = self.now()
        try:
            summary = self.journal.summary(now)
            waiting = self.journal.waiting_offline()
        except JournalError as exc:
            if self._readable:
                log.warning("metrics: the journal cannot be read: %s", exc)
            self._readable = False
            yield GaugeMetricFamily("kiosk_journal_readable", "1 when the journal could be read", value=0)
            return
        self._readable = True
        yield GaugeMetricFamily("kiosk_journal_readable", "1 when the journal could be read", value=1)
        yield GaugeMetricFamily("kiosk_journal_entries", "Entries in the journal", value=summary.entries)
        yield GaugeMetricFamily(
            "kiosk_journal_open_entries",
            "Entries whose outcome the kiosk does not know yet",
            value=summary.open,
        )
        yield GaugeMetricFamily(
            "kiosk_journal_waiting_entries",
            "Transactions taken offline, waiting to be sent to the library",
            value=summary.waiting,
        )
        yield GaugeMetricFamily(
            "kiosk_journal_untold_entries",
            "Settled entries the patron was not shown (for staff)",
            value=summary.untold,
        )
        open_age = summary.oldest_open_age.total_seconds() if summary.oldest_open_age is not None else 0.0
        yield GaugeMetricFamily(
            "kiosk_journal_oldest_open_age_seconds", "Age of the oldest open entry (0: none)", value=open_age
        )
        waiting_age = _seconds_since(now, waiting[0].at) if waiting else 0.0
        yield GaugeMetricFamily(
            "kiosk_journal_oldest_waiting_age_seconds",
            "Age of the oldest transaction waiting to be sent (0: none)",
            value=waiting_age,
        )


class KioskMetrics:
    """The registry the endpoint serves: the tally, the journal, the library's round trips."""

    def __init__(
        self,
        tally: Tally,
        journal: Journal | None,
        now: Callable[[], dt.datetime],
        kiosk_id: str = "",
    ) -> None:
        # No `_created` series: a counter's start is the process's (process_start_time_seconds).
        disable_created_metrics()
        self.registry = CollectorRegistry()
        self.round_trips = Histogram(
            "kiosk_library_round_trip_seconds",
            "Seconds from sending a SIP2 request to its answer, by request message code",
            ["code"],
            buckets=ROUND_TRIP_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(TallyCollector(tally, kiosk_id))
        if journal is not None:
            self.registry.register(JournalCollector(journal, now))
        ProcessCollector(registry=self.registry)

    def round_trip(self, code: str, seconds: float) -> None:
        """Sip2Client.on_round_trip: one answered request."""
        # Message codes are two digits; anything else would be outside text as a label.
        self.round_trips.labels(code if len(code) == 2 and code.isdigit() else "other").observe(seconds)

    def text(self) -> str:
        """The exposition, as a scrape would get it."""
        return generate_latest(self.registry).decode("utf-8")


class _QuietHandler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics request: " + format, *args)


class _Server(WSGIServer):
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """Serves `metrics` over HTTP on `bind`:`port` from one thread, until stop()."""

    def __init__(self, metrics: KioskMetrics, bind: str = "127.0.0.1", port: int = 9464) -> None:
        self.metrics = metrics
        server_class = _Server6 if ":" in bind else _Server
        self._server = make_server(
            bind,
            port,
            make_wsgi_app(metrics.registry),
            server_class=server_class,
            handler_class=_QuietHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="metrics-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://[{host}]:{self.port}/metrics" if ":" in host else f"http://{host}:{self.port}/metrics"

    def start(self) -> MetricsServer:
        self._thread.start()
        log.info("metrics on %s", self.url)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def start_metrics(
    settings: Settings, tally: Tally, journal: Journal | None, now: Callable[[], dt.datetime]
) -> MetricsServer | None:
    """The endpoint as [metrics] says, started; None when it is off or cannot listen (the kiosk
    serves patrons regardless, and monitoring sees it down)."""
    m = settings.metrics
    if not m.enabled:
        return None
    metrics = KioskMetrics(tally, journal, now, settings.kiosk.id)
    try:
        server = MetricsServer(metrics, m.bind, m.port)
    except OSError as exc:
        log.error(
            "%s: [metrics] bind = %r, port = %s: cannot listen there (%s); the kiosk runs without metrics",
            settings.source, m.bind, m.port, exc.strerror or exc,
        )  # fmt: skip
        return None
    return server.start()
