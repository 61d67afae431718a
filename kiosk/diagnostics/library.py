"""The library link: connect and log in to the SIP2 server, read its status flags and its TLS
certificate, time status round trips, and say what the visit journal holds."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import statistics
import time
from pathlib import Path
from typing import Any

from kiosk.config import Settings, plaintext_link_warning
from kiosk.core.errors import LibraryError, LoginRejected
from kiosk.core.privacy import clean
from kiosk.diagnostics import Check, Findings, Live
from kiosk.ils.journal import Journal, JournalError
from kiosk.ils.sip2.client import Sip2Client
from kiosk.ils.sip2.codec import Message
from kiosk.ils.sip2.layout import parse_fixed, supported_messages
from kiosk.ils.sip2.sockets import wrap_tls

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
STATUS_REQUEST = Message("99", "0" + "080" + "2.00")

ADVICE_LOGIN = (
    "check [library] login_id and the password (password_env, password_file) against the kiosk's "
    "SIP2 account on the library's server"
)
ADVICE_REACH = (
    "check that the library's SIP2 service runs and that this machine reaches [library] host and port "
    "(network cable, firewall, VPN)"
)
ADVICE_EMBEDDED = "the embedded server runs inside the kiosk: start the kiosk, or `kiosk sim ils`"
ADVICE_EXPIRED = (
    "the SIP2 server's TLS certificate has expired: have it renewed on the server; the kiosk refuses "
    "it until then"
)
ADVICE_TRUST = "check [library] tls_ca: it must hold the CA that signed the server's certificate"
ADVICE_RENEW = "have the SIP2 server's TLS certificate renewed before it ends"
ADVICE_OFFLINE = "the library's system says it is offline: check the ILS's SIP service with the library"
ADVICE_RIGHTS = "ask the library to allow checkout and checkin for the kiosk's SIP2 account"
ADVICE_JOURNAL_DAMAGED = (
    "move the damaged journal aside (keep it for staff) and restart the kiosk; it takes no "
    "transactions without one"
)
ADVICE_EXPORT = "`kiosk journal export DIR` and hand the files to the desk"


def client_for(settings: Settings) -> Sip2Client:
    lib = settings.library
    return Sip2Client(
        lib.host, lib.port, login_id=lib.login_id, password=settings.sip2_password(),
        location_code=lib.location_code, terminator="\r\n" if lib.terminator == "CRLF" else "\r",
        encoding=lib.encoding, delimiter=lib.delimiter, tls=lib.tls, tls_ca=lib.tls_ca or None,
        timeout=lib.timeout_s, tls_cert=lib.tls_cert or None, tls_key=lib.tls_key or None,
    )  # fmt: skip


def library_status(settings: Settings, live: Live | None = None) -> Message:
    """A fresh status (98) from the library: over the running kiosk's link when there is one,
    else over a connection of its own. Raises LibraryError."""
    client = live.sip2_client() if live is not None else None
    if client is not None:
        return client.request(STATUS_REQUEST, idempotent=True)
    own = client_for(settings)
    try:
        own.connect()
        return own.request(STATUS_REQUEST, idempotent=True)
    finally:
        own.close()


def check(settings: Settings, live: Live | None = None, *, rounds: int = 3, **_options: Any) -> Check:
    """Log in (or use the kiosk's link), read the status, time `rounds` status exchanges; the
    link's TLS certificate and the visit journal."""
    found = Findings("library")
    lib = settings.library
    client = live.sip2_client() if live is not None else None
    # The running kiosk's link says where it really is (an embedded server's port is chosen
    # at start, port = 0 in the settings).
    where = getattr(client, "where", None) or f"SIP2 server {lib.host}:{lib.port}"
    found.evidence["where"] = where
    plaintext = plaintext_link_warning(settings)
    if plaintext:
        found.warn(
            plaintext.partition("; ")[0],
            "set [library] tls = true (with tls_ca) unless the link is protected otherwise (VPN, stunnel)",
        )
    linked = _link(found, settings, client, rounds)
    found.evidence["tls"] = None
    if linked and lib.tls:
        found.evidence["tls"] = _tls_evidence(found, settings)
    journal = live.journal if live is not None and live.journal is not None else None
    found.evidence["journal"] = _journal_evidence(found, settings, journal)
    e = found.evidence
    return found.check(
        f"logged in to {where} ({e.get('library_name') or e.get('institution')}), online, "
        f"round trip {e.get('round_trip_ms', 0):.1f} ms"
    )


def _link(found: Findings, settings: Settings, client: Sip2Client | None, rounds: int) -> bool:
    """The login, the status and the round trips; whether the library answered."""
    lib = settings.library
    own = client is None
    found.evidence["link"] = "own connection" if own else "the kiosk's"
    sip = client_for(settings) if client is None else client
    try:
        started = time.perf_counter()
        status = sip.connect() if own else sip.request(STATUS_REQUEST, idempotent=True)
        found.evidence["login_ms"] = round((time.perf_counter() - started) * 1000, 2) if own else None
        times = []
        for _ in range(max(1, rounds)):
            started = time.perf_counter()
            status = sip.request(STATUS_REQUEST, idempotent=True)
            times.append((time.perf_counter() - started) * 1000)
    except LoginRejected as exc:
        found.fail(str(exc), ADVICE_LOGIN)
        return False
    except LibraryError as exc:
        text = str(exc)
        if "expired" in text:
            found.fail(text, ADVICE_EXPIRED)
        elif "not trusted" in text:
            found.fail(text, ADVICE_TRUST)
        else:
            found.fail(text, ADVICE_EMBEDDED if lib.embedded else ADVICE_REACH)
        return False
    finally:
        if own:
            sip.close()
    if not own:
        found.evidence["connects"] = sip.connects
    try:
        heartbeat: float | None = sip.heartbeat_interval
    except ValueError:  # a timeout period of digits int() does not read ('²00')
        heartbeat = None
    _status(found, status, times, heartbeat)
    return True


def status_flags(status: Message) -> dict[str, bool | None]:
    """The 98 reply's flags: True for 'Y', False for 'N', None for anything else."""
    return {name: {"Y": True, "N": False}.get(status.fixed[i : i + 1]) for i, name in enumerate(STATUS_FLAGS)}


def _status(found: Findings, status: Message, times: list[float], heartbeat: float | None) -> None:
    fixed = parse_fixed(status)
    supported = supported_messages(status.get("BX"))
    missing = {code: what for code, what in NEEDED.items() if status.get("BX") and code not in supported}
    flags = status_flags(status)
    found.evidence.update(
        {
            "institution": clean(status.get("AO"), 80),
            "library_name": clean(status.get("AM"), 80),
            "status_flags": {name: _said(value) for name, value in flags.items()},
            "offline_allowed": flags["offline_ok"],
            "timeout_period_s": _tenths(fixed["timeout_period"]),
            "retries_allowed": fixed["retries_allowed"],
            "protocol_version": fixed["protocol_version"],
            "supported_messages": sorted(supported),
            "missing": missing,
            "heartbeat_s": heartbeat,
            "round_trip_ms": round(statistics.median(times), 2),
        }
    )
    if not flags["online"]:
        found.fail("the server says it is offline", ADVICE_OFFLINE)
    if not flags["checkout_ok"]:
        found.fail("checkout not allowed for this account", ADVICE_RIGHTS)
    if not flags["checkin_ok"]:
        found.warn("checkin not allowed for this account", ADVICE_RIGHTS)
    unread = [name for name, value in flags.items() if value is None]
    if unread:
        found.warn(
            "the server's status flags are not Y or N: " + ", ".join(unread),
            "ask the library's ILS vendor about its SIP2 status (98) reply",
        )
    if missing:
        found.warn(
            "server does not offer " + ", ".join(f"{c} ({w})" for c, w in missing.items()),
            "ask the library to enable these SIP2 messages for the kiosk's account",
        )


def _tenths(text: str) -> float | None:
    # isdigit() alone also takes digits int() cannot read ('²').
    return int(text) / 10 if text.isascii() and text.isdigit() and text != "999" else None


def _said(value: bool | None) -> str:
    return "yes" if value else "no" if value is False else "unreadable"


def _tls_evidence(found: Findings, settings: Settings) -> dict[str, Any]:
    """How the TLS link is set up and the server's certificate, from a handshake of its own made
    as the client makes it (same verification; no login)."""
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
        found.warn(f"{where}: could not look at its TLS certificate: {exc}", ADVICE_TRUST)
        return evidence
    if not (evidence["verified"] and evidence["hostname_checked"]):
        found.warn(f"{where}: the server's TLS certificate is not verified", ADVICE_TRUST)
    expires = cert.get("notAfter")
    if isinstance(expires, str):
        try:
            end: dt.datetime | None = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(expires), dt.UTC)
        except ValueError:
            end = None
        if end is not None:
            days = (end - dt.datetime.now(dt.UTC)).days
            evidence["certificate_expires"] = end.isoformat()
            evidence["certificate_days_left"] = days
            if days < CERTIFICATE_WARNING_DAYS:
                found.warn(
                    f"{where}: its TLS certificate expires on {end:%Y-%m-%d} (in {days} days)", ADVICE_RENEW
                )
    evidence["certificate_subject"] = _name(cert.get("subject"))
    evidence["certificate_issuer"] = _name(cert.get("issuer"))
    return evidence


