"""Texts of the session and its activities other than borrowing: giving back, renewing."""

KO: dict[str, str] = {
    "control.giveback": "반납하기",
    "control.borrow": "대출하기",
    "idle.tap_card": (
        "대출하려면 회원증을 아래 카드 리더에 대 주세요. 모바일 회원증은 QR 코드를 카메라에 보여 주세요"
    ),
    "idle.offline": (
        "도서관 시스템과 연결이 끊겨 오프라인으로 운영 중입니다. 반납할 수 있고, 최근에 이 기기를 "
        "이용한 회원증은 몇 권 대출할 수 있습니다. 회원증을 대 주세요"
    ),
    "idle.offline_returns": (
        "도서관 시스템과 연결이 끊겨 지금은 반납만 받습니다. 책을 카메라에 보여 주세요. "
        "대출은 안내데스크를 이용해 주세요"
    ),
    "idle.library_down": (
        "도서관 시스템과 연결이 끊겨 지금은 이용할 수 없습니다. 안내데스크를 이용해 주세요"
    ),
    "borrow.offline": (
        "오프라인 대출: 도서관 시스템과 연결이 끊겨 {left}권까지 기기에 기록해 대출합니다. "
        "연결되면 도서관에 반영됩니다. 책을 보여 주세요"
    ),
    "borrow.went_offline": (
        "도서관 시스템과 연결이 끊겼습니다. 최근에 이용한 회원증이면 몇 권까지 기기에 기록해 "
        "대출합니다. 책을 보여 주세요"
    ),
    "borrow.done_offline_line": "반납 예정일 {due} · 오프라인 기록, 연결되면 확인",
    "borrow.earlier_line": "반납 예정일 {due} · 지난 이용 때 대출됨",
    "borrow.earlier": (
        "지난 이용이 중간에 끝나 화면에 나오지 않았던 대출이 확인되어 목록에 보여 드립니다. "
        "영수증에도 인쇄됩니다. 다음 책을 보여 주세요"
    ),
    "refusal.offline_limit": (
        "오프라인으로는 더 대출할 수 없습니다. 도서관 시스템이 다시 연결되면 대출하시거나 "
        "안내데스크를 이용해 주세요"
    ),
    "control.finish_return": "반납 완료",
    "control.finish_no_receipt": "영수증 없이",
    "goodbye.no_receipt_chosen": "반납이 모두 기록되었습니다. 영수증은 인쇄하지 않았습니다",
    "goodbye.no_receipt_chosen_loans": (
        "모두 기록되었습니다. 영수증은 인쇄하지 않았습니다. 반납일은 '내 서재'에서 볼 수 있습니다"
    ),
    "goodbye.take_card": "회원증을 챙기세요",
    "scan.help": (
        "바코드를 읽지 못했습니다. 책 뒤표지의 바코드를 카메라 정면, 한 뼘(약 20cm) 앞에 "
        "평평하게 대 주세요. 그래도 안 되면 '등록번호 입력'을 눌러 번호를 입력해 주세요"
    ),
    "giveback.refused_line": "{reason}. 책을 안내데스크에 주세요",
    "giveback.title": "반납하기",
    "working.checkin": "반납을 처리하고 있습니다",
    "giveback.prompt": "반납할 책의 바코드를 카메라에 보여 주세요. 회원증 없이도 됩니다",
    "giveback.late": "연체된 책이 있어 {until}까지 {days}일 동안 대출이 정지됩니다",
    "receipt.suspended": "연체 반납으로 {until}까지 {days}일 동안 대출 정지",
    "giveback.returned_line": "반납했습니다. 반납함에 넣어 주세요",
    "giveback.transit_line": "{library} 책입니다. 반납되었으니 반납함에 넣어 주세요 (책이음 상호반납)",
    "receipt.goes_to": "→ {library}(으)로 돌아갑니다",
    "giveback.offline": (
        "도서관 시스템과 연결이 끊겼지만 반납은 할 수 있습니다. 기기에 기록하고 연결되면 반영합니다. "
        "책의 바코드를 보여 주세요"
    ),
    "giveback.already_returned": "이 책은 이미 목록에 있습니다 (방금 반납함). 다음 책을 보여 주세요",
    "giveback.library_down": (
        "도서관 시스템이 응답하지 않아 지금은 반납을 기록할 수 없습니다. "
        "책을 반납함에 넣지 말고 직원을 호출해 주세요"
    ),
    "borrow.renewed_line": "연장했습니다 · 반납 예정일 {due}",
    "error.return_unknown": "반납 여부를 확인하지 못했습니다. 책을 안내데스크에 주세요",
    "control.my_loans": "내 대출 현황",
    "block.fees": (
        "미납 연체료 {amount}원이 있어 대출할 수 없습니다. "
        "안내데스크에서 납부해 주세요. 반납은 할 수 있습니다"
    ),
    "block.suspended": (
        "연체 반납으로 {until}까지 대출이 정지되었습니다. "
        "그 다음 날부터 대출할 수 있습니다. 반납은 할 수 있습니다"
    ),
    "block.overdue": "연체 중인 책이 {count}권 있어 대출할 수 없습니다. 먼저 반납해 주세요",
    "block.overdue_item": "연체 중: 반납하기를 눌러 반납해 주세요",
    "block.card_lost": "분실 신고되었거나 사용이 정지된 회원증입니다. 안내데스크에서 새 회원증을 받아 주세요",
    "block.limit": (
        "이 도서관에서 빌릴 수 있는 {limit}권을 모두 빌리셨습니다 (지금 {count}권). "
        "반납하시면 그만큼 더 빌릴 수 있습니다"
    ),
    "block.network_limit": (
        "책이음 도서관 전체에서 빌릴 수 있는 {limit}권을 모두 빌리셨습니다 (지금 {count}권). "
        "어느 책이음 도서관에든 반납하시면 더 빌릴 수 있습니다"
    ),
    "block.card_expired": "회원 자격이 {date}에 끝났습니다. 신분증을 가지고 안내데스크에서 갱신해 주세요",
    "refusal.recall_overdue": (
        "반납 요청을 받은 책이 아직 반납되지 않아 대출할 수 없습니다. 그 책을 먼저 반납해 주세요"
    ),
    "refusal.items_lost": (
        "분실 처리된 책이 있어 대출할 수 없습니다. 안내데스크에서 변상이나 찾은 책의 반납을 도와드립니다"
    ),
    "refusal.items_billed": "변상 청구된 책이 있어 대출할 수 없습니다. 안내데스크에서 정산해 주세요",
    "refusal.claims_returned": (
        "반납했다고 알려 주신 책을 도서관에서 확인하고 있어 대출할 수 없습니다. 안내데스크에 문의해 주세요"
    ),
    "account.renewal_denied": (
        "지금은 연장할 수 없는 상태입니다. 반납일까지 반납하시거나 안내데스크에 문의해 주세요"
    ),
    "account.hold_denied": "지금은 예약할 수 없는 상태입니다. 안내데스크에 문의해 주세요",
    "borrow.hold_ready_line": "예약하신 책이 준비되었습니다 · {shelf}에서 {until}까지 찾아 보여 주세요",
    "account.hold_ready_line": "찾아갈 수 있음 · {shelf}, {until}까지",
    "account.hold_waiting_line": "예약 대기 중",
    "account.hold_position_line": "예약 대기 중 · 대기 순번 {position}번",
    "account.hold_in_transit_line": "다른 도서관에서 오는 중 · 도착하면 알려 드립니다",
    "account.hold_cancelled": "예약을 취소했습니다",
    "account.loans_here": "이 도서관에서 대출 중: {count}권",
    "account.loans_network": "책이음 도서관 전체에서 대출 중: {count}권",
    "account.loans_both": "대출 중: 이 도서관 {count}권 · 책이음 도서관 전체 {network}권",
    "account.quota_both": (
        "더 빌릴 수 있는 책: 이 도서관 {left}권 (한도 {limit}권) · "
        "책이음 전체 {network_left}권 (한도 {network_limit}권)"
    ),
    "account.fees": "미납 연체료 {amount}원: 안내데스크에서 납부할 수 있습니다",
    "account.history_line": "{library} · 대출 {out} · 반납 {back}",
    "account.history_line_out": "{library} · 대출 {out} · 아직 대출 중",
    "account.history_note": (
        "대출 이력은 이 화면에서만 보이며 저장되지 않습니다. '영수증에 인쇄'를 누를 때만 인쇄됩니다"
    ),
    "account.history_will_print": "대출 이력을 영수증에 인쇄합니다. 취소하려면 '인쇄 안 함'을 누르세요",
    "account.history_wont_print": "대출 이력은 인쇄하지 않습니다",
    "account.may_not_borrow": "지금은 대출할 수 없는 상태입니다. 책을 반납하려면 '반납하기'를 누르세요",
    "control.print_history": "영수증에 인쇄",
    "control.unprint_history": "인쇄 안 함",
    "account.history_none": "대출 이력이 없습니다",
    "account.history_unavailable": "지금은 대출 이력을 볼 수 없습니다",
    "control.history": "대출 이력",
    "control.history_more": "이력 더 보기",
    "control.loans": "대출 현황으로",
    "account.select_holds_first": "먼저 취소할 예약을 골라 주세요",
    "account.library_down": (
        "도서관 시스템에 연결되지 않아 지금은 연장하거나 예약을 바꿀 수 없습니다. 잠시 후 다시 해 보세요"
    ),
    "control.cancel_holds": "예약 취소",
    "refusal.closed_stack": (
        "보존서고에 있는 책입니다. 이 줄을 누르면 신청하고, 찾아갈 곳과 날짜를 알려 드립니다"
    ),
    "line.selected": "선택됨",
    "input.entered": "{count}자리 입력됨",
    "line.not_selected": "선택 안 됨",
    "control.back": "대출로 돌아가기",
    "control.renew_selected": "선택한 책 연장",
    "control.renew_all": "모두 연장",
    "account.title": "내 대출 현황",
    "account.prompt": "연장할 책을 골라 '선택한 책 연장'을 누르거나 '모두 연장'을 누르세요",
    "account.none": "대출 중인 책이 없습니다",
    "account.select_first": "먼저 연장할 책을 골라 주세요",
    "account.renewed_all": "연장 결과입니다. 연장하지 못한 책은 이유를 확인하세요",
    "account.due_line": "반납 예정일 {due}",
    "account.overdue_line": "연체 · 반납 예정일 {due}",
}

