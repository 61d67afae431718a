"""`kiosk diag printer`: the receipt printer's status, what to check, and a test page."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.config import Settings
from kiosk.core.errors import ConfigError
from kiosk.core.receipt import PrintLine
from kiosk.devices.escpos import PROFILES, PrinterProfile, encode_receipt, get_profile, transfer_seconds
from kiosk.devices.printer import ADVICE, SerialReceiptPrinter
from kiosk.diagnostics import Check

HELP = "receipt printer: status (paper, cover, cutter) and a test page"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Ask the receipt printer for its real-time status (DLE EOT: online, cover, paper, cutter), "
        "say what to check, and print a test page (Korean and English lines, a width ruler, a QR "
        "code, a rule, a cut). Exit 0 when the printer is ready and the page printed."
    )
    config_arg(parser)
    parser.add_argument("--device", default=None, help="printer URL (default: [printer] device)")
    parser.add_argument("--profile", default=None, help=f"profile ({', '.join(PROFILES)})")
    parser.add_argument("--no-test-page", action="store_true", help="status only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def test_page(profile: PrinterProfile, kiosk_id: str, at: dt.datetime, qr: str = "") -> list[PrintLine]:
    """A page that shows at a glance whether Korean, width, styles, QR and cutter work."""
    ruler = ("1234567890" * 5)[: profile.cells]
    return [
        PrintLine("TEST / 시험", "big", "center"),
        PrintLine("프린터 시험 인쇄 / Printer test page", "bold", "center"),
        PrintLine(style="rule"),
        PrintLine(f"{kiosk_id}  {at:%Y-%m-%d %H:%M}"),
        PrintLine(f"{profile.name}: {profile.paper_mm} mm, {profile.dots} dots, {profile.cells} cells"),
        PrintLine(f"Korean: {profile.korean} ({profile.codepage})"),
        PrintLine("한글: 가나다라마바사 아자차카타파하"),
        PrintLine("책이음 도서관 대출 영수증 ※①②③"),
        PrintLine("English: The quick brown fox jumps"),
        # Exactly one line wide: if it wraps, the profile's cells are wrong for this printer.
        PrintLine(ruler),
        PrintLine("Bold / 굵게", "bold"),
        PrintLine(style="rule"),
        PrintLine(qr or f"CHAEKIEUM-KIOSK {kiosk_id}", "qr", "center"),
        PrintLine(style="feed"),
        PrintLine(style="cut"),
    ]


def what_to_check(status: dict[str, Any]) -> list[str]:
    """The technician's to-do list for a status() reply; empty when the printer is ready."""
    if status["online"] is None:
        return [status["detail"] or ADVICE["no_answer"]]
    todo = []
    if status["paper"] == "out":
        todo.append("paper out: " + ADVICE["paper_out"])
    elif status["paper"] == "near_end":
        todo.append("paper near end: " + ADVICE["near_end"])
    elif status["paper"] == "unknown":
        todo.append("paper sensor did not answer: " + ADVICE["no_answer"])
    if status["cover_open"]:
        todo.append("cover open: " + ADVICE["cover_open"])
    if status["cutter_error"]:
        todo.append("cutter error: " + ADVICE["cutter_error"])
    elif status["error"]:
        todo.append("printer error: " + ADVICE["error"])
    if status["online"] is False and not todo:
        todo.append("offline: " + ADVICE["offline"])
    return todo


def _ready(status: dict[str, Any]) -> bool:
    return status["online"] is True and status["paper"] in ("ok", "near_end") and not status["error"]


def status_check(printer: SerialReceiptPrinter) -> Check:
    """Check an open printer (the running kiosk's own, so the port is not opened twice)."""
    status = printer.status()
    todo = what_to_check(status)
    ok = _ready(status) and not status["cover_open"]
    summary = "; ".join(todo) if todo else f"ready on {printer.url}"
    return Check("printer", ok, summary, {**status, "profile": printer.profile.name})


def check(settings: Settings) -> Check:
    """Status only, for the diagnostics screen; never prints."""
    device = settings.printer.device
    if device == "sim":
        return Check("printer", True, "simulated printer, started with the kiosk", {"url": "sim"})
    try:
        printer = SerialReceiptPrinter(device, get_profile(settings.printer.profile))
    except ConfigError as e:
        return Check("printer", False, str(e), {"url": device})
    try:
        return status_check(printer)
    finally:
        printer.close()


def main(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    device = args.device or settings.printer.device
    try:
        profile = get_profile(args.profile or settings.printer.profile)
        if device == "sim":
            raise ConfigError("[printer] device is 'sim': give the printer with --device URL")
        printer = SerialReceiptPrinter(device, profile)
    except ConfigError as e:
        print(f"kiosk diag printer: {e}")
        return 2
    try:
        result = status_check(printer)
        page: dict[str, Any] = {"printed": False, "skipped": args.no_test_page}
        if result.ok and not args.no_test_page:
            lines = test_page(profile, settings.kiosk.id, dt.datetime.now(), settings.kiosk.account_url)
            size = len(encode_receipt(lines, profile))
            outcome = printer.print_lines(lines)
            page.update(
                printed=outcome.ok,
                bytes=size,
                seconds_at_baud=round(transfer_seconds(size, printer.baud), 2),
                detail=outcome.detail,
            )
    finally:
        printer.close()
    ok = result.ok and (page["printed"] or page["skipped"])
    if args.json:
        print(json.dumps({"ok": ok, "summary": result.summary, **result.details, "test_page": page}))
        return 0 if ok else 1
    d = result.details
    print(
        f"printer {printer.url}: profile {profile.name} ({profile.paper_mm} mm, {profile.dots} dots, ", end=""
    )
    print(f"Korean {profile.korean}), {printer.baud} baud, flow control {printer.flow_control}")
    yes_no = {True: "yes", False: "no", None: "no answer"}
    print(f"  online        {yes_no[d['online']]}")
    print(f"  paper         {d['paper']}")
    print(f"  cover open    {yes_no[d['cover_open']]}")
    print(f"  cutter error  {yes_no[d['cutter_error']]}")
    print(f"  other error   {yes_no[d['error']]}")
    for item in what_to_check(d) or ["nothing: the printer is ready"]:
        print(f"  check: {item}")
    if page["skipped"] or not result.ok:
        print("test page: not printed" + ("" if page["skipped"] else " (the printer is not ready)"))
    elif page["printed"]:
        print(
            f"test page: printed ({page['bytes']} bytes, {page['seconds_at_baud']} s at {printer.baud} baud)"
        )
    else:
        print(f"test page: FAILED: {page['detail']}")
    return 0 if ok else 1
