"""`kiosk diag library`: connect and log in to the SIP2 server, read its status, time a round trip."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.config import Settings, plaintext_link_warning
from kiosk.core.errors import ConfigError, LibraryError, LoginRejected
from kiosk.diagnostics import Check
from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import Message
from kiosk.ils.sip2.layout import parse_fixed, supported_messages

HELP = "library link: SIP2 login, server status, supported messages, round trip"

# What the kiosk sends, and what each is for; a server without one loses that function.
NEEDED = {
    "63": "patron lookup",
    "11": "checkout",
    "09": "checkin",
    "17": "item information",
    "29": "renewal",
    "65": "renew all",
    "15": "holds",
    "37": "fee payment",
    "35": "end session",
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Connect to the library's SIP2 server with the configured account, log in (93), ask its "
        "status (99/98: online, checkin/checkout allowed, renewal policy, timeout and retries, "
        "supported messages) and time status round trips. Exit 0 when logged in and online."
    )
    config_arg(parser)
    parser.add_argument("--rounds", type=int, default=5, help="status round trips to time (default 5)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def client_for(settings: Settings) -> Sip2Client:
    lib = settings.library
    return Sip2Client(
        lib.host, lib.port, login_id=lib.login_id, password=settings.sip2_password(),
        location_code=lib.location_code, terminator="\r\n" if lib.terminator == "CRLF" else "\r",
        encoding=lib.encoding, delimiter=lib.delimiter, tls=lib.tls, tls_ca=lib.tls_ca or None,
        timeout=lib.timeout_s, tls_cert=getattr(lib, "tls_cert", "") or None,
        tls_key=getattr(lib, "tls_key", "") or None,
    )  # fmt: skip


def probe(settings: Settings, rounds: int = 5) -> Check:
    """Log in, read the status, time `rounds` status exchanges."""
    result = _probe(settings, rounds)
    warning = plaintext_link_warning(settings)
    return replace(result, warnings=(warning,)) if warning else result


def _probe(settings: Settings, rounds: int) -> Check:
    lib = settings.library
    where = f"SIP2 server {lib.host}:{lib.port}"
    client = client_for(settings)
    try:
        started = time.perf_counter()
        status = client.connect()
        login_ms = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(max(1, rounds)):
            started = time.perf_counter()
            client.request(Message("99", "0" + "080" + "2.00"), idempotent=True)
            times.append((time.perf_counter() - started) * 1000)
    except LoginRejected as exc:
        return Check("library", False, f"{exc}", {"where": where})
    except LibraryError as exc:
        hint = (
            " (the embedded server runs inside the kiosk: start it, or `kiosk sim ils`)"
            if lib.embedded
            else ""
        )
        return Check("library", False, f"{exc}{hint}", {"where": where})
    finally:
        client.close()
    return _verdict(where, status, login_ms, times, client.heartbeat_interval)


def _verdict(where: str, status: Message, login_ms: float, times: list[float], heartbeat: float) -> Check:
    fixed = parse_fixed(status)
    supported = supported_messages(status.get("BX"))
    missing = {code: what for code, what in NEEDED.items() if status.get("BX") and code not in supported}
    details: dict[str, Any] = {
        "where": where,
        "institution": status.get("AO"),
        "library_name": status.get("AM"),
        "online": fixed["online_status"] == "Y",
        "checkin_ok": fixed["checkin_ok"] == "Y",
        "checkout_ok": fixed["checkout_ok"] == "Y",
        "renewal_policy": fixed["acs_renewal_policy"] == "Y",
        "timeout_period_s": _tenths(fixed["timeout_period"]),
        "retries_allowed": fixed["retries_allowed"],
        "protocol_version": fixed["protocol_version"],
        "supported_messages": sorted(supported),
        "missing": missing,
        "heartbeat_s": heartbeat,
        "login_ms": round(login_ms, 2),
        "round_trip_ms": round(statistics.median(times), 2),
    }
    problems = []
    if not details["online"]:
        problems.append("the server says it is offline: check the ILS's SIP service")
    if not details["checkout_ok"]:
        problems.append("checkout not allowed for this account: check the SIP2 account's permissions")
    if not details["checkin_ok"]:
        problems.append("checkin not allowed for this account")
    if missing:
        problems.append("server does not offer " + ", ".join(f"{c} ({w})" for c, w in missing.items()))
    ok = details["online"] and details["checkout_ok"]
    summary = "; ".join(problems) if problems else (
        f"logged in to {where} ({details['library_name'] or details['institution']}), online, "
        f"round trip {details['round_trip_ms']:.1f} ms"
    )  # fmt: skip
    return Check("library", ok, summary, details)


def _tenths(text: str) -> float | None:
    return int(text) / 10 if text.isdigit() and text != "999" else None


def check(settings: Settings) -> Check:
    return probe(settings, rounds=3)


def main(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc)
        return 2
    result = probe(settings, args.rounds)
    if args.json:
        report = {"ok": result.ok, "summary": result.summary, "warnings": list(result.warnings)}
        print(json.dumps({**report, **result.details}, ensure_ascii=False))
    else:
        print(("OK  " if result.ok else "FAIL ") + result.summary)
        for warning in result.warnings:
            print("WARN " + warning)
        for key, value in result.details.items():
            print(f"  {key}: {value}")
    return 0 if result.ok else 1
