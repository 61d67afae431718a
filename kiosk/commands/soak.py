"""`kiosk soak`: thousands of random visits with faults against one kiosk on its simulators, or
(--kills) a kiosk killed and restarted over and over against a library that outlives it; then
the records check: the library's records against what was shown, journaled and printed."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kiosk.commands import config_arg, load_settings

HELP = "random visits with faults (and kills) against the simulators, then the records check"


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run --visits random visits (patrons and books of the simulated library; borrowing, "
        "returning, renewing) with faults, headless, in one kiosk process; then compare the "
        "library's records with what the screens showed, the journal and the printed receipts, "
        "and print visits, transactions, faults, kills, differences, and memory, threads and "
        "open files at start and end. With --kills K the kiosk runs as its own process against "
        "a library in this one, and is killed (SIGKILL) K times at random points and restarted "
        "on the same journal. Exit 0 only when there is no difference."
    )
    config_arg(parser)
    parser.add_argument("--visits", type=int, default=200, help="random visits (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="the random source's seed (default 1)")
    parser.add_argument("--kills", type=int, default=0, help="kill and restart the kiosk K times (default 0)")
    parser.add_argument(
        "--faults", type=float, default=0.3, help="share of visits with a fault (default 0.3)"
    )
    parser.add_argument(
        "--without",
        default="",
        metavar="FAULT,...",
        help="faults never injected (e.g. garbage,wrong_password)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("out/soak"), help="folder for the run (default out/soak)"
    )
    parser.add_argument(
        "--minutes", type=float, default=0.0, help="stop starting visits after this long (0: no limit)"
    )
    # A kiosk process of a --kills run (started by the run, not by hand).
    parser.add_argument("--life", type=Path, default=None, help=argparse.SUPPRESS)


def main(args: argparse.Namespace) -> int:
    if args.visits < 0 or args.kills < 0 or not 0 <= args.faults <= 1:
        print("kiosk soak: --visits and --kills are 0 or more, --faults between 0 and 1", file=sys.stderr)
        return 2
    if args.life is not None:
        return _life(args)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.kills:
        return _killing(args)
    return _one_process(args)


# -- settings --------------------------------------------------------------------------------


def soak_settings(
    base: Any, out: Path, library: dict[str, Any] | None = None, receipts: Path | None = None
) -> Any:
    """`base` with the library's records, the journal and the receipts in `out`: an unpaced
    printer, a short answer timeout (a lost answer costs seconds, not ten)."""
    from kiosk import config

    files = {"db": str(out / "ils.sqlite"), "journal": str(out / "journal.sqlite")}
    lib = {
        **base.library.as_dict(),
        "port": 0,
        "timeout_s": 3.0,
        "recovery_s": 4.0,
        **files,
        **(library or {}),
    }
    printer = dict(base.printer.as_dict(), sim_out=str(receipts or out / "receipts"), sim_baud=0)
    # Silent: thousands of visits would start a sound player for every cue.
    voice = dict(base.voice.as_dict(), engine="none", sounds=False, speaker=False)
    data = {name: getattr(base, name).as_dict() for name in config.SCHEMA}
    return config.validate({**data, "library": lib, "printer": printer, "voice": voice}, str(base.source))


def catalogue(store: Any) -> Any:
    """The simulated library's patrons who may borrow here and its lendable books."""
    from kiosk.demo.soak import Catalogue
    from simulators.ils import seed

    cards = [seed.DEMO_PATRON_ID, seed.LIMIT_PATRON_ID, seed.DISABLED_PATRON_ID, seed.HOLDER_PATRON_ID,
             seed.NETWORK_PATRON_ID, seed.NETWORK_LIMIT_PATRON_ID, seed.LIBRARY_BOUND_PATRON_ID,
             seed.NETWORK_BOUND_PATRON_ID, seed.OVERDUE_PATRON_ID, seed.BLOCKED_PATRON_ID]  # fmt: skip
    items = [seed.item_id(n) for n in range(1, 131)] + [seed.ON_HOLD_ITEM, seed.CLOSED_STACK_ITEM]
    loans, _ = store.circulation()
    return Catalogue(cards, items, {item: card for item, (card, _) in loans.items() if item in set(items)})


