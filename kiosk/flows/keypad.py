"""Typing on the on-screen keypad: the keys the window posts and what each does to a field.

The typed value lives in the activity that asked for it and nowhere else: the window shows
it (a secret one as dots), and it is dropped as soon as it has been sent."""

from __future__ import annotations

DIGIT_KEYS = tuple(f"key.{d}" for d in "0123456789")
ERASE, CLEAR = "key.erase", "key.clear"
KEYS = (*DIGIT_KEYS, ERASE, CLEAR)
ENTER = "enter"


def typed(value: str, key: str, max_length: int) -> str:
    """`value` after `key`: a digit added (none past `max_length`), the last erased, or all."""
    if key == CLEAR:
        return ""
    if key == ERASE:
        return value[:-1]
    if key in DIGIT_KEYS and len(value) < max_length:
        return value + key[-1]
    return value


def masked_control(control: str) -> str:
    """A control as logs may name it: a digit key never says which digit."""
    return "key.•" if control in DIGIT_KEYS else control
