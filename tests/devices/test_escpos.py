"""ESC/POS codec: exact bytes for small inputs, raster fallback, status byte parsing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from escpos.printer import Dummy

from kiosk.core.errors import ConfigError
from kiosk.core.model import Language, Loan
from kiosk.core.receipt import PrintLine, Receipt, layout
from kiosk.devices.escpos import (
    INIT,
    PROFILES,
    PrinterProfile,
    encode_line,
    encode_receipt,
    encode_receipt_parts,
    get_profile,
    parse_status,
    status_query,
)

KO80 = PROFILES["generic-80-ko"]
KO58 = PROFILES["generic-58-ko"]
RASTER = PROFILES["raster-80"]


def receipt() -> Receipt:
    return Receipt(
        library_name="서울도서관",
        kiosk_id="K01",
        at=dt.datetime(2026, 3, 2, 14, 5),
        language=Language.KO,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=(
            Loan("EM0000123456", "채식주의자", dt.date(2026, 3, 17)),
            Loan("EM0000123457", "소년이 온다", dt.date(2026, 3, 17)),
        ),
        loans_total=4,
        account_url="https://lib.example.kr/my",
        footer="감사합니다",
    )


def test_korean_line_is_fs_ampersand_cp949_fs_dot() -> None:
    got = encode_receipt([PrintLine("대출")], KO80)
    assert got == b"\x1b@" + b"\x1c&" + b"\xb4\xeb\xc3\xe2" + b"\x1c." + b"\n"


def test_ascii_line_needs_no_korean_mode() -> None:
    assert encode_receipt([PrintLine("K01 2026")], KO80) == b"\x1b@K01 2026\n"


def test_mixed_line_is_one_korean_block() -> None:
    got = encode_line(PrintLine("반납일 03-17"), KO80)
    assert got == b"\x1c&" + "반납일 03-17".encode("cp949") + b"\x1c.\n"


def test_styles_and_alignment_exact_bytes() -> None:
    lines = [
        PrintLine("AB", "big", "center"),
        PrintLine("T", "bold", "center"),
        PrintLine("x"),
        PrintLine(style="feed"),
        PrintLine(style="cut"),
    ]
    assert encode_receipt(lines, KO80) == (
        b"\x1b@"
        + b"\x1ba\x01"
        + b"\x1d!\x11\x1bE\x01AB\n\x1bE\x00\x1d!\x00"
        + b"\x1bE\x01T\n\x1bE\x00"
        + b"\x1ba\x00"
        + b"x\n"
        + b"\x1bd\x03"
        + b"\x1dVB\x00"
    )


def test_rule_fills_the_paper_width() -> None:
    assert encode_line(PrintLine(style="rule"), KO80) == b"-" * 48 + b"\n"
    assert encode_line(PrintLine(style="rule"), KO58) == b"-" * 32 + b"\n"


def test_native_qr_is_python_escpos_gs_k_and_small() -> None:
    url = "https://lib.example.kr/my"
    got = encode_line(PrintLine(url, "qr", "center"), KO80)
    dummy = Dummy()
    dummy.qr(url, ec=1, size=KO80.qr_module, native=True)
    assert got == dummy.output + b"\n"
    assert b"\x1d(k" in got and url.encode() in got
    assert len(got) < 100


def test_raster_profile_draws_korean_as_gs_v_0() -> None:
    got = encode_line(PrintLine("대출 영수증"), RASTER)
    assert got[:4] == b"\x1dv0\x00"
    width_bytes = int.from_bytes(got[4:6], "little")
    rows = int.from_bytes(got[6:8], "little")
    assert (width_bytes, rows) == (17, 24)  # 11 cells of 12 dots, the blank right side not sent
    body = got[8 : 8 + width_bytes * rows]
    assert got[8 + width_bytes * rows :] == b"\x1bJ\x06"  # feed the rest of the line pitch
    bits = np.unpackbits(np.frombuffer(body, np.uint8)).reshape(rows, -1)
    assert bits.sum() > 100  # ink
    assert bits[:, 11 * 12 :].sum() == 0  # padding to whole bytes is white


def test_raster_profile_keeps_ascii_lines_as_text() -> None:
    assert encode_line(PrintLine("K01"), RASTER) == b"K01\n"


def test_hangul_outside_ks_x_1001_falls_back_to_raster() -> None:
    assert encode_line(PrintLine("똠방각하"), KO80).startswith(b"\x1dv0")


def test_double_byte_receipt_is_a_fraction_of_raster() -> None:
    dbcs = encode_receipt(layout(receipt(), KO80.cells), KO80)
    raster = encode_receipt(layout(receipt(), RASTER.cells), RASTER)
    assert dbcs.startswith(INIT) and dbcs.endswith(b"\x1dVB\x00")
    assert b"\x1dv0" not in dbcs
    assert len(dbcs) < 2500
    assert len(raster) > 10 * len(dbcs)


def test_parts_never_split_commands() -> None:
    parts = encode_receipt_parts(layout(receipt(), RASTER.cells), RASTER)
    assert parts[0] == INIT
    assert b"".join(parts) == encode_receipt(layout(receipt(), RASTER.cells), RASTER)
    for part in parts:
        if part.startswith(b"\x1dv0"):
            xb, rows = int.from_bytes(part[4:6], "little"), int.from_bytes(part[6:8], "little")
            assert len(part) >= 8 + xb * rows


def test_bad_line_style_and_alignment_are_value_errors() -> None:
    with pytest.raises(ValueError):
        encode_line(PrintLine("x", "underline"), KO80)
    with pytest.raises(ValueError):
        encode_receipt([PrintLine("x", align="justify")], KO80)


def test_profiles() -> None:
    assert (KO58.dots, KO58.cells) == (384, 32)
    assert RASTER.korean == "raster"
    assert get_profile("generic-80-ko") is KO80
    with pytest.raises(ConfigError, match="generic-80-ko"):
        get_profile("epson-tm-t88")
    with pytest.raises(ConfigError):
        PrinterProfile("bad", korean="utf-8")
    with pytest.raises(ConfigError):
        PrinterProfile("bad", dots=384, cells=48)


def test_missing_font_is_a_config_error() -> None:
    profile = PrinterProfile("nofont", korean="raster", font_path="/nonexistent/font.ttc")
    with pytest.raises(ConfigError, match="fonts-noto-cjk"):
        encode_line(PrintLine("대출"), profile)


def test_status_query_bytes() -> None:
    assert status_query(1) == b"\x10\x04\x01"
    assert status_query(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        status_query(5)


@pytest.mark.parametrize(
    ("n", "byte", "expect"),
    [
        (1, 0x12, {"offline": False, "drawer_open": False}),
        (1, 0x1A, {"offline": True}),
        (2, 0x16, {"cover_open": True, "paper_out_stop": False}),
        (2, 0x32, {"paper_out_stop": True, "error": False}),
        (3, 0x1A, {"cutter_error": True, "unrecoverable_error": False}),
        (4, 0x12, {"paper_out": False, "paper_near_end": False}),
        (4, 0x1E, {"paper_out": False, "paper_near_end": True}),
        (4, 0x72, {"paper_out": True, "paper_near_end": False}),
        (4, b"\x7e", {"paper_out": True, "paper_near_end": True}),
    ],
)
def test_parse_status(n: int, byte: int | bytes, expect: dict[str, bool]) -> None:
    got = parse_status(n, byte)
    assert got["known"] is True and got["n"] == n
    for key, value in expect.items():
        assert got[key] is value


@pytest.mark.parametrize("byte", [None, b"", 0x00, 0xFF, 0x10, b"\x12\x12"])
def test_no_reply_or_garbage_is_unknown_never_fine(byte: int | bytes | None) -> None:
    got = parse_status(4, byte)
    assert got["known"] is False
    assert "paper_out" not in got


def test_parse_status_rejects_bad_n() -> None:
    with pytest.raises(ValueError):
        parse_status(7, 0x12)


def test_full_cp949_profile_sends_extension_syllables_as_text() -> None:
    profile = PrinterProfile("uhc", codepage="cp949")
    assert encode_line(PrintLine("똠"), profile) == b"\x1c&" + "똠".encode("cp949") + b"\x1c.\n"


def test_emoji_falls_back_to_raster() -> None:
    assert encode_line(PrintLine("책 📚"), KO80).startswith(b"\x1dv0")


def test_centred_raster_line_is_padded_left_and_printed_left_aligned() -> None:
    got = encode_receipt([PrintLine("대출", "bold", "center")], RASTER)
    # No ESC a 1 before the image: the padding places it, so a printer that applies ESC a to
    # images cannot move it twice.
    assert got.startswith(INIT + b"\x1dv0\x00")
    width_bytes = int.from_bytes(got[6:8], "little")
    assert width_bytes * 8 == (576 - 48) // 2 + 48  # up to the text's right edge, not the paper's
    mixed = encode_receipt([PrintLine("AB", align="center"), PrintLine("대출", align="center")], RASTER)
    assert mixed.startswith(INIT + b"\x1ba\x01AB\n\x1ba\x00\x1dv0")


def test_profiles_carry_paper_dots_codepage_baud_and_flow() -> None:
    for p in PROFILES.values():
        assert p.dots == {80: 576, 58: 384}[p.paper_mm]
        assert p.cells * 12 <= p.dots and p.codepage in ("ks_x_1001", "cp949")
        assert p.baud > 0 and p.flow_control in ("none", "rtscts", "xonxoff")
    with pytest.raises(ConfigError, match="baud"):
        PrinterProfile("bad", baud=0)


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_profile_encodes_the_sample_receipt_and_raster_only_when_needed(name: str) -> None:
    from kiosk.commands.receipt import sample_receipt

    profile = PROFILES[name]
    data = encode_receipt(layout(sample_receipt(), profile.cells), profile)
    assert data.startswith(INIT) and data.endswith(b"\x1dVB\x00")
    if profile.korean == "double-byte":
        assert b"\x1dv0" not in data and data.count(b"\x1c&") == data.count(b"\x1c.") > 20
    else:
        assert b"\x1c&" not in data and data.count(b"\x1dv0") > 20
