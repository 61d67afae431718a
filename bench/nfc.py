"""NFC card reader: tap-to-CardRead through nfcpy's udp driver beside a bare sense(), and idle CPU.

Run: ./dev bench nfc (or .venv/bin/python -m bench nfc). Options when run directly:
  --taps N     taps per card kind (default 30)
  --idle S     seconds of idle polling measured for CPU (default 5)

Latency: the card emulator (in this process) puts a card on the field; the clock starts when
the card answers on the field and stops when NfcReader posts CardRead. Baseline in the same
run: nfcpy's bare `clf.sense()` round trip for the same card (what any reader must spend).
The reader polls every 50 ms, so about 25 ms of waiting is expected on top of the sense.
Idle CPU: the emulator runs as a separate process (`python -m simulators.nfc`) so only the
reader's own work is counted with time.process_time(); baseline: a bare loop of nfcpy
sense() calls over the same technologies and interval, with no adapter around it.
"""

from __future__ import annotations

import argparse
import queue
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import nfc
import nfc.clf

from kiosk.core.events import CardRead, CardRemoved, DeviceStatus, Event
from kiosk.devices.card_id import CardIdRule, CardIdSources
from kiosk.devices.nfc import NfcReader
from simulators.nfc import CardEmulator

TECHNOLOGIES = ("106A", "212F")
KINDS: list[tuple[str, str, str, dict[str, str], CardIdSources]] = [
    ("UID, type A 7-byte", "04A1B2C3D4E5F6", "106A", {}, CardIdSources()),
    ("UID, FeliCa IDm", "0102030405060708", "212F", {}, CardIdSources()),
    (
        "NDEF Type 3 member",
        "0102030405060708",
        "212F",
        {"member": "29123456789"},
        CardIdSources(order=("ndef",)),
    ),
    (
        "NDEF Type 4 member",
        "04A1B2C3D4E5F6",
        "106A",
        {"member": "29123456789"},
        CardIdSources(order=("ndef",)),
    ),
    (
        "KS X 6924 serial",
        "04A1B2C3",
        "106A",
        {"transit_serial": "1010123456789012"},
        CardIdSources(order=("transit",)),
    ),
]


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(values) * 1000:7.2f} {p95 * 1000:7.2f}"


def tap_latency(
    field: CardEmulator, uid: str, tech: str, card: dict[str, str], sources: CardIdSources, taps: int
) -> tuple[list[float], list[float]]:
    """(card on the field -> CardRead, poll that saw it -> CardRead) per tap, in seconds."""
    events: queue.Queue[tuple[Event, float]] = queue.Queue()
    reader = NfcReader(field.path, CardIdRule(), TECHNOLOGIES, holdoff_s=0.0, sources=sources)
    reader.start(lambda event: events.put((event, time.perf_counter())))
    try:
        first, _ = events.get(timeout=5)
        assert isinstance(first, DeviceStatus) and first.ok, first
        waited, work = [], []
        rng = random.Random(4)
        for _ in range(taps):
            time.sleep(rng.uniform(0, reader.poll_interval_s))  # taps land anywhere in a poll cycle
            field.tap(uid, tech, **card)  # type: ignore[arg-type]
            appeared = time.perf_counter()
            while True:
                event, posted = events.get(timeout=5)
                if isinstance(event, CardRead):
                    waited.append(posted - appeared)
                    work.append(posted - reader.first_sensed)
                    break
            field.lift()
            # Each tap starts on a field the reader has seen empty.
            while not isinstance(events.get(timeout=5)[0], CardRemoved):
                pass
        return waited, work
    finally:
        reader.stop()


def bare_sense(field: CardEmulator, uid: str, tech: str, card: dict[str, str], rounds: int) -> list[float]:
    field.tap(uid, tech, **card)  # type: ignore[arg-type]
    clf = nfc.ContactlessFrontend(field.path)
    try:
        out = []
        for _ in range(rounds):
            started = time.perf_counter()
            target = clf.sense(nfc.clf.RemoteTarget(tech))
            out.append(time.perf_counter() - started)
            assert target is not None
        return out
    finally:
        clf.close()
        field.lift()


def _cpu_per_minute(run: Callable[[threading.Event], None], seconds: float) -> float:
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(stop,))
    thread.start()
    time.sleep(0.5)  # warm up: reader open, first polls done
    cpu0, wall0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stop.set()
    thread.join()
    return cpu / wall * 60


def idle_cpu(seconds: float) -> tuple[float, float]:
    port = _free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "simulators.nfc", "--port", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sim.stdout is not None
        sim.stdout.readline()  # the field is up
        path = f"udp:127.0.0.1:{port}"

        def adapter(stop: threading.Event) -> None:
            reader = NfcReader(path, CardIdRule(), TECHNOLOGIES)
            reader.start(lambda event: None)
            stop.wait()
            reader.stop()

        def bare(stop: threading.Event) -> None:
            clf = nfc.ContactlessFrontend(path)
            while not stop.is_set():
                for tech in TECHNOLOGIES:
                    clf.sense(nfc.clf.RemoteTarget(tech))
                stop.wait(0.05)
            clf.close()

        return _cpu_per_minute(adapter, seconds), _cpu_per_minute(bare, seconds)
    finally:
        if sim.stdin:
            sim.stdin.write("quit\n")
            sim.stdin.close()
        sim.wait(timeout=5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nfc")
    parser.add_argument("--taps", type=int, default=30)
    parser.add_argument("--idle", type=float, default=5.0)
    args = parser.parse_args(argv if argv is not None else [])
    print(f"{'card':20} {'on field->CardRead':>17} {'sense->CardRead':>17} {'bare sense()':>17} {'ratio':>6}")
    print(f"{'':20} {'ms median    p95':>17} {'ms median    p95':>17} {'ms median    p95':>17} {'':>6}")
    with CardEmulator() as field:
        for label, uid, tech, card, sources in KINDS:
            waited, work = tap_latency(field, uid, tech, card, sources, args.taps)
            bare = bare_sense(field, uid, tech, card, args.taps)
            ratio = statistics.median(work) / statistics.median(bare)
            print(f"{label:20} {_ms(waited):>17} {_ms(work):>17} {_ms(bare):>17} {ratio:6.1f}")
    print("ratio = sense->CardRead / bare sense(): the adapter's work per tap (the round's other")
    print("technologies, reading NDEF/APDUs) over one bare sense(); on field->CardRead adds the poll wait.")
    ours, baseline = idle_cpu(args.idle)
    print(
        f"idle poll loop, {'+'.join(TECHNOLOGIES)} every 50 ms: {ours:.2f} CPU s/min "
        f"(bare sense() loop {baseline:.2f} CPU s/min, ratio {ours / baseline:.2f})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
