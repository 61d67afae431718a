"""Receipt layout: display cells, not characters; nothing a patron needs is cut off."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.model import Language, Loan
from kiosk.core.privacy import mask_card, mask_name
from kiosk.core.receipt import Receipt, Refusal, cell_width, fit, layout, wrap


def receipt(**kw):
    base = dict(
        library_name="서울도서관",
        kiosk_id="K1",
        at=dt.datetime(2026, 11, 28, 14, 5),
        language=Language.KO,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=(
            Loan(
                "EM0000100001",
                "채식주의자: 한강 장편소설, 창비에서 펴낸 2007년 초판본",
                dt.date(2026, 12, 13),
            ),
        ),
        refused=(Refusal("EM0000100002", "refusal.on_hold", "토지"),),
        loans_total=3,
        account_url="https://lib.example/my",
        footer="반납은 가까운 책이음 도서관 어디서나 / Return at any Chaekieum library",
    )
    base.update(kw)
    return Receipt(**base)


def test_hangul_counts_two_cells():
    assert cell_width("가나다") == 6 and cell_width("abc") == 3 and cell_width("가a") == 3


def test_fit_cuts_by_cells_and_marks_the_cut():
    assert fit("가나다라마바사", 8) == "가나다.."
    assert cell_width(fit("가나다라마바사", 8)) <= 8
    assert fit("short", 8) == "short"


@given(st.text(alphabet=st.sampled_from("가나다 abc 한국도서관12"), max_size=80), st.integers(4, 48))
def test_wrap_never_exceeds_and_loses_nothing(text, cells):
    parts = wrap(text, cells)
    assert all(cell_width(p) <= cells for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_every_line_fits_on_58_and_80_mm_paper():
    for cells in (32, 42, 48):
        for line in layout(receipt(), cells):
            if line.style not in ("qr",):
                width = cell_width(line.text) * (2 if line.style == "big" else 1)
                assert width <= cells, (cells, line)


def test_due_dates_and_footer_survive_narrow_paper():
    text = "\n".join(line.text for line in layout(receipt(), 32))
    assert "2026-12-13" in text
    assert "Chaekieum library" in text


def test_english_receipt():
    text = "\n".join(line.text for line in layout(receipt(language=Language.EN), 48))
    assert "Loan receipt" in text and "Borrowed: 1" in text and "reserved for another patron" in text


def test_masking():
    assert mask_card("29123456781234") == "****1234" and mask_card("12") == "**"
    assert mask_name("김민수") == "김*수" and mask_name("남궁민수") == "남**수" and mask_name("이") == "*"
    assert mask_name("Jane Doe") == "J*** D**"
