"""The receipt printer: its status bits decoded (online, cover, paper, cutter), and optionally a test
page with the bytes per second it took."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from kiosk.config import Settings
from kiosk.core.errors import ConfigError
from kiosk.core.receipt import PrintLine
from kiosk.devices.escpos import PrinterProfile, encode_receipt, get_profile
from kiosk.devices.printer import ADVICE, SerialReceiptPrinter
from kiosk.diagnostics import Check, Findings, Live

SIM_ADVICE = (
    "'sim' is the virtual printer inside the running kiosk: check it from the technician screen, or "
    "start `python -m simulators.printer` and set [printer] device to the port it prints"
)


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


def check(settings: Settings, live: Live | None = None, *, test_page: bool = False, **_options: Any) -> Check:
    """The printer's status (the running kiosk's adapter, else one opened here); with
    `test_page`, a test page when the printer is ready."""
    found = Findings("printer")
    if live is not None and live.printer is not None:
        return _on(found, live.printer, settings, test_page)
    device = settings.printer.device
    found.evidence["url"] = device
    if device == "sim":
        return found.simulated("simulated printer", SIM_ADVICE)
    try:
        printer = SerialReceiptPrinter(device, get_profile(settings.printer.profile))
    except ConfigError as exc:
        found.fail(str(exc), "correct [printer] device and profile in the settings")
        return found.check("")
    try:
        return _on(found, printer, settings, test_page)
    finally:
        printer.close()


def _on(found: Findings, printer: SerialReceiptPrinter, settings: Settings, page: bool) -> Check:
    where = f"printer on {printer.url}"
    status = printer.status()
    found.evidence.update(
        {
            "url": printer.url,
            "profile": printer.profile.name,
            "baud": printer.baud,
            "flow_control": printer.flow_control,
            "online": status["online"],
            "cover_open": status["cover_open"],
            "paper": status["paper"],
            "paper_near_end": status["paper"] == "near_end",
            "paper_out": status["paper"] == "out",
            "cutter_error": status["cutter_error"],
            "error": status["error"],
            "test_page": None,
        }
    )
    if status["online"] is None:
        unreachable = "unreachable" in status["detail"]
        why = "cannot be opened" if unreachable else "no reply to status queries"
        found.fail(
            f"{where}: status unknown ({why})",
            ADVICE["unreachable" if unreachable else "no_answer"],
        )
        return found.check("")
    if status["paper"] == "out":
        found.fail(f"{where}: paper out", ADVICE["paper_out"])
    elif status["paper"] == "near_end":
        found.warn(f"{where}: paper near end", ADVICE["near_end"])
    elif status["paper"] == "unknown":
        found.warn(f"{where}: the paper sensor did not answer", ADVICE["no_answer"])
    if status["cover_open"]:
        found.fail(f"{where}: cover open", ADVICE["cover_open"])
    if status["cutter_error"]:
        found.fail(f"{where}: cutter error", ADVICE["cutter_error"])
    elif status["error"]:
        found.fail(f"{where}: printer error", ADVICE["error"])
    if status["online"] is False and not found.failures:
        found.fail(f"{where}: offline", ADVICE["offline"])
    if page and not found.failures:
        _print_test_page(found, printer, settings)
    said = ""
    if found.evidence["test_page"]:
        said = f"; test page printed at {found.evidence['test_page']['bytes_per_s']:.0f} bytes/s"
    return found.check(f"{where}: ready ({printer.profile.name}){said}")


def _print_test_page(found: Findings, printer: SerialReceiptPrinter, settings: Settings) -> None:
    lines = test_page(printer.profile, settings.kiosk.id, dt.datetime.now(), settings.kiosk.account_url)
    size = len(encode_receipt(lines, printer.profile))
    started = time.perf_counter()
    outcome = printer.print_lines(lines)
    seconds = time.perf_counter() - started
    if not outcome.ok:
        found.evidence["test_page"] = {"printed": False, "bytes": size}
        head, _, advice = outcome.detail.partition(": ")
        found.fail(f"test page not printed: {head}", advice)
        return
    found.evidence["test_page"] = {
        "printed": True,
        "bytes": size,
        "seconds": round(seconds, 3),
        "bytes_per_s": round(size / seconds, 1) if seconds > 0 else None,
        "line_bytes_per_s": printer.baud / 10,
    }
