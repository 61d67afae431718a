"""Captions that fit their button: broken onto lines rather than cut, and how many buttons a row holds."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFontMetrics


def fit(whole: str, metrics: QFontMetrics, width: int) -> str:
    """`whole` on one line if it fits `width`, else broken between words (zoomed text); a word
    wider than `width` on its own is broken between its characters, so nothing is ever cut."""
    if width <= 0 or metrics.horizontalAdvance(whole) <= width:
        return whole
    lines: list[str] = []
    for word in whole.split(" "):
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines += _broken(word, metrics, width)
    return "\n".join(lines)


def _broken(word: str, metrics: QFontMetrics, width: int) -> list[str]:
    parts = [""]
    for ch in word:
        if parts[-1] and metrics.horizontalAdvance(parts[-1] + ch) > width:
            parts.append(ch)
        else:
            parts[-1] += ch
    return parts


def pack(widths: Sequence[int], available: int, gap: int, most: int) -> list[int]:
    """Buttons of these widths (caption and room, each) in rows of `available` pixels, in
    order, at most `most` to a row: a row takes the next button while all of them still fit
    whole. Returns how many each row holds; a button wider than a row has a row of its own."""
    rows: list[int] = []
    used = 0
    for width in widths:
        if rows and rows[-1] < most and used + gap + width <= available:
            rows[-1] += 1
            used += gap + width
        else:
            rows.append(1)
            used = width
    return rows


# Break opportunities: one that draws nothing (numbers, Hangul), and the soft hyphen, drawn as
# a hyphen where a Latin word is broken.
ZWSP = "\u200b"
SHY = "\u00ad"


def breakable(whole: str, metrics: QFontMetrics, width: int) -> str:
    """`whole` as a word-wrapping label shows it in `width` pixels: a word wider than that on
    its own (a long number or address, a long word zoomed) may break between its characters
    where needed, a word of Latin letters with a hyphen; every other word breaks only at
    spaces."""
    if width <= 0 or metrics.horizontalAdvance(whole) <= width:
        return whole
    return "\n".join(
        " ".join(_breakable_word(w, metrics, width) for w in line.split(" ")) for line in whole.split("\n")
    )


def _breakable_word(word: str, metrics: QFontMetrics, width: int) -> str:
    if metrics.horizontalAdvance(word) <= width:
        return word
    # A hyphen in a word, never in a number or a code (a registration number is not EM0000-).
    if any("a" <= ch.lower() <= "z" for ch in word) and not any(ch.isdigit() for ch in word):
        return SHY.join(_broken(word, metrics, width - metrics.horizontalAdvance("-")))
    return ZWSP.join(_broken(word, metrics, width))
