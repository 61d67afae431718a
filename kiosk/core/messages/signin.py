"""Texts of signing in on the keypad, the bring-in's steps, reserving a book on loan and
typing a registration number."""

KO: dict[str, str] = {
    "control.sign_in": "회원번호로 이용",
    "control.enter": "입력 완료",
    "control.agree": "동의하고 계속",
    "control.type_item": "등록번호 입력",
    "control.cancel_typing": "입력 취소",
    "signin.title": "회원번호로 이용하기",
    "signin.number_prompt": "회원증에 적힌 책이음 회원번호를 입력하고 '입력 완료'를 누르세요",
    "signin.number_label": "회원번호",
    "signin.pin_prompt": "비밀번호를 입력하고 '입력 완료'를 누르세요. 입력한 숫자는 화면에 보이지 않습니다",
    "signin.pin_label": "비밀번호",
    "signin.number_short": "회원번호는 {digits}자리 이상입니다. 회원증에 적힌 번호를 확인해 주세요",
    "signin.pin_short": "비밀번호는 숫자 4~6자리입니다",
    "signin.pin_wrong": "비밀번호가 맞지 않습니다. {left}번 더 입력할 수 있습니다",
    "signin.locked": (
        "비밀번호를 여러 번 잘못 입력해 이 회원증은 {minutes}분 동안 이 키오스크에서 쓸 수 없습니다. "
        "안내데스크에 문의해 주세요. 반납은 할 수 있습니다"
    ),
    "signin.number_unknown": "등록되지 않은 회원번호입니다. 회원증에 적힌 번호를 다시 입력해 주세요",
    "signin.too_many": "회원번호를 확인하지 못했습니다. 회원증이나 신분증을 가지고 안내데스크로 와 주세요",
    "bring_in.consent_prompt": (
        "다른 책이음 도서관 회원이시군요. 이 도서관에서도 빌리려면 한 번만 회원 가져오기를 하면 됩니다. "
        "아래 내용을 읽고 동의하시면 '동의하고 계속'을 누르세요"
    ),
    "bring_in.consent_default": (
        "책이음 회원 가져오기를 하면 다니시는 책이음 도서관에 등록된 회원 정보(이름, 회원번호, 생년월일, "
        "대출 현황)를 이 도서관도 이용합니다. 정보는 대출과 반납에만 쓰이며, 원하시면 안내데스크에서 "
        "언제든 탈퇴할 수 있습니다."
    ),
    "bring_in.birth_label": "생년월일",
    "bring_in.pin_label": "새 비밀번호",
    "bring_in.pin_again_label": "새 비밀번호 확인",
    "bring_in.birth_invalid": "생년월일을 6자리 숫자로 입력해 주세요 (예: 1988년 5월 12일은 880512)",
    "bring_in.birth_wrong": "생년월일이 회원 정보와 다릅니다. {left}번 더 입력할 수 있습니다",
    "bring_in.too_many": (
        "본인 확인을 하지 못했습니다. 신분증을 가지고 안내데스크로 와 주세요. 반납은 할 수 있습니다"
    ),
    "bring_in.working": "회원 가져오기를 하고 있습니다",
    "refusal.bring_in_refused": (
        "회원 가져오기를 할 수 없습니다. 다니시는 책이음 도서관이나 이 도서관 안내데스크에 문의해 주세요. "
        "반납은 할 수 있습니다"
    ),
    "refusal.reservable": "다른 분이 대출 중인 책입니다. 이 줄을 누르면 예약합니다",
    "refusal.on_hold_reservable": (
        "다른 회원이 예약해 둔 책입니다. 책은 안내데스크에 주세요. 이 줄을 누르면 예약 대기에 올립니다"
    ),
    "library.hold_queued": "예약했습니다 · 대기 순번 {position}번. 책이 준비되면 알려 드립니다",
    "borrow.type_prompt": "책의 등록번호에서 {prefix} 뒤의 숫자를 입력하고 '입력 완료'를 누르세요",
    "borrow.type_label": "등록번호",
    "borrow.type_short": "등록번호의 숫자를 입력해 주세요",
}

EN: dict[str, str] = {
    "control.sign_in": "Use my number",
    "control.enter": "Done",
    "control.agree": "Agree and continue",
    "control.type_item": "Type a number",
    "control.cancel_typing": "Cancel typing",
    "signin.title": "Sign in with your number",
    "signin.number_prompt": "Type the Chaekieum membership number printed on your card, then press Done",
    "signin.number_label": "Membership number",
    "signin.pin_prompt": "Type your PIN, then press Done. The digits are not shown on screen",
    "signin.pin_label": "PIN",
    "signin.number_short": "A membership number has at least {digits} digits: check the number on your card",
    "signin.pin_short": "A PIN has 4 to 6 digits",
    "signin.pin_wrong": "The PIN is not correct. You can try {left} more times",
    "signin.locked": (
        "Too many wrong PINs: this card cannot be used at this kiosk for {minutes} minutes. "
        "Please ask at the desk. You can still return books"
    ),
    "signin.number_unknown": "No member has this number. Please type the number on your card again",
    "signin.too_many": "Your number could not be confirmed. Please come to the desk with your card or ID",
    "bring_in.consent_prompt": (
        "You are a member of another Chaekieum library. To borrow here too, do the bring-in once. "
        "Read the text below and press Agree and continue if you agree"
    ),
    "bring_in.consent_default": (
        "With the bring-in, this library uses the membership details your home Chaekieum library holds "
        "(name, membership number, date of birth, loans). They are used only for borrowing and returning; "
        "you can withdraw at the desk at any time."
    ),
    "bring_in.birth_label": "Date of birth",
    "bring_in.pin_label": "New PIN",
    "bring_in.pin_again_label": "New PIN again",
    "bring_in.birth_invalid": "Type your date of birth as 6 digits (12 May 1988 is 880512)",
    "bring_in.birth_wrong": "The date of birth does not match your membership. You can try {left} more times",
    "bring_in.too_many": (
        "Your identity could not be confirmed. Please come to the desk with an ID. You can still return books"
    ),
    "bring_in.working": "Doing the bring-in",
    "refusal.bring_in_refused": (
        "The bring-in is not possible. Please ask your home Chaekieum library, or the desk here. "
        "You can still return books"
    ),
    "refusal.reservable": "On loan to someone else: touch this line to reserve it",
    "refusal.on_hold_reservable": (
        "Kept for another patron's reservation: please give the book to the desk. "
        "Touch this line to join the queue"
    ),
    "library.hold_queued": "Reserved · number {position} in the queue. You will be told when it is ready",
    "borrow.type_prompt": "Type the digits after {prefix} of the book's registration number, then press Done",
    "borrow.type_label": "Registration number",
    "borrow.type_short": "Type the digits of the registration number",
}