def _figures(label: str, figures: dict[str, int]) -> str:
    return (f"{label}: RSS {figures.get('rss_kb', 0) / 1024:.1f} MiB, threads {figures.get('threads', 0)} "
            f"(OS {figures.get('os_threads', 0)}), open files {figures.get('open_files', 0)}")  # fmt: skip


# -- one process --------------------------------------------------------------------------------


def _one_process(args: argparse.Namespace) -> int:
    from kiosk.app import attach_ui, build
    from kiosk.demo import records
    from kiosk.demo.soak import Soak, VisitMaker, read_stream

    settings = soak_settings(load_settings(args.config), args.out)
    for stale in ("ils.sqlite", "journal.sqlite", "stream.jsonl"):
        for suffix in ("", "-wal", "-shm"):
            (args.out / (stale + suffix)).unlink(missing_ok=True)
    kiosk = build(settings)
    report: records.Report | None = None
    try:
        window = attach_ui(kiosk, headless=True)
        store = kiosk.sims.ils.store
        before = records.Records(*store.circulation())
        maker = VisitMaker(
            catalogue(store), args.seed, args.faults, library_faults=True, without=_without(args)
        )
        stream_path = args.out / "stream.jsonl"
        with stream_path.open("w", encoding="utf-8") as stream:
            soak = Soak(kiosk, window, args.out, maker, stream, progress=lambda line: print(line, flush=True))
            deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
            outcome: dict[str, Any] = {}

            def body() -> None:
                try:
                    outcome["result"] = soak.run(args.visits, deadline)
                    settle(kiosk)
                finally:
                    soak.runner.quit()

            _run_on_script_thread(kiosk, window, body)
        result = outcome["result"]
        after = records.Records(*store.circulation())
        printer = kiosk.sims.printer
        assert kiosk.journal is not None
        report = records.check(before, after, read_stream(stream_path), kiosk.journal.entries(),
                               list(printer.receipt_texts))  # fmt: skip
    finally:
        kiosk.stop()
    return _print_result(result, report, kills=0, survived=0, library_faults=0)


def _run_on_script_thread(kiosk: Any, window: Any, body: Any) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    window.show()
    kiosk.runtime.start()
    thread = threading.Thread(target=body, name="soak-script", daemon=True)
    thread.start()
    app.exec()
    thread.join(timeout=60)


def settle(kiosk: Any, timeout: float = 60.0) -> None:
    """Every fault cured, the returns taken offline replayed, every open journal entry asked
    about: the records as they will stay."""
    from kiosk.demo.faults import heal

    heal(kiosk)
    journal, journaled = kiosk.journal, kiosk.runtime.library
    deadline = time.monotonic() + timeout
    while journal.waiting_offline() and time.monotonic() < deadline:
        time.sleep(0.5)
    while journal.open_entries() and time.monotonic() < deadline:
        journaled.reconcile()
        if journal.open_entries():
            time.sleep(1.0)


def _print_result(result: Any, report: Any, kills: int, survived: int, library_faults: int) -> int:
    if result.completed >= 0:
        print(f"visits: {result.visits} ({result.completed} as scripted, {result.visits - result.completed} "
              f"ended early by a fault and started over)")  # fmt: skip
    else:
        print(f"visits: {result.visits} (each kill cut one short)")
    if result.stopped_by:
        print(f"stopped early: {result.stopped_by}")
    if report is not None:
        print(f"transactions: {report.transactions} journaled, {report.shown} outcomes shown, "
              f"{report.receipts} receipts printed")  # fmt: skip
    print(f"faults injected: {result.faults + library_faults}")
    print(f"kills survived: {survived} of {kills}")
    which = " (the last kiosk process)" if kills else ""
    print(_figures(f"start{which}", result.start))
    print(_figures(f"end{which}", result.end))
    if report is None:
        print("discrepancies: not checked")
        return 1
    for line in report.lines():
        print(line)
    print(f"orphans (not told, kept for staff): {len(report.orphans)}")
    print(f"discrepancies: {len(report.differences)}")
    return 0 if report.ok and not result.stopped_by else 1


