"""What voice guidance says: a screen, what changed on it, and a receipt, as text to speak.

Pure: views and receipts in, text out, in the view's (or receipt's) language, from the message
catalogue. What a patron types into a secret or private field never reaches the text: such a
field is told by how many digits it holds. A patron's name is never said (a speaker is heard
by everyone near; a masked name cannot be pronounced): a word stands for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from kiosk.core.messages import text
from kiosk.core.model import Language, Loan
from kiosk.core.receipt import Receipt, Refusal
from kiosk.core.views import Input, Line, View

# Countdown seconds said while it runs (its start is always said, with how to extend it):
# one a second would talk over everything else.
SPOKEN_TICKS = (10, 5, 3)
# Characters shown on screen that mean nothing read aloud (masks, status icons, arrows).
_SILENT = str.maketrans({c: " " for c in "*●•✔✖→※|"} | {"·": ","})
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?\b")
# A registration number and its like: capitals then many digits (EM0000100001).
_CODE = re.compile(r"\b([A-Z]{1,4})(\d{5,})\b")
_KO_LETTERS = {
    "A": "에이", "B": "비", "C": "씨", "D": "디", "E": "이", "F": "에프", "G": "지", "H": "에이치",
    "I": "아이", "J": "제이", "K": "케이", "L": "엘", "M": "엠", "N": "엔", "O": "오", "P": "피",
    "Q": "큐", "R": "알", "S": "에스", "T": "티", "U": "유", "V": "브이", "W": "더블유", "X": "엑스",
    "Y": "와이", "Z": "제트",
}  # fmt: skip
# Digits one by one, as Koreans read a number that is not a quantity (공 for zero).
_KO_DIGITS = {
    "0": "공",
    "1": "일",
    "2": "이",
    "3": "삼",
    "4": "사",
    "5": "오",
    "6": "육",
    "7": "칠",
    "8": "팔",
    "9": "구",
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _date(match: re.Match[str], language: Language) -> str:
    year, month, day, hour, minute = match.groups()
    y, m, d = int(year), int(month), int(day)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return match.group(0)
    if language is Language.KO:
        said = f"{y}년 {m}월 {d}일"
        if hour is not None:
            said += f" {int(hour)}시" + (f" {int(minute)}분" if int(minute) else "")
        return said
    said = f"{_MONTHS[m - 1]} {_ordinal(d)}, {y}"
    return said + (f", {int(hour)}:{minute}" if hour is not None else "")


def spell(code: str, language: Language) -> str:
    """A code read out character by character, digits in groups of four: `EM0000100001` ->
    "이 엠, 공 공 공 공, 일 공 공 공, 공 일"."""
    letters = [c for c in code if c.isalpha()]
    digits = [c for c in code if c.isdigit()]
    if language is Language.KO:
        said_letters = [_KO_LETTERS.get(c.upper(), c) for c in letters]
        said_digits = [_KO_DIGITS[c] for c in digits]
    else:
        said_letters, said_digits = [c.upper() for c in letters], digits
    groups = [" ".join(said_digits[i : i + 4]) for i in range(0, len(said_digits), 4)]
    return ", ".join(x for x in [" ".join(said_letters), *groups] if x)


def speakable(said: str, language: Language) -> str:
    """Screen text made fit to read aloud: dates as words, codes spelled, marks dropped."""
    said = _DATE.sub(lambda m: _date(m, language), said)
    said = _CODE.sub(lambda m: spell(m.group(0), language), said)
    said = said.translate(_SILENT).replace("..", " ")
    said = re.sub(r"\s+", " ", said)
    return re.sub(r"\s+([,.!?])", r"\1", said).strip(" ,")


def sentences(parts: Iterable[str], language: Language) -> str:
    """Parts joined as sentences (a full stop where none ends one), each made speakable."""
    out: list[str] = []
    for part in parts:
        part = speakable(part, language)
        if not part:
            continue
        out.append(part if part[-1] in ".!?:" else part + ".")
    return " ".join(out)


def _args(args: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A message's arguments as said: a name by a word for the patron, never the name."""
    return {key: "voice.patron" if key == "name" else value for key, value in args}


