"""Texts of the receipt beyond the loan receipt's headings: returns, renewals, loans here and
across Chaekieum, and which limit leaves how many more."""

KO: dict[str, str] = {
    "receipt.title.visit": "도서관 이용 영수증",
    "receipt.renewed": "대출 연장 {count}권",
    "receipt.requested": "예약·신청 {count}권",
    "receipt.history": "대출 이력 {count}건 (요청하신 인쇄)",
    "receipt.collect": "{place}에서 {date}까지 찾아가세요",
    "receipt.queued": "대기 순번 {position}번",
    "receipt.new_due": "새 반납일",
    "receipt.returned": "반납 {count}권",
    "receipt.sort_bin": "분류함 {bin}",
    "receipt.refused.renewal": "연장 불가 {count}권",
    "receipt.refused.checkin": "반납 확인 필요 {count}권",
    "receipt.on_loan": "그 밖의 대출 중인 책 {count}권",
    "receipt.overdue": "연체",
    "receipt.loans_now": "현재 대출 중",
    "receipt.loans_here": "이 도서관 {count}권",
    "receipt.loans_network": "책이음 도서관 전체 {count}권",
    "receipt.quota.library": "이 도서관 한도 {limit}권 중 {left}권 더 대출 가능",
    "receipt.quota.network": "책이음 전체 한도 {limit}권 중 {left}권 더 대출 가능",
    "receipt.quota.library.reached": "이 도서관 한도 {limit}권을 채워 더 대출할 수 없음",
    "receipt.quota.network.reached": "책이음 전체 한도 {limit}권을 채워 더 대출할 수 없음",
    "receipt.note.hold_shelf": "예약된 책입니다. 데스크에 놓아 주세요",
    "receipt.note.transit": "다른 도서관으로 돌려보낼 책입니다. 반납함에 넣어 주세요",
    "receipt.note.staff": "직원에게 전달해 주세요",
    "receipt.note.offline": (
        "반납함에 넣어 주세요. 도서관 시스템과 연결이 끊겨 기기에 기록했고, 연결되면 반영됩니다"
    ),
    "receipt.note.offline_loan": "오프라인 기록: 도서관 시스템이 연결되면 확인됩니다",
    "receipt.note.earlier": "지난 이용 때 대출된 책입니다",
}

EN: dict[str, str] = {
    "receipt.title.visit": "Library receipt",
    "receipt.renewed": "Renewed: {count}",
    "receipt.requested": "Reserved or requested: {count}",
    "receipt.collect": "Collect at {place} by {date}",
    "receipt.queued": "Number {position} in the queue",
    "receipt.history": "Borrowing history: {count} (printed as you asked)",
    "receipt.new_due": "new due",
    "receipt.returned": "Returned: {count}",
    "receipt.sort_bin": "Sort bin {bin}",
    "receipt.refused.renewal": "Not renewed: {count}",
    "receipt.refused.checkin": "Return not recorded: {count}",
    "receipt.on_loan": "Also on loan: {count}",
    "receipt.overdue": "overdue",
    "receipt.loans_now": "Now on loan",
    "receipt.loans_here": "At this library: {count}",
    "receipt.loans_network": "Across Chaekieum libraries: {count}",
    "receipt.quota.library": "Can borrow {left} more of {limit} at this library",
    "receipt.quota.network": "Can borrow {left} more of {limit} across Chaekieum",
    "receipt.quota.library.reached": "Limit reached: {limit} at this library",
    "receipt.quota.network.reached": "Limit reached: {limit} across Chaekieum",
    "receipt.note.hold_shelf": "Reserved for another patron: leave it at the desk",
    "receipt.note.transit": "Belongs to another library: put it in the return bin",
    "receipt.note.staff": "Please hand it to staff",
    "receipt.note.offline": (
        "Put it in the return bin. Recorded here while the library system is unreachable; "
        "confirmed when it is back"
    ),
    "receipt.note.offline_loan": "Recorded offline: confirmed when the library system is back",
    "receipt.note.earlier": "Borrowed at your last visit",
}
