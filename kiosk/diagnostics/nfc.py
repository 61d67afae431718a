"""`kiosk diag nfc`: open the card reader, name it, and show what each tap gives and how fast."""

from __future__ import annotations

import argparse
import json
import queue
import sys
import time
from typing import Any

from kiosk.commands import config_arg, load_settings
from kiosk.config import Settings
from kiosk.core.events import CardProblem, CardRead, CardRemoved, DeviceStatus, Event
from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.devices.nfc import NfcReader
from kiosk.diagnostics import Check

HELP = "NFC card reader: model, path, and what each tap reads (technology, UID, identifier, ms)"
SIM_ADVICE = (
    "'sim' is the card emulator inside the running kiosk. For a simulated test start one with "
    "`python -m simulators.nfc --port 6010` and run `kiosk diag nfc --device udp:127.0.0.1:6010`"
)
_OPEN_WAIT_S = 5.0


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Open the NFC reader, report its model and path, then wait for taps and print for each: "
        "technology, UID, the patron identifier the configured rule gives, and milliseconds from "
        "the poll that first saw the card to the event. Exit 0 when the reader opened (and, with "
        "--once, a card was read); 1 when it cannot be opened, with what to check."
    )
    config_arg(parser)
    parser.add_argument(
        "--device", default=None, help="nfcpy path (default: [nfc] device), e.g. usb, udp:HOST:PORT"
    )
    parser.add_argument("--once", action="store_true", help="stop after the first tap")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line: the reader, then each tap"
    )
    parser.add_argument(
        "--timeout", type=float, default=0.0, help="give up after this many seconds (0 = never)"
    )


def reader_for(settings: Settings, path: str) -> NfcReader:
    """A reader as the kiosk configures it, but with no hold-off: every tap shows."""
    from kiosk.app import card_identity

    rule, sources = card_identity(settings)
    return NfcReader(path, rule, tuple(settings.nfc.technologies), holdoff_s=0.0, sources=sources)


def open_reader(reader: NfcReader) -> tuple[DeviceStatus | None, queue.Queue[tuple[Event, float]]]:
    """Start the reader; its first status (or None if it said nothing in time) and its events."""
    events: queue.Queue[tuple[Event, float]] = queue.Queue()
    reader.start(lambda event: events.put((event, time.perf_counter())))
    try:
        event, _ = events.get(timeout=_OPEN_WAIT_S)
    except queue.Empty:
        return None, events
    return (event if isinstance(event, DeviceStatus) else None), events


def main(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = args.device or settings.nfc.device
    if path == "sim":
        print(SIM_ADVICE, file=sys.stderr)
        return 2
    reader = reader_for(settings, path)
    try:
        status, events = open_reader(reader)
        if status is None or not status.ok:
            detail = status.detail if status else f"NFC reader '{path}' said nothing in {_OPEN_WAIT_S:.0f} s"
            _say(args, {"reader": path, "ok": False, "detail": detail}, f"FAIL {detail}")
            return 1
        _say(
            args,
            {"reader": path, "ok": True, "model": reader.reader_model},
            f"reader: {reader.reader_model} on {path}\ntap a card (Ctrl-C to stop)",
        )
        return _taps(args, reader, events)
    except KeyboardInterrupt:
        return 0
    finally:
        reader.stop()


def _taps(args: argparse.Namespace, reader: NfcReader, events: queue.Queue[tuple[Event, float]]) -> int:
    deadline = time.monotonic() + args.timeout if args.timeout > 0 else None
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            print("no card was tapped in time", file=sys.stderr)
            return 1
        try:
            event, posted = events.get(timeout=wait)
        except queue.Empty:
            continue
        if isinstance(event, CardRead):
            ms = round((posted - reader.first_sensed) * 1000, 1)
            record = {
                "technology": event.technology,
                "uid": event.uid,
                "identifier": event.identifier,
                "ms": ms,
            }
            _say(args, record, f"{event.technology}  UID {event.uid}  ->  {event.identifier}  ({ms} ms)")
            if args.once:
                return 0
        elif isinstance(event, CardProblem):
            message = text(event.message_id, Language.EN)
            _say(
                args,
                {"problem": event.reason, "technology": event.technology, "message": message},
                f"{event.reason}: {message}",
            )
        elif isinstance(event, CardRemoved):
            if not args.json:
                print("card lifted")
        elif isinstance(event, DeviceStatus):
            _say(
                args,
                {"reader": reader.path, "ok": event.ok, "detail": event.detail},
                ("ok " if event.ok else "FAIL ") + event.detail,
            )


def _say(args: argparse.Namespace, record: dict[str, Any], line: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if args.json else line, flush=True)


def check(settings: Settings) -> Check:
    """Open the configured reader and close it again (no tap needed)."""
    path = settings.nfc.device
    if path == "sim":
        return Check("nfc", True, "simulated card reader (the kiosk's card emulator)", {"path": path})
    reader = reader_for(settings, path)
    try:
        status, _ = open_reader(reader)
    finally:
        reader.stop()
    if status is None:
        return Check(
            "nfc", False, f"NFC reader '{path}' said nothing in {_OPEN_WAIT_S:.0f} s", {"path": path}
        )
    summary = f"{reader.reader_model} on {path}" if status.ok else status.detail
    return Check("nfc", status.ok, summary, {"path": path, "model": reader.reader_model})