def _t(msg_id: str, language: Language, args: Iterable[tuple[str, str]] = ()) -> str:
    return text(msg_id, language, **_args(args))


def line_said(line: Line, language: Language) -> str:
    """A row: its title (a bare code spelled), what its note says, a toggle's state. The
    registration number under a title is left out: the title names the book."""
    parts = [line.text or line.detail]
    if line.note:
        parts.append(_t(line.note, language, line.note_args))
    if line.selected is not None:
        parts.append(text("line.selected" if line.selected else "line.not_selected", language))
    return ": ".join(p for p in parts[:2] if p) + "".join(f", {p}" for p in parts[2:] if p)


def field_said(field: Input, language: Language) -> str:
    """A keypad field: its label and what it holds; a secret or private one by how many
    digits only, never which."""
    label = text(field.label, language)
    if not field.value:
        return label
    if field.secret or field.private:
        value = text("input.entered", language, count=len(field.value))
    else:
        value = spell(field.prefix + field.value, language)
    return text("voice.field", language, label=label, value=value)


def _countdown_start(view: View) -> list[str]:
    assert view.countdown is not None
    parts = [text("voice.countdown", view.language, seconds=view.countdown)]
    if "extend" in view.controls:
        parts.append(text("voice.extend_hint", view.language, control="control.extend"))
    return parts


def controls_said(view: View) -> str:
    """The buttons offered, by caption, in focus order (not the language already shown)."""
    captions = [
        text(f"control.{c}", view.language) for c in view.controls if c != f"lang.{view.language.value}"
    ]
    if not captions:
        return ""
    return text("voice.buttons", view.language, controls=", ".join(captions))


def utterance(view: View) -> str:
    """Everything the screen says, in its language: title, message, countdown, hint, the list
    (or what an empty one means), the fields, the buttons."""
    lang = view.language
    parts = [text(view.title, lang)]
    if view.message:
        parts.append(_t(view.message, lang, view.message_args))
    if view.countdown is not None:
        parts += _countdown_start(view)
    if view.hint:
        parts.append(text(view.hint, lang))
    if view.lines:
        parts += [line_said(line, lang) for line in view.lines]
    elif view.empty:
        parts.append(text(view.empty, lang))
    parts += [field_said(field, lang) for field in view.inputs]
    parts.append(controls_said(view))
    return sentences(parts, lang)


def new_screen(before: View | None, view: View) -> bool:
    """Whether `view` is another screen than `before` (said whole) or the same one changed."""
    return (
        before is None
        or type(before) is not type(view)
        or (before.screen, before.title, before.language) != (view.screen, view.title, view.language)
    )


def change(before: View | None, view: View) -> str:
    """What to say as `view` replaces `before`: the whole screen when it is another one; on the
    same screen only what changed (the message, new rows, what was typed, the countdown's
    start and some of its seconds). A busy view of the same screen says nothing: its cue and
    the answer that follows do. `before` is the last view that was said (not a busy one)."""
    if before is None or new_screen(before, view):
        return utterance(view)
    if view.busy:
        return ""
    lang = view.language
    parts: list[str] = []
    # Said again only when its words change (not when an argument it does not show does).
    message = _t(view.message, lang, view.message_args) if view.message else ""
    if message and message != (_t(before.message, lang, before.message_args) if before.message else ""):
        parts.append(message)
    if view.countdown is not None and before.countdown is None:
        parts += _countdown_start(view)
    elif view.countdown is not None and view.countdown != before.countdown and view.countdown in SPOKEN_TICKS:
        parts.append(text("voice.countdown", lang, seconds=view.countdown))
    if view.hint and view.hint != before.hint:
        parts.append(text(view.hint, lang))
    parts += [line_said(line, lang) for line in view.lines if line not in before.lines]
    if not view.lines and before.lines and view.empty:
        parts.append(text(view.empty, lang))
    typed_before = {f.name: f for f in before.inputs}
    parts += [field_said(f, lang) for f in view.inputs if typed_before.get(f.name) != f]
    return sentences(parts, lang)


