"""Settings from TOML: one declarative, documented schema; every key validated at start-up."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import stat
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.core.errors import ConfigError
from kiosk.core.privacy import has_controls
from kiosk.devices import card_id
from kiosk.devices.audio import PLAYER_CHOICES

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "kiosk.toml"


class Check(Protocol):
    """What is wrong with a value that has the key's type ("expected ...", "must ..."), or None.

    The checks are data (what they allow is in their fields) so that tests can draw values
    from the schema itself."""

    def __call__(self, value: Any) -> str | None: ...


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    default: Any
    doc: str
    check: Check | None = None


@dataclass(frozen=True)
class OneOf:
    choices: tuple[str, ...]

    def __call__(self, value: Any) -> str | None:
        return None if value in self.choices else "expected one of " + ", ".join(map(repr, self.choices))


@dataclass(frozen=True)
class InRange:
    lo: float
    hi: float

    def __call__(self, value: Any) -> str | None:
        return None if self.lo <= value <= self.hi else f"expected a number from {self.lo} to {self.hi}"


@dataclass(frozen=True)
class Matches:
    pattern: str
    expected: str

    def __call__(self, value: Any) -> str | None:
        return None if re.fullmatch(self.pattern, value) else f"expected {self.expected}"


@dataclass(frozen=True)
class Regex:
    """A regular expression (Python's `re`)."""

    def __call__(self, value: Any) -> str | None:
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError) as exc:
            return f"expected a valid regular expression ({exc})"
        return None


@dataclass(frozen=True)
class FilePath:
    """A path to a file or folder; '' where the key allows none."""

    def __call__(self, value: Any) -> str | None:
        return "expected a path without NUL characters" if "\0" in value else None


@dataclass(frozen=True)
class ListOf:
    """A list whose items are drawn from `item`, the whole judged by `rule`."""

    item: Check
    rule: Callable[[Any], str | None]

    def __call__(self, value: Any) -> str | None:
        return self.rule(value)


@dataclass(frozen=True)
class Rule:
    """A rule kept next to the code that relies on it (its problem text says "must ...")."""

    rule: Callable[[Any], str | None]

    def __call__(self, value: Any) -> str | None:
        return self.rule(value)


def one_of(*choices: str) -> OneOf:
    return OneOf(choices)


def in_range(lo: float, hi: float) -> InRange:
    return InRange(lo, hi)


def matches(pattern: str, expected: str) -> Matches:
    return Matches(pattern, expected)


regex = Regex()
path = FilePath()

TECHNOLOGIES = ("106A", "106B", "212F", "424F")


def _technologies(value: Any) -> str | None:
    # A tuple, not a set: a TOML table or list inside the list is unhashable.
    if not isinstance(value, list) or not value or any(t not in TECHNOLOGIES for t in value):
        return f"expected a non-empty list of {', '.join(TECHNOLOGIES)}"
    return None


# A physical keypad's keys, named as Qt names them (Key_Escape is "Escape"; the UI checks Qt
# knows each). Digits and Backspace type into the screen's fields: never another action.
KEY_NAME = Matches(r"[A-Za-z][A-Za-z0-9_]{0,31}", "key names as Qt names keys (Escape, Return, Down, F4)")
TYPING_KEYS = ("Backspace",)


def _key_names(value: Any) -> str | None:
    if not isinstance(value, list) or any(not isinstance(v, str) or KEY_NAME(v) for v in value):
        return f"expected a list of {KEY_NAME.expected}"
    if len(set(value)) != len(value):
        return "expected each key once"
    if any(v in TYPING_KEYS for v in value):
        return "must not use Backspace (it erases a digit typed)"
    return None


# Message terminators a SIP2 server may use, by their setting's name.
TERMINATORS = {"CR": "\r", "CRLF": "\r\n"}


def sip2_delimiter(value: Any) -> str | None:
    """A field delimiter the codec can split on: one ASCII punctuation character. A CR or LF
    would end the message early (they make up the terminator); letters, digits and spaces
    occur in field ids and fixed fields."""
    expected = "expected one ASCII punctuation character such as '|' or '^'"
    if value and any(ch in "\r\n" for ch in value):
        return f"must not be a CR or LF, which end a SIP2 message (terminator CR or CRLF): {expected}"
    if len(value) != 1 or not value.isascii() or value not in string.punctuation:
        return expected
    return None


