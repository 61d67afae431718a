"""A visit's receipt as data, and its layout into printable lines (pure; width in display cells)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from kiosk.core.messages import text
from kiosk.core.model import Language, Loan


@dataclass(frozen=True)
class Refusal:
    item_id: str
    reason: str  # message id
    title: str = ""


@dataclass(frozen=True)
class Receipt:
    library_name: str
    kiosk_id: str
    at: dt.datetime
    language: Language
    patron_name_masked: str
    card_masked: str
    borrowed: tuple[Loan, ...] = ()
    refused: tuple[Refusal, ...] = ()
    loans_total: int | None = None
    account_url: str = ""
    footer: str = ""


@dataclass(frozen=True)
class PrintLine:
    """One line of paper. style: "normal", "bold", "big" (double size), "rule", "qr", "cut", "feed"."""

    text: str = ""
    style: str = "normal"
    align: str = "left"


def cell_width(s: str) -> int:
    """Display cells: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def fit(s: str, cells: int) -> str:
    """Cut `s` to at most `cells` display cells, marking the cut with '…' style '..'."""
    if cell_width(s) <= cells:
        return s
    out, used = [], 0
    for c in s:
        w = cell_width(c)
        if used + w > cells - 2:
            break
        out.append(c)
        used += w
    return "".join(out) + ".."


def wrap(s: str, cells: int) -> list[str]:
    """Break `s` into lines of at most `cells` display cells, at spaces where possible."""
    lines: list[str] = []
    current = ""
    for word in s.split(" "):
        candidate = f"{current} {word}" if current else word
        if cell_width(candidate) <= cells:
            current = candidate
            continue
        if current:
            lines.append(current)
        # A word longer than the line is broken by cells.
        while cell_width(word) > cells:
            cut, used = 0, 0
            while cut < len(word) and used + cell_width(word[cut]) <= cells:
                used += cell_width(word[cut])
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def layout(receipt: Receipt, width: int) -> list[PrintLine]:
    """Lay the receipt out for paper `width` display cells wide (32 on 58 mm, 42/48 on 80 mm)."""
    lang = receipt.language

    def t(msg_id: str, **args: object) -> str:
        return text(msg_id, lang, **args)

    lines = [
        PrintLine(fit(receipt.library_name, width // 2), "big", "center"),
        PrintLine(t("receipt.title"), "bold", "center"),
        PrintLine(style="rule"),
        PrintLine(f"{t('receipt.date')}: {receipt.at:%Y-%m-%d %H:%M}"),
        PrintLine(f"{t('receipt.kiosk')}: {receipt.kiosk_id}"),
        PrintLine(f"{t('receipt.patron')}: {receipt.patron_name_masked} ({receipt.card_masked})"),
        PrintLine(style="rule"),
    ]
    if receipt.borrowed:
        lines.append(PrintLine(t("receipt.borrowed", count=len(receipt.borrowed)), "bold"))
        for n, loan in enumerate(receipt.borrowed, 1):
            lines.append(PrintLine(fit(f"{n}. {loan.title or loan.item_id}", width)))
            due = loan.due.isoformat() if loan.due else "-"
            detail = f"   {loan.item_id}  {t('receipt.due')} {due}"
            if cell_width(detail) <= width:
                lines.append(PrintLine(detail))
            else:
                # Narrow paper: the due date gets its own line rather than being cut.
                lines.append(PrintLine(fit(f"   {loan.item_id}", width)))
                lines.append(PrintLine(fit(f"   {t('receipt.due')} {due}", width)))
    if receipt.refused:
        lines.append(PrintLine(t("receipt.refused", count=len(receipt.refused)), "bold"))
        for r in receipt.refused:
            lines.append(PrintLine(fit(f"- {r.title or r.item_id}", width)))
            lines.append(PrintLine(fit(f"  {t(r.reason)}", width)))
    if receipt.loans_total is not None:
        lines.append(PrintLine(style="rule"))
        lines.append(PrintLine(t("receipt.loans_total", count=receipt.loans_total)))
    if receipt.account_url:
        lines.append(PrintLine(t("receipt.account"), align="center"))
        lines.append(PrintLine(receipt.account_url, "qr", "center"))
    if receipt.footer:
        lines.append(PrintLine(style="rule"))
        lines.extend(PrintLine(part, align="center") for part in wrap(receipt.footer, width))
    lines.append(PrintLine(style="feed"))
    lines.append(PrintLine(style="cut"))
    return lines