def _name(rdns: object) -> str:
    """The commonName of a certificate's subject or issuer as ssl gives it, cleaned."""
    if not isinstance(rdns, tuple):
        return ""
    for rdn in rdns:
        for pair in rdn if isinstance(rdn, tuple) else ():
            if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "commonName":
                return clean(str(pair[1]), 120)
    return ""


def _journal_evidence(found: Findings, settings: Settings, live: Journal | None) -> dict[str, Any]:
    """What the visit journal holds: the kiosk's own when it runs, else the file, opened only
    when it exists (never made here)."""
    name = settings.library.journal
    where = f"journal {name or '(in memory)'}"
    if live is None:
        if not name:
            return {"path": "", "kept": "in memory: nothing outlives the kiosk"}
        if not Path(name).is_file():
            found.warn(f"{where} does not exist (yet)", "start the kiosk once: it makes the journal")
            return {"path": name, "exists": False}
    try:
        journal = live if live is not None else Journal(name)
    except JournalError as exc:
        found.fail(f"{exc}: the kiosk cannot take transactions", ADVICE_JOURNAL_DAMAGED)
        return {"path": name, "error": str(exc)}
    try:
        summary = journal.summary(dt.datetime.now().astimezone())
    except JournalError as exc:
        found.fail(f"{exc}: the kiosk cannot take transactions", ADVICE_JOURNAL_DAMAGED)
        return {"path": name, "error": str(exc)}
    finally:
        if live is None:
            journal.close()
    age = summary.oldest_open_age
    if age is not None and age >= OPEN_WARNING:
        found.warn(
            f"{where}: {summary.open} entries open, the oldest for {_duration(age)}",
            "the library has not been asked what became of them: check that it is reachable",
        )
    if summary.waiting:
        found.warn(
            f"{where}: {summary.waiting} taken offline, waiting to be replayed to the library",
            "they go once the library answers: check the library link",
        )
    if summary.untold:
        found.warn(f"{where}: {summary.untold} outcomes the patron was not told", ADVICE_EXPORT)
    return {
        "path": name,
        "entries": summary.entries,
        "open": summary.open,
        "waiting": summary.waiting,
        "refused": summary.refused,
        "untold": summary.untold,
        "oldest_open": summary.oldest_open.isoformat() if summary.oldest_open else None,
        "oldest_open_age_s": round(age.total_seconds()) if age is not None else None,
    }


def _duration(age: dt.timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
