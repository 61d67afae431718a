"""`kiosk diag library`: connect and log in to the SIP2 server, read its status and its TLS
certificate, time a round trip, and say what the visit journal holds."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import socket
import ssl
import statistics
import time
from pathlib import Path
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.config import Settings, plaintext_link_warning
from kiosk.core.errors import ConfigError, LibraryError, LoginRejected
from kiosk.core.privacy import clean
from kiosk.diagnostics import Check
from kiosk.ils.journal import Journal, JournalError
from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import Message
from kiosk.ils.sip2.layout import parse_fixed, supported_messages
from kiosk.ils.sip2.sockets import wrap_tls

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

# The 98 reply's six Y/N flags, in order, by the names the evidence uses.
STATUS_FLAGS = ("online", "checkin_ok", "checkout_ok", "renewal_policy", "status_update_ok", "offline_ok")
# A server certificate this close to its end is a warning: renew it before kiosks stop connecting.
CERTIFICATE_WARNING_DAYS = 30
# An entry open this long means the start-up reconciliation has not reached the library.
OPEN_WARNING = dt.timedelta(hours=1)


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Connect to the library's SIP2 server with the configured account, log in (93), ask its "
        "status (99/98: online, checkin/checkout allowed, renewal policy, timeout and retries, "
        "supported messages), check the TLS link and the server's certificate, time status round "
        "trips, and say what the visit journal holds ([library] journal). Exit 0 when logged in "
        "and online (warnings do not change it), 1 when not, 2 when the configuration is refused."
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
    """Log in, read the status, time `rounds` status exchanges; the link's TLS and the journal.
    The verdict (details["verdict"]) is "fail" when the check failed, "warning" when it passed
    with something to fix, else "ok"."""
    result = _probe(settings, rounds)
    details = dict(result.details)
    warnings = list(result.warnings)
    plaintext = plaintext_link_warning(settings)
    if plaintext:
        warnings.append(plaintext)
    details["tls"] = None
    if result.ok and settings.library.tls:
        details["tls"], problem = _tls_evidence(settings)
        if problem:
            warnings.append(problem)
    details["journal"], journal_problems, unreadable = _journal_evidence(settings)
    warnings.extend(journal_problems)
    ok, summary = result.ok, result.summary
    if unreadable:  # the kiosk takes no transaction without its journal: that fails the check
        ok = False
        summary = unreadable if result.ok else f"{summary}; {unreadable}"
    details["verdict"] = "fail" if not ok else "warning" if warnings else "ok"
    return Check(result.device, ok, summary, details, tuple(warnings))


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
    try:
        heartbeat: float | None = client.heartbeat_interval
    except ValueError:  # a timeout period of digits int() does not read ('²00')
        heartbeat = None
    return _verdict(where, status, login_ms, times, heartbeat)


def status_flags(status: Message) -> dict[str, bool | None]:
    """The 98 reply's flags: True for 'Y', False for 'N', None for anything else."""
    return {name: {"Y": True, "N": False}.get(status.fixed[i : i + 1]) for i, name in enumerate(STATUS_FLAGS)}


