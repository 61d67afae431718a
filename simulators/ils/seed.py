"""Deterministic seed data for the simulated Chaekieum network: member libraries, patrons for
every circulation case, 300 items here and 30 at another member library, loans, holds, history.

Patrons (card ids below are stable; every one has a home library of MA unless said):
- DEMO: one loan here, free to borrow. BLOCKED: unpaid fees. LOST_CARD, SUSPENDED, EXPIRED.
- LIMIT: 7 of 7 here. DISABLED: 7 of 10 here (registered disabled). CHAEKIEUM: 20 of 20
  across the network, none here. HOLDER: holds ready and waiting. OVERDUE: one loan 3 days late.
- BRING_IN: a GN member not yet joined here. NETWORK: a GN member joined here, loans and
  history at both. NETWORK_LIMIT: a GN member, 5 here and 14 at GN (19 of 20).
- LIBRARY_BOUND: this library's limit binds: 5 of 7 here, 2 at GN, 7 of 20 across
  Chaekieum, so 2 more (of this library's 7).
- Every patron also has a membership number (MEMBER_NUMBERS), printed on the card and typed
  on the keypad when the card is not at hand.
- NETWORK_BOUND: the Chaekieum limit binds: 2 of 7 here, 6 at GN, 10 at member libraries
  outside the simulation, 18 of 20 across Chaekieum, so 2 more (of the network's 20) where
  this library alone would allow 5.
- One patron for each SIP2 patron status flag not covered above (FLAG_PATRONS): borrowing
  blocked by staff with a note, by lost, claimed-returned or billed items, by other fees, by a
  recalled book overdue; or borrowing allowed but renewals, holds or recalls withdrawn, or no
  renewals left.
- HISTORY: free to borrow, 12 books borrowed and returned (history over several pages).
- HOME_REFUSED: a GN member whose home library does not let the membership be brought in.
  BIRTH_LOCK: a GN member for the home library's count of wrong birth dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from simulators.ils.store import CirculationStore, ItemRecord, LoanRecord, PatronRecord

LIBRARY = "MA"
LIBRARY_NAME = "서울도서관"
# Chaekieum member libraries in the simulated network (institution id -> name).
MEMBER_LIBRARIES = {"MA": "서울도서관", "GN": "강남구립논현도서관", "MP": "마포중앙도서관"}
OTHER_LIBRARY = "GN"

DEMO_PATRON_ID = "04A1B2C3D4E5F6"
DEMO_PATRON_PIN = "1234"
BLOCKED_PATRON_ID = "04B7C8D9EAFB01"
LOST_CARD_PATRON_ID = "04C2D3E4F5A6B7"
SUSPENDED_PATRON_ID = "04D3E4F5A6B7C8"
LIMIT_PATRON_ID = "04E4F5A6B7C8D9"
DISABLED_PATRON_ID = "04F5A6B7C8D9EA"
CHAEKIEUM_PATRON_ID = "0406A7B8C9DAEB"
HOLDER_PATRON_ID = "0417B8C9DAEBFC"
OVERDUE_PATRON_ID = "0428C9DAEBFC0D"
EXPIRED_PATRON_ID = "0439DAEBFC0D1E"
# A member of another library (GN) who has not done the bring-in here yet.
BRING_IN_PATRON_ID = "044AEBFC0D1E2F"
BRING_IN_BIRTH_DATE = dt.date(1990, 3, 15)
# A GN member who did the bring-in here: loans at both libraries, history at both.
NETWORK_PATRON_ID = "045BFC0D1E2F30"
NETWORK_PATRON_PIN = "2468"
# One short of the Chaekieum limit with real loans: 14 at GN and 5 here make 19 of 20.
NETWORK_LIMIT_PATRON_ID = "046C0D1E2F3041"
# This library's limit binds: 5 of 7 here, 7 of 20 across Chaekieum; 2 more.
LIBRARY_BOUND_PATRON_ID = "047D1E2F304152"
# The Chaekieum limit binds: 2 of 7 here, 18 of 20 across Chaekieum; 2 more.
NETWORK_BOUND_PATRON_ID = "048E2F30415263"
# One patron per SIP2 patron status flag not shown by the patrons above.
STAFF_BLOCK_PATRON_ID = "049F3041526374"  # charge privileges denied by staff, with a note
STAFF_BLOCK_NOTE = "주소 확인이 필요합니다. 신분증을 가지고 안내데스크로 와 주세요"
RENEWAL_DENIED_PATRON_ID = "04A04152637485"  # renewal privileges denied; may borrow
RECALL_DENIED_PATRON_ID = "04B15263748596"  # recall privileges denied; may borrow
HOLD_DENIED_PATRON_ID = "04C26374859607"  # hold privileges denied; may borrow
RENEWALS_USED_PATRON_ID = "04D37485960718"  # too many renewals; may borrow
CLAIMS_PATRON_ID = "04E48596071829"  # too many claims of items returned: 2
LOST_ITEMS_PATRON_ID = "04F5960718293A"  # too many items lost: 3
OTHER_FEES_PATRON_ID = "04060718293A4B"  # excessive outstanding fees: a 15,000 won replacement
RECALL_OVERDUE_PATRON_ID = "0417182930A4B5"  # a recalled book past its new due date
BILLED_PATRON_ID = "0428293A4B5C6D"  # too many items billed: 2
# Free to borrow, with 12 books borrowed and returned: the history over several pages.
HISTORY_PATRON_ID = "04393A4B5C6D7E"
HISTORY_COUNT = 12
# GN members: the home library refuses the bring-in; the home library counts wrong birth dates.
HOME_REFUSED_PATRON_ID = "044A4B5C6D7E8F"
HOME_REFUSED_BIRTH_DATE = dt.date(1982, 11, 23)
BIRTH_LOCK_PATRON_ID = "045B5C6D7E8F90"
BIRTH_LOCK_BIRTH_DATE = dt.date(1995, 6, 30)

# The flag each of those patrons shows (SIP2 patron status flag name -> card id).
FLAG_PATRONS = {
    "charge_denied": STAFF_BLOCK_PATRON_ID,
    "renewal_denied": RENEWAL_DENIED_PATRON_ID,
    "recall_denied": RECALL_DENIED_PATRON_ID,
    "hold_denied": HOLD_DENIED_PATRON_ID,
    "card_lost": LOST_CARD_PATRON_ID,
    "too_many_charged": LIMIT_PATRON_ID,
    "too_many_overdue": OVERDUE_PATRON_ID,
    "too_many_renewals": RENEWALS_USED_PATRON_ID,
    "too_many_claims_returned": CLAIMS_PATRON_ID,
    "too_many_lost": LOST_ITEMS_PATRON_ID,
    "excessive_fines": BLOCKED_PATRON_ID,
    "excessive_fees": OTHER_FEES_PATRON_ID,
    "recall_overdue": RECALL_OVERDUE_PATRON_ID,
    "too_many_billed": BILLED_PATRON_ID,
}


# The Chaekieum membership numbers printed on the cards (typed on the kiosk's keypad).
MEMBER_NUMBERS = {
    card: f"1100{n:06d}"
    for n, card in enumerate(
        (DEMO_PATRON_ID, BLOCKED_PATRON_ID, LOST_CARD_PATRON_ID, SUSPENDED_PATRON_ID, LIMIT_PATRON_ID,
         DISABLED_PATRON_ID, CHAEKIEUM_PATRON_ID, HOLDER_PATRON_ID, OVERDUE_PATRON_ID, EXPIRED_PATRON_ID,
         BRING_IN_PATRON_ID, NETWORK_PATRON_ID, NETWORK_LIMIT_PATRON_ID, LIBRARY_BOUND_PATRON_ID,
         NETWORK_BOUND_PATRON_ID, STAFF_BLOCK_PATRON_ID, RENEWAL_DENIED_PATRON_ID, RECALL_DENIED_PATRON_ID,
         HOLD_DENIED_PATRON_ID, RENEWALS_USED_PATRON_ID, CLAIMS_PATRON_ID, LOST_ITEMS_PATRON_ID,
         OTHER_FEES_PATRON_ID, RECALL_OVERDUE_PATRON_ID, BILLED_PATRON_ID, HISTORY_PATRON_ID,
         HOME_REFUSED_PATRON_ID, BIRTH_LOCK_PATRON_ID),
        start=1,
    )
}  # fmt: skip
PIN_OF = {DEMO_PATRON_ID: DEMO_PATRON_PIN, HOLDER_PATRON_ID: "8901", NETWORK_PATRON_ID: NETWORK_PATRON_PIN}


def item_id(n: int) -> str:
    """Registration number of the n-th seeded item: 'EM' + 10 digits."""
    return f"EM{100000 + n:010d}"


DEMO_ITEMS: tuple[str, ...] = tuple(item_id(n) for n in range(1, 6))
DEMO_LOAN_ITEM = item_id(21)
ON_LOAN_ITEM = item_id(101)  # on loan to LIMIT_PATRON_ID
OVERDUE_ITEM = item_id(121)  # on loan to OVERDUE_PATRON_ID, 3 days late
ON_HOLD_ITEM = item_id(181)  # on the shelf, on hold for HOLDER_PATRON_ID
NOT_FOR_LOAN_ITEM = item_id(191)  # reference
CLOSED_STACK_ITEM = item_id(196)  # preservation library
UNKNOWN_ITEM = item_id(999)
WAITING_HOLD_ITEM = item_id(102)  # on loan to LIMIT_PATRON_ID, HOLDER_PATRON_ID waits for it
RESERVED_LOAN_ITEM = item_id(22)  # on loan to HOLDER_PATRON_ID, reserved by NETWORK_PATRON_ID
HISTORY_ITEM = item_id(132)  # borrowed and returned by NETWORK_PATRON_ID
QUEUED_HOLD_ITEM = item_id(103)  # on loan to LIMIT_PATRON_ID; HOLDER_PATRON_ID is second in line
IN_TRANSIT_HOLD_ITEM = "GN0000200025"  # HOLDER_PATRON_ID's hold, on its way from GN
RECALLED_ITEM = item_id(161)  # on loan to RECALL_OVERDUE_PATRON_ID, recalled, due yesterday
RENEWAL_DENIED_LOAN = item_id(162)  # on loan to RENEWAL_DENIED_PATRON_ID
RENEWALS_USED_LOAN = item_id(163)  # on loan to RENEWALS_USED_PATRON_ID
# Borrowed and returned by HISTORY_PATRON_ID, oldest first.
HISTORY_ITEMS = tuple(item_id(n) for n in range(201, 201 + HISTORY_COUNT))

ITEM_COUNT = 300
OTHER_ITEM_COUNT = 30


def other_item_id(n: int) -> str:
    """Registration number of the n-th item of the other member library (GN)."""
    return f"GN{200000 + n:010d}"


# The loans that make each limit bind: here, at GN, and at libraries outside the simulation.
LIBRARY_BOUND_LOANS = tuple(item_id(n) for n in range(146, 151))
LIBRARY_BOUND_LOANS_AT_GN = (other_item_id(18), other_item_id(19))
NETWORK_BOUND_LOANS = (item_id(151), item_id(152))
NETWORK_BOUND_LOANS_AT_GN = tuple(other_item_id(n) for n in (21, 22, 23, 24, 27, 28))
NETWORK_BOUND_LOANS_OUTSIDE = 10


# Korean ISBN add-on (부가기호): reader (0 general, 7 children), form (3 book), KDC class.
_ADD_ON_BY_LOCATION = {"종합자료실": "03810", "어린이자료실": "77810", "외국어자료실": "03840"}
_ADD_ON_BY_TITLE = {
    "미움받을 용기": "03180", "사피엔스": "03900", "코스모스": "03440", "총, 균, 쇠": "03900",
    "정의란 무엇인가": "03340", "트렌드 코리아 2026": "03320", "삼국유사": "03910", "징비록": "03910",
}  # fmt: skip

# (title, author, ISBN prefix, location). Real books; the ISBN bodies are made up, the
# check digits are right.
TITLES: tuple[tuple[str, str, str, str], ...] = (
    ("채식주의자", "한강", "97889", "종합자료실"),
    ("소년이 온다", "한강", "97889", "종합자료실"),
    ("82년생 김지영", "조남주", "97889", "종합자료실"),
    ("토지 1", "박경리", "97889", "종합자료실"),
    ("작별하지 않는다", "한강", "97889", "종합자료실"),
    ("아몬드", "손원평", "97911", "종합자료실"),
    ("불편한 편의점", "김호연", "97911", "종합자료실"),
    ("달러구트 꿈 백화점", "이미예", "97911", "종합자료실"),
    ("파친코 1", "이민진", "97911", "종합자료실"),
    ("엄마를 부탁해", "신경숙", "97889", "종합자료실"),
    ("태백산맥 1", "조정래", "97889", "종합자료실"),
    ("난장이가 쏘아올린 작은 공", "조세희", "97889", "종합자료실"),
    ("살인자의 기억법", "김영하", "97889", "종합자료실"),
    ("나의 라임 오렌지나무", "J. M. 바스콘셀로스", "97889", "어린이자료실"),
    ("어린 왕자", "앙투안 드 생텍쥐페리", "97889", "어린이자료실"),
    ("미움받을 용기", "기시미 이치로", "97889", "종합자료실"),
    ("사피엔스", "유발 하라리", "97889", "종합자료실"),
    ("코스모스", "칼 세이건", "97889", "종합자료실"),
    ("총, 균, 쇠", "재레드 다이아몬드", "97889", "종합자료실"),
    ("정의란 무엇인가", "마이클 샌델", "97889", "종합자료실"),
    ("트렌드 코리아 2026", "김난도", "97911", "종합자료실"),
    ("구름빵", "백희나", "97889", "어린이자료실"),
    ("알사탕", "백희나", "97911", "어린이자료실"),
    ("마당을 나온 암탉", "황선미", "97889", "어린이자료실"),
    ("긴긴밤", "루리", "97911", "어린이자료실"),
    ("완득이", "김려령", "97889", "종합자료실"),
    ("운수 좋은 날", "현진건", "97889", "종합자료실"),
    ("무정", "이광수", "97889", "종합자료실"),
    ("광장", "최인훈", "97889", "종합자료실"),
    ("칼의 노래", "김훈", "97889", "종합자료실"),
    ("나미야 잡화점의 기적", "히가시노 게이고", "97889", "종합자료실"),
    ("지구 끝의 온실", "김초엽", "97911", "종합자료실"),
    ("우리가 빛의 속도로 갈 수 없다면", "김초엽", "97911", "종합자료실"),
    ("시선으로부터,", "정세랑", "97911", "종합자료실"),
    ("피프티 피플", "정세랑", "97889", "종합자료실"),
    ("흰", "한강", "97889", "종합자료실"),
    ("삼국유사", "일연", "97889", "종합자료실"),
    ("징비록", "류성룡", "97889", "종합자료실"),
    ("자전거 도둑", "박완서", "97889", "어린이자료실"),
    ("그 많던 싱아는 누가 다 먹었을까", "박완서", "97889", "종합자료실"),
    ("The Little Prince", "Antoine de Saint-Exupéry", "97801", "외국어자료실"),
    ("Harry Potter and the Philosopher's Stone", "J. K. Rowling", "97807", "외국어자료실"),
    ("Pachinko", "Min Jin Lee", "97814", "외국어자료실"),
    ("The Vegetarian", "Han Kang", "97818", "외국어자료실"),
    ("Human Acts", "Han Kang", "97818", "외국어자료실"),
    ("Nineteen Eighty-Four", "George Orwell", "97801", "외국어자료실"),
    ("To Kill a Mockingbird", "Harper Lee", "97800", "외국어자료실"),
    ("The Great Gatsby", "F. Scott Fitzgerald", "97807", "외국어자료실"),
    ("Charlotte's Web", "E. B. White", "97800", "외국어자료실"),
    ("The Old Man and the Sea", "Ernest Hemingway", "97806", "외국어자료실"),
)


def ean13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn_for(index: int, prefix: str) -> str:
    """A made-up but well-formed ISBN-13 for the index-th title."""
    body_len = 12 - len(prefix)
    body = f"{(index * 7919 + 104729) % 10**body_len:0{body_len}d}"
    first12 = prefix + body
    return first12 + ean13_check_digit(first12)


def add_on_for(title: str, location: str) -> str:
    return _ADD_ON_BY_TITLE.get(title, _ADD_ON_BY_LOCATION.get(location, "03000"))


def items() -> list[ItemRecord]:
    """300 items here (every title in six copies; a few reference and closed-stack copies)
    and 30 at the other member library."""
    records = []
    for n in range(1, ITEM_COUNT + 1):
        index = (n - 1) % len(TITLES)
        title, author, prefix, location = TITLES[index]
        add_on = add_on_for(title, location)
        loan_type = "normal"
        if 191 <= n <= 195:
            loan_type, location = "reference", "참고자료실"
        elif 196 <= n <= 198 or 291 <= n <= 295:
            loan_type, location = "closed_stack", "보존서고"
        records.append(
            ItemRecord(item_id(n), isbn_for(index, prefix), title, author, LIBRARY, location,
                       loan_type, add_on)
        )  # fmt: skip
    for n in range(1, OTHER_ITEM_COUNT + 1):
        index = (n * 7) % len(TITLES)
        title, author, prefix, location = TITLES[index]
        records.append(ItemRecord(other_item_id(n), isbn_for(index, prefix), title, author, OTHER_LIBRARY,
                                  location, "normal", add_on_for(title, location)))  # fmt: skip
    return records


def patrons(today: dt.date) -> list[PatronRecord]:
    def p(card: str, name: str, pin: str, **kw: object) -> PatronRecord:
        return PatronRecord(card, name, pin, LIBRARY, **kw)  # type: ignore[arg-type]

    return [
        dataclasses.replace(record, member_no=MEMBER_NUMBERS[record.card_id])
        for record in [
            p(DEMO_PATRON_ID, "김민수", DEMO_PATRON_PIN),
            p(BLOCKED_PATRON_ID, "이서연", "2345", fees=5000),
            p(LOST_CARD_PATRON_ID, "박지훈", "3456", card_ok=False),
            p(SUSPENDED_PATRON_ID, "최유진", "4567", suspended_until=today + dt.timedelta(days=10)),
            p(LIMIT_PATRON_ID, "정하늘", "5678"),
            p(DISABLED_PATRON_ID, "강동원", "6789", disabled=True),
            p(CHAEKIEUM_PATRON_ID, "윤서아", "7890", loans_elsewhere=20),
            p(HOLDER_PATRON_ID, "한지민", "8901"),
            p(OVERDUE_PATRON_ID, "오준호", "9012"),
            p(EXPIRED_PATRON_ID, "서예린", "1357", expires=today - dt.timedelta(days=1)),
            PatronRecord(BRING_IN_PATRON_ID, "임도윤", "1111", OTHER_LIBRARY, birth_date=BRING_IN_BIRTH_DATE),
            PatronRecord(NETWORK_PATRON_ID, "배수빈", "9999", OTHER_LIBRARY, birth_date=dt.date(1985, 7, 1)),
            PatronRecord(
                NETWORK_LIMIT_PATRON_ID, "문태오", "8642", OTHER_LIBRARY, birth_date=dt.date(1978, 1, 9)
            ),
            p(LIBRARY_BOUND_PATRON_ID, "송지우", "2580"),
            p(NETWORK_BOUND_PATRON_ID, "장서윤", "3690", loans_elsewhere=NETWORK_BOUND_LOANS_OUTSIDE),
            p(STAFF_BLOCK_PATRON_ID, "노하은", "4680", denied="charge", note=STAFF_BLOCK_NOTE),
            p(RENEWAL_DENIED_PATRON_ID, "황민재", "5791", denied="renewal"),
            p(RECALL_DENIED_PATRON_ID, "신예준", "6802", denied="recall"),
            p(HOLD_DENIED_PATRON_ID, "권나연", "7913", denied="hold"),
            p(RENEWALS_USED_PATRON_ID, "조시우", "8024", denied="renewals"),
            p(CLAIMS_PATRON_ID, "유다인", "9135", claims_returned=2),
            p(LOST_ITEMS_PATRON_ID, "남궁현", "1246", lost_items=3),
            p(OTHER_FEES_PATRON_ID, "홍채원", "2357", other_fees=15000),
            p(RECALL_OVERDUE_PATRON_ID, "백승우", "3468"),
            p(BILLED_PATRON_ID, "전소율", "4579", billed_items=2),
            p(HISTORY_PATRON_ID, "안지호", "5680"),
            PatronRecord(
                HOME_REFUSED_PATRON_ID,
                "류태윤",
                "6791",
                OTHER_LIBRARY,
                birth_date=HOME_REFUSED_BIRTH_DATE,
                denied="bring_in",
            ),
            PatronRecord(
                BIRTH_LOCK_PATRON_ID, "차은서", "7802", OTHER_LIBRARY, birth_date=BIRTH_LOCK_BIRTH_DATE
            ),
        ]
    ]


def loans(today: dt.date) -> list[LoanRecord]:
    def days(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    records = [LoanRecord(DEMO_LOAN_ITEM, DEMO_PATRON_ID, days(-10), days(5))]
    records += [LoanRecord(item_id(n), LIMIT_PATRON_ID, days(-3), days(12)) for n in range(101, 108)]
    records += [LoanRecord(item_id(n), DISABLED_PATRON_ID, days(-5), days(25)) for n in range(111, 118)]
    records.append(LoanRecord(OVERDUE_ITEM, OVERDUE_PATRON_ID, days(-18), days(-3)))
    records.append(LoanRecord(RESERVED_LOAN_ITEM, HOLDER_PATRON_ID, days(-4), days(11)))
    # A GN member's loans at GN (counted by every member library) and one here.
    records += [LoanRecord(other_item_id(n), NETWORK_PATRON_ID, days(-6), days(9), library=OTHER_LIBRARY)
                for n in range(1, 4)]  # fmt: skip
    records.append(LoanRecord(item_id(131), NETWORK_PATRON_ID, days(-2), days(13)))
    records += [
        LoanRecord(other_item_id(n), NETWORK_LIMIT_PATRON_ID, days(-3), days(12), library=OTHER_LIBRARY)
        for n in range(4, 18)
    ]
    records += [LoanRecord(item_id(n), NETWORK_LIMIT_PATRON_ID, days(-3), days(12)) for n in range(141, 146)]
    bound = (
        (LIBRARY_BOUND_PATRON_ID, LIBRARY_BOUND_LOANS, LIBRARY_BOUND_LOANS_AT_GN),
        (NETWORK_BOUND_PATRON_ID, NETWORK_BOUND_LOANS, NETWORK_BOUND_LOANS_AT_GN),
    )
    for card, here, at_gn in bound:
        records += [LoanRecord(item, card, days(-4), days(11)) for item in here]
        records += [LoanRecord(item, card, days(-8), days(7), library=OTHER_LIBRARY) for item in at_gn]
    # Recalled for another patron: the due date brought forward to yesterday.
    records.append(LoanRecord(RECALLED_ITEM, RECALL_OVERDUE_PATRON_ID, days(-9), days(-1), recalled=True))
    records.append(LoanRecord(RENEWAL_DENIED_LOAN, RENEWAL_DENIED_PATRON_ID, days(-5), days(10)))
    records.append(LoanRecord(RENEWALS_USED_LOAN, RENEWALS_USED_PATRON_ID, days(-5), days(10)))
    return records


def seed(store: CirculationStore, today: dt.date) -> None:
    """Fill an empty store; loan and suspension dates are relative to `today`."""
    with store.transaction():
        for patron in patrons(today):
            store.add_patron(patron)
        for item in items():
            store.add_item(item)
        for loan in loans(today):
            store.add_loan(loan)
        for card, library in ((NETWORK_PATRON_ID, LIBRARY), (NETWORK_LIMIT_PATRON_ID, LIBRARY)):
            store.add_membership(card, library, NETWORK_PATRON_PIN, today - dt.timedelta(days=200))
        # Waiting on the hold shelf since yesterday, to collect within 3 days.
        store.add_hold(
            ON_HOLD_ITEM,
            HOLDER_PATRON_ID,
            today - dt.timedelta(days=2),
            today - dt.timedelta(days=1),
            today + dt.timedelta(days=2),
            "종합자료실 예약도서 서가",
        )
        store.add_hold(WAITING_HOLD_ITEM, HOLDER_PATRON_ID, today - dt.timedelta(days=1))
        # Second in the queue for another book on loan, behind another patron.
        store.add_hold(QUEUED_HOLD_ITEM, DISABLED_PATRON_ID, today - dt.timedelta(days=3))
        store.add_hold(QUEUED_HOLD_ITEM, HOLDER_PATRON_ID, today - dt.timedelta(days=1))
        # Requested from GN, on its way to this library's hold shelf.
        store.add_hold(IN_TRANSIT_HOLD_ITEM, HOLDER_PATRON_ID, today - dt.timedelta(days=1),
                       in_transit=True)  # fmt: skip
        store.add_hold(RESERVED_LOAN_ITEM, NETWORK_PATRON_ID, today - dt.timedelta(days=1))
        # Borrowed and returned, here and at GN: the history across member libraries.
        store.add_history(
            NETWORK_PATRON_ID,
            LIBRARY,
            HISTORY_ITEM,
            TITLES[131 % len(TITLES)][0],
            today - dt.timedelta(days=60),
            today - dt.timedelta(days=50),
        )
        store.add_history(
            NETWORK_PATRON_ID,
            OTHER_LIBRARY,
            other_item_id(20),
            TITLES[(20 * 7) % len(TITLES)][0],
            today - dt.timedelta(days=40),
            today - dt.timedelta(days=30),
        )
        # Twelve loans, a fortnight apart, each returned after ten days.
        for n, returned_item in enumerate(HISTORY_ITEMS):
            out = today - dt.timedelta(days=14 * (HISTORY_COUNT - n) + 10)
            found = store.item(returned_item)
            store.add_history(HISTORY_PATRON_ID, LIBRARY, returned_item, found.title if found else "", out,
                              out + dt.timedelta(days=10))  # fmt: skip
