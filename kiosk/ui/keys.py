"""A physical keypad's keys and what each does on the kiosk: move the focus on or back, press what
has focus, go back, or one of the accessibility strip's controls. Keys are named as Qt names
them (Key_Escape is "Escape"), as the [keypad] section of the configuration lists them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt

# The actions a key may have, and the strip's control each presentation action presses.
NAVIGATION = ("next", "previous", "enter", "back")
PRESENTATION = {
    "zoom": "zoom",
    "contrast": "contrast",
    "low_position": "low_position",
    "voice_repeat": "voice.repeat",
    "voice_stop": "voice.stop",
    "voice_louder": "voice.louder",
    "voice_softer": "voice.softer",
    "voice_faster": "voice.faster",
    "voice_slower": "voice.slower",
}
ACTIONS = (*NAVIGATION, *PRESENTATION)
# Digits and Backspace type into a screen's fields (kiosk/ui/window.py): never another action.
TYPING_NAMES = (*(str(n) for n in range(10)), "Backspace")
DEFAULTS: dict[str, tuple[str, ...]] = {
    "next": ("Down", "Right"),
    "previous": ("Up", "Left"),
    "enter": ("Return", "Enter"),
    "back": ("Escape",),
}
# The screen's own way back, else to the first screen: the first of these the view offers.
BACK_CONTROLS = ("back", "cancel_typing", "cancel", "start_over")


def key_code(name: str) -> int:
    """Qt's code of a key name ("Escape", "F4", "Down"); ValueError for a name Qt does not have."""
    code = getattr(Qt.Key, f"Key_{name}", None)
    if code is None or not name:
        raise ValueError(f"{name!r} is not a key name (as Qt names keys: Escape, Return, Down, F4, ...)")
    return int(code.value if hasattr(code, "value") else code)


@dataclass(frozen=True)
class KeyMap:
    """Which keys do what: action -> key codes."""

    keys: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def from_names(cls, names: Mapping[str, Sequence[str]]) -> KeyMap:
        """A key map from key names by action (missing actions take DEFAULTS). ValueError for
        an unknown action or key name, a key given two actions, or a typing key."""
        unknown = set(names) - set(ACTIONS)
        if unknown:
            raise ValueError(f"unknown keypad action(s) {sorted(unknown)} (expected: {', '.join(ACTIONS)})")
        keys: dict[str, tuple[int, ...]] = {}
        owner: dict[int, str] = {}
        for action in ACTIONS:
            listed = tuple(names.get(action, DEFAULTS.get(action, ())))
            for name in listed:
                if name in TYPING_NAMES:
                    raise ValueError(f"{action}: {name!r} types into the screen's fields (digits, Backspace)")
                code = key_code(name)
                if code in owner:
                    raise ValueError(f"{action}: {name!r} is already the key of {owner[code]}")
                owner[code] = action
            keys[action] = tuple(key_code(name) for name in listed)
        return cls(keys)

    @classmethod
    def default(cls) -> KeyMap:
        return cls.from_names({})

    def action(self, key: int) -> str | None:
        """What `key` does, or None."""
        for action, codes in self.keys.items():
            if key in codes:
                return action
        return None
