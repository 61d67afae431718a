"""Texts of the receipt beyond the loan receipt's headings: returns, renewals, loans, quota."""

KO: dict[str, str] = {
    "receipt.title.visit": "도서관 이용 영수증",
    "receipt.renewed": "대출 연장 {count}권",
    "receipt.new_due": "새 반납일",
    "receipt.returned": "반납 {count}권",
    "receipt.sort_bin": "분류함 {bin}",
    "receipt.refused.renewal": "연장 불가 {count}권",
    "receipt.refused.checkin": "반납 확인 필요 {count}권",
    "receipt.on_loan": "그 밖의 대출 중인 책 {count}권",
    "receipt.overdue": "연체",
    "receipt.quota": "책이음 도서관 전체 {limit}권 중 {left}권 더 대출 가능",
    "receipt.note.hold_shelf": "예약된 책입니다. 데스크에 놓아 주세요",
    "receipt.note.transit": "다른 도서관으로 돌려보낼 책입니다. 반납함에 넣어 주세요",
    "receipt.note.staff": "직원에게 전달해 주세요",
}

EN: dict[str, str] = {
    "receipt.title.visit": "Library receipt",
    "receipt.renewed": "Renewed: {count}",
    "receipt.new_due": "new due",
    "receipt.returned": "Returned: {count}",
    "receipt.sort_bin": "Sort bin {bin}",
    "receipt.refused.renewal": "Not renewed: {count}",
    "receipt.refused.checkin": "Return not recorded: {count}",
    "receipt.on_loan": "Also on loan: {count}",
    "receipt.overdue": "overdue",
    "receipt.quota": "{left} more of {limit} across Chaekieum libraries",
    "receipt.note.hold_shelf": "Reserved for another patron: leave it at the desk",
    "receipt.note.transit": "Belongs to another library: put it in the return bin",
    "receipt.note.staff": "Please hand it to staff",
}
