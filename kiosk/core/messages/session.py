"""Texts of the session and its activities other than borrowing: giving back, renewing."""

KO: dict[str, str] = {
    "control.giveback": "반납하기",
    "control.finish_return": "반납 완료",
    "giveback.refused_line": "{reason}. 책을 안내데스크에 주세요",
    "giveback.title": "반납하기",
    "giveback.prompt": "반납할 책의 바코드를 카메라에 보여 주세요. 회원증 없이도 됩니다",
    "giveback.late": "연체된 책이 있어 {until}까지 {days}일 동안 대출이 정지됩니다",
    "receipt.suspended": "연체 반납으로 {until}까지 {days}일 동안 대출 정지",
    "giveback.returned_line": "반납했습니다. 반납함에 넣어 주세요",
    "giveback.already_returned": "이 책은 방금 반납했습니다",
    "borrow.renewed_line": "연장했습니다 · 반납 예정일 {due}",
    "error.return_unknown": "반납 여부를 확인하지 못했습니다. 책을 안내데스크에 주세요",
}

EN: dict[str, str] = {
    "control.giveback": "Return books",
    "control.finish_return": "Done returning",
    "giveback.refused_line": "{reason}. Please give the book to the desk",
    "giveback.title": "Return",
    "giveback.prompt": "Show each book's barcode to the camera. No card needed",
    "giveback.late": "A book was overdue: borrowing is suspended for {days} days, until {until}",
    "receipt.suspended": "Late return: borrowing suspended {days} days, until {until}",
    "giveback.returned_line": "Returned. Please put it in the return bin",
    "giveback.already_returned": "This book has just been returned",
    "borrow.renewed_line": "Renewed · due {due}",
    "error.return_unknown": "Return not confirmed: please give the book to the desk",
}
