"""What voice guidance says, as text: the screens of real flows, what changed on them, the
receipt; never a digit of a PIN, a membership number or a birth date typed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk.core.effects import CallLibrary, Effect, PrintReceipt, Show
from kiosk.core.events import (
    BarcodeRead,
    CardRead,
    LibraryReplied,
    Pressed,
    ReceiptPrinted,
    Started,
    TimerFired,
)
from kiosk.core.model import CheckoutResult, Language, Loan, Patron, PatronDetails, PrintOutcome
from kiosk.core.receipt import Checkin, Receipt, Refusal
from kiosk.core.speech import change, receipt_utterance, speakable, spell, utterance
from kiosk.core.views import Input, Line, View
from kiosk.flows import screens
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session

AT = dt.datetime(2026, 11, 28, 14, 30)
CARD = "04A1B2C3D4E5F6"
PATRON = Patron(patron_id=CARD, name="김민수", loans=(Loan("EM0000000009", "토지"),))
NUMBER = "97531864"
PIN = "4826"


def fragments(digits: str, size: int = 2) -> set[str]:
    """Every run of `size` digits in `digits`: none may be heard (a count like "4" may)."""
    return {digits[i : i + size] for i in range(len(digits) - size + 1)}


def heard_nothing_of(said: str, digits: str) -> bool:
    spaced = " ".join(digits)
    return not any(f in said.replace(" ", "") for f in fragments(digits)) and spaced[:3] not in said


class Drive:
    def __init__(self, language: Language = Language.KO) -> None:
        self.flow = Session(VisitSettings())
        self.effects: list[Effect] = []
        self.run(Started())
        if language is Language.EN:
            self.press("lang.en")

    def run(self, event) -> list[Effect]:
        effects = self.flow.handle(dataclasses.replace(event, at=AT))
        self.effects += effects
        return effects

    @property
    def views(self) -> list[View]:
        return [e.view for e in self.effects if isinstance(e, Show)]

    def press(self, *controls: str) -> None:
        for control in controls:
            self.run(Pressed(control=control))

    def type(self, digits: str) -> None:
        self.press(*(f"key.{d}" for d in digits))

    def reply(self, result=None, error=None) -> None:
        call = [e for e in self.effects if isinstance(e, CallLibrary)][-1]
        self.run(
            LibraryReplied(request_id=call.request_id, operation=call.operation, result=result, error=error)
        )

    def said(self) -> list[str]:
        """What the guide would say at each view, as it says it (busy views of a screen skipped
        as the base for the next one)."""
        out, before = [], None
        for view in self.views:
            out.append(change(before, view))
            if not (view.busy and before is not None and before.screen == view.screen):
                before = view
        return out


@pytest.mark.parametrize("language", [Language.KO, Language.EN])
def test_a_typed_membership_number_and_pin_are_never_said(language):
    d = Drive(language)
    d.press("sign_in")
    d.type(NUMBER)
    number_view = d.views[-1]
    assert number_view.inputs[0].private and number_view.inputs[0].value == NUMBER  # on screen, as typed
    d.press("enter")
    d.type(PIN)
    pin_view = d.views[-1]
    assert pin_view.inputs[0].secret
    d.press("enter")
    said = d.said() + [utterance(v) for v in d.views]
    for text in said:
        assert heard_nothing_of(text, NUMBER), text
        assert heard_nothing_of(text, PIN), text
    entered = "자리 입력됨" if language is Language.KO else "entered"
    # Each digit typed is told by how many there are now.
    counts = [s for s in said if entered in s]
    assert any(f"{len(NUMBER)}{entered}".replace(" ", "") in s.replace(" ", "") for s in counts)
    assert any(f"{len(PIN)}{entered}".replace(" ", "") in s.replace(" ", "") for s in counts)
    assert all(v.language is language for v in d.views[1:])  # the first: idle before the switch


def test_a_typed_birth_date_and_new_pin_at_the_bring_in_are_never_said():
    birth, new_pin = "19850317", "2580"
    for stage, value in (("birth", birth), ("pin", new_pin), ("pin_again", new_pin)):
        shown = value if stage == "birth" else "●" * len(value)
        view = screens.bring_in(Language.KO, stage, shown, "", "", (), None)
        field = view.inputs[0]
        assert field.private or field.secret
        before = dataclasses.replace(view, inputs=(dataclasses.replace(field, value=shown[:-1]),))
        for text in (utterance(view), change(before, view)):
            assert heard_nothing_of(text, value), text
            assert f"{len(value)}자리 입력됨" in text


def test_a_private_or_secret_field_is_never_said_even_if_built_by_hand():
    view = View(
        screen="signin",
        language=Language.KO,
        title="signin.title",
        inputs=(Input("number", "signin.number_label", "11223344", private=True),),
    )
    assert "1122" not in utterance(view) and "8자리 입력됨" in utterance(view)
    secret = dataclasses.replace(view, inputs=(Input("pin", "signin.pin_label", "5566", secret=True),))
    assert "55" not in utterance(secret) and "4자리 입력됨" in utterance(secret)


def test_a_registration_number_typed_is_spelled_digit_by_digit():
    field = Input("item", "borrow.type_label", "0000100001", prefix="EM")
    view = View(screen="borrow", language=Language.KO, title="borrow.title", inputs=(field,))
    assert "이 엠, 공 공 공 공, 일 공 공 공, 공 일" in utterance(view)
    assert spell("EM0000100001", Language.EN) == "E M, 0 0 0 0, 1 0 0 0, 0 1"


def test_a_whole_visit_says_each_screen_then_only_what_changed():
    d = Drive()
    d.run(CardRead(technology="106A", uid="04a1", identifier=CARD))
    d.reply(PATRON)
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128", kind="item"))
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자", dt.date(2026, 12, 13)))
    d.run(BarcodeRead(text="EM0000100002", symbology="Code128", kind="item"))
    d.reply(CheckoutResult(False, "EM0000100002", "파친코", reason="refusal.on_hold"))
    said = [s for s in d.said() if s]
    idle, _working, borrow, loan, refusal = said[:5]
    assert idle.startswith("책이음 무인 대출기.") and "버튼: 대출하기, 반납하기" in idle
    assert "회원 님" in borrow and "김" not in borrow and "*" not in borrow  # never the name
    assert loan == "채식주의자: 반납 예정일 2026년 12월 13일."
    assert refusal.startswith("파친코: ") and "버튼" not in refusal
    assert "EM0000" not in " ".join(said)  # a title, never its registration number


def test_the_countdown_is_said_at_its_start_with_how_to_extend_then_at_some_seconds():
    d = Drive()
    d.run(CardRead(technology="106A", uid="04a1", identifier=CARD))
    d.reply(PATRON)
    start = len(d.views)
    d.run(TimerFired(name="inactivity"))
    for _ in range(d.flow.settings.countdown_s - 1):
        d.run(TimerFired(name="countdown"))
    said = d.said()[start:]
    seconds = d.flow.settings.countdown_s
    assert said[0] == f"{seconds}초 남았습니다. 시간이 더 필요하면 시간 연장 버튼을 누르세요."
    assert [s for s in said[1:] if s] == [f"{n}초 남았습니다." for n in (10, 5, 3)]


def test_english_screens_are_said_in_english_with_dates_as_words():
    d = Drive(Language.EN)
    d.run(CardRead(technology="106A", uid="04a1", identifier=CARD))
    d.reply(PATRON)
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128", kind="item"))
    d.reply(CheckoutResult(True, "EM0000100001", "Pachinko", dt.date(2026, 12, 13)))
    said = [s for s in d.said() if s]
    assert said[1].startswith("Chaekieum Self-Checkout.")  # idle again, after the switch
    assert said[-1] == "Pachinko: Due December 13th, 2026."
    assert "Hello, show each book" in said[3]


def test_a_bare_code_row_is_spelled_and_marks_are_not_read():
    line = Line("EM0000100181", "EM0000100181", "refused", "refusal.item_unknown")
    view = View(screen="notice", language=Language.KO, title="notice.title", lines=(line,))
    said = utterance(view)
    assert "이 엠, 공 공 공 공, 일 공 공 일, 팔 일" in said
    assert speakable("대출 가능 · 3권 ●●● → 서울 *", Language.KO) == "대출 가능, 3권 서울"


def receipt(language: Language) -> Receipt:
    return Receipt(
        library_name="서울도서관",
        kiosk_id="SEOUL-3F-01",
        at=dt.datetime(2026, 3, 2, 14, 5),
        language=language,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=(Loan("EM0000123451", "채식주의자", dt.date(2026, 3, 17)),),
        refused=(Refusal("EM0000087654", "refusal.on_hold", "불편한 편의점", action="renewal"),),
        returned=(Checkin("EM0000098765", "82년생 김지영", sort_bin="B2"),),
        on_loan=(Loan("EM0000076543", "작별하지 않는다", dt.date(2026, 3, 1)),),
        loans_total=7,
        quota_left=13,
        quota_limit=20,
        account_url="https://lib.seoul.go.kr/mylibrary",
        footer="반납은 가까운 책이음 도서관 어디서나",
    )


def test_the_receipt_is_read_with_titles_due_dates_and_reasons_not_the_patron():
    ko = receipt_utterance(receipt(Language.KO))
    assert ko.startswith("영수증 내용입니다. 서울도서관. 일시: 2026년 3월 2일 14시 5분.")
    assert "대출 1권. 채식주의자, 반납일 2026년 3월 17일." in ko
    assert "작별하지 않는다, 반납일 2026년 3월 1일, 연체." in ko
    assert "연장 불가 1권. 불편한 편의점: 다른 회원이 예약한 책입니다" in ko
    assert "82년생 김지영, 분류함 B2." in ko
    assert "20권 중 13권 더 대출 가능" in ko and ko.endswith("영수증 내용을 모두 읽었습니다.")
    for private in ("김*수", "1234", "SEOUL-3F-01", "https://", "EM0000"):
        assert private not in ko
    en = receipt_utterance(receipt(Language.EN))
    assert "Borrowed: 1. 채식주의자, due March 17th, 2026." in en and en.endswith("End of the receipt.")


def test_the_goodbye_screen_after_printing_is_said_whole():
    d = Drive()
    d.run(CardRead(technology="106A", uid="04a1", identifier=CARD))
    d.reply(PATRON)
    d.run(BarcodeRead(text="EM0000100001", symbology="Code128", kind="item"))
    d.reply(CheckoutResult(True, "EM0000100001", "채식주의자", dt.date(2026, 12, 13)))
    d.press("finish")
    job = [e for e in d.effects if isinstance(e, PrintReceipt)][-1]
    d.run(ReceiptPrinted(job_id=job.job_id, outcome=PrintOutcome(ok=True)))
    assert d.views[-1].screen == "goodbye"
    assert d.said()[-1].startswith("이용해 주셔서 감사합니다. 영수증을 가져가세요.")


def test_a_block_is_said_with_its_figures():
    blocked = Patron(
        patron_id="X", name="이서연", blocks=("refusal.fees",), details=PatronDetails(fees_owed=1500)
    )
    d = Drive()
    d.run(CardRead(technology="106A", uid="04a1", identifier="X"))
    d.reply(blocked)
    said = utterance(d.views[-1])
    assert "1,500" in said and "이서연" not in said and "이*연" not in said
