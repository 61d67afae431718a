"""Texts of the visit: idle, borrow, goodbye, notices, refusals, receipt headings."""

KO: dict[str, str] = {
    # idle
    "idle.title": "책이음 무인 대출기",
    "idle.prompt": "회원증을 카드 리더에 대 주세요",
    "idle.hint": "모바일 회원증은 QR 코드를 카메라에 보여 주세요. 반납은 회원증 없이 책을 보여 주세요",
    # common controls
    "control.lang.ko": "한국어",
    "control.lang.en": "English",
    "control.start_over": "처음으로",
    "control.call_staff": "직원 호출",
    "control.finish": "대출 완료",
    "control.ok": "확인",
    "control.extend": "시간 연장",
    # working
    "working.title": "잠시만 기다려 주세요",
    "working.patron": "회원 정보를 확인하고 있습니다",
    "working.checkout": "대출을 처리하고 있습니다",
    "working.printing": "영수증을 인쇄하고 있습니다",
    # borrow
    "borrow.title": "대출하기",
    "borrow.greeting": "{name} 님, 책의 바코드를 카메라에 보여 주세요",
    "borrow.empty": "아직 대출한 책이 없습니다",
    "borrow.done_line": "반납 예정일 {due}",
    "borrow.count": "이번에 {count}권 대출",
    # goodbye
    "goodbye.title": "이용해 주셔서 감사합니다",
    "goodbye.receipt": "영수증을 가져가세요",
    "goodbye.no_receipt": "대출은 모두 기록되었습니다. 영수증을 인쇄하지 못했습니다: {reason}",
    "goodbye.nothing": "대출한 책이 없습니다",
    # notices and refusals
    "notice.title": "안내",
    "notice.staff_called": "직원을 호출했습니다. 잠시만 기다려 주세요",
    "notice.countdown": "{seconds}초 후 처음 화면으로 돌아갑니다",
    "refusal.patron_unknown": "등록되지 않은 회원증입니다. 데스크에 문의해 주세요",
    "refusal.patron_blocked": "지금은 대출할 수 없습니다. 안내데스크에 문의해 주세요. 반납은 할 수 있습니다",
    "refusal.card_invalid": "사용할 수 없는 회원증입니다 (분실·정지). 안내데스크에서 새 회원증을 받아 주세요",
    "refusal.fees": "연체료가 있어 대출할 수 없습니다. 안내데스크에서 납부해 주세요",
    "refusal.suspended": (
        "연체로 대출이 정지되었습니다. 정지가 끝나면 다시 빌릴 수 있습니다. 반납은 할 수 있습니다"
    ),
    "refusal.limit": "대출 가능한 권수를 넘었습니다. 먼저 반납한 뒤 빌려 주세요",
    "refusal.item_unknown": "등록되지 않은 책입니다. 책을 안내데스크에 주세요",
    "refusal.not_for_loan": "관내에서만 볼 수 있는 자료입니다. 제자리에 두거나 안내데스크에 주세요",
    "refusal.on_hold": "다른 회원이 예약한 책입니다. 안내데스크에 주세요",
    "refusal.already_on_loan": "이미 대출 중인 책입니다. 책을 안내데스크에 주세요",
    "refusal.checkout_refused": "대출할 수 없습니다. 안내데스크에 문의해 주세요",
    "refusal.not_an_item": "책의 바코드가 아닙니다. 책 뒤의 등록번호 바코드를 보여 주세요",
    "error.library_unavailable": "도서관 시스템에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요",
    "error.library_timeout": "도서관 시스템의 응답이 없습니다",
    "error.outcome_unknown": "대출 여부를 확인하지 못했습니다. 안내데스크에 문의해 주세요",
    "error.flow_failed": "문제가 생겼습니다. 직원을 호출했습니다. 잠시만 기다려 주세요",
    "borrow.already_this_visit": "이 책은 이미 목록에 있습니다 (이번에 대출함). 다음 책을 보여 주세요",
    "borrow.library_down": (
        "도서관 시스템이 응답하지 않아 지금은 대출할 수 없습니다. "
        "잠시 후 다시 보여 주시거나 직원을 호출해 주세요"
    ),
    "printer.paper_out": "영수증 용지가 없습니다",
    "printer.offline": "영수증 프린터가 응답하지 않습니다",
    "printer.failed": "영수증 프린터 오류",
    # receipt
    "receipt.title": "대출 영수증",
    "receipt.date": "일시",
    "receipt.kiosk": "대출기",
    "receipt.patron": "회원",
    "receipt.borrowed": "대출 {count}권",
    "receipt.due": "반납일",
    "receipt.refused": "대출 불가 {count}권",
    "receipt.unconfirmed": "확인 필요 {count}권",
    "receipt.account": "내 서재에서 대출 현황 보기",
}

