"""SerialReceiptPrinter against the virtual printer over a real pty and a real TCP socket."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.core.errors import ConfigError
from kiosk.core.messages import text
from kiosk.core.model import Language, Loan, PrintOutcome
from kiosk.core.receipt import Receipt, layout
from kiosk.devices.escpos import PROFILES, PrinterProfile, encode_receipt
from kiosk.devices.printer import PrinterUrl, SerialReceiptPrinter, parse_printer_url, split_printer_url
from simulators.printer import VirtualPrinter

pytestmark = pytest.mark.timeout(30)

KO80 = PROFILES["generic-80-ko"]
# Generous, so a loaded CI machine is not mistaken for a silent printer.
WAIT = 1.0
STATUS_QUERY = re.compile(rb"\x10\x04[\x01-\x04]")


def receipt(n_items: int = 3) -> Receipt:
    loans = tuple(
        Loan(f"EM00001234{i:02d}", f"소년이 온다 {i}권", dt.date(2026, 3, 17)) for i in range(n_items)
    )
    return Receipt(
        library_name="서울도서관",
        kiosk_id="SEOUL-K01",
        at=dt.datetime(2026, 3, 2, 14, 5),
        language=Language.KO,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=loans,
        loans_total=5,
        account_url="https://lib.example.kr/my",
        footer="책이음 서비스를 이용해 주셔서 감사합니다",
    )


def receipt_bytes(received: bytes) -> bytes:
    """What was sent, minus the status queries interleaved with it."""
    return STATUS_QUERY.sub(b"", received)


def dark_rows(path: Path) -> int:
    ink = np.asarray(Image.open(path).convert("L")) < 128
    return int(ink.any(axis=1).sum())


@pytest.fixture
def vp(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(baud=0, out_dir=tmp_path) as printer:
        yield printer


@pytest.fixture
def printer(vp: VirtualPrinter) -> Iterator[SerialReceiptPrinter]:
    p = SerialReceiptPrinter(vp.url, KO80, status_timeout=WAIT)
    yield p
    p.close()


def test_receipt_goes_through_a_pty_onto_paper(vp: VirtualPrinter, printer: SerialReceiptPrinter) -> None:
    outcome = printer.print_receipt(receipt())
    assert outcome.ok, outcome
    png = vp.wait_for_receipt(timeout=5)
    with Image.open(png) as img:
        assert img.width == 576
        assert 500 < img.height < 3000
    assert dark_rows(png) > 200  # a dozen lines of 24-dot text and a QR code, not a blank page
    sent = receipt_bytes(vp.received_bytes)
    assert sent == encode_receipt(layout(receipt(), 48), KO80)


@pytest.mark.timeout(20)
def test_paced_at_19200_baud_the_status_replies_wait_for_the_data(tmp_path: Path) -> None:
    with VirtualPrinter(baud=19200, out_dir=tmp_path) as slow:
        p = SerialReceiptPrinter(slow.url + "?baud=19200", KO80, status_timeout=WAIT, chunk_size=512)
        try:
            assert p.print_receipt(receipt(1)).ok
        finally:
            p.close()
        assert slow.wait_for_receipt(timeout=5).exists()


def test_paper_out_before_printing_then_whole_receipt_after_paper_in(
    vp: VirtualPrinter, printer: SerialReceiptPrinter
) -> None:
    vp.paper_out()
    outcome = printer.print_receipt(receipt())
    assert not outcome.ok
    assert outcome.reason == "printer.paper_out"
    assert outcome.detail.startswith(f"printer on {vp.url} reports paper out: load a new roll")
    assert receipt_bytes(vp.received_bytes) == b""  # nothing but status queries was sent
    assert printer.status()["paper"] == "out"

    vp.paper_in()
    outcome = printer.print_receipt(receipt())
    assert outcome.ok, outcome
    png = vp.wait_for_receipt(timeout=5)
    assert png.name == "receipt-0001.png"
    assert receipt_bytes(vp.received_bytes) == encode_receipt(layout(receipt(), 48), KO80)


def test_paper_out_in_mid_receipt_is_a_failure_and_stops_sending(tmp_path: Path) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, faults=["paper_out_after_lines:4"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT, chunk_size=128)
        try:
            outcome = p.print_receipt(receipt(6))
        finally:
            p.close()
        assert (outcome.ok, outcome.reason) == (False, "printer.paper_out")
        assert "mid-receipt" in outcome.detail
        assert v.receipts == []
        full = encode_receipt(layout(receipt(6), 48), KO80)
        assert len(receipt_bytes(v.received_bytes)) < len(full)


def test_paper_out_after_a_number_of_receipts(tmp_path: Path) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, faults=["paper_out_after:1"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT)
        try:
            assert p.print_receipt(receipt(1)).ok
            # The roll ends while the second receipt prints, and stays out for the third.
            second = p.print_receipt(receipt(1))
            assert (second.reason, "mid-receipt" in second.detail) == ("printer.paper_out", True)
            third = p.print_receipt(receipt(1))
            assert third.detail.startswith(f"printer on {v.url} reports paper out:")
        finally:
            p.close()
        assert len(v.receipts) == 1


@pytest.mark.timeout(5)
def test_no_reply_is_offline_never_fine(vp: VirtualPrinter, printer: SerialReceiptPrinter) -> None:
    vp.go_offline(True)
    outcome = printer.print_receipt(receipt())
    assert (outcome.ok, outcome.reason) == (False, "printer.offline")
    assert vp.url in outcome.detail
    assert receipt_bytes(vp.received_bytes) == b""
    status = printer.status()
    assert status["online"] is None and status["paper"] == "unknown"

    vp.go_offline(False)
    assert printer.print_receipt(receipt()).ok


def test_cover_open_and_cutter_error_are_printer_failures(tmp_path: Path) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, faults=["cover_open"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT)
        try:
            outcome = p.print_receipt(receipt())
            assert (outcome.reason, "cover open" in outcome.detail) == ("printer.failed", True)
            assert p.status()["cover_open"] is True
            v.cover_open(False)
            v.paper_near_end(True)
            outcome = p.print_receipt(receipt())
            assert outcome.ok and "near end" in outcome.detail
        finally:
            p.close()
    with VirtualPrinter(baud=0, out_dir=tmp_path / "b", faults=["cutter_error"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT)
        try:
            outcome = p.print_receipt(receipt())
            assert outcome.reason == "printer.failed" and "clear the paper jammed" in outcome.detail
            assert p.status()["error"] is True and p.status()["cutter_error"] is True
        finally:
            p.close()


def test_status_of_a_healthy_printer(printer: SerialReceiptPrinter) -> None:
    assert printer.status() == {
        "url": printer.url,
        "online": True,
        "paper": "ok",
        "cover_open": False,
        "error": False,
        "cutter_error": False,
        "detail": "",
    }


def test_tcp_printer_via_socket_url(tmp_path: Path) -> None:
    with VirtualPrinter.tcp(out_dir=tmp_path, baud=0) as v:
        assert v.url.startswith("socket://127.0.0.1:")
        p = SerialReceiptPrinter(v.url, PROFILES["raster-80"], status_timeout=WAIT)
        try:
            outcome = p.print_receipt(receipt())
        finally:
            p.close()
        assert outcome.ok, outcome
        assert dark_rows(v.wait_for_receipt(timeout=5)) > 200


def test_unreachable_printer_is_offline_and_reopens_when_back(tmp_path: Path) -> None:
    with VirtualPrinter.tcp(out_dir=tmp_path, baud=0) as gone:
        url = gone.url
    p = SerialReceiptPrinter(url, KO80, status_timeout=WAIT)
    try:
        outcome = p.print_receipt(receipt())
        assert (outcome.ok, outcome.reason) == (False, "printer.offline")
        assert "unreachable" in outcome.detail
        port = int(url.rsplit(":", 1)[1])
        with VirtualPrinter.tcp(port=port, out_dir=tmp_path, baud=0) as back:
            assert p.print_receipt(receipt()).ok
            assert back.wait_for_receipt(timeout=5)
    finally:
        p.close()


def test_missing_device_path_is_an_outcome_not_an_exception() -> None:
    for url in ("/dev/no-such-printer?baud=9600", "socket://no-port-given"):
        p = SerialReceiptPrinter(url, KO80)
        outcome = p.print_receipt(receipt())
        assert (outcome.ok, outcome.reason) == (False, "printer.offline")
        assert p.status()["online"] is None
        p.close()


def test_unencodable_receipt_is_a_failed_outcome(vp: VirtualPrinter) -> None:
    broken = PrinterProfile("nofont", korean="raster", font_path="/nonexistent/font.ttc")
    p = SerialReceiptPrinter(vp.url, broken, status_timeout=WAIT)
    outcome = p.print_receipt(receipt())
    assert (outcome.ok, outcome.reason) == (False, "printer.failed")
    assert "fonts-noto-cjk" in outcome.detail
    p.close()


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("/dev/ttyUSB0?baud=9600", ("/dev/ttyUSB0", 9600)),
        ("/dev/ttyUSB0", ("/dev/ttyUSB0", 19200)),
        ("/dev/pts/5", ("/dev/pts/5", 19200)),
        ("socket://10.0.0.5:9100", ("socket://10.0.0.5:9100", 19200)),
        (
            "socket://10.0.0.5:9100?logging=debug&baud=9600",
            ("socket://10.0.0.5:9100?logging=debug", 9600),
        ),
    ],
)
def test_split_printer_url(url: str, expect: tuple[str, int]) -> None:
    assert split_printer_url(url) == expect


@pytest.mark.parametrize("url", ["", "  ", "/dev/ttyUSB0?baud=fast", "/dev/ttyUSB0?baud=0", "lpt://printer"])
def test_bad_printer_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        SerialReceiptPrinter(url, KO80)


# --- faults: what the patron sees, what the technician sees, nothing lost or doubled ---


def patron_text(outcome: PrintOutcome) -> str:
    return text("goodbye.no_receipt", Language.KO, reason=outcome.reason)


@pytest.mark.parametrize(
    ("fault", "reason", "advice"),
    [
        ("cover_open", "printer.failed", "close the printer cover"),
        ("offline", "printer.offline", "baud rate in the URL"),
        ("paper_out", "printer.paper_out", "load a new roll"),
        ("cutter_error", "printer.failed", "jammed at the cutter"),
    ],
)
def test_fault_then_fix_then_one_whole_receipt(tmp_path: Path, fault: str, reason: str, advice: str) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, faults=[fault]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT)
        try:
            outcome = p.print_receipt(receipt())
            assert (outcome.ok, outcome.reason) == (False, reason)
            assert v.url in outcome.detail and advice in outcome.detail
            assert "대출은 모두 기록되었습니다" in patron_text(outcome)
            assert receipt_bytes(v.received_bytes) == b""
            {
                "cover_open": lambda: v.cover_open(False),
                "offline": lambda: v.go_offline(False),
                "paper_out": v.paper_in,
                "cutter_error": lambda: v.cutter_error(False),
            }[fault]()
            assert p.print_receipt(receipt()).ok
        finally:
            p.close()
        v.wait_for_receipt(timeout=5)
        assert len(v.receipts) == 1
        assert receipt_bytes(v.received_bytes) == encode_receipt(layout(receipt(), 48), KO80)


def test_paper_out_mid_receipt_then_paper_in_prints_the_next_whole(tmp_path: Path) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, faults=["paper_out_after_lines:6"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT, chunk_size=128)
        try:
            first = p.print_receipt(receipt(6))
            assert (first.reason, "mid-receipt" in first.detail) == ("printer.paper_out", True)
            assert p.status()["paper"] == "out"
            v.paper_in()
            before = len(v.received_bytes)
            assert p.print_receipt(receipt(6)).ok
        finally:
            p.close()
        png = v.wait_for_receipt(timeout=5)
        assert v.receipts == [png]
        assert receipt_bytes(v.received_bytes[before:]) == encode_receipt(layout(receipt(6), 48), KO80)
        assert dark_rows(png) > 300


def test_dropped_tcp_connection_then_the_next_receipt_prints_whole(tmp_path: Path) -> None:
    with VirtualPrinter.tcp(out_dir=tmp_path, baud=0, faults=["drop_connection"]) as v:
        p = SerialReceiptPrinter(v.url, KO80, status_timeout=WAIT)
        try:
            outcome = p.print_receipt(receipt())
            assert (outcome.ok, outcome.reason) == (False, "printer.offline")
            assert v.url in outcome.detail and "check the cable" in outcome.detail
            assert v.receipts == []
            assert p.print_receipt(receipt()).ok
        finally:
            p.close()
        v.wait_for_receipt(timeout=5)
        assert len(v.receipts) == 1


def test_unplugged_pty_is_offline_with_what_to_check(vp: VirtualPrinter) -> None:
    p = SerialReceiptPrinter(vp.url, KO80, status_timeout=0.3)
    try:
        assert p.status()["online"] is True
        vp.drop_connection()
        outcome = p.print_receipt(receipt())
        assert (outcome.ok, outcome.reason) == (False, "printer.offline")
        assert "check" in outcome.detail
        assert p.status()["online"] is None
    finally:
        p.close()
    assert vp.receipts == []


# --- flow control ---


@pytest.fixture
def xon(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(baud=0, out_dir=tmp_path, flow_control="xonxoff") as printer:
        yield printer


def test_xoff_holds_the_kiosk_and_xon_lets_the_next_receipt_through(xon: VirtualPrinter) -> None:
    p = SerialReceiptPrinter(xon.url + "?flow=xonxoff", KO80, status_timeout=WAIT, write_timeout=0.5)
    try:
        assert p.status()["online"] is True  # the port is open: an XOFF before that is flushed
        xon.hold(True)  # receive buffer full: XOFF on the line, the pty's IXON stops our writes
        time.sleep(0.2)  # the kernel acts on a received XOFF in its own time, as a UART driver does
        outcome = p.print_receipt(receipt())
        assert (outcome.ok, outcome.reason) == (False, "printer.offline")
        assert "stopped taking data" in outcome.detail and "flow control xonxoff" in outcome.detail
        assert receipt_bytes(xon.received_bytes) == b""
        xon.hold(False)
        assert p.print_receipt(receipt()).ok
    finally:
        p.close()
    xon.wait_for_receipt(timeout=5)
    assert len(xon.receipts) == 1 and xon.xoff_sent == 1


def test_a_brief_xoff_in_mid_receipt_only_delays_it(xon: VirtualPrinter) -> None:
    raster = PROFILES["raster-80"]  # tens of kilobytes: the XOFF lands while we send
    p = SerialReceiptPrinter(xon.url + "?flow=xonxoff", raster, status_timeout=WAIT, write_timeout=5)
    release = threading.Timer(0.3, xon.hold, (False,))
    try:
        assert p.status()["online"] is True
        xon.hold(True)
        release.start()
        assert p.print_receipt(receipt()).ok
    finally:
        release.join()
        p.close()
    xon.wait_for_receipt(timeout=5)
    assert receipt_bytes(xon.received_bytes) == encode_receipt(layout(receipt(), 48), raster)


def test_paper_out_under_xon_xoff_is_still_paper_out(tmp_path: Path) -> None:
    with VirtualPrinter(
        baud=0, out_dir=tmp_path, faults=["paper_out_after_lines:3"], flow_control="xonxoff"
    ) as v:
        p = SerialReceiptPrinter(
            v.url + "?flow=xonxoff", PROFILES["raster-80"], status_timeout=WAIT, write_timeout=0.5
        )
        try:
            assert p.flow_control == "xonxoff"
            outcome = p.print_receipt(receipt(6))
            assert outcome.reason == "printer.paper_out" and "mid-receipt" in outcome.detail
            v.paper_in()
            assert p.print_receipt(receipt(1)).ok
        finally:
            p.close()
        v.wait_for_receipt(timeout=5)
        assert len(v.receipts) == 1


def test_rtscts_from_the_profile_or_the_url_reaches_pyserial(vp: VirtualPrinter) -> None:
    # A pty has no RTS/CTS wires (Linux ignores CRTSCTS on it): this checks the setting only.
    hw = PrinterProfile("hw", flow_control="rtscts")
    for p in (SerialReceiptPrinter(vp.url, hw), SerialReceiptPrinter(vp.url + "?flow=rtscts", KO80)):
        try:
            assert p.status()["online"] is True
            assert p._port is not None and p._port.rtscts and not p._port.xonxoff
        finally:
            p.close()


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("/dev/ttyUSB0?baud=9600&flow=rtscts", PrinterUrl("/dev/ttyUSB0", 9600, "rtscts")),
        ("socket://h:9100?flow=xonxoff", PrinterUrl("socket://h:9100", 19200, "xonxoff")),
        ("/dev/ttyS0", PrinterUrl("/dev/ttyS0", 19200, "none")),
    ],
)
def test_parse_printer_url(url: str, expect: PrinterUrl) -> None:
    assert parse_printer_url(url) == expect


def test_bad_flow_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="flow"):
        SerialReceiptPrinter("/dev/ttyUSB0?flow=dtr", KO80)
    with pytest.raises(ConfigError, match="flow_control"):
        PrinterProfile("bad", flow_control="dsrdtr")
