"""The printer check against the virtual printer on a pty: ready, each fault it offers, no reply; a
test page; standalone and on the running kiosk's adapter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk import config
from kiosk.devices.escpos import PROFILES
from kiosk.devices.printer import ADVICE
from kiosk.diagnostics import Live
from kiosk.diagnostics import printer as diag
from simulators.printer import VirtualPrinter

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def printer_file(settings_file: Callable[..., Path], printer: VirtualPrinter) -> Path:
    return settings_file(printer={"device": printer.url})


def test_a_ready_printer_is_ok_with_its_status_bits(printer_file, printer):
    result = diag.check(config.load(printer_file))
    assert result.verdict == "ok" and result.advice == ()
    e = result.evidence
    assert (e["online"], e["cover_open"], e["paper"], e["cutter_error"]) == (True, False, "ok", False)
    assert e["paper_near_end"] is False and e["paper_out"] is False and e["test_page"] is None
    assert printer.receipts == []  # status only unless asked


def test_the_test_page_prints_and_is_measured(printer_file, printer):
    settings = config.load(printer_file)
    result = diag.check(settings, test_page=True)
    assert result.verdict == "ok", result.summary
    page = result.evidence["test_page"]
    assert page["printed"] and page["bytes"] > 200 and page["bytes_per_s"] > 0
    assert f"test page printed at {page['bytes_per_s']:.0f} bytes/s" in result.summary
    with Image.open(printer.wait_for_receipt(timeout=10)) as img:
        found = [r.text for r in zxingcpp.read_barcodes(img)]
    assert found == [settings.kiosk.account_url or f"CHAEKIEUM-KIOSK {settings.kiosk.id}"]


def test_58_mm_test_page_ruler_fits_one_line():
    lines = diag.test_page(PROFILES["generic-58-ko"], "K1", dt.datetime(2026, 1, 1))
    ruler = [x.text for x in lines if x.text.startswith("12345")]
    assert ruler == [("1234567890" * 4)[:32]]


@pytest.mark.parametrize(
    ("act", "said", "advice"),
    [
        (lambda v: v.paper_out(), "paper out", ADVICE["paper_out"]),
        (lambda v: v.cover_open(True), "cover open", ADVICE["cover_open"]),
        (lambda v: v.cutter_error(True), "cutter error", ADVICE["cutter_error"]),
        (lambda v: v.go_offline(True), "status unknown (no reply to status queries)", ADVICE["no_answer"]),
    ],
)
def test_each_fault_fails_with_its_advice_and_prints_nothing(printer_file, printer, act, said, advice):
    act(printer)
    result = diag.check(config.load(printer_file), test_page=True)
    assert result.verdict == "failed" and result.summary == f"printer on {printer.url}: {said}"
    assert result.advice == (advice,)
    assert result.evidence["test_page"] is None
    assert printer.receipts == []


def test_paper_near_end_is_a_warning(printer_file, printer):
    printer.paper_near_end(True)
    result = diag.check(config.load(printer_file))
    assert result.verdict == "warning" and result.evidence["paper_near_end"] is True
    assert result.advice == (ADVICE["near_end"],)


def test_a_printer_that_is_not_there_is_failed_status_unknown(settings_file):
    result = diag.check(config.load(settings_file(printer={"device": "/dev/no-such-printer"})))
    assert result.verdict == "failed"
    assert result.summary == "printer on /dev/no-such-printer: status unknown (cannot be opened)"
    assert result.advice == (ADVICE["unreachable"],) and result.evidence["online"] is None


def test_the_running_kiosks_printer_is_asked_on_its_own_port(built):
    kiosk = built(config.load(None))
    live = Live.of(kiosk)
    vp = kiosk.sims.printer
    assert diag.check(kiosk.settings, live).verdict == "ok"
    vp.paper_out()
    result = diag.check(kiosk.settings, live, test_page=True)
    assert result.verdict == "failed" and result.evidence["url"] == live.printer.url
    assert result.advice == (ADVICE["paper_out"],)
    vp.paper_in()
    vp.cover_open(True)
    assert diag.check(kiosk.settings, live).advice == (ADVICE["cover_open"],)
    vp.cover_open(False)
    result = diag.check(kiosk.settings, live, test_page=True)
    assert result.verdict == "ok" and result.evidence["test_page"]["printed"]
    assert vp.wait_for_receipt(timeout=10).exists()
