"""Texts of the library link: refusals and notices of checkin, renewals, holds, fees, the bring-in."""

KO: dict[str, str] = {
    # refusals the library system gives (patron blocks and item refusals)
    "refusal.pin_wrong": "비밀번호가 맞지 않습니다. 다시 입력하거나 안내데스크에 문의해 주세요",
    "refusal.card_expired": "회원 자격 유효기간이 지났습니다. 데스크에서 갱신해 주세요",
    "refusal.bring_in_needed": (
        "다른 책이음 도서관 회원입니다. 이 도서관에서 처음 대출하려면 회원 가져오기가 필요합니다. "
        "회원증을 다시 대면 안내해 드립니다"
    ),
    "refusal.network_limit": (
        "책이음 도서관 전체에서 빌릴 수 있는 권수를 모두 빌렸습니다. 먼저 반납한 뒤 빌려 주세요"
    ),
    "refusal.other_library_item": "다른 도서관의 책입니다. 그 도서관에 반납하거나 대출해 주세요",
    "refusal.not_on_loan": "대출 중인 책이 아닙니다. 책을 안내데스크에 주세요",
    "refusal.renewal_limit": "이미 연장한 책입니다 (연장은 한 번만 됩니다). 반납일까지 반납해 주세요",
    "refusal.renewal_reserved": "다른 회원이 예약한 책이라 연장할 수 없습니다. 반납일까지 반납해 주세요",
    "refusal.renewal_overdue": "반납일이 지난 책은 연장할 수 없습니다. 오늘 반납해 주세요",
    "refusal.renewal_refused": "연장할 수 없습니다. 안내데스크에 문의해 주세요",
    "refusal.hold_refused": "예약할 수 없습니다. 안내데스크에 문의해 주세요",
    "refusal.hold_unknown": "예약된 책이 아닙니다. 예약 내역은 '내 대출 현황'에서 볼 수 있습니다",
    "refusal.fee_refused": "결제를 처리하지 못했습니다. 데스크에 문의해 주세요",
    "refusal.identity_not_confirmed": "본인 확인에 실패했습니다. 생년월일을 확인해 주세요",
    "refusal.pin_unacceptable": "사용할 수 없는 비밀번호입니다. 숫자 4~6자리로 정해 주세요",
    "refusal.not_a_member": "책이음 회원이 아닙니다. 데스크에서 회원 가입해 주세요",
    "refusal.already_member": "이미 이 도서관 회원입니다. 회원증을 대고 빌려 주세요",
    "refusal.bring_in_unsupported": (
        "이 도서관 시스템에서는 회원 가져오기를 할 수 없습니다. 데스크에 문의해 주세요"
    ),
    # every SIP2 patron status flag, with its figures and the next step (flows/screens.blocked)
    "block.items_lost": (
        "분실 처리된 책이 {count}권 있어 대출할 수 없습니다. "
        "안내데스크에서 변상하거나 찾은 책을 반납해 주세요. 반납은 할 수 있습니다"
    ),
    "block.claims_returned": (
        "반납했다고 알려 주신 책 {count}권을 도서관에서 아직 찾지 못해 대출할 수 없습니다. "
        "안내데스크에 문의해 주세요. 반납은 할 수 있습니다"
    ),
    "block.items_billed": (
        "변상 청구된 책이 {count}권 있어 대출할 수 없습니다. "
        "안내데스크에서 정산해 주세요. 반납은 할 수 있습니다"
    ),
    "block.recall_overdue": (
        "도서관이 반납을 요청한 책 {count}권의 반납일이 지나 대출할 수 없습니다. 그 책을 먼저 반납해 주세요"
    ),
    "block.recalled_item": "반납 요청된 책: 반납하기를 눌러 먼저 반납해 주세요",
    "block.too_many_renewals": (
        "연장할 수 있는 횟수를 모두 써서 더 연장할 수 없습니다. 반납일까지 반납해 주세요"
    ),
    "block.recall_denied": (
        "이 회원증으로는 다른 회원이 빌린 책의 반납 요청을 할 수 없습니다. 안내데스크에 문의해 주세요"
    ),
    "library.note": "도서관에서 보낸 안내",
    "refusal.renewal_denied": (
        "이 회원증으로는 연장할 수 없습니다. 반납일까지 반납하거나 안내데스크에 문의해 주세요"
    ),
    "refusal.hold_denied": "이 회원증으로는 예약할 수 없습니다. 안내데스크에 문의해 주세요",
    # notices
    "library.checkin_ok": "반납되었습니다",
    "library.checkin_late": "{days}일 늦게 반납되어 {days}일 동안 대출이 정지됩니다",
    "library.checkin_hold_shelf": "예약된 책입니다. 반납함이 아니라 직원에게 주세요",
    "library.renewed": "반납일이 {due}(으)로 연장되었습니다",
    "library.hold_placed": "예약되었습니다. 대기 순서 {position}번",
    "library.hold_ready": "예약한 책이 도착했습니다. {date}까지 찾아가세요",
    "library.hold_cancelled": "예약을 취소했습니다",
    "library.closed_stack_requested": "보존서고 자료를 신청했습니다. {date}까지 {place}에서 찾아가세요",
    "library.fee_paid": "{amount}원을 결제했습니다",
    "library.quota": "더 빌릴 수 있는 책: {count}권",
    "library.fees_owed": "미납 연체료 {amount}원",
    "library.recovered": "연결이 끊겼지만 처리 결과를 확인했습니다",
    # the Chaekieum bring-in
    "bring_in.title": "책이음 회원 가져오기",
    "bring_in.explain": "{home} 회원증으로 이 도서관에서도 빌릴 수 있도록 한 번만 등록합니다",
    "bring_in.birth_date": "본인 확인을 위해 생년월일 6자리를 입력해 주세요 (예: 880512)",
    "bring_in.new_pin": "이 도서관에서 쓸 비밀번호(숫자 4~6자리)를 정해 주세요",
    "bring_in.repeat_pin": "비밀번호를 한 번 더 입력해 주세요",
    "bring_in.pin_mismatch": "두 비밀번호가 다릅니다. 다시 입력해 주세요",
    "bring_in.done": "회원 가져오기가 끝났습니다. 이제 이 도서관에서 빌릴 수 있습니다",
}