# -- killed and restarted ------------------------------------------------------------------------


def _life(args: argparse.Namespace) -> int:
    """One kiosk process of a --kills run: visits until killed, or (the last) a few visits,
    then settle and exit. Its transcript streams to LIFE/stream.jsonl, its result to
    LIFE/result.json."""
    from kiosk.app import attach_ui, build
    from kiosk.demo.soak import Catalogue, Soak, VisitMaker

    life = args.life
    settings = load_settings(args.config)
    plan = json.loads((life / "plan.json").read_text(encoding="utf-8"))
    kiosk = build(settings)
    try:
        window = attach_ui(kiosk, headless=True)
        maker = VisitMaker(
            Catalogue(**plan["catalogue"]),
            args.seed,
            args.faults,
            library_faults=False,
            without=_without(args),
        )
        with (life / "stream.jsonl").open("w", encoding="utf-8") as stream:
            soak = Soak(kiosk, window, life, maker, stream)
            outcome: dict[str, Any] = {}

            def body() -> None:
                try:
                    outcome["result"] = soak.run(args.visits)
                    settle(kiosk)
                finally:
                    soak.runner.quit()

            _run_on_script_thread(kiosk, window, body)
        result = outcome["result"]
        (life / "result.json").write_text(json.dumps(result.__dict__), encoding="utf-8")
    finally:
        kiosk.stop()
    return 0


