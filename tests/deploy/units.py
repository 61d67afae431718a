"""Reading systemd unit files and udev rules as their tools do, for the deploy tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "systemd" / "chaekieum-kiosk.service"
WITHOUT_CAGE = DEPLOY / "systemd" / "without-cage.conf"
RULES = DEPLOY / "udev" / "99-chaekieum-kiosk.rules"
# Where deploy/README.md puts the checkout.
INSTALLED = "/opt/chaekieum-kiosk"


def unit_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """[Section] -> (key, value) in order; repeated keys kept (ExecStart= resets, lists add)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, sep, value = line.partition("=")
        if not sep or current is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key.strip()):
            raise ValueError(f"line {number}: not Key=value inside a [Section]: {raw!r}")
        current.append((key.strip(), value.strip()))
    return sections


def last(section: list[tuple[str, str]], key: str) -> str | None:
    values = [v for k, v in section if k == key]
    return values[-1] if values else None


def every(section: list[tuple[str, str]], key: str) -> list[str]:
    """All values of a list setting (space-separated, repeatable; an empty one resets)."""
    found: list[str] = []
    for k, v in section:
        if k == key:
            found = found + v.split() if v else []
    return found


def seconds(value: str) -> float:
    """A systemd time span: "30", "30s", "1min 30s", "500ms"."""
    units = {"": 1.0, "s": 1.0, "sec": 1.0, "ms": 0.001, "min": 60.0, "m": 60.0, "h": 3600.0}
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        total += float(number) * units[unit]
    return total


# udev(7): keys that only match, keys that only assign, and those that do either.
MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS", "TAGS",
              "TEST", "PROGRAM", "RESULT", "CONST", "SUBSYSTEM", "DRIVER"}  # fmt: skip
ASSIGN_KEYS = {"OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "IMPORT", "OPTIONS", "LABEL", "GOTO",
               "WAIT_FOR"}  # fmt: skip
EITHER_KEYS = {"NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG"}
WITH_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "IMPORT", "SECLABEL", "RUN", "TEST"}
NEEDS_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "IMPORT", "SECLABEL"}
MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}
_PAIR = re.compile(r'\s*([A-Z_]+)(?:\{([^}"]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')


@dataclass(frozen=True)
class Pair:
    key: str
    attribute: str | None
    op: str
    value: str

    @property
    def matches(self) -> bool:
        return self.op in MATCH_OPS


def rule_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, rule) for each rule: comments and blank lines dropped, a line ending
    in a backslash joined with the next."""
    rules: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        rules.append((start, pending + line))
        pending = ""
    if pending:
        raise ValueError(f"line {start}: the file ends inside a continued line")
    return rules


def parse_rule(line: str) -> list[Pair]:
    """One rule's comma-separated KEY[{attribute}] OP "value" pairs; ValueError names what is wrong."""
    pairs: list[Pair] = []
    position = 0
    while position < len(line):
        found = _PAIR.match(line, position)
        if found is None:
            raise ValueError(f'not KEY=="value" or KEY="value" at {line[position:]!r}')
        key, attribute, op, value = found.groups()
        known = MATCH_KEYS | ASSIGN_KEYS | EITHER_KEYS
        if key not in known:
            raise ValueError(f"unknown key {key}")
        if key in MATCH_KEYS and op not in MATCH_OPS:
            raise ValueError(f"{key} only matches (== or !=), got {op}")
        if key in ASSIGN_KEYS and op not in ASSIGN_OPS:
            raise ValueError(f"{key} only assigns (=, +=, -=, :=), got {op}")
        if attribute is not None and key not in WITH_ATTRIBUTE:
            raise ValueError(f"{key} takes no {{attribute}}")
        if attribute is None and key in NEEDS_ATTRIBUTE:
            raise ValueError(f"{key} needs an {{attribute}}")
        pairs.append(Pair(key, attribute, op, value))
        position = found.end()
        if position < len(line):
            if line[position] != ",":
                raise ValueError(f"expected a comma at {line[position:]!r}")
            position += 1
    if not pairs:
        raise ValueError("an empty rule")
    return pairs


def parse_rules(text: str) -> list[tuple[int, list[Pair]]]:
    parsed = []
    for number, line in rule_lines(text):
        try:
            parsed.append((number, parse_rule(line)))
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
    return parsed
