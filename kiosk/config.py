"""Settings from TOML: one declarative, documented schema; every key validated at start-up."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "kiosk.toml"

Check = Callable[[Any], str | None]  # returns what was expected when the value is wrong


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    default: Any
    doc: str
    check: Check | None = None


def one_of(*choices: str) -> Check:
    return lambda v: None if v in choices else "one of " + ", ".join(repr(c) for c in choices)


def in_range(lo: float, hi: float) -> Check:
    return lambda v: None if lo <= v <= hi else f"a number from {lo} to {hi}"


def matches(pattern: str, expected: str) -> Check:
    rx = re.compile(pattern)
    return lambda v: None if rx.fullmatch(v) else expected


def regex(v: str) -> str | None:
    try:
        re.compile(v)
    except re.error as exc:
        return f"a valid regular expression ({exc})"
    return None


NFC_PATH = matches(
    r"sim|usb(:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4})?|:\d{3}:\d{3})?|tty:[A-Za-z0-9]+(:[a-z0-9]+)?"
    r"|udp(:[\w.\-]+)?(:\d{1,5})?",
    "'sim' or an nfcpy path such as 'usb', 'usb:054c:06c1', 'tty:USB0:pn532', 'udp:127.0.0.1:6010'",
)
CAMERA_SOURCE = matches(
    r"sim|\d{1,2}|/dev/video\d+|file:.+%0?\d*d.*|.+\.(mp4|avi|mkv|webm|mov|mjpeg)",
    "'sim', a camera index like '0', '/dev/video0', an image sequence 'file:frames/%04d.png' or a video file",
)
_PRINTER_OPTION = r"(baud=\d{3,7}|flow=(none|rtscts|xonxoff))"
PRINTER_URL = matches(
    rf"sim|(/dev/[\w/.\-]+|socket://[\w.\-]+:\d{{1,5}}|rfc2217://[\w.\-]+:\d{{1,5}}|loop://)"
    rf"(\?{_PRINTER_OPTION}(&{_PRINTER_OPTION})?)?",
    "'sim', a serial device like '/dev/ttyUSB0?baud=19200&flow=rtscts', or 'socket://HOST:9100'",
)
HOST = matches(r"[\w.\-:]+", "a host name or IP address")

SCHEMA: dict[str, dict[str, Key]] = {
    "kiosk": {
        "id": Key(str, "KIOSK-01", "Kiosk id printed on receipts and sent to the library system"),
        "library_name": Key(str, "서울도서관", "Library name on screens and receipts"),
        "language": Key(str, "ko", "Language of the first screen", one_of("ko", "en")),
        "account_url": Key(str, "", "Account page linked by the receipt's QR code ('' for none)"),
        "footer": Key(str, "", "Footer text on receipts"),
        "inactivity_s": Key(int, 45, "Seconds without activity before the countdown", in_range(10, 600)),
        "countdown_s": Key(int, 15, "Length of the visible, spoken countdown", in_range(5, 120)),
        "goodbye_s": Key(int, 8, "Seconds the goodbye screen stays", in_range(2, 60)),
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
    },
    "library": {
        "embedded": Key(bool, True, "Start the embedded library server (demo data) on host:port"),
        "db": Key(str, "", "Embedded server's SQLite file ('' = in memory)"),
        "host": Key(str, "127.0.0.1", "SIP2 server host", HOST),
        "port": Key(int, 6001, "SIP2 server port (0 = any free port, embedded only)", in_range(0, 65535)),
        "tls": Key(bool, False, "Use TLS"),
        "tls_ca": Key(str, "", "CA bundle to verify the server ('' = system)"),
        "login_id": Key(str, "kiosk", "SIP2 login id (CN)"),
        "password": Key(str, "", "SIP2 password (CO); prefer password_env"),
        "password_env": Key(str, "KIOSK_SIP2_PASSWORD", "Environment variable holding the password"),
        "institution": Key(str, "MA", "Institution id (AO)"),
        "location_code": Key(str, "", "Location code (CP)"),
        "terminator": Key(str, "CR", "Message terminator", one_of("CR", "CRLF")),
        "encoding": Key(str, "utf-8", "Character set", one_of("utf-8", "cp949", "cp850", "ascii")),
        "delimiter": Key(str, "|", "Field delimiter", matches(r".", "a single character")),
        "timeout_s": Key((int, float), 10.0, "Seconds to wait for each answer", in_range(0.5, 120)),
        "retries": Key(
            int, 1, "Times a lookup (never a checkout) is sent again after a failure", in_range(0, 5)
        ),
        "tls_cert": Key(str, "", "Client certificate PEM when the server asks for one ('' = none)"),
        "tls_key": Key(str, "", "Client certificate's private key PEM"),
        "heartbeat": Key(bool, True, "Send SIP2 status (99) on an idle link to keep and check it"),
        "heartbeat_s": Key(
            (int, float), 0.0, "Seconds between heartbeats (0 = as the server announces)", in_range(0, 3600)
        ),
        "rules": Key(str, "", "Embedded server only: circulation rules TOML ('' = Seoul defaults)"),
    },
    "nfc": {
        "device": Key(str, "sim", "Card reader", NFC_PATH),
        "technologies": Key(list, ["106A", "106B", "212F"], "Card technologies polled"),
        "holdoff_s": Key(
            (int, float), 2.0, "Re-tap of the same card within this is ignored", in_range(0, 30)
        ),
        "uid_format": Key(str, "hex", "UID to patron id: hex or decimal", one_of("hex", "decimal")),
        "uid_byte_order": Key(str, "as-read", "UID byte order", one_of("as-read", "reversed")),
        "uid_case": Key(str, "upper", "Hex letter case", one_of("upper", "lower")),
        "uid_width": Key(int, 0, "Zero-pad the id to this many digits (0 = none)", in_range(0, 40)),
        "uid_prefix": Key(str, "", "Prefix added to the id"),
        "id_sources": Key(
            list, ["uid"], "Where the patron id comes from, tried in order: uid, ndef, transit"
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
        "sim_out": Key(str, "", "Folder for the simulated printer's receipt PNGs ('' = temp)"),
    },
    "log": {
        "level": Key(str, "info", "Log level", one_of("debug", "info", "warning", "error")),
    },
}

TECHNOLOGIES = {"106A", "106B", "212F", "424F"}


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
    display: Section
    library: Section
    nfc: Section
    camera: Section
    printer: Section
    log: Section

    def sip2_password(self) -> str:
        env = self.library.password_env
        if env and os.environ.get(env):
            return os.environ[env]
        return str(self.library.password)


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


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
                    raise ConfigError(f"{source}: [{name}] {key} = {value!r}: expected {problem}")
            values[key] = value
        sections[name] = Section(name, values)
    bad = [t for t in sections["nfc"].technologies if t not in TECHNOLOGIES]
    if bad or not sections["nfc"].technologies:
        raise ConfigError(
            f"{source}: [nfc] technologies = {sections['nfc'].technologies!r}: "
            f"expected a non-empty list of {', '.join(sorted(TECHNOLOGIES))}"
        )
    nfc = sections["nfc"]
    if not nfc.id_sources or any(x not in ("uid", "ndef", "transit") for x in nfc.id_sources):
        raise ConfigError(
            f"{source}: [nfc] id_sources = {nfc.id_sources!r}: expected a non-empty list "
            "of 'uid', 'ndef', 'transit'"
        )
    if any(
        not isinstance(a, str) or not re.fullmatch(r"(?:[0-9A-Fa-f]{2}){5,16}", a) for a in nfc.transit_aids
    ):
        raise ConfigError(
            f"{source}: [nfc] transit_aids = {nfc.transit_aids!r}: expected application "
            "ids in hex, 5 to 16 bytes each"
        )
    settings = Settings(source=source, **sections)
    lib = settings.library
    if not lib.embedded and not settings.sip2_password():
        raise ConfigError(
            f"{source}: [library] no SIP2 password: set the environment variable "
            f"{lib.password_env or '(password_env)'} or password"
        )
    if bool(lib.tls_cert) != bool(lib.tls_key):
        raise ConfigError(f"{source}: [library] tls_cert and tls_key: expected both or neither")
    if not lib.embedded and lib.port == 0:
        raise ConfigError(f"{source}: [library] port = 0: expected the SIP2 server's port")
    return settings


def load(path: str | Path | None = None) -> Settings:
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return validate(data, str(path))


def defaults() -> Settings:
    """The embedded default without reading a file (tests, demo)."""
    return validate({}, "<defaults>")