EN: dict[str, str] = {
    "control.giveback": "Return books",
    "control.borrow": "Borrow books",
    "idle.tap_card": (
        "To borrow, tap your card on the reader below, or show your mobile card's QR code to the camera"
    ),
    "idle.offline": (
        "Working offline: the library system cannot be reached. You can return books, and cards "
        "used here lately can borrow a few. Tap your card"
    ),
    "idle.offline_returns": (
        "The library system cannot be reached: returns only for now. Show a book to the camera. "
        "Please borrow at the desk"
    ),
    "idle.library_down": "The library system cannot be reached: please use the desk for now",
    "borrow.offline": (
        "Borrowing offline: the library system cannot be reached, so up to {left} books are recorded "
        "here and confirmed when it is back. Show a book"
    ),
    "borrow.went_offline": (
        "The library system cannot be reached: a card used here lately can borrow a few books, "
        "recorded here. Show a book"
    ),
    "borrow.done_offline_line": "Due {due} · recorded offline, confirmed when the library is back",
    "borrow.earlier_line": "Due {due} · borrowed at your last visit",
    "borrow.earlier": (
        "Your last visit ended before the screen could show all your loans: they are listed here "
        "and printed on the receipt. Show the next book"
    ),
    "refusal.offline_limit": (
        "No more books can be borrowed offline. Please borrow them when the library system is back, "
        "or ask at the desk"
    ),
    "control.finish_return": "Done returning",
    "control.finish_no_receipt": "No receipt",
    "goodbye.no_receipt_chosen": "All returns are recorded. No receipt was printed, as you chose",
    "goodbye.no_receipt_chosen_loans": (
        "All is recorded. No receipt was printed, as you chose: see the due dates in your online account"
    ),
    "goodbye.take_card": "Please take your card",
    "scan.help": (
        "The barcode could not be read. Hold the book's barcode flat, straight in front of the camera, "
        "about 20 cm away. If it still does not read, press Type a number and type it"
    ),
    "giveback.refused_line": "{reason}. Please give the book to the desk",
    "giveback.title": "Return",
    "working.checkin": "Recording the return",
    "giveback.prompt": "Show each book's barcode to the camera. No card needed",
    "giveback.late": "A book was overdue: borrowing is suspended for {days} days, until {until}",
    "receipt.suspended": "Late return: borrowing suspended {days} days, until {until}",
    "giveback.returned_line": "Returned. Please put it in the return bin",
    "giveback.transit_line": "A {library} book: returned here, please put it in the return bin",
    "receipt.goes_to": "→ goes back to {library}",
    "giveback.offline": (
        "The library system is unreachable, but you can still return books: they are recorded here and "
        "confirmed when it is back. Show each book's barcode"
    ),
    "giveback.already_returned": "This book is already on your list (returned just now). Show the next book",
    "giveback.library_down": (
        "The library system is not answering, so returns cannot be recorded now. Keep the book and call staff"
    ),
    "borrow.renewed_line": "Renewed · due {due}",
    "error.return_unknown": "Return not confirmed: please give the book to the desk",
    "control.my_loans": "My loans",
    "block.fees": (
        "You owe {amount} won in fees, so you cannot borrow now. Please pay at the desk. "
        "You can still return books"
    ),
    "block.suspended": (
        "Borrowing is suspended until {until} for late returns; you can borrow again the day after. "
        "You can still return books"
    ),
    "block.overdue": "You have {count} overdue books, so you cannot borrow now. Please return them first",
    "block.overdue_item": "Overdue: press Return books to return it",
    "block.card_lost": "This card was reported lost or is blocked. Please get a new card at the desk",
    "block.limit": (
        "You have borrowed all {limit} books allowed at this library (now {count}). "
        "Return some and you can borrow as many more"
    ),
    "block.network_limit": (
        "You have borrowed all {limit} books allowed across Chaekieum libraries (now {count}). "
        "Return some at any Chaekieum library to borrow more"
    ),
    "block.card_expired": "Your membership ended on {date}. Please renew it at the desk, with an ID",
    "refusal.recall_overdue": (
        "A book the library asked you to bring back is still out, so you cannot borrow now. Return it first"
    ),
    "refusal.items_lost": (
        "A book on your card is marked lost, so you cannot borrow now. The desk will help you replace "
        "or return it"
    ),
    "refusal.items_billed": (
        "You have been billed for a book, so you cannot borrow now. Please settle it at the desk"
    ),
    "refusal.claims_returned": (
        "The library is checking a book you said you returned, so you cannot borrow now. "
        "Please ask at the desk"
    ),
    "account.renewal_denied": (
        "Renewals are not possible for you now. Return by the due date, or ask at the desk"
    ),
    "account.hold_denied": "Reservations are not possible for you now. Please ask at the desk",
    "borrow.hold_ready_line": "Your reserved book is ready · at {shelf} until {until}: show its barcode here",
    "account.hold_ready_line": "Ready to collect · {shelf}, until {until}",
    "account.hold_waiting_line": "Reserved, waiting",
    "account.hold_position_line": "Reserved, waiting · number {position} in the queue",
    "account.hold_in_transit_line": "On its way from another library · you will be told when it arrives",
    "account.hold_cancelled": "Reservation cancelled",
    "account.loans_here": "On loan at this library: {count}",
    "account.loans_network": "On loan across Chaekieum libraries: {count}",
    "account.loans_both": "On loan: {count} here · {network} across Chaekieum libraries",
    "account.quota_both": (
        "You can borrow {left} more here (limit {limit}) · {network_left} more across Chaekieum "
        "(limit {network_limit})"
    ),
    "account.fees": "Fees owed: {amount} won; you can pay at the desk",
    "account.history_line": "{library} · borrowed {out} · returned {back}",
    "account.history_line_out": "{library} · borrowed {out} · still on loan",
    "account.history_note": (
        "Your borrowing history is shown only here and not kept. It is printed only if you press "
        "'Print on receipt'"
    ),
    "account.history_will_print": "Your history will be printed on the receipt. Press 'Do not print' to undo",
    "account.history_wont_print": "Your history will not be printed",
    "account.may_not_borrow": "You cannot borrow now. To return books, press Return",
    "control.print_history": "Print on receipt",
    "control.unprint_history": "Do not print",
    "account.history_none": "No borrowing history",
    "account.history_unavailable": "The borrowing history is not available now",
    "control.history": "History",
    "control.history_more": "More history",
    "control.loans": "Back to my loans",
    "account.select_holds_first": "Select the reservations to cancel first",
    "account.library_down": (
        "The library system cannot be reached, so renewals and reservations cannot be changed now. "
        "Please try again shortly"
    ),
    "control.cancel_holds": "Cancel reservations",
    "refusal.closed_stack": (
        "Kept in the closed stacks: touch this line to request it; "
        "you will be told where and when to collect it"
    ),
    "line.selected": "selected",
    "input.entered": "{count} entered",
    "line.not_selected": "not selected",
    "control.back": "Back to borrowing",
    "control.renew_selected": "Renew selected",
    "control.renew_all": "Renew all",
    "account.title": "My loans",
    "account.prompt": "Select books and press 'Renew selected', or press 'Renew all'",
    "account.none": "You have no books on loan",
    "account.select_first": "Select the books to renew first",
    "account.renewed_all": "Here is what was renewed; see why for any that were not",
    "account.due_line": "Due {due}",
    "account.overdue_line": "Overdue · was due {due}",
}