EN: dict[str, str] = {
    "idle.title": "Chaekieum Self-Checkout",
    "idle.prompt": "Tap your library card on the reader",
    "idle.hint": "Mobile card: show its QR code to the camera. To return books, just show them",
    "control.lang.ko": "한국어",
    "control.lang.en": "English",
    "control.start_over": "Start over",
    "control.call_staff": "Call staff",
    "control.finish": "Finish",
    "control.ok": "OK",
    "control.extend": "More time",
    "working.title": "One moment, please",
    "working.patron": "Checking your membership",
    "working.checkout": "Checking out your book",
    "working.printing": "Printing your receipt",
    "borrow.title": "Borrow",
    "borrow.greeting": "{name}, show each book's barcode to the camera",
    "borrow.empty": "No books borrowed yet",
    "borrow.done_line": "Due {due}",
    "borrow.count": "{count} borrowed this visit",
    "goodbye.title": "Thank you",
    "goodbye.receipt": "Please take your receipt",
    "goodbye.no_receipt": "All your loans are recorded. The receipt could not be printed: {reason}",
    "goodbye.nothing": "No books were borrowed",
    "notice.title": "Notice",
    "notice.staff_called": "Staff have been called. Please wait a moment",
    "notice.countdown": "Back to the start in {seconds} s",
    "refusal.patron_unknown": "This card is not registered. Please ask at the desk",
    "refusal.patron_blocked": (
        "You cannot borrow right now. Please ask at the desk. You can still return books"
    ),
    "refusal.card_invalid": "This card cannot be used (lost or blocked). Please get a new card at the desk",
    "refusal.fees": "You have unpaid fees, so you cannot borrow. Please pay at the desk",
    "refusal.suspended": (
        "Borrowing is suspended for overdue items. You can borrow again when it ends; "
        "you can still return books"
    ),
    "refusal.limit": "You have reached your loan limit. Return some books first",
    "refusal.item_unknown": "This book is not in the catalogue. Please give it to the desk",
    "refusal.not_for_loan": "This item is for use in the library only. Leave it here or give it to the desk",
    "refusal.on_hold": "This book is reserved for another patron. Please give it to the desk",
    "refusal.already_on_loan": "This book is already on loan. Please give it to the desk",
    "refusal.checkout_refused": "This book cannot be borrowed. Please ask at the desk",
    "refusal.not_an_item": "That is not a book label. Show the barcode on the book's registration label",
    "error.library_unavailable": "Cannot reach the library system. Please try again shortly",
    "error.library_timeout": "The library system did not answer",
    "error.outcome_unknown": "Not confirmed: please check at the desk",
    "error.flow_failed": "Something went wrong. Staff have been called; please wait a moment",
    "borrow.already_this_visit": "This book is already on your list (borrowed just now). Show the next book",
    "borrow.library_down": (
        "The library system is not answering, so books cannot be borrowed now. "
        "Show the book again in a moment or call staff"
    ),
    "printer.paper_out": "the printer is out of paper",
    "printer.offline": "the printer does not answer",
    "printer.failed": "printer error",
    "receipt.title": "Loan receipt",
    "receipt.date": "Date",
    "receipt.kiosk": "Kiosk",
    "receipt.patron": "Patron",
    "receipt.borrowed": "Borrowed: {count}",
    "receipt.due": "due",
    "receipt.refused": "Not borrowed: {count}",
    "receipt.unconfirmed": "Not confirmed: {count}",
    "receipt.account": "See your loans online",
}
