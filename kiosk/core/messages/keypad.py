"""Texts of the on-screen numeric keypad (its digit keys show the digits themselves)."""

KO: dict[str, str] = {
    "control.key.erase": "지우기",
    "control.key.clear": "모두 지우기",
    "keypad.name": "숫자 키패드",
}

EN: dict[str, str] = {
    "control.key.erase": "Erase",
    "control.key.clear": "Clear",
    "keypad.name": "Number keypad",
}