NFC_PATH = matches(
    r"sim|usb(:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4})?|:\d{3}:\d{3})?|tty:[A-Za-z0-9]+(:[a-z0-9]+)?"
    r"|udp(:[\w.\-]+)?(:\d{1,5})?",
    "'sim' or an nfcpy path such as 'usb', 'usb:054c:06c1', 'tty:USB0:pn532', 'udp:127.0.0.1:6010'",
)
CAMERA_SOURCE = matches(
    r"sim|\d{1,2}|/dev/[\w/.\-]+|file:.+%0?\d*d.*|.+\.(mp4|avi|mkv|webm|mov|mjpeg)",
    "'sim', a camera index like '0', a device like '/dev/video0' or '/dev/kiosk-camera', "
    "an image sequence 'file:frames/%04d.png' or a video file",
)
_PRINTER_OPTION = r"(baud=[1-9]\d{2,6}|flow=(none|rtscts|xonxoff))"
PRINTER_URL = matches(
    rf"sim|(/dev/[\w/.\-]+|socket://[\w.\-]+:\d{{1,5}}|rfc2217://[\w.\-]+:\d{{1,5}}|loop://)"
    rf"(\?{_PRINTER_OPTION}(&{_PRINTER_OPTION})?)?",
    "'sim', a serial device like '/dev/ttyUSB0?baud=19200&flow=rtscts', or 'socket://HOST:9100'",
)
HOST = matches(r"[\w.\-:]+", "a host name or IP address")


def _ip_address_problem(value: Any) -> str | None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "must be an IP address, such as 127.0.0.1, 0.0.0.0 or ::1"
    return None


_UID = r"(?:[0-9A-Fa-f]{2}){4,10}"


def _each(pattern: str, expected: str) -> Callable[[Any], str | None]:
    """A list rule: every item a string matching `pattern`."""

    def rule(value: Any) -> str | None:
        ok = isinstance(value, list) and all(isinstance(v, str) and re.fullmatch(pattern, v) for v in value)
        return None if ok else f"expected {expected}"

    return rule


ALERT_ADAPTERS = ("log", "webhook", "sip2")


def _alert_adapters(value: Any) -> str | None:
    if not isinstance(value, list) or any(a not in ALERT_ADAPTERS for a in value):
        return f"expected a list of {', '.join(ALERT_ADAPTERS)}, each at most once"
    if len(set(value)) < len(value):
        return f"expected a list of {', '.join(ALERT_ADAPTERS)}, each at most once"
    return None