def _verdict(
    where: str, status: Message, login_ms: float, times: list[float], heartbeat: float | None
) -> Check:
    fixed = parse_fixed(status)
    supported = supported_messages(status.get("BX"))
    missing = {code: what for code, what in NEEDED.items() if status.get("BX") and code not in supported}
    flags = status_flags(status)
    details: dict[str, Any] = {
        "where": where,
        "institution": clean(status.get("AO"), 80),
        "library_name": clean(status.get("AM"), 80),
        **{name: bool(value) for name, value in flags.items()},
        "status_flags": {name: _said(value) for name, value in flags.items()},
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
    unread = [name for name, value in flags.items() if value is None]
    if unread:
        problems.append("the server's status flags are not Y or N: " + ", ".join(unread))
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
    # isdigit() alone also takes digits int() cannot read ('²').
    return int(text) / 10 if text.isascii() and text.isdigit() and text != "999" else None


def _said(value: bool | None) -> str:
    return "yes" if value else "no" if value is False else "unreadable"


def _tls_evidence(settings: Settings) -> tuple[dict[str, Any], str | None]:
    """How the TLS link is set up and the server's certificate, from a connection of its own
    made as the client makes it (same verification); a problem worth a warning, or None."""
    lib = settings.library
    where = f"SIP2 server {lib.host}:{lib.port}"
    evidence: dict[str, Any] = {"ca": lib.tls_ca or "system", "client_certificate": bool(lib.tls_cert)}
    try:
        raw = socket.create_connection((lib.host, lib.port), timeout=lib.timeout_s)
        with wrap_tls(
            raw, lib.host, where, lib.tls_ca or None, lib.tls_cert or None, lib.tls_key or None
        ) as sock:
            context = sock.context
            evidence["verified"] = context.verify_mode == ssl.CERT_REQUIRED
            evidence["hostname_checked"] = context.check_hostname
            evidence["version"] = sock.version()
            cert = sock.getpeercert() or {}
    except (OSError, LibraryError) as exc:
        evidence["error"] = str(exc)
        return evidence, f"{where}: could not look at its TLS certificate: {exc}"
    problem = None
    if not (evidence["verified"] and evidence["hostname_checked"]):
        problem = f"{where}: the server's TLS certificate is not verified"
    expires = cert.get("notAfter")
    if isinstance(expires, str):
        try:
            end = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(expires), dt.UTC)
        except ValueError:
            end = None
        if end is not None:
            days = (end - dt.datetime.now(dt.UTC)).days
            evidence["certificate_expires"] = end.isoformat()
            evidence["certificate_days_left"] = days
            if days < CERTIFICATE_WARNING_DAYS:
                problem = (
                    f"{where}: its TLS certificate expires on {end:%Y-%m-%d} (in {days} days): renew it "
                    "before kiosks stop connecting"
                )
    evidence["certificate_subject"] = _name(cert.get("subject"))
    evidence["certificate_issuer"] = _name(cert.get("issuer"))
    return evidence, problem


def _name(rdns: object) -> str:
    """The commonName of a certificate's subject or issuer as ssl gives it, cleaned."""
    if not isinstance(rdns, tuple):
        return ""
    for rdn in rdns:
        for pair in rdn if isinstance(rdn, tuple) else ():
            if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "commonName":
                return clean(str(pair[1]), 120)
    return ""


def _journal_evidence(settings: Settings) -> tuple[dict[str, Any], list[str], str]:
    """What the visit journal holds, what of it a technician should act on (one line each),
    and why it cannot be read ('' when it can). Opened only when the file exists: never made
    here."""
    name = settings.library.journal
    if not name:
        return {"path": "", "kept": "in memory: nothing outlives the kiosk"}, [], ""
    where = f"journal {name}"
    if not Path(name).is_file():
        return {"path": name, "exists": False}, [f"{where} does not exist (yet): has the kiosk run?"], ""
    try:
        journal = Journal(name)
    except JournalError as exc:
        return {"path": name, "error": str(exc)}, [], f"{exc}: the kiosk cannot take transactions"
    try:
        found = journal.summary(dt.datetime.now().astimezone())
    except JournalError as exc:
        return {"path": name, "error": str(exc)}, [], f"{exc}: the kiosk cannot take transactions"
    finally:
        journal.close()
    age = found.oldest_open_age
    evidence = {
        "path": name,
        "entries": found.entries,
        "open": found.open,
        "waiting": found.waiting,
        "refused": found.refused,
        "untold": found.untold,
        "oldest_open": found.oldest_open.isoformat() if found.oldest_open else None,
        "oldest_open_age_s": round(age.total_seconds()) if age is not None else None,
    }
    problems = []
    if age is not None and age >= OPEN_WARNING:
        problems.append(
            f"{where}: {found.open} entries open, the oldest for {_duration(age)}: the library has not "
            "been asked what became of them (is it reachable?)"
        )
    if found.waiting:
        problems.append(f"{where}: {found.waiting} taken offline, waiting to be replayed to the library")
    if found.untold:
        problems.append(
            f"{where}: {found.untold} outcomes the patron was not told: `kiosk journal export DIR` for staff"
        )
    return evidence, problems, ""


def _duration(age: dt.timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


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
        verdict = result.details.get("verdict", "ok" if result.ok else "fail")
        print({"ok": "OK   ", "warning": "WARN ", "fail": "FAIL "}[verdict] + result.summary)
        for warning in result.warnings:
            print("WARN " + warning)
        for key, value in result.details.items():
            if isinstance(value, dict) and value:
                print(f"  {key}:")
                for inner, said in value.items():
                    print(f"    {inner}: {said}")
            else:
                print(f"  {key}: {value}")
    return 0 if result.ok else 1
