"""What a camera may be shown, one corpus for every privacy test: another patron's mobile card
with its PIN appended, terminal attacks (screen clear and window title, a bidi override), a
flood line, a blank Code 39 read and a number that is no item's."""

from __future__ import annotations

OTHER_CARD = "29123456781234"
PIN = "AD1234"
CARD_WITH_PIN = f"CHAEKIEUM:{OTHER_CARD}|{PIN}"
CLEAR_SCREEN = "\x1b[2J"
SET_TITLE = "\x1b]0;title\x07"
TERMINAL = CLEAR_SCREEN + SET_TITLE
BIDI = "\u202e"
LONG_LINE = ("LOG-FLOOD-" + "0123456789abcdefghij" * 80)[:1500]

# (text, symbology, why the camera refuses it)
HOSTILE: list[tuple[str, str, str]] = [
    (CARD_WITH_PIN, "QRCode", "pattern"),
    (TERMINAL, "QRCode", "control"),
    (BIDI + "EM0000100001", "QRCode", "control"),
    (LONG_LINE, "QRCode", "pattern"),
    (" ", "Code39", "blank"),
    ("EM12", "Code39", "pattern"),
]
# What must never appear in a log, transcript or output.
SECRETS: tuple[str, ...] = (OTHER_CARD, PIN, "\x1b", "\x07", BIDI, LONG_LINE[:40])
