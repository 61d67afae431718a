"""Masking of patron identifiers and names wherever they leave the session (logs, receipts, screens)."""

from __future__ import annotations


def mask_card(card: str, keep: int = 4) -> str:
    """`29123456781234` -> `****1234`; short values are fully masked."""
    card = card.strip()
    if len(card) <= keep:
        return "*" * len(card)
    return "****" + card[-keep:]


def mask_name(name: str) -> str:
    """`김민수` -> `김*수`, `Jane Doe` -> `J*** D**`: enough for the patron to recognise."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(p[0] + "*" * (len(p) - 1) for p in name.split() if p)
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