EN: dict[str, str] = {
    "refusal.pin_wrong": "The PIN is not correct. Type it again, or ask at the desk",
    "refusal.card_expired": "Your membership has expired. Please renew it at the desk",
    "refusal.bring_in_needed": "You are a member of another Chaekieum library. Before your first loan here, "
    "bring your membership in: tap your card again to be guided",
    "refusal.network_limit": (
        "You have borrowed as many books as allowed across all Chaekieum libraries. Return some first"
    ),
    "refusal.other_library_item": "This book belongs to another library. Borrow or return it there",
    "refusal.not_on_loan": "This book is not on loan. Please give it to the desk",
    "refusal.renewal_limit": (
        "This book has already been renewed (one renewal only). Please return it by its due date"
    ),
    "refusal.renewal_reserved": (
        "This book is reserved by another patron and cannot be renewed. Please return it by its due date"
    ),
    "refusal.renewal_overdue": "An overdue book cannot be renewed. Please return it today",
    "refusal.renewal_refused": "This book cannot be renewed. Please ask at the desk",
    "refusal.hold_refused": "This book cannot be reserved. Please ask at the desk",
    "refusal.hold_unknown": "You have no reservation for this book. My loans lists your reservations",
    "refusal.fee_refused": "The payment could not be recorded. Please ask at the desk",
    "refusal.identity_not_confirmed": "Your identity could not be confirmed. Please check your date of birth",
    "refusal.pin_unacceptable": "That PIN cannot be used. Choose 4 to 6 digits",
    "refusal.not_a_member": "This is not a Chaekieum card. Please join at the desk",
    "refusal.already_member": "You are already a member of this library. Tap your card to borrow",
    "refusal.bring_in_unsupported": (
        "This library's system cannot bring memberships in here. Please ask at the desk"
    ),
    "block.items_lost": (
        "{count} books on your card are marked lost, so you cannot borrow now. Please see the desk to "
        "pay for them or return the ones you found. You can still return books"
    ),
    "block.claims_returned": (
        "{count} books you said you returned have not been found yet, so you cannot borrow now. "
        "Please see the desk. You can still return books"
    ),
    "block.items_billed": (
        "You have been billed for {count} books, so you cannot borrow now. Please settle this at the desk. "
        "You can still return books"
    ),
    "block.recall_overdue": (
        "{count} books the library asked you to bring back are past their due date, so you cannot borrow "
        "now. Please return them first"
    ),
    "block.recalled_item": "Recalled: press Return books to return it first",
    "block.too_many_renewals": (
        "You have used all the renewals allowed. Please return books by their due dates"
    ),
    "block.recall_denied": (
        "You cannot ask for books on loan to others to be recalled with this card. Please ask at the desk"
    ),
    "library.note": "Message from the library",
    "refusal.renewal_denied": (
        "Renewals are not allowed on your card. Return it by its due date, or ask at the desk"
    ),
    "refusal.hold_denied": "Reservations are not allowed on your card. Please ask at the desk",
    "library.checkin_ok": "Returned",
    "library.checkin_late": "Returned {days} days late: borrowing is suspended for {days} days",
    "library.checkin_hold_shelf": "Someone has reserved this book. Please hand it to staff",
    "library.renewed": "Renewed: now due {due}",
    "library.hold_placed": "Reserved. You are number {position} in the queue",
    "library.hold_ready": "Your reserved book is waiting. Collect it by {date}",
    "library.hold_cancelled": "Reservation cancelled",
    "library.closed_stack_requested": "Closed-stack request placed. Collect it at {place} by {date}",
    "library.fee_paid": "Paid {amount} won",
    "library.quota": "You may borrow {count} more",
    "library.fees_owed": "Unpaid fees: {amount} won",
    "library.recovered": "The connection dropped, but the result was confirmed",
    "bring_in.title": "Chaekieum membership bring-in",
    "bring_in.explain": "Register your {home} card here once to borrow at this library too",
    "bring_in.birth_date": "To confirm it is you, enter your date of birth as 6 digits (e.g. 880512)",
    "bring_in.new_pin": "Choose a PIN for this library (4 to 6 digits)",
    "bring_in.repeat_pin": "Enter the PIN once more",
    "bring_in.pin_mismatch": "The two PINs differ. Please enter them again",
    "bring_in.done": "Done: you can now borrow at this library",
}