def _loan(loan: Loan, due_id: str, language: Language, today: dt.date) -> str:
    said = loan.title or loan.item_id
    if loan.due is not None:
        said += f", {text(due_id, language)} {loan.due.isoformat()}"
        if loan.due < today:
            said += f", {text('receipt.overdue', language)}"
    return said


def receipt_utterance(receipt: Receipt) -> str:
    """The receipt's content read aloud: what was borrowed (with due dates), renewed, requested,
    returned, refused and why, what is on loan now and what may still be borrowed. Not the
    kiosk id, the masked patron, the web address or the footer."""
    r, lang = receipt, receipt.language
    today = r.at.date()

    def t(msg_id: str, **args: object) -> str:
        return text(msg_id, lang, **args)

    parts = [t("voice.receipt"), r.library_name, f"{t('receipt.date')}: {r.at:%Y-%m-%d %H:%M}"]
    if r.borrowed:
        parts.append(t("receipt.borrowed", count=len(r.borrowed)))
        parts += [_loan(loan, "receipt.due", lang, today) for loan in r.borrowed]
    if r.renewed:
        parts.append(t("receipt.renewed", count=len(r.renewed)))
        parts += [_loan(loan, "receipt.new_due", lang, today) for loan in r.renewed]
    if r.requested:
        parts.append(t("receipt.requested", count=len(r.requested)))
        for hold in r.requested:
            if hold.collect_by is not None:
                detail = t(
                    "receipt.collect", place=hold.pickup_location or "-", date=hold.collect_by.isoformat()
                )
            else:
                detail = t("receipt.queued", position=hold.position or "-")
            parts.append(f"{hold.title or hold.item_id}, {detail}")
    if r.returned:
        parts.append(t("receipt.returned", count=len(r.returned)))
        for c in r.returned:
            said = [c.title or c.item_id]
            if c.sort_bin:
                said.append(t("receipt.sort_bin", bin=c.sort_bin))
            if c.note:
                said.append(t(c.note))
            if c.destination:
                said.append(t("receipt.goes_to", library=c.destination))
            parts.append(", ".join(said))
        if r.suspended_days and r.suspended_until is not None:
            parts.append(t("receipt.suspended", days=r.suspended_days, until=r.suspended_until.isoformat()))
    for action, heading in (
        ("checkout", "receipt.refused"),
        ("renewal", "receipt.refused.renewal"),
        ("checkin", "receipt.refused.checkin"),
    ):
        parts += _explained(heading, [x for x in r.refused if x.action == action], lang)
    parts += _explained("receipt.unconfirmed", list(r.unconfirmed), lang)
    if r.on_loan:
        parts.append(t("receipt.on_loan", count=len(r.on_loan)))
        parts += [_loan(loan, "receipt.due", lang, today) for loan in r.on_loan]
    if r.loans_total is not None or r.loans_network is not None:
        parts.append(t("receipt.loans_now"))
        if r.loans_total is not None:
            parts.append(t("receipt.loans_here", count=r.loans_total))
        if r.loans_network is not None:
            parts.append(t("receipt.loans_network", count=r.loans_network))
    if r.quota_left is not None:
        scope = r.quota_scope.value if r.quota_scope is not None else "network"
        msg_id = f"receipt.quota.{scope}"
        if r.quota_left == 0 and r.quota_limit is not None:
            msg_id += ".reached"
        limit = r.quota_limit if r.quota_limit is not None else "-"
        parts.append(t(msg_id, left=r.quota_left, limit=limit))
    parts.append(t("voice.receipt_end"))
    return sentences(parts, lang)


def _explained(heading: str, group: list[Refusal], language: Language) -> list[str]:
    if not group:
        return []
    said = [text(heading, language, count=len(group))]
    return said + [f"{x.title or x.item_id}: {text(x.reason, language)}" for x in group]
