"""Staff alerts: what needs a person at the kiosk, as data for the StaffAlerts port."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertKind(enum.StrEnum):
    """One kind is raised once until it is cleared (a device's alert clears when it is back)."""

    CALL_STAFF = "call_staff"  # the patron pressed "call staff" (cleared when the visit ends)
    PAPER_OUT = "paper_out"
    PRINTER_FAULT = "printer_fault"  # cover open, cutter error, a failed print
    PRINTER_LOST = "printer_lost"  # offline or not answering
    READER_LOST = "reader_lost"  # the NFC card reader
    CAMERA_LOST = "camera_lost"
    LINK_DOWN = "link_down"  # the library's SIP2 server cannot be reached or does not serve
    JOURNAL_STUCK = "journal_stuck"  # loans or returns taken offline wait too long to be replayed
    SHUTTING_DOWN = "shutting_down"


# What each kind says by default (English, for staff; never patron data) and how urgent it is.
KINDS: dict[AlertKind, tuple[Severity, str]] = {
    AlertKind.CALL_STAFF: (Severity.WARNING, "a patron asked for staff at the kiosk"),
    AlertKind.PAPER_OUT: (Severity.WARNING, "the receipt printer is out of paper"),
    AlertKind.PRINTER_FAULT: (Severity.WARNING, "the receipt printer reports a fault"),
    AlertKind.PRINTER_LOST: (Severity.CRITICAL, "the receipt printer does not answer"),
    AlertKind.READER_LOST: (Severity.CRITICAL, "the card reader is gone"),
    AlertKind.CAMERA_LOST: (Severity.CRITICAL, "the barcode camera is gone"),
    AlertKind.LINK_DOWN: (Severity.CRITICAL, "the library system cannot be reached"),
    AlertKind.JOURNAL_STUCK: (Severity.WARNING, "transactions taken offline are waiting to be sent"),
    AlertKind.SHUTTING_DOWN: (Severity.INFO, "the kiosk is shutting down"),
}

# The device names of DeviceStatus events whose loss is an alert, and the kind for each.
DEVICE_LOST = {"nfc": AlertKind.READER_LOST, "camera": AlertKind.CAMERA_LOST, "library": AlertKind.LINK_DOWN}


@dataclass(frozen=True)
class Alert:
    """One alert for staff. `message` is English for a technician and holds no patron data;
    `visit` is the visit's correlation id ("" outside a visit), as in the log."""

    kind: AlertKind
    severity: Severity
    message: str
    kiosk_id: str
    at: dt.datetime
    visit: str = ""

    @classmethod
    def of(cls, kind: AlertKind, kiosk_id: str, at: dt.datetime, message: str = "", visit: str = "") -> Alert:
        """An alert of `kind` with its usual severity; `message` adds what to check."""
        severity, usual = KINDS[kind]
        return cls(kind, severity, f"{usual}: {message}" if message else usual, kiosk_id, at, visit)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "severity": str(self.severity),
            "message": self.message,
            "kiosk_id": self.kiosk_id,
            "at": self.at.isoformat(timespec="seconds"),
            "visit": self.visit,
        }
