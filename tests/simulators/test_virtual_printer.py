"""The virtual ESC/POS printer: stream parsing, rendering, status answers, faults, transports."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import serial
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.core.model import Language, Loan
from kiosk.core.receipt import PrintLine, Receipt, layout
from kiosk.devices.escpos import PROFILES, encode_receipt, raster_bytes, status_query
from simulators.escpos_render import EscposInterpreter
from simulators.printer import VirtualPrinter, main
from simulators.printer_paper import FONT_A, glyph

pytestmark = pytest.mark.timeout(30)

URL = "https://lib.example.kr/my?k=K01"


def receipt() -> Receipt:
    return Receipt(
        library_name="서울도서관",
        kiosk_id="K01",
        at=dt.datetime(2026, 3, 2, 14, 5),
        language=Language.KO,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=(Loan("EM0000123456", "채식주의자", dt.date(2026, 3, 17)),),
        loans_total=1,
        account_url=URL,
    )


def render(data: bytes, dots: int = 576, **model: object) -> list[Image.Image | None]:
    """Pages cut from `data`, fed to a bare interpreter (no threads, no pty)."""
    pages: list[Image.Image | None] = []
    EscposInterpreter(dots, on_status=lambda n: None, on_cut=pages.append, **model).feed(data)  # type: ignore[arg-type]
    return pages


def render_as(profile_name: str, data: bytes) -> list[Image.Image | None]:
    """Pages cut from `data` by the printer model a kiosk printer profile describes."""
    model = VirtualPrinter.model_of(PROFILES[profile_name])
    dots = model.pop("dots")
    return render(data, dots, **model)  # type: ignore[arg-type]


def ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) < 128


def ink_box(img: Image.Image) -> tuple[int, int]:
    rows, cols = np.nonzero(ink(img))
    return int(cols.max() - cols.min() + 1), int(rows.max() - rows.min() + 1)


CUT = b"\x1dVB\x00"


@pytest.fixture
def vp(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(baud=0, out_dir=tmp_path) as printer:
        yield printer


@pytest.fixture
def port(vp: VirtualPrinter) -> Iterator[serial.SerialBase]:
    p = serial.serial_for_url(vp.url, timeout=1)
    yield p
    p.close()


def ask(port: serial.SerialBase, n: int) -> bytes:
    port.reset_input_buffer()
    port.write(status_query(n))
    return port.read(1)


# --- the interpreter on its own ---


def test_any_chunking_renders_the_same_page() -> None:
    data = encode_receipt(layout(receipt(), 48), PROFILES["generic-80-ko"])
    whole = render(data)
    pieces: list[Image.Image | None] = []
    interp = EscposInterpreter(576, on_status=lambda n: None, on_cut=pieces.append)
    for i in range(len(data)):
        interp.feed(data[i : i + 1])
    assert len(whole) == len(pieces) == 1
    assert whole[0] is not None and pieces[0] is not None
    assert np.array_equal(ink(whole[0]), ink(pieces[0]))


def test_korean_double_byte_text_is_decoded_and_drawn() -> None:
    page = render(b"\x1b@\x1c&" + "대출".encode("cp949") + b"\x1c.\n" + CUT)[0]
    assert page is not None
    # Two full-width cells of the printer's own font A, 24 dots each, at the left margin.
    expected = np.hstack([ink(glyph(ch, FONT_A, True, False)) for ch in "대출"])
    rows = np.nonzero(ink(page).any(axis=1))[0]
    top = rows.min() - np.nonzero(expected.any(axis=1))[0].min()
    assert np.array_equal(ink(page)[top : top + FONT_A.cell_h, : 4 * FONT_A.cell_w], expected)
    assert not ink(page)[:, 4 * FONT_A.cell_w :].any()


def test_double_size_and_bold_are_honoured() -> None:
    normal = render(b"AB\n" + CUT)[0]
    big = render(b"\x1d!\x11AB\n\x1d!\x00" + CUT)[0]
    bold = render(b"\x1bE\x01AB\n" + CUT)[0]
    assert normal is not None and big is not None and bold is not None
    (w, h), (bw, bh) = ink_box(normal), ink_box(big)
    assert (bw, bh) == (2 * w, 2 * h)
    assert ink(bold).sum() > ink(normal).sum() * 1.2


def test_alignment_centre() -> None:
    page = render(b"\x1ba\x01AB\n" + CUT)[0]
    assert page is not None
    cols = np.nonzero(ink(page).any(axis=0))[0]
    assert abs((cols.min() + cols.max()) / 2 - 288) < 12


def test_raster_image_lands_where_sent() -> None:
    square = Image.new("L", (64, 40), 255)
    square.paste(0, (8, 0, 24, 40))  # a black bar at x 8-23
    page = render(raster_bytes(square) + CUT)[0]
    assert page is not None
    rows, cols = np.nonzero(ink(page))
    assert (cols.min(), cols.max(), rows.max() - rows.min() + 1) == (8, 23, 40)


def test_unknown_commands_are_stepped_over() -> None:
    pages: list[Image.Image | None] = []
    interp = EscposInterpreter(576, on_status=lambda n: None, on_cut=pages.append)
    interp.feed(
        b"\x1b@\x1b~\x1dz\x1c\x7f\x1b-\x01\x1dk\x04123\x00\x1d(L\x02\x000p"
        b"\x1b*\x00\x02\x00\xff\xff\x10\x14\x01\x00\x01HELLO\n" + CUT
    )
    assert len(pages) == 1 and pages[0] is not None
    assert interp.skipped > 0
    assert ink(pages[0]).any()


def test_oversized_qr_and_raster_do_not_break_the_stream() -> None:
    data = b"1P0" + b"x" * 5000  # more than a QR code holds
    too_wide = b"\x1dv0\x00" + (200).to_bytes(2, "little") + (3).to_bytes(2, "little") + b"\xff" * 600
    stream = b"\x1d(k" + len(data).to_bytes(2, "little") + data + b"\x1d(k\x03\x001Q0" + too_wide
    page = render(stream + b"AFTER\n" + CUT)[0]
    assert page is not None and page.width == 576
    assert ink(page)[:, 575].any()  # the wide image was cropped to the head, and text follows


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_PREFIXES = [
    b"\x1b",
    b"\x1d",
    b"\x1c",
    b"\x10\x04",
    b"\x1dv0",
    b"\x1d(k",
    b"\x1c&",
    b"\x1d!",
    b"\x1dV",
    b"\n",
    b"\x1b!",
    b"\x1dk",
    b"\x1ba",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PREFIXES), st.binary(max_size=12)), max_size=40))
def test_garbage_is_handled_by_the_parser_not_the_safety_net(parts: list[bytes]) -> None:
    handler = _Collect()
    logger = logging.getLogger("simulators.escpos_render")
    logger.addHandler(handler)
    try:
        interp = EscposInterpreter(576, on_status=lambda n: None, on_cut=lambda page: None)
        interp.feed(b"".join(parts))
        interp.feed(b"\x00" * 16 + b"\n\x1dVB\x00")
    finally:
        logger.removeHandler(handler)
    assert handler.records == []


def test_cut_with_nothing_printed_is_no_receipt() -> None:
    assert render(b"\x1b@" + CUT) == [None]


@pytest.mark.parametrize("profile", ["generic-80-ko", "raster-80", "raster-80-qr"])
def test_qr_code_on_paper_decodes_to_the_account_url(profile: str) -> None:
    p = PROFILES[profile]
    page = render_as(profile, encode_receipt([PrintLine(URL, "qr", "center"), PrintLine(style="cut")], p))[0]
    assert page is not None
    found = zxingcpp.read_barcodes(page)
    assert [r.text for r in found] == [URL]


# --- the printer on a pty ---


def test_receipt_over_the_pty_becomes_a_png(vp: VirtualPrinter, port: serial.SerialBase) -> None:
    data = encode_receipt(layout(receipt(), 48), PROFILES["generic-80-ko"])
    port.write(data)
    path = vp.wait_for_receipt(timeout=5)
    assert path.parent == vp.out_dir and path.suffix == ".png"
    assert vp.receipts == [path]
    assert vp.received_bytes == data
    with Image.open(path) as img:
        assert img.width == 576
        assert ink(img).any(axis=1).sum() > 100


def test_status_answers(vp: VirtualPrinter, port: serial.SerialBase) -> None:
    assert [ask(port, n) for n in (1, 2, 3, 4)] == [b"\x12"] * 4
    vp.paper_near_end()
    assert ask(port, 4) == b"\x1e"
    vp.paper_out()
    assert ask(port, 4) == b"\x7e"  # near end and out
    vp.paper_near_end(False)
    assert (ask(port, 1), ask(port, 2), ask(port, 4)) == (b"\x1a", b"\x32", b"\x72")
    vp.paper_in()
    vp.cover_open(True)
    assert (ask(port, 1), ask(port, 2)) == (b"\x1a", b"\x16")
    vp.cover_open(False)
    assert ask(port, 1) == b"\x12"


def test_offline_printer_does_not_answer(vp: VirtualPrinter) -> None:
    vp.go_offline(True)
    p = serial.serial_for_url(vp.url, timeout=0.2)
    try:
        assert ask(p, 1) == b""
    finally:
        p.close()


def test_paper_out_discards_what_would_print(vp: VirtualPrinter, port: serial.SerialBase) -> None:
    vp.paper_out()
    port.write(b"\x1b@LOST\n" + CUT)
    assert ask(port, 4) == b"\x72"  # replies come after the bytes before them are handled
    assert vp.receipts == []
    vp.paper_in()
    port.write(b"\x1b@FOUND\n" + CUT)
    assert vp.wait_for_receipt(timeout=5).name == "receipt-0001.png"


def test_wait_for_receipt_times_out(vp: VirtualPrinter) -> None:
    with pytest.raises(TimeoutError):
        vp.wait_for_receipt(timeout=0.1)


@pytest.mark.parametrize("fault", ["paper_out_after", "paper_out_after:x", "jam", "offline:1"])
def test_unknown_fault_is_a_clear_error(fault: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="known"):
        VirtualPrinter(faults=[fault], out_dir=tmp_path)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        VirtualPrinter(baud=-1, out_dir=tmp_path)
    with pytest.raises(ValueError):
        VirtualPrinter(dots=500, out_dir=tmp_path)


def test_close_stops_the_reader_promptly(tmp_path: Path) -> None:
    printer = VirtualPrinter(baud=9600, out_dir=tmp_path)
    printer.close()
    assert not printer._thread.is_alive()
    printer.close()  # twice is harmless


# --- the printer on TCP ---


def test_tcp_mode(tmp_path: Path) -> None:
    with VirtualPrinter.tcp(out_dir=tmp_path, baud=0) as printer:
        assert printer.url.startswith("socket://127.0.0.1:")
        host, port = printer.url.removeprefix("socket://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=2) as conn:
            conn.sendall(b"\x1b@HELLO\n" + CUT + status_query(1))
            assert conn.recv(1) == b"\x12"
        assert printer.wait_for_receipt(timeout=5).exists()


def test_cli_rejects_an_unknown_fault(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--out", str(tmp_path), "--fault", "jam"])
    assert exc.value.code == 2


# --- flow control and unplugging ---


def test_xon_xoff_printer_says_when_it_cannot_take_data(tmp_path: Path) -> None:
    with VirtualPrinter(baud=0, out_dir=tmp_path, flow_control="xonxoff") as v:
        p = serial.serial_for_url(v.url, timeout=1)  # no IXON here: the XON/XOFF bytes are visible
        try:
            v.hold(True)
            assert p.read(1) == b"\x13"
            v.paper_out()  # already held: no second XOFF
            v.hold(False)  # still no paper: stays held
            assert p.read(1) == b""
            v.paper_in()
            assert p.read(1) == b"\x11"
            v.cover_open(True)
            v.cover_open(False)
            assert p.read(2) == b"\x13\x11"
        finally:
            p.close()
        assert v.xoff_sent == 2
    with pytest.raises(ValueError, match="xonxoff"):
        VirtualPrinter(out_dir=tmp_path, flow_control="rtscts")  # a pty has no RTS/CTS lines


def test_drop_connection_on_tcp_cuts_the_client_and_takes_the_next(tmp_path: Path) -> None:
    with VirtualPrinter.tcp(out_dir=tmp_path, baud=0) as printer:
        host, port = printer.url.removeprefix("socket://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=2) as conn:
            conn.sendall(status_query(1))
            assert conn.recv(1) == b"\x12"
            printer.drop_connection()
            assert conn.recv(1) == b""  # EOF: the cable is out
        with socket.create_connection((host, int(port)), timeout=2) as conn:
            conn.sendall(b"\x1b@AGAIN\n" + CUT + status_query(1))
            assert conn.recv(1) == b"\x12"
        assert printer.wait_for_receipt(timeout=5).exists()


def test_drop_connection_on_a_pty_hangs_up_and_offers_a_new_port(vp: VirtualPrinter) -> None:
    old = serial.serial_for_url(vp.url, timeout=0.5)
    old_url = vp.url
    try:
        vp.drop_connection()
        with pytest.raises(serial.SerialException):
            old.write(status_query(1))
            old.read(1)
            old.read(1)  # pyserial reports a hung-up tty on read
    finally:
        old.close()
    assert vp.url != old_url
    new = serial.serial_for_url(vp.url, timeout=1)
    try:
        assert ask(new, 1) == b"\x12"
    finally:
        new.close()


@pytest.mark.parametrize("profile", ["raster-58", "generic-58-ko"])
def test_58_mm_receipt_is_384_dots_and_its_qr_reads(profile: str) -> None:
    p = PROFILES[profile]
    page = render_as(profile, encode_receipt(layout(receipt(), p.cells), p))[0]
    assert page is not None and page.width == 384
    assert [r.text for r in zxingcpp.read_barcodes(page)] == [URL]
