"""The scripted-visit file format: one step per line, `#` comments (see README, "Scripted visits")."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.privacy import clean, mask_card, shown_code
from kiosk.devices.codes import CodePatterns, Decoded, admit

DEFAULT_SYMBOLOGY = "Code128"

# step name -> (min args, max args)
STEPS: dict[str, tuple[int, int]] = {
    "tap_card": (1, 2),  # UID in hex, optional technology (106A, 212F)
    "lift_card": (0, 0),
    # text, optional symbology (Code128, Code39, EAN13, QRCode; Worn: a label no decoder reads)
    "show_barcode": (1, 2),
    "remove_barcode": (0, 0),
    "press": (1, 1),  # control id as on screen: finish, ok, start_over, lang.en...
    "expect_screen": (1, 2),  # screen id, optional timeout seconds
    "expect_line": (2, 3),  # status (ok/refused), text the line contains, optional timeout
    "wait": (1, 1),  # seconds
    # seconds the patron stands touching nothing, passed at once on the kiosk's clock: its
    # timers (inactivity, countdown) and wall clock move on that much, as if waited
    "idle_for": (1, 1),
    "take_receipt": (0, 1),  # optional timeout seconds; saves receipt.png
    "type": (1, 1),  # digits typed on the on-screen keypad (a PIN, a card number): private
    "press_row": (1, 1),  # touch the list row whose text or detail contains this text
    "expect_message": (1, 2),  # message id (or hint) the screen shows, optional timeout seconds
    "language": (1, 1),  # ko or en: touch the language switch
    "fault": (2, 3),  # device, fault, optional argument: see FAULTS
}
# fault DEVICE WHAT [ARG]: what each device can be made to do, and the argument it takes:
# "" none, "seconds" a number of seconds, "lines" a count, "request" an optional library
# request the fault waits for (see LIBRARY_REQUESTS; without it, the next request of any kind).
FAULTS: dict[str, dict[str, str]] = {
    "library": {
        "down": "",  # connections refused (the port closed), open ones cut
        "up": "",  # listening again, every library fault cleared
        "slow": "seconds",  # every answer that much later
        "drop": "request",  # the connection cut once the request is received (not carried out)
        "reply_lost": "request",  # carried out, the answer never arrives
        "garbage": "request",  # carried out, answered with bytes that are no SIP2 message
        "bad_checksum": "request",  # carried out, answered with a wrong checksum
        "wrong_password": "",  # the kiosk's password changed at the library: logins refused
    },
    "printer": {
        "paper_out": "",
        "paper_out_after": "lines",  # the roll ends after this many more printed lines
        "paper_in": "",
        "cover_open": "",
        "cover_closed": "",
        "unplugged": "",  # the printer gone from behind its port: no status, nothing printed
        "plugged": "",
    },
    "camera": {"gone": "", "back": "", "frozen": ""},  # back: frames again, live
    "reader": {"unplugged": "", "plugged": ""},
    # The kiosk's wall clock set forward (or back, negative) by this much, as an NTP step does;
    # its timers keep their pace.
    "clock": {"jump": "seconds"},
}
# Library requests a fault can wait for, by name (a SIP2 command code is taken as well).
LIBRARY_REQUESTS = {
    "checkout": "11",
    "checkin": "09",
    "renew": "29",
    "renew_all": "65",
    "hold": "15",
    "patron": "63",
    "patron_status": "23",
    "item": "17",
    "status": "99",
    "login": "93",
}
# Steps whose last argument, when given, is a timeout in seconds.
TIMED = {"expect_screen": 2, "take_receipt": 1, "expect_message": 2}
LANGUAGES = ("ko", "en")
# The longest idle_for: an hour, more than any of the kiosk's timers.
IDLE_FOR_MAX = 3600.0
# What a typed value is shown as: nothing of it, not even its length.
TYPED_MASK = "****"


class ScriptError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    line: int
    name: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: {self.name} {' '.join(self.args)}".rstrip()

    def masked(self) -> str:
        """As str(), fit for a log: scripts use real-looking card numbers and mobile cards, and
        may show codes made to attack whatever reads the log. A card's number is masked; a
        code is shown as the camera would log its read (an item number as it is, a mobile
        card's patron identifier masked, anything else by length and fingerprint); every
        other argument is cleaned of control characters."""
        return str(Step(self.line, self.name, self._masked_args()))

    def redact(self, text: str) -> str:
        """`text` (an error about this step) with this step's private arguments in their
        masked() form, as they are or quoted by repr(), and cleaned."""
        shown = self._masked_args()
        pairs = [(raw, safe) for raw, safe in zip(self.args, shown, strict=True) if raw and raw != safe]
        for raw, safe in sorted(pairs, key=lambda p: -len(p[0])):
            text = text.replace(repr(raw)[1:-1], safe).replace(raw, safe)
        return clean(text, limit=400)

    def _masked_args(self) -> tuple[str, ...]:
        args = [clean(a, limit=80) for a in self.args]
        if self.name == "tap_card":
            args[0] = mask_card(self.args[0])
        elif self.name == "type":
            args[0] = TYPED_MASK
        elif self.name == "show_barcode":
            symbology = self.args[1] if len(self.args) > 1 else DEFAULT_SYMBOLOGY
            args[0] = shown_barcode(self.args[0], symbology)
        return tuple(args)


def shown_barcode(text: str, symbology: str) -> str:
    """How a log may name a code a script shows: as the camera logs its read, or as a
    refused read when the camera would refuse it (with the default patterns)."""
    event = admit(Decoded(symbology, text), CodePatterns())
    if event is None:
        return f"<{shown_code('unknown', text)}>"
    return shown_code(event.kind, event.text)


def fault_problem(args: tuple[str, ...]) -> str:
    """What is wrong with a fault step's arguments (DEVICE WHAT [ARG]), or ""."""
    device, what, extra = args[0], args[1], args[2:]
    faults = FAULTS.get(device)
    if faults is None:
        return f"no device {clean(device, 40)!r} (expected one of: {', '.join(FAULTS)})"
    kind = faults.get(what)
    if kind is None:
        return f"{device} has no fault {clean(what, 40)!r} (expected one of: {', '.join(faults)})"
    if kind == "":
        return f"takes no argument, got {clean(extra[0], 40)!r}" if extra else ""
    if kind == "request":
        if extra and extra[0] not in LIBRARY_REQUESTS and not (len(extra[0]) == 2 and extra[0].isdigit()):
            return (
                f"{clean(extra[0], 40)!r} is no library request "
                f"(expected a SIP2 command code or one of: {', '.join(LIBRARY_REQUESTS)})"
            )
        return ""
    if not extra:
        return f"needs a number of {kind}"
    try:
        value = float(extra[0])
    except ValueError:
        return f"{clean(extra[0], 40)!r} is not a number of {kind}"
    if kind == "lines" and (not extra[0].isdigit()):
        return f"{clean(extra[0], 40)!r} is not a whole number of lines"
    if kind == "seconds" and what != "jump" and value < 0:
        return f"{clean(extra[0], 40)!r} is not 0 or more seconds"
    if value != value or abs(value) == float("inf"):
        return f"{clean(extra[0], 40)!r} is not a number of {kind}"
    return ""


def parse(source: str, origin: str = "<script>") -> list[Step]:
    steps = []
    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise ScriptError(f"{origin}:{number}: {exc}") from exc
        name, args = words[0], tuple(words[1:])
        if name not in STEPS:
            raise ScriptError(
                f"{origin}:{number}: unknown step {name!r} (expected one of: {', '.join(STEPS)})"
            )
        lo, hi = STEPS[name]
        if not lo <= len(args) <= hi:
            raise ScriptError(f"{origin}:{number}: {name} takes {lo}..{hi} arguments, got {len(args)}")
        if name in ("wait", "idle_for") or len(args) == TIMED.get(name):
            try:
                float(args[-1])
            except ValueError:
                raise ScriptError(
                    f"{origin}:{number}: {name}: {args[-1]!r} is not a number of seconds"
                ) from None
        if name == "idle_for" and not 0 < float(args[0]) <= IDLE_FOR_MAX:
            raise ScriptError(f"{origin}:{number}: idle_for takes 0 < seconds <= {IDLE_FOR_MAX:g}")
        if name == "type" and not (args[0].isascii() and args[0].isdigit()):
            # Never quoted: it is a PIN or a card number, perhaps mistyped.
            raise ScriptError(f"{origin}:{number}: type takes digits only (0-9)")
        if name == "fault":
            problem = fault_problem(args)
            if problem:
                raise ScriptError(f"{origin}:{number}: fault {' '.join(args[:2])}: {problem}")
        if name == "language" and args[0] not in LANGUAGES:
            raise ScriptError(f"{origin}:{number}: language takes {' or '.join(LANGUAGES)}, got {args[0]!r}")
        steps.append(Step(number, name, args))
    if not steps:
        raise ScriptError(f"{origin}: no steps")
    return steps


def load(path: Path) -> list[Step]:
    return parse(path.read_text(encoding="utf-8"), str(path))


DEFAULT_SCRIPT = Path(__file__).with_name("first-borrow.visit")
