"""SIP2 2.00 fixed-field layouts of every message, by name and position, both directions."""

from __future__ import annotations

from kiosk.ils.sip2.codec import FIXED_LENGTHS, MalformedMessage, Message

_DATE = 18
_COUNT = 4

# (name, width) in order; the widths add up to codec.FIXED_LENGTHS[code].
LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    "01": (("card_retained", 1), ("transaction_date", _DATE)),
    "09": (("no_block", 1), ("transaction_date", _DATE), ("return_date", _DATE)),
    "10": (("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1),
           ("transaction_date", _DATE)),
    "11": (("sc_renewal_policy", 1), ("no_block", 1), ("transaction_date", _DATE),
           ("nb_due_date", _DATE)),
    "12": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1),
           ("transaction_date", _DATE)),
    "15": (("hold_mode", 1), ("transaction_date", _DATE)),
    "16": (("ok", 1), ("available", 1), ("transaction_date", _DATE)),
    "17": (("transaction_date", _DATE),),
    "18": (("circulation_status", 2), ("security_marker", 2), ("fee_type", 2),
           ("transaction_date", _DATE)),
    "19": (("transaction_date", _DATE),),
    "20": (("item_properties_ok", 1), ("transaction_date", _DATE)),
    "23": (("language", 3), ("transaction_date", _DATE)),
    "24": (("patron_status", 14), ("language", 3), ("transaction_date", _DATE)),
    "25": (("transaction_date", _DATE),),
    "26": (("patron_status", 14), ("language", 3), ("transaction_date", _DATE)),
    "29": (("third_party_allowed", 1), ("no_block", 1), ("transaction_date", _DATE),
           ("nb_due_date", _DATE)),
    "30": (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1),
           ("transaction_date", _DATE)),
    "35": (("transaction_date", _DATE),),
    "36": (("end_session", 1), ("transaction_date", _DATE)),
    "37": (("transaction_date", _DATE), ("fee_type", 2), ("payment_type", 2), ("currency", 3)),
    "38": (("payment_accepted", 1), ("transaction_date", _DATE)),
    "63": (("language", 3), ("transaction_date", _DATE), ("summary", 10)),
    "64": (("patron_status", 14), ("language", 3), ("transaction_date", _DATE),
           ("hold_items_count", _COUNT), ("overdue_items_count", _COUNT),
           ("charged_items_count", _COUNT), ("fine_items_count", _COUNT),
           ("recall_items_count", _COUNT), ("unavailable_holds_count", _COUNT)),
    "65": (("transaction_date", _DATE),),
    "66": (("ok", 1), ("renewed_count", _COUNT), ("unrenewed_count", _COUNT),
           ("transaction_date", _DATE)),
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "94": (("ok", 1),),
    "96": (),
    "97": (),
    "98": (("online_status", 1), ("checkin_ok", 1), ("checkout_ok", 1),
           ("acs_renewal_policy", 1), ("status_update_ok", 1), ("offline_ok", 1),
           ("timeout_period", 3), ("retries_allowed", 3), ("date_time_sync", _DATE),
           ("protocol_version", 4)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
}  # fmt: skip

# Defaults for fixed fields a builder leaves out: blanks, except where the spec needs a value.
_DEFAULTS: dict[str, str] = {"language": "000", "protocol_version": "2.00", "summary": " " * 10}

# Message codes in the order of the 98 reply's BX "supported messages" field.
SUPPORTED_ORDER: tuple[str, ...] = (
    "23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65",
)  # fmt: skip

# Positions of the patron status field (14 Y/space flags) of 24, 26 and 64.
PATRON_STATUS_FLAGS: tuple[str, ...] = (
    "charge_denied", "renewal_denied", "recall_denied", "hold_denied", "card_lost",
    "too_many_charged", "too_many_overdue", "too_many_renewals", "too_many_claims_returned",
    "too_many_lost", "excessive_fines", "excessive_fees", "recall_overdue", "too_many_billed",
)  # fmt: skip

