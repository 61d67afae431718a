"""`kiosk diag printer` and the screen's check, against the virtual printer on a pty."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk import config
from kiosk.devices.escpos import PROFILES
from kiosk.devices.printer import SerialReceiptPrinter
from kiosk.diagnostics import printer as diag
from simulators.printer import VirtualPrinter

pytestmark = pytest.mark.timeout(30)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    diag.register(parser)
    return diag.main(parser.parse_args(list(argv)))


@pytest.fixture
def vp(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(baud=0, out_dir=tmp_path) as printer:
        yield printer


def test_ready_printer_prints_the_test_page(vp: VirtualPrinter, capsys) -> None:
    assert run("--device", vp.url) == 0
    out = capsys.readouterr().out
    assert "online        yes" in out and "paper         ok" in out
    assert "check: nothing: the printer is ready" in out and "test page: printed" in out
    page = vp.wait_for_receipt(timeout=5)
    with Image.open(page) as img:
        found = [r.text for r in zxingcpp.read_barcodes(img)]
    assert found == [config.load(None).kiosk.account_url or "CHAEKIEUM-KIOSK KIOSK-01"]


def test_58_mm_test_page_ruler_fits_one_line(vp: VirtualPrinter) -> None:
    lines = diag.test_page(PROFILES["generic-58-ko"], "K1", dt.datetime(2026, 1, 1))
    ruler = [x.text for x in lines if x.text.startswith("12345")]
    assert ruler == [("1234567890" * 4)[:32]]


@pytest.mark.parametrize(
    ("act", "expect"),
    [
        (lambda v: v.paper_out(), "paper out: load a new roll"),
        (lambda v: v.cover_open(True), "cover open: close the printer cover"),
        (lambda v: v.cutter_error(True), "cutter error: open the cover, clear the paper"),
        (lambda v: v.go_offline(True), "does not answer status queries"),
    ],
)
def test_faults_say_what_to_check_and_print_nothing(vp: VirtualPrinter, capsys, act, expect: str) -> None:
    act(vp)
    assert run("--device", vp.url) == 1
    out = capsys.readouterr().out
    assert expect in out and "test page: not printed" in out
    assert vp.receipts == []


def test_paper_near_end_still_prints_and_says_so(vp: VirtualPrinter, capsys) -> None:
    vp.paper_near_end(True)
    assert run("--device", vp.url, "--json", "--no-test-page") == 0
    got = json.loads(capsys.readouterr().out)
    assert got["ok"] and got["paper"] == "near_end" and "nearly finished" in got["summary"]
    assert got["test_page"] == {"printed": False, "skipped": True}


def test_no_printer_is_exit_1_with_the_url(capsys) -> None:
    assert run("--device", "/dev/no-such-printer", "--json") == 1
    got = json.loads(capsys.readouterr().out)
    assert (
        got["online"] is None
        and "/dev/no-such-printer" in got["summary"]
        and "check the cable" in got["summary"]
    )


def test_bad_profile_or_sim_device_is_exit_2(capsys) -> None:
    assert run("--device", "/dev/x", "--profile", "nope") == 2
    assert run() == 2  # the default config's device is the simulator
    assert "--device" in capsys.readouterr().out


def test_screen_check(vp: VirtualPrinter) -> None:
    assert diag.check(config.load(None)).ok  # 'sim': started with the kiosk
    p = SerialReceiptPrinter(vp.url, PROFILES["generic-80-ko"])
    try:
        assert diag.status_check(p).ok
        vp.paper_out()
        result = diag.status_check(p)
        assert not result.ok and result.summary.startswith("paper out")
        assert result.details["paper"] == "out"
    finally:
        p.close()
    assert vp.receipts == []  # the screen's check never prints