def _webhook_url(value: Any) -> str | None:
    if value == "":
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(?:[/?#]\S*)?", value) or has_controls(value):
        return "must be '' or an http:// or https:// URL"
    return None


def _member_libraries(value: Any) -> str | None:
    """Library codes (capital letters and digits) to names, as printable text."""
    for code, name in value.items():
        if not re.fullmatch(r"[A-Z0-9]{1,10}", code):
            return f"{code!r} is no library code (capital letters and digits, up to 10)"
        if not isinstance(name, str) or not name.strip() or has_controls(name):
            return f"the name of {code} must be printable text"
    return None


SCHEMA: dict[str, dict[str, Key]] = {
    "kiosk": {
        "id": Key(str, "KIOSK-01", "Kiosk id printed on receipts and sent to the library system"),
        "library_name": Key(str, "서울도서관", "Library name on screens and receipts"),
        "language": Key(str, "ko", "Language of the first screen", one_of("ko", "en")),
        "account_url": Key(str, "", "Account page linked by the receipt's QR code ('' for none)"),
        "footer": Key(str, "", "Footer text on receipts"),
        # The kiosk accessibility criteria: at least 120 s before a warning of at least 20 s.
        "inactivity_s": Key(
            int, 120, "Seconds without a touch, key or book before the countdown", in_range(120, 900)
        ),
        "countdown_s": Key(int, 20, "Length of the visible, spoken countdown", in_range(20, 120)),
        "goodbye_s": Key(int, 20, "Seconds the goodbye screen counts down", in_range(10, 120)),
    },
    "patron": {
        "pin_after_card": Key(
            bool, False, "Ask for the PIN after a card tap or mobile card too (always after a keypad login)"
        ),
        "pin_attempts": Key(int, 3, "Wrong PINs before the card is locked at this kiosk", in_range(1, 10)),
        "lockout_min": Key(
            int, 15, "Minutes a card stays locked after too many wrong PINs", in_range(1, 1440)
        ),
        "number_min": Key(
            int, 6, "Fewest digits of a membership number typed on the keypad", in_range(4, 20)
        ),
        "number_max": Key(int, 16, "Most digits of a membership number typed on the keypad", in_range(4, 20)),
        "registration_prefix": Key(
            str,
            "EM",
            "Letters before the digits of a registration number typed on the keypad",
            matches(r"[A-Z]{0,4}", "up to four capital letters"),
        ),
        "registration_digits": Key(
            int, 10, "Digits of a registration number (typed ones are zero-padded)", in_range(4, 16)
        ),
        "bring_in_consent_ko": Key(
            str, "", "The library's bring-in consent text in Korean ('' = the standard Chaekieum text)"
        ),
        "bring_in_consent_en": Key(
            str, "", "The library's bring-in consent text in English ('' = the standard Chaekieum text)"
        ),
    },
    "technician": {
        "cards": Key(
            list,
            [],
            "UIDs of technician cards (hex) that open the technician's screen",
            ListOf(Matches(_UID, "a card UID in hex"), _each(_UID, "card UIDs in hex (8 to 20 digits)")),
        ),
        "pin_sha256": Key(
            str,
            "",
            "SHA-256 (hex) of the PIN the hidden gesture asks for ('' = the gesture opens nothing)",
            matches(r"(?:[0-9a-f]{64})?", "'' or 64 lower-case hex digits (sha256sum of the PIN)"),
        ),
        "pin_attempts": Key(int, 3, "Wrong technician PINs before the gesture is locked", in_range(1, 10)),
        "lockout_min": Key(int, 15, "Minutes the gesture stays locked after too many", in_range(1, 1440)),
        "idle_s": Key(
            int, 300, "Seconds of no use before the technician's screen closes", in_range(30, 3600)
        ),
        "essential": Key(
            list,
            ["nfc", "camera"],
            "Devices whose failure shows patrons 'out of service' instead of the first screen",
            ListOf(OneOf(("nfc", "camera")), _each("nfc|camera", "a list of nfc, camera")),
        ),
    },
    "display": {
        "px_per_mm": Key(
            (int, float), 4.0, "Panel pixels per millimetre (sizes are set in mm)", in_range(1.0, 20.0)
        ),
        "width_px": Key(int, 1080, "Window width", in_range(320, 7680)),
        "height_px": Key(int, 1920, "Window height", in_range(320, 7680)),
        "fullscreen": Key(bool, False, "Full screen on the kiosk panel"),
        "theme": Key(str, "standard", "Colour theme", one_of("standard", "high-contrast")),
        "zoom": Key((int, float), 1.0, "Text zoom (accessibility: up to 2.0)", in_range(1.0, 2.0)),
        "mount_bottom_mm": Key(
            (int, float),
            850,
            "Height of the panel's bottom edge above the floor, mm (low position keeps the screen "
            "within 400-1,220 mm)",
            in_range(0, 2000),
        ),
    },
    "keypad": {
        action: Key(list, list(default), doc, ListOf(KEY_NAME, _key_names))
        for action, default, doc in (
            ("next", ["Down", "Right"], "Keys that move the focus on to the next control"),
            ("previous", ["Up", "Left"], "Keys that move the focus back"),
            ("enter", ["Return", "Enter"], "Keys that press the control with focus"),
            ("back", ["Escape"], "Keys that go back (the screen's back or cancel, else start over)"),
            ("zoom", [], "Keys for bigger text (the accessibility strip's zoom)"),
            ("contrast", [], "Keys for the high-contrast theme"),
            ("low_position", [], "Keys for the low position"),
            ("voice_repeat", [], "Keys that say the screen again"),
            ("voice_stop", [], "Keys that stop the voice"),
            ("voice_louder", [], "Keys for a louder voice"),
            ("voice_softer", [], "Keys for a softer voice"),
            ("voice_faster", [], "Keys for a faster voice"),
            ("voice_slower", [], "Keys for a slower voice"),
        )
    },
    "library": {
        "embedded": Key(bool, True, "Start the embedded library server (demo data) on host:port"),
        "db": Key(str, "", "Embedded server's SQLite file ('' = in memory)", path),
        "host": Key(str, "127.0.0.1", "SIP2 server host", HOST),
        "port": Key(int, 6001, "SIP2 server port (0 = any free port, embedded only)", in_range(0, 65535)),
        "tls": Key(bool, False, "Use TLS"),
        "tls_ca": Key(str, "", "CA bundle to verify the server ('' = system)", path),
        "plaintext_ok": Key(
            bool,
            False,
            "Allow SIP2 without TLS to a host that is not this machine (a link protected otherwise: "
            "VPN, stunnel); diagnostics still warn",
        ),
        "login_id": Key(str, "kiosk", "SIP2 login id (CN)"),
        "password": Key(str, "", "SIP2 password (CO); prefer password_file or password_env"),
        "password_env": Key(str, "KIOSK_SIP2_PASSWORD", "Environment variable holding the password"),
        "password_file": Key(
            str,
            "",
            "File holding the SIP2 password, read at start; only its owner may read or write it "
            "(chmod 600). Used when the password_env variable is not set ('' = none)",
            path,
        ),
        "institution": Key(str, "MA", "Institution id (AO)"),
        "members": Key(
            dict,
            {},
            "Chaekieum member libraries' names by code, for the borrowing history ({} = codes shown)",
            Rule(_member_libraries),
        ),
        "location_code": Key(str, "", "Location code (CP)"),
        "terminator": Key(str, "CR", "Message terminator", OneOf(tuple(TERMINATORS))),
        "encoding": Key(str, "utf-8", "Character set", one_of("utf-8", "cp949", "cp850", "ascii")),
        "delimiter": Key(
            str, "|", "Field delimiter (one punctuation character, never CR or LF)", Rule(sip2_delimiter)
        ),
        "timeout_s": Key((int, float), 10.0, "Seconds to wait for each answer", in_range(0.5, 120)),
        "recovery_s": Key(
            (int, float),
            8.0,
            "After a lost answer to a checkout, return or renewal: seconds allowed to ask the library "
            "what happened before the patron is told 'not confirmed'",
            in_range(0.5, 120),
        ),
        "journal": Key(
            str,
            "",
            "Visit journal: every transaction written before it is sent (a file on a persistent "
            "partition; '' = in memory, lost with the process: the demo's default)",
            path,
        ),
        "offline_returns": Key(
            bool,
            True,
            "Take returns while the library is unreachable (journaled, sent in order when it is back)",
        ),
        "offline_borrowing": Key(
            bool,
            False,
            "Lend while the library is unreachable, to cards it let borrow within offline_seen_days "
            "(journaled, sent in order when it is back)",
        ),
        "offline_items": Key(int, 3, "Most books one card may borrow while offline", in_range(1, 50)),
        "offline_seen_days": Key(
            int, 7, "Offline lending only to cards the library let borrow within these days", in_range(1, 365)
        ),
        "offline_loan_days": Key(
            int, 14, "Loan period of a book lent offline (as the library lends it)", in_range(1, 120)
        ),
        "journal_retention_days": Key(
            int, 7, "Days a settled journal entry (with its patron id) is kept", in_range(1, 365)
        ),
        "retries": Key(
            int, 1, "Times a lookup (never a checkout) is sent again after a failure", in_range(0, 5)
        ),
        "tls_cert": Key(str, "", "Client certificate PEM when the server asks for one ('' = none)", path),
        "tls_key": Key(str, "", "Client certificate's private key PEM", path),
        "heartbeat": Key(bool, True, "Send SIP2 status (99) on an idle link to keep and check it"),
        "heartbeat_s": Key(
            (int, float), 0.0, "Seconds between heartbeats (0 = as the server announces)", in_range(0, 3600)
        ),
        "rules": Key(str, "", "Embedded server only: circulation rules TOML ('' = Seoul defaults)", path),
    },
    "nfc": {
        "device": Key(str, "sim", "Card reader", NFC_PATH),
        "technologies": Key(
            list,
            ["106A", "106B", "212F"],
            "Card technologies polled",
            ListOf(OneOf(TECHNOLOGIES), _technologies),
        ),
        "holdoff_s": Key(
            (int, float),
            2.0,
            "Seconds after a lift in which the same card is a bounce: read only if still there after",
            in_range(0, 30),
        ),
        "uid_format": Key(str, "hex", "UID to patron id: hex or decimal", OneOf(card_id.FORMATS)),
        "uid_byte_order": Key(str, "as-read", "UID byte order", OneOf(card_id.BYTE_ORDERS)),
        "uid_case": Key(str, "upper", "Hex letter case", OneOf(card_id.CASES)),
        "uid_width": Key(
            int, 0, "Zero-pad the id to this many digits (0 = none)", Rule(card_id.width_problem)
        ),
        "uid_prefix": Key(
            str, "", "Prefix added to the id (no spaces or control characters)", Rule(card_id.prefix_problem)
        ),
        "id_sources": Key(
            list,
            ["uid"],
            "Where the patron id comes from, tried in order: uid, ndef, transit",
            ListOf(OneOf(card_id.ID_SOURCES), card_id.sources_problem),
        ),
        "ndef_pattern": Key(
            str,
            r"(?P<id>[0-9A-Za-z-]{4,32})$",
            "Member number in an NDEF text/URI record (group named id)",
            regex,
        ),
        "transit_aids": Key(
            list,
            ["D4100000030001", "D4100000140001"],
            "KS X 6924 applications (T-money, Cashbee) whose card serial is the id",
            ListOf(Matches(r"(?:[0-9A-F]{2}){5,16}", "an AID in hex"), card_id.transit_aids_problem),
        ),
        "read_attempts": Key(int, 3, "Reads tried while an unreadable card stays", in_range(1, 10)),
    },
    "camera": {
        "source": Key(str, "sim", "Barcode camera", CAMERA_SOURCE),
        "width": Key(int, 1280, "Capture width asked of a live camera", in_range(160, 3840)),
        "height": Key(int, 720, "Capture height", in_range(120, 2160)),
        "fps": Key(int, 30, "Capture frame rate", in_range(1, 120)),
        "focus": Key(int, -1, "Fixed focus in driver units (-1 = auto)", in_range(-1, 255)),
        "exposure": Key(int, -1, "Fixed exposure in driver units (-1 = auto)", in_range(-1, 10000)),
        "forget_after_s": Key(
            (int, float), 1.5, "A code absent this long reads again when shown", in_range(0.1, 30)
        ),
        "item_pattern": Key(str, r"^[A-Z]{2}\d{10}$", "Item registration number", regex),
        "member_pattern": Key(
            str,
            r"^CHAEKIEUM:(?P<id>[0-9A-Za-z-]{4,32})$",
            "Mobile card QR; the group named id is the patron identifier",
            regex,
        ),
    },
    "printer": {
        "device": Key(str, "sim", "Receipt printer", PRINTER_URL),
        "profile": Key(str, "generic-80-ko", "Printer profile (paper width, Korean mode)"),
        "sim_baud": Key(int, 115200, "Simulated printer's line speed (0 = unpaced)", in_range(0, 921600)),
        "sim_out": Key(str, "", "Folder for the simulated printer's receipt PNGs ('' = temp)", path),
        "watch_s": Key(
            (int, float),
            20,
            "Seconds between status checks while idle (paper out known before a visit; 0 = off)",
            in_range(0, 3600),
        ),
    },
    "log": {
        "level": Key(str, "info", "Log level", one_of("debug", "info", "warning", "error")),
        "file": Key(str, "", "JSON-lines log file, rotated ('' = the console only; docs/alerts.md)", path),
        "max_bytes": Key(int, 5_000_000, "Rotate the log file at this size", in_range(10_000, 1_000_000_000)),
        "backups": Key(int, 5, "Rotated log files kept", in_range(0, 100)),
    },
    "alerts": {
        "adapters": Key(
            list,
            ["log"],
            "Where staff alerts go: log (a warning line), webhook (JSON POST), sip2 (the status message)",
            ListOf(OneOf(ALERT_ADAPTERS), _alert_adapters),
        ),
        "webhook_url": Key(str, "", "http(s) URL the webhook adapter POSTs alerts to", Rule(_webhook_url)),
        "webhook_timeout_s": Key((int, float), 5.0, "Seconds to wait for the webhook", in_range(0.5, 60)),
        "webhook_attempts": Key(int, 3, "Tries per alert before it is dropped (logged)", in_range(1, 10)),
        "journal_waiting_min": Key(
            int, 30, "Alert when offline loans or returns wait longer than this to be sent", in_range(1, 1440)
        ),
    },
    "voice": {
        "speaker": Key(
            bool,
            False,
            "Say every screen on the speaker without an earphone too (else voice guidance starts "
            "when an earphone is plugged in, or from a voice control)",
        ),
        "sounds": Key(bool, True, "Status cues (done, refused, attention, staff called); false mutes them"),
        "volume": Key(int, 100, "Voice and cue loudness a visit starts at, % of normal", in_range(40, 200)),
        "rate": Key(int, 175, "Speaking speed a visit starts at, words a minute", in_range(100, 300)),
        "engine": Key(str, "espeak-ng", "Speech engine (none: nothing is said)", one_of("espeak-ng", "none")),
        "player": Key(
            str, "auto", "Sound player (auto: paplay, pw-play, aplay, then sox's play)", OneOf(PLAYER_CHOICES)
        ),
        "earphone": Key(
            str,
            "sim",
            "Earphone detection: pulse (PulseAudio/PipeWire's pactl), sim (simulated jack) or none",
            one_of("pulse", "sim", "none"),
        ),
    },
    "metrics": {
        "enabled": Key(bool, False, "Serve Prometheus metrics over HTTP (docs/metrics.md)"),
        "port": Key(int, 9464, "Port of the metrics endpoint (0 = any free port)", in_range(0, 65535)),
        "bind": Key(str, "127.0.0.1", "Address the metrics endpoint listens on", Rule(_ip_address_problem)),
    },
}


class Section:
    """Attribute access to one validated section."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        self._name = name
        self._values = dict(values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"[{self._name}] has no key {key!r}") from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


@dataclass(frozen=True)
class Settings:
    source: str
    kiosk: Section
    technician: Section
    patron: Section
    display: Section
    keypad: Section
    library: Section
    nfc: Section
    camera: Section
    printer: Section
    log: Section
    voice: Section
    alerts: Section
    metrics: Section

    # The password_file's contents, read once by validate().
    password_from_file: str | None = field(default=None, repr=False, compare=False)

    def sip2_password(self) -> str:
        """The environment variable named by password_env when set, else the password_file's
        contents, else password."""
        env = self.library.password_env
        if env and os.environ.get(env):
            return os.environ[env]
        if self.password_from_file is not None:
            return self.password_from_file
        return str(self.library.password)


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list",
        dict: "a table",
    }  # fmt: skip
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def toml_value(value: Any) -> str:
    """A setting's value written as TOML (settings files made by the soak and the gallery)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table ([library] members)
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def validate(data: Mapping[str, Any], source: str) -> Settings:
    sections: dict[str, Section] = {}
    for name in data:
        if name not in SCHEMA:
            raise ConfigError(f"{source}: unknown section [{name}] (expected one of: {', '.join(SCHEMA)})")
    for name, keys in SCHEMA.items():
        given = data.get(name, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        values: dict[str, Any] = {}
        for key in given:
            if key not in keys:
                raise ConfigError(
                    f"{source}: [{name}] unknown key {key!r} (expected one of: {', '.join(keys)})"
                )
        for key, spec in keys.items():
            value = given.get(key, spec.default)
            kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
            # TOML's bool is an int in Python: never accept true for a number.
            if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
                raise ConfigError(f"{source}: [{name}] {key} = {value!r}: expected {_type_name(spec.kind)}")
            if spec.check is not None:
                problem = spec.check(value)
                if problem:
                    raise ConfigError(f"{source}: [{name}] {key} = {value!r}: {problem}")
            values[key] = value
        sections[name] = Section(name, values)
    settings = Settings(
        source=source, **sections, password_from_file=read_password_file(sections["library"], source)
    )
    _check_together(settings)
    return settings


def read_password_file(lib: Section, source: str) -> str | None:
    """The SIP2 password from [library] password_file (None when not set): one line, its line
    break dropped. The file is refused unless only its owner may read or write it, even when
    password_env is set: a password others can read is known to more than the kiosk."""
    name = lib.password_file
    if not name:
        return None
    where = f"{source}: [library] password_file = {name!r}"
    try:
        # Non-blocking: a FIFO put there would otherwise hold the start-up until written to.
        with os.fdopen(os.open(name, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise ConfigError(f"{where}: not a regular file")
            if mode & 0o077:
                raise ConfigError(
                    f"{where}: group or others may {_access(mode)} it (mode {stat.S_IMODE(mode):04o}): "
                    f"run chmod 600 {name}"
                )
            data = f.read(4097)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it ({exc.strerror})") from exc
    if len(data) > 4096:
        raise ConfigError(f"{where}: more than 4096 bytes: expected the password alone")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    password = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if not password:
        raise ConfigError(f"{where}: the file is empty")
    if "\n" in password or "\r" in password:
        raise ConfigError(f"{where}: more than one line: expected the password alone")
    return password


def _access(mode: int) -> str:
    can = [what for what, bits in (("read", 0o044), ("write", 0o022), ("run", 0o011)) if mode & bits]
    return " and ".join(can)


def _check_together(settings: Settings) -> None:
    """The rules that tie one key to another."""
    source, nfc, lib = settings.source, settings.nfc, settings.library
    problem = card_id.transit_aids_problem(nfc.transit_aids, nfc.id_sources)
    if problem:
        raise ConfigError(
            f"{source}: [nfc] transit_aids = {nfc.transit_aids!r} with id_sources = {nfc.id_sources!r}: "
            f"{problem}"
        )
    plaintext = plaintext_link_warning(settings)
    if plaintext and not lib.plaintext_ok:
        raise ConfigError(f"{plaintext}; or set plaintext_ok = true to accept it")
    if not lib.embedded and not settings.sip2_password():
        raise ConfigError(
            f"{source}: [library] no SIP2 password: set the environment variable "
            f"{lib.password_env or '(password_env)'}, password_file or password"
        )
    if settings.patron.number_min > settings.patron.number_max:
        raise ConfigError(
            f"{source}: [patron] number_min = {settings.patron.number_min} is more than "
            f"number_max = {settings.patron.number_max}"
        )
    owners: dict[str, str] = {}
    for action, names in settings.keypad.as_dict().items():
        for name in names:
            if name in owners:
                raise ConfigError(
                    f"{source}: [keypad] {action}: {name!r} is already the key of {owners[name]}"
                )
            owners[name] = action
    if "webhook" in settings.alerts.adapters and not settings.alerts.webhook_url:
        raise ConfigError(f"{source}: [alerts] adapters has webhook: expected a webhook_url")
    if bool(lib.tls_cert) != bool(lib.tls_key):
        raise ConfigError(f"{source}: [library] tls_cert and tls_key: expected both or neither")
    if not lib.embedded and lib.port == 0:
        raise ConfigError(f"{source}: [library] port = 0: expected the SIP2 server's port")
    # The account goes out in SIP2 fields: one the codec cannot write fails every login.
    account = {
        "login_id": lib.login_id,
        "institution": lib.institution,
        "location_code": lib.location_code,
        "password": settings.sip2_password(),
    }
    for key, value in account.items():
        problem = _sip2_field_problem(value, lib.delimiter, lib.encoding)
        if problem:
            # Never the password itself in a message that ends up in logs.
            shown = "(hidden)" if key == "password" else repr(value)
            raise ConfigError(f"{source}: [library] {key} = {shown}: {problem}")


def _sip2_field_problem(value: str, delimiter: str, encoding: str) -> str | None:
    if delimiter in value or "\r" in value or "\n" in value:
        return f"must not contain the field delimiter {delimiter!r} or a line break"
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return f"must be writable in the [library] encoding {encoding!r}"
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: localhost, 127.0.0.0/8 or ::1 (no name lookup)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def plaintext_link_warning(settings: Settings) -> str | None:
    """What to tell the technician when the SIP2 link leaves this machine without TLS: the
    login, the password and every patron's details then cross the network readable. The
    embedded server runs inside the kiosk's own process."""
    lib = settings.library
    if lib.tls or lib.embedded or is_loopback(lib.host):
        return None
    return (
        f"{settings.source}: [library] tls = false: the SIP2 password and patron details go to "
        f"{lib.host}:{lib.port} unencrypted; set tls = true (with tls_ca) unless the link is "
        "protected otherwise (VPN, stunnel on this machine)"
    )


def load(path: str | Path | None = None) -> Settings:
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.strerror})") from exc
    try:
        # Windows editors (Notepad) start UTF-8 files with a byte order mark: skip it.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return validate(data, str(path))


def defaults() -> Settings:
    """The embedded default without reading a file (tests, demo)."""
    return validate({}, "<defaults>")