# Summary positions of the 63 request: which item list the 64 reply should carry.
SUMMARY_LISTS: tuple[str, ...] = ("AS", "AT", "AU", "AV", "BU", "CD")

CIRCULATION_STATUS: dict[str, str] = {
    "01": "other", "02": "on order", "03": "available", "04": "charged",
    "05": "charged; not to be recalled until earliest recall date", "06": "in process",
    "07": "recalled", "08": "waiting on hold shelf", "09": "waiting to be re-shelved",
    "10": "in transit between library locations", "11": "claimed returned", "12": "lost",
    "13": "missing",
}  # fmt: skip


def _check_layouts() -> None:
    for code, layout in LAYOUTS.items():
        width = sum(w for _, w in layout)
        if width != FIXED_LENGTHS[code]:  # pragma: no cover - a typo in the tables above
            raise AssertionError(f"layout of {code} is {width} wide, codec says {FIXED_LENGTHS[code]}")


_check_layouts()


def fixed(code: str, **values: str) -> str:
    """The fixed-field part of message `code` from named values; a value must fill its width
    exactly, a missing one is blank (or the spec's default)."""
    layout = LAYOUTS.get(code)
    if layout is None:
        raise MalformedMessage(f"no fixed-field layout for message {code}")
    names = {name for name, _ in layout}
    unknown = set(values) - names
    if unknown:
        raise MalformedMessage(f"message {code} has no fixed field {sorted(unknown)[0]!r}")
    parts = []
    for name, width in layout:
        value = values.get(name, _DEFAULTS.get(name, " " * width))
        if len(value) != width:
            raise MalformedMessage(
                f"fixed field {name} of message {code} needs {width} characters: {value!r}"
            )
        parts.append(value)
    return "".join(parts)


def build(code: str, fields: tuple[tuple[str, str], ...] = (), **values: str) -> Message:
    """A message from named fixed values and (id, value) variable fields."""
    return Message(code, fixed(code, **values), fields)


def parse_fixed(message: Message) -> dict[str, str]:
    """The named fixed fields of a decoded message."""
    layout = LAYOUTS.get(message.code)
    if layout is None:
        raise MalformedMessage(f"no fixed-field layout for message {message.code}")
    values, at = {}, 0
    for name, width in layout:
        values[name] = message.fixed[at : at + width]
        at += width
    return values


def patron_status(**flags: bool) -> str:
    """The 14-character patron status field with the named flags set to 'Y'."""
    unknown = set(flags) - set(PATRON_STATUS_FLAGS)
    if unknown:
        raise MalformedMessage(f"no patron status flag {sorted(unknown)[0]!r}")
    return "".join("Y" if flags.get(name) else " " for name in PATRON_STATUS_FLAGS)


def patron_flags(status: str) -> frozenset[str]:
    """Names of the flags set ('Y') in a 14-character patron status field."""
    return frozenset(name for name, char in zip(PATRON_STATUS_FLAGS, status, strict=False) if char == "Y")


def supported_messages(bx: str) -> frozenset[str]:
    """Message codes a 98 reply's BX field says the server supports."""
    return frozenset(code for code, char in zip(SUPPORTED_ORDER, bx, strict=False) if char == "Y")


def bx_field(codes: set[str] | frozenset[str]) -> str:
    return "".join("Y" if code in codes else "N" for code in SUPPORTED_ORDER)


def summary(list_id: str) -> str:
    """The 63 request's summary field asking for one item list (AS, AT, AU, AV, BU, CD)."""
    return "".join("Y" if lid == list_id else " " for lid in SUMMARY_LISTS).ljust(10)


def requested_list(summary_field: str) -> str:
    """Which item list a 63 request's summary asks for ("" for none); the spec allows one."""
    for lid, char in zip(SUMMARY_LISTS, summary_field, strict=False):
        if char == "Y":
            return lid
    return ""