def _killing(args: argparse.Namespace) -> int:
    from kiosk.demo import records
    from kiosk.demo.soak import SoakResult, read_stream
    from kiosk.ils.journal import Journal
    from simulators.ils.server import start_server

    rng = random.Random(args.seed)
    base = load_settings(args.config)
    for stale in ("ils.sqlite", "journal.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            (args.out / (stale + suffix)).unlink(missing_ok=True)
    lib = base.library
    server = start_server(port=0, db_path=str(args.out / "ils.sqlite"), login_id=lib.login_id,
                          password=base.sip2_password(), institution=lib.institution)  # fmt: skip
    entries: list[dict[str, Any]] = []
    receipts: list[list[str]] = []
    total = SoakResult()
    survived = library_faults = 0
    try:
        before = records.Records(*server.store.circulation())
        plan = {"catalogue": catalogue(server.store).__dict__}
        visits_left = args.visits
        for n in range(args.kills + 1):
            last = n == args.kills
            life = args.out / f"life-{n:03d}"
            life.mkdir(parents=True, exist_ok=True)
            for old in life.glob("*"):
                if old.is_file():
                    old.unlink()
            (life / "receipts").mkdir(exist_ok=True)
            for old in (life / "receipts").glob("*"):
                old.unlink()
            settings_path = _life_config(base, args, life, server)
            plan["catalogue"]["loans"] = {i: c for i, (c, _) in server.store.circulation()[0].items()
                                          if i in set(plan["catalogue"]["items"])}  # fmt: skip
            (life / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
            share = max(1, visits_left // (args.kills + 1 - n)) if not last else max(2, visits_left)
            command = [sys.executable, "-m", "kiosk", "soak", "--config", str(settings_path),
                       "--life", str(life), "--seed", str(args.seed * 1000 + n), "--faults", str(args.faults),
                       "--visits", str(share if last else 100000), "--without", args.without]  # fmt: skip
            with (life / "kiosk.log").open("w", encoding="utf-8") as log_file:
                child = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))  # fmt: skip
                try:
                    if last:
                        child.wait(timeout=600)
                    else:
                        library_faults += _until_kill(child, life, server, rng, _without(args))
                        visits_left -= _visits_in(life)
                finally:
                    if child.poll() is None:
                        child.kill()
                    child.wait()
                    # The plan names the simulated library's cards: an input, not kept as output.
                    (life / "plan.json").unlink(missing_ok=True)
            server.clear_faults()
            server.come_up()
            if n and (life / "stream.jsonl").exists() and (life / "stream.jsonl").stat().st_size:
                survived += 1  # the kiosk came back after the kill before this life
            # A kill ends the visit it cut: the next life starts a new one.
            entries += read_stream(life / "stream.jsonl") if (life / "stream.jsonl").exists() else []
            if not last:
                entries.append({"kind": "effect", "type": "Killed"})
            entries.append({"kind": "effect", "type": "VisitEnded"})
            receipts += [
                p.read_text(encoding="utf-8").splitlines() for p in sorted((life / "receipts").glob("*.txt"))
            ]
            total.visits += _visits_in(life)
        result_file = life / "result.json"
        final = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
        total.completed = -1  # a killed kiosk cannot say
        total.start, total.end = final.get("start", {}), final.get("end", {})
        if not final:
            total.stopped_by = "the last kiosk did not finish (see its kiosk.log)"
        after = records.Records(*server.store.circulation())
        journal = Journal(str(args.out / "journal.sqlite"))
        try:
            report = records.check(before, after, entries, journal.entries(), receipts)
        finally:
            journal.close()
    finally:
        server.stop()
    total.faults = library_faults + _faults_in(args.out)
    return _print_result(total, report, kills=args.kills, survived=survived, library_faults=0)


def _without(args: argparse.Namespace) -> set[str]:
    return {name.strip() for name in args.without.split(",") if name.strip()}


# Library faults a --kills run injects from this process (the kiosk processes inject the rest).
KILL_FAULTS = [("reply_lost", "11"), ("reply_lost", "09"), ("reply_lost", "29"), ("drop", "11"),
               ("drop", "09"), ("garbage", "11")]  # fmt: skip


def _life_config(base: Any, args: argparse.Namespace, life: Path, server: Any) -> Path:
    """A settings file for one kiosk life: the library in this process, the shared journal."""
    from kiosk import config

    settings = soak_settings(base, args.out, {"embedded": False, "host": server.host, "port": server.port},
                             receipts=life / "receipts")  # fmt: skip
    lines = []
    for section in config.SCHEMA:
        lines.append(f"[{section}]")
        for key, value in getattr(settings, section).as_dict().items():
            lines.append(f"{key} = {config.toml_value(value)}")
    path = life / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _visits_in(life: Path) -> int:
    """Visits a life started (from its stream: each ends with VisitEnded, or with the kill)."""
    stream = life / "stream.jsonl"
    if not stream.exists():
        return 0
    text = stream.read_text(encoding="utf-8")
    return text.count('"VisitEnded"') + (1 if text and not text.rstrip().endswith('"VisitEnded"}') else 0)


def _faults_in(out: Path) -> int:
    """Fault steps the kiosk lives carried out (their logs name each step)."""
    from kiosk.demo.soak import FAULT_LOGGED

    return sum(p.read_text(encoding="utf-8", errors="replace").count(FAULT_LOGGED)
               for p in out.glob("life-*/kiosk.log"))  # fmt: skip


def _until_kill(child: subprocess.Popen[bytes], life: Path, server: Any, rng: random.Random,
                without: set[str]) -> int:  # fmt: skip
    """Let the kiosk run, with the odd library fault, and SIGKILL it: after a random time, or
    (every other kill) just after the library received a transaction. Faults injected."""
    stream = life / "stream.jsonl"
    deadline = time.monotonic() + 120
    while not (stream.exists() and stream.stat().st_size) and time.monotonic() < deadline:
        if child.poll() is not None:
            return 0
        time.sleep(0.05)
    faults = 0
    choices = [(f, on) for f, on in KILL_FAULTS if f not in without]
    if choices and rng.random() < 0.4:
        fault, on = rng.choice(choices)
        server.add_fault(fault, on)
        faults += 1
    if rng.random() < 0.5:
        seen = sum(server.received[code] for code in ("11", "09", "29"))
        wanted = seen + rng.randint(1, 4)
        end = time.monotonic() + 60
        while sum(server.received[c] for c in ("11", "09", "29")) < wanted and time.monotonic() < end:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
    else:
        time.sleep(rng.uniform(0.5, 8.0))
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    return faults
