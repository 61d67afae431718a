"""`kiosk receipt --sample`: the sample receipt's exact ESC/POS bytes and the paper they make."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from kiosk.core.errors import ConfigError
from kiosk.core.model import Language, Loan
from kiosk.core.receipt import Checkin, Receipt, Refusal, layout
from kiosk.devices.escpos import PROFILES, PrinterProfile, encode_receipt, get_profile, transfer_seconds
from kiosk.devices.printer import SerialReceiptPrinter

HELP = "write the sample receipt's ESC/POS bytes and its rendering"


def sample_receipt(language: Language = Language.KO) -> Receipt:
    """Five Korean and English titles borrowed, a return, a refused renewal, other loans."""
    at = dt.datetime(2026, 3, 2, 14, 5)
    due = dt.date(2026, 3, 17)
    return Receipt(
        library_name="서울도서관",
        kiosk_id="SEOUL-3F-01",
        at=at,
        language=language,
        patron_name_masked="김*수",
        card_masked="****1234",
        borrowed=(
            Loan("EM0000123451", "채식주의자: 한강 장편소설", due),
            Loan("EM0000123452", "소년이 온다", due),
            Loan("EM0000123453", "The Remains of the Day", due),
            Loan("EM0000123454", "파친코 1: 이민진 장편소설 (Pachinko)", due),
            Loan("EM0000123455", "Thinking, Fast and Slow", due),
        ),
        returned=(Checkin("EM0000098765", "82년생 김지영", sort_bin="B2"),),
        refused=(Refusal("EM0000087654", "refusal.on_hold", "불편한 편의점", action="renewal"),),
        on_loan=(Loan("EM0000076543", "작별하지 않는다", dt.date(2026, 3, 9)),),
        loans_total=7,
        quota_left=13,
        quota_limit=20,
        account_url="https://lib.seoul.go.kr/mylibrary",
        footer="반납은 가까운 책이음 도서관 어디서나 / Return at any Chaekieum library",
    )


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Build the sample receipt (five Korean and English titles, a return, a refused renewal), "
        "write receipt.bin (the exact bytes) and receipt.png (the virtual printer's rendering), "
        "and print the byte count and the transfer time at the baud rate."
    )
    parser.add_argument("--sample", action="store_true", required=True, help="the built-in sample receipt")
    parser.add_argument(
        "--profile",
        default="generic-80-ko",
        help=f"printer profile ({', '.join(PROFILES)}; default generic-80-ko)",
    )
    parser.add_argument("--out", type=Path, default=Path("out/receipt"), help="folder (default out/receipt)")
    parser.add_argument("--baud", type=int, default=None, help="line speed (default: the profile's)")
    parser.add_argument(
        "--language", choices=("ko", "en"), default="ko", help="receipt language (default ko)"
    )


def render(receipt: Receipt, profile: PrinterProfile, out_dir: Path, timeout: float = 60.0) -> Path:
    """`receipt` printed the kiosk's way (status queries, chunks, pyserial over a pty) on the
    virtual printer, unpaced; the PNG of the paper it cut."""
    from simulators.printer import VirtualPrinter

    with VirtualPrinter.for_profile(profile, baud=0, out_dir=out_dir) as virtual:
        printer = SerialReceiptPrinter(virtual.url, profile, write_timeout=timeout)
        try:
            outcome = printer.print_receipt(receipt)
        finally:
            printer.close()
        if not outcome.ok:
            raise RuntimeError(f"the virtual printer did not print the sample: {outcome.detail}")
        return virtual.wait_for_receipt(timeout=timeout)


def main(args: argparse.Namespace) -> int:
    try:
        profile = get_profile(args.profile)
    except ConfigError as e:
        print(f"kiosk receipt: {e}", file=sys.stderr)
        return 2
    baud = args.baud or profile.baud
    if baud <= 0:
        print(f"kiosk receipt: --baud must be positive, got {baud}", file=sys.stderr)
        return 2
    receipt = sample_receipt(Language(args.language))
    data = encode_receipt(layout(receipt, profile.cells), profile)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "receipt.bin").write_bytes(data)
    png = render(receipt, profile, args.out / ".printer")
    target = args.out / "receipt.png"
    png.replace(target)
    text = png.with_suffix(".txt")
    if text.exists():  # the printed text, line by line, as the virtual printer read it
        text.replace(args.out / "receipt.txt")
    png.parent.rmdir()
    print(f"profile: {profile.name} ({profile.paper_mm} mm, {profile.dots} dots, Korean {profile.korean})")
    print(f"receipt.bin: {len(data)} bytes")
    print(f"receipt.png: {target}")
    print(f"transfer at {baud} baud: {transfer_seconds(len(data), baud):.2f} s")
    return 0
