"""Receipt layout: display cells, not characters; nothing a patron needs is cut off."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.model import Language, Loan, LoanLimit
from kiosk.core.privacy import mask_card, mask_name
from kiosk.core.receipt import Checkin, Receipt, Refusal, cell_width, fit, indented, layout, wrap


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


def full(language: Language = Language.KO, **kw) -> Receipt:
    due = dt.date(2026, 12, 13)
    return receipt(
        language=language,
        borrowed=(Loan("EM1", "소년이 온다", due), Loan("EM2", "The Remains of the Day", due)),
        renewed=(Loan("EM3", "작별하지 않는다", dt.date(2026, 12, 20)),),
        returned=(
            Checkin("EM4", "82년생 김지영", note="receipt.note.hold_shelf", sort_bin="B2"),
            Checkin("EM5", "Pachinko", note="Hold for 수원 선경도서관"),
        ),
        refused=(
            Refusal("EM6", "refusal.on_hold", "토지", action="renewal"),
            Refusal("EM7", "refusal.not_for_loan", "", action="checkout"),
            Refusal("EM8", "refusal.item_unknown", "", action="checkin"),
        ),
        on_loan=(Loan("EM9", "불편한 편의점", dt.date(2026, 11, 20)),),
        loans_total=4,
        loans_network=8,
        quota_left=3,
        quota_limit=7,
        quota_scope=LoanLimit.LIBRARY,
        **kw,
    )


def page(r: Receipt, cells: int) -> str:
    return "\n".join(line.text for line in layout(r, cells))


@pytest.mark.parametrize("cells", [32, 42, 48])
@pytest.mark.parametrize("language", list(Language))
def test_every_section_fits_the_paper(cells: int, language: Language) -> None:
    for line in layout(full(language), cells):
        if line.style != "qr":
            assert cell_width(line.text) * (2 if line.style == "big" else 1) <= cells, (cells, line)


def test_english_receipt_has_every_section() -> None:
    text = page(full(Language.EN), 48)
    for expected in (
        "Library receipt",
        "Borrowed: 2",
        "Renewed: 1",
        "new due 2026-12-20",
        "Returned: 2",
        "Sort bin B2",
        "! Reserved for another patron",
        "! Hold for 수원 선경도서관",  # the library's own text passes through
        "Not renewed: 1",
        "Not borrowed: 1",
        "Return not recorded: 1",
        "Also on loan: 1",
        "due 2026-11-20 (overdue)",
        "Now on loan",
        "  At this library: 4",
        "  Across Chaekieum libraries: 8",
    ):
        assert expected in text, expected


def test_korean_receipt_has_every_section() -> None:
    text = page(full(Language.KO), 32)
    for expected in (
        "도서관 이용 영수증",
        "대출 2권",
        "대출 연장 1권",
        "새 반납일 2026-12-20",
        "반납 2권",
        "분류함 B2",
        "연장 불가 1권",
        "대출 불가 1권",
        "반납 확인 필요 1권",
        "그 밖의 대출 중인 책 1권",
        "(연체)",
        "현재 대출 중",
        "  이 도서관 4권",
        "  책이음 도서관 전체 8권",
    ):
        assert expected in text, expected
    # The quota sentence wraps on 58 mm paper but is all there.
    assert "이 도서관 한도 7권 중 3권 더 대출 가능" in page(full(), 48)
    assert "Can borrow 3 more of 7 at this library" in page(full(Language.EN), 48)


def test_loans_only_keeps_the_loan_receipt_title_and_old_callers_work() -> None:
    r = receipt()  # the visit flow's fields only: every new field has a default
    assert r.returned == () and r.renewed == () and r.on_loan == () and r.quota_left is None
    text = page(r, 48)
    assert "대출 영수증" in text and "이용" not in text and "한도" not in text


def test_long_titles_wrap_to_two_lines_then_are_cut_never_overflow() -> None:
    title = "아주 긴 제목의 책 " * 8
    lines = [x.text for x in layout(receipt(borrowed=(Loan("EM1", title, dt.date(2027, 1, 1)),)), 32)]
    start = next(i for i, x in enumerate(lines) if x.startswith("1. "))
    assert lines[start + 1].startswith("   ") and lines[start + 1].endswith("..")
    assert lines[start + 2] == "   EM1  반납일 2027-01-01"


def test_long_library_name_wraps_at_double_size() -> None:
    lines = layout(receipt(library_name="서울특별시교육청 정독도서관"), 32)
    big = [x.text for x in lines if x.style == "big"]
    assert "".join(big).replace(" ", "") == "서울특별시교육청정독도서관"
    assert all(cell_width(b) <= 16 for b in big)


@given(
    st.text(alphabet=st.sampled_from("가나다 abc 똠 한국도서관12:()"), max_size=120),
    st.sampled_from([32, 42, 48]),
)
def test_any_title_fits_and_keeps_its_start(title: str, cells: int) -> None:
    lines = indented("1. ", "   ", title, cells, max_lines=2)
    assert len(lines) <= 2 and all(cell_width(x) <= cells for x in lines)
    words = title.split()
    if words and cell_width(words[0]) <= cells - 5:
        assert lines[0].removeprefix("1. ").startswith(words[0])


def test_ambiguous_width_symbols_take_two_cells_as_on_a_korean_printer() -> None:
    # "·" is in refusal.card_invalid; a Korean font prints these KS X 1001 symbols full width.
    assert cell_width("분실·정지") == 10 and cell_width("※①") == 4 and cell_width("-") == 1


# -- the account section's numbers -------------------------------------------------------


def account_lines(r: Receipt, cells: int = 48) -> list[str]:
    """The counts and quota: the left-aligned lines between the last rule and the QR code."""
    lines = layout(r, cells)
    end = next(i for i, x in enumerate(lines) if x.style == "qr")
    start = max(i for i, x in enumerate(lines[:end]) if x.style == "rule")
    return [x.text for x in lines[start + 1 : end] if x.text and x.align == "left"]


@pytest.mark.parametrize(
    ("scope", "left", "limit", "ko", "en"),
    [
        (LoanLimit.LIBRARY, 2, 7, "이 도서관 한도 7권 중 2권 더 대출 가능",
         "Can borrow 2 more of 7 at this library"),
        (LoanLimit.NETWORK, 1, 20, "책이음 전체 한도 20권 중 1권 더 대출 가능",
         "Can borrow 1 more of 20 across Chaekieum"),
        (LoanLimit.LIBRARY, 0, 7, "이 도서관 한도 7권을 채워 더 대출할 수 없음",
         "Limit reached: 7 at this library"),
        (LoanLimit.NETWORK, 0, 20, "책이음 전체 한도 20권을 채워 더 대출할 수 없음",
         "Limit reached: 20 across Chaekieum"),
    ],
)  # fmt: skip
def test_the_receipt_says_which_limit_leaves_how_many(scope, left, limit, ko, en) -> None:
    r = receipt(loans_total=5, loans_network=18, quota_left=left, quota_limit=limit, quota_scope=scope)
    assert account_lines(r) == ["현재 대출 중", "  이 도서관 5권", "  책이음 도서관 전체 18권", ko]
    english = account_lines(receipt(language=Language.EN, loans_total=5, loans_network=18, quota_left=left,
                                    quota_limit=limit, quota_scope=scope))  # fmt: skip
    assert english == ["Now on loan", "  At this library: 5", "  Across Chaekieum libraries: 18", en]


def test_without_a_network_count_only_this_library_is_counted() -> None:
    # A library system without the Chaekieum extension: no network line, and no guess at one.
    assert account_lines(receipt(loans_total=3)) == ["현재 대출 중", "  이 도서관 3권"]


def test_a_quota_without_a_scope_is_the_networks() -> None:
    lines = account_lines(receipt(loans_total=None, quota_left=13, quota_limit=20))
    assert lines == ["책이음 전체 한도 20권 중 13권 더 대출 가능"]


@pytest.mark.parametrize("language", list(Language))
def test_the_account_section_fits_58_mm_paper(language: Language) -> None:
    r = receipt(language=language, loans_total=7, loans_network=20, quota_left=0, quota_limit=20,
                quota_scope=LoanLimit.NETWORK)  # fmt: skip
    lines = account_lines(r, 32)
    assert all(cell_width(x) <= 32 for x in lines)
    joined = " ".join(x.strip() for x in lines)
    assert "7" in joined and "20" in joined
