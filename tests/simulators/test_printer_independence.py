"""The virtual printer checks the kiosk's ESC/POS encoder instead of echoing it: it imports
none of the kiosk's encoder or layout code, draws with its own fonts and metrics, and an
encoder mistake shows on its paper."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

import kiosk.devices.escpos as escpos
from kiosk.core.receipt import PrintLine
from kiosk.devices.escpos import PROFILES, encode_receipt
from simulators.escpos_render import EscposInterpreter
from simulators.printer import VirtualPrinter
from simulators.printer_paper import DEFAULT_LINE_SPACING, FONT_A, FONT_B, glyph

ROOT = Path(__file__).resolve().parents[2]
PRINTER_SIMULATOR = ["escpos_render.py", "printer.py", "printer_link.py", "printer_paper.py"]
CUT = b"\x1dVB\x00"
URL = "https://lib.example.kr/my?k=K01"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


@pytest.mark.parametrize("name", PRINTER_SIMULATOR)
def test_the_printer_simulator_imports_no_kiosk_encoder_or_layout(name: str) -> None:
    borrowed = {
        m
        for m in imported_modules(ROOT / "simulators" / name)
        if m.startswith(("kiosk.devices", "kiosk.core.receipt"))
    }
    assert borrowed == set()


def render(data: bytes, dots: int = 576, **model: object) -> Image.Image:
    pages: list[Image.Image | None] = []
    EscposInterpreter(dots, on_status=lambda n: None, on_cut=pages.append, **model).feed(data)  # type: ignore[arg-type]
    assert len(pages) == 1 and pages[0] is not None
    return pages[0]


def ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) < 128


def line_tops(page: Image.Image) -> list[int]:
    """The first dot row of each run of inked rows (a printed line or image)."""
    rows = ink(page).any(axis=1)
    return [y for y in range(len(rows)) if rows[y] and (y == 0 or not rows[y - 1])]


def inked_part(dots: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(dots)
    return dots[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def ink_columns(page: Image.Image) -> tuple[int, int]:
    cols = np.nonzero(ink(page).any(axis=0))[0]
    return int(cols.min()), int(cols.max())


def test_the_encoders_metrics_do_not_change_the_printers_paper(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\x1b@" + b"\x1c&" + "대출 K01".encode("cp949") + b"\x1c.\nAB\n\x1bE\x01CD\n" + CUT
    before = ink(render(data))
    monkeypatch.setattr(escpos, "CELL_W", 10)
    monkeypatch.setattr(escpos, "CELL_H", 20)
    monkeypatch.setattr(escpos, "LINE_SPACING", 24)
    monkeypatch.setattr(escpos, "FONT_REGULAR", "/nonexistent.ttc")
    assert np.array_equal(ink(render(data)), before)


# --- an encoder mistake shows on paper, against the printer's own metrics ---


def test_text_lines_advance_the_printers_own_default_spacing_and_esc_3_changes_it() -> None:
    right = render(b"\x1b@H\nH\nH\n" + CUT)
    wrong = render(b"\x1b@\x1b3\x18H\nH\nH\n" + CUT)  # ESC 3 24 left in by mistake
    assert np.diff(line_tops(right)).tolist() == [DEFAULT_LINE_SPACING] * 2 == [30, 30]
    assert np.diff(line_tops(wrong)).tolist() == [24, 24]


def test_a_raster_line_with_a_wrong_feed_shows_as_a_wrong_line_pitch(monkeypatch: pytest.MonkeyPatch) -> None:
    raster = PROFILES["raster-80"]
    lines = [PrintLine("대출"), PrintLine("반납"), PrintLine("연장"), PrintLine(style="cut")]
    right = render(encode_receipt(lines, raster))
    # Raster text lines are drawn by the kiosk and fed to the next line with ESC J: a line
    # spacing of 24 in the encoder makes that feed 0.
    monkeypatch.setattr(escpos, "LINE_SPACING", 24)
    wrong = render(encode_receipt(lines, raster))
    assert np.diff(line_tops(right)).tolist() == [DEFAULT_LINE_SPACING] * 2
    assert np.diff(line_tops(wrong)).tolist() == [24, 24]


def test_a_wrong_size_flag_shows_as_a_wrong_character_size(monkeypatch: pytest.MonkeyPatch) -> None:
    ko80 = PROFILES["generic-80-ko"]
    lines = [PrintLine("AB", "big"), PrintLine(style="cut")]
    a = ink(glyph("A", FONT_A, False, True))
    a_h = int(a.any(axis=1).sum())
    right = render(encode_receipt(lines, ko80))
    monkeypatch.setattr(escpos, "SIZE_DOUBLE", b"\x1d!\x10")  # double width only
    wrong = render(encode_receipt(lines, ko80))
    # "big" is double width and height: 24-dot cells, 48 dots high.
    for page, height in ((right, 2 * a_h), (wrong, a_h)):
        assert int(ink(page).any(axis=1).sum()) == height
        assert ink_columns(page)[1] < 4 * FONT_A.cell_w
        assert ink(page)[:, 2 * FONT_A.cell_w : 4 * FONT_A.cell_w].any()  # B in the second wide cell


def test_single_byte_characters_are_one_half_width_cell_whatever_their_unicode_width() -> None:
    # 0xFA is "·" in code page 437: East Asian "ambiguous", yet one 12-dot cell on a printer.
    page = render(b"\xfaX\n" + CUT)
    x_ink = ink(page)[:, FONT_A.cell_w :]
    first_x = int(np.nonzero(x_ink.any(axis=0))[0].min()) + FONT_A.cell_w
    assert FONT_A.cell_w <= first_x < 2 * FONT_A.cell_w
    assert ink_columns(page)[1] < 2 * FONT_A.cell_w


def test_font_b_is_nine_dots_a_character() -> None:
    page = render(b"\x1bM\x01" + b"I" * 10 + b"\n" + CUT)
    cols = np.nonzero(ink(page).any(axis=0))[0]
    starts = [int(c) for i, c in enumerate(cols) if i == 0 or cols[i - 1] != c - 1]
    assert np.diff(starts).tolist() == [FONT_B.cell_w] * 9


@pytest.mark.parametrize(("codepage", "boxed"), [("ks_x_1001", True), ("cp949", False)])
def test_a_korean_font_prints_only_its_own_character_set(codepage: str, boxed: bool) -> None:
    # 똠 is in CP949's extension, not in KS X 1001: a KS X 1001 font has no glyph for it.
    page = render(b"\x1c&" + "똠".encode("cp949") + b"\x1c.\n" + CUT, codepage=codepage)
    box = ink(glyph("\ufffd", FONT_A, True, False))
    assert ink_columns(page)[1] < 2 * FONT_A.cell_w
    assert np.array_equal(inked_part(ink(page)), inked_part(box)) is boxed


def test_without_a_korean_font_fs_ampersand_is_ignored_and_bytes_print_one_cell_each() -> None:
    data = b"\x1c&" + "대출".encode("cp949") + b"\x1c.\n" + CUT
    with_font = render(data, codepage="ks_x_1001")
    without = render(data, codepage=None)
    assert ink_columns(with_font)[1] < 4 * FONT_A.cell_w
    # Four single-byte cp437 characters, not two Hangul: the same 48 dots, other marks.
    assert not np.array_equal(ink(with_font), ink(without))


def test_native_qr_prints_only_on_a_printer_that_has_it() -> None:
    data = encode_receipt(
        [PrintLine(URL, "qr", "center"), PrintLine("END"), PrintLine(style="cut")], PROFILES["generic-80-ko"]
    )
    assert b"\x1d(k" in data
    assert [r.text for r in zxingcpp.read_barcodes(render(data, qr_native=True))] == [URL]
    assert zxingcpp.read_barcodes(render(data, qr_native=False)) == []


def test_the_printer_model_comes_from_a_profiles_plain_numbers() -> None:
    assert VirtualPrinter.model_of(PROFILES["generic-58-ko"]) == {
        "dots": 384,
        "codepage": "ks_x_1001",
        "qr_native": True,
    }
    assert VirtualPrinter.model_of(PROFILES["raster-80"]) == {
        "dots": 576,
        "codepage": None,
        "qr_native": False,
    }
