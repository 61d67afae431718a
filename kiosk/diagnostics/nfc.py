"""The NFC card reader: found or not, its model and path, and optionally what a tap reads and how fast."""

from __future__ import annotations

import queue
import time
from typing import Any

from kiosk.config import Settings
from kiosk.core.events import CardProblem, CardRead, DeviceStatus, Event
from kiosk.core.privacy import mask_card
from kiosk.devices.card_id import card_identity
from kiosk.devices.nfc import NfcReader
from kiosk.diagnostics import Check, Findings, Live

# How long a reader opened here may take to say whether it works.
OPEN_WAIT_S = 5.0
ADVICE_PLUG = (
    "check the reader's USB cable and that `lsusb` lists it; kernel driver and permissions: docs/nfc.md"
)
ADVICE_TAP = "lay a card flat on the reader's centre; a card that never reads: check [nfc] technologies"
SIM_ADVICE = (
    "'sim' is the card emulator inside the running kiosk: check it from the technician screen, or "
    'start `python -m simulators.nfc --port 6010` and set [nfc] device = "udp:127.0.0.1:6010"'
)


def reader_for(settings: Settings, path: str | None = None) -> NfcReader:
    """A reader as the kiosk configures it, but with no hold-off: every tap shows."""
    nfc = settings.nfc
    rule, sources = card_identity(nfc)
    return NfcReader(
        path or nfc.device, rule, tuple(nfc.technologies), holdoff_s=0.0, sources=sources,
        read_attempts=nfc.read_attempts,
    )  # fmt: skip


def check(settings: Settings, live: Live | None = None, *, tap: float = 0.0, **_options: Any) -> Check:
    """Whether the reader is there and works; with `tap` > 0 seconds, wait that long for a card
    and report what it reads."""
    found = Findings("nfc")
    if live is not None and live.reader is not None:
        return _on(found, live.reader, tap)
    path = settings.nfc.device
    found.evidence["path"] = path
    if path == "sim":
        return found.simulated("simulated card reader", SIM_ADVICE)
    reader = reader_for(settings, path)
    events: queue.Queue[tuple[Event, float]] = queue.Queue()
    reader.start(lambda event: events.put((event, time.perf_counter())))
    try:
        return _on(found, reader, tap, events)
    finally:
        reader.stop()


def _on(
    found: Findings, reader: NfcReader, tap: float, events: queue.Queue[tuple[Event, float]] | None = None
) -> Check:
    found.evidence.update({"path": reader.path, "model": reader.reader_model or None})
    listener = None
    if events is None:  # the kiosk's reader: listen beside the runtime
        events = queue.Queue()
        queue_ = events

        def listener(event: Event) -> None:
            queue_.put((event, time.perf_counter()))

        reader.listeners.append(listener)
    try:
        status = reader.status if events.empty() and reader.status is not None else _first_status(events)
        if status is None:
            found.fail(f"NFC reader '{reader.path}' said nothing in {OPEN_WAIT_S:.0f} s: status unknown",
                       ADVICE_PLUG)  # fmt: skip
            return found.check("")
        found.evidence["model"] = reader.reader_model or None
        if not status.ok:
            head, _, rest = status.detail.partition(": ")
            found.fail(head, *(rest, ADVICE_PLUG) if "lsusb" not in rest else (rest,))
            return found.check("")
        if tap > 0:
            _tap(found, reader, events, tap)
    finally:
        if listener is not None:
            reader.listeners.remove(listener)
    read = found.evidence.get("tap")
    said = f"; read a {read['technology']} card in {read['read_ms']} ms" if read else ""
    return found.check(f"{reader.reader_model} on {reader.path}{said}")


def _first_status(events: queue.Queue[tuple[Event, float]]) -> DeviceStatus | None:
    deadline = time.monotonic() + OPEN_WAIT_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            event, _ = events.get(timeout=left)
        except queue.Empty:
            return None
        if isinstance(event, DeviceStatus):
            return event
    return None


def _tap(found: Findings, reader: NfcReader, events: queue.Queue[tuple[Event, float]], wait: float) -> None:
    deadline = time.monotonic() + wait
    problem = ""
    while (left := deadline - time.monotonic()) > 0:
        try:
            event, posted = events.get(timeout=left)
        except queue.Empty:
            break
        if isinstance(event, CardRead):
            found.evidence["tap"] = {
                "technology": event.technology,
                "uid": mask_card(event.uid),
                "identifier": mask_card(event.identifier),
                "read_ms": round((posted - reader.first_sensed) * 1000, 1),
            }
            return
        if isinstance(event, CardProblem):
            problem = event.reason
        elif isinstance(event, DeviceStatus) and not event.ok:
            found.fail(event.detail.partition(": ")[0], ADVICE_PLUG)
            return
    found.evidence["tap"] = None
    if problem:
        found.fail(f"a card was seen but gave no identifier ({problem}) in {wait:g} s", ADVICE_TAP)
    else:
        found.fail(f"no card was read in {wait:g} s", ADVICE_TAP)
