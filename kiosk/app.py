"""Composition root: settings -> adapters (or their simulators) -> flow -> runtime -> UI."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.alerts.desk import StaffDesk
from kiosk.config import Settings, plaintext_link_warning
from kiosk.core.errors import ConfigError
from kiosk.core.events import DeviceStatus, Event
from kiosk.core.model import Language
from kiosk.core.ports import Device, Post
from kiosk.devices import card_id
from kiosk.devices.barcodes import CodePatterns
from kiosk.devices.camera import CameraReader, CaptureSettings
from kiosk.devices.card_id import CardIdRule, CardIdSources
from kiosk.devices.escpos import PrinterProfile, get_profile
from kiosk.devices.nfc import NfcReader
from kiosk.devices.printer import SerialReceiptPrinter
from kiosk.devices.printer_watch import PrinterWatch
from kiosk.flows.screens import VisitSettings
from kiosk.flows.session import Session
from kiosk.ils.journal import Journal, JournalError
from kiosk.ils.journaled import JournaledLibrary, OfflineLending
from kiosk.ils.library import Sip2Library
from kiosk.logs import close_log_file, open_log_file
from kiosk.metrics import MetricsServer, start_metrics
from kiosk.runtime.clock import SystemClock
from kiosk.runtime.loop import Runtime
from kiosk.runtime.tally import Tally
from kiosk.runtime.voice import VoiceGuide, controls_first
from kiosk.technician import TechnicianService

log = logging.getLogger("kiosk.app")


@dataclass
class Simulators:
    """The simulators started for `sim` devices, so the demo and its panel can drive them."""

    ils: Any = None
    nfc: Any = None
    camera: Any = None
    printer: Any = None
    earphone: Any = None
    tmp: tempfile.TemporaryDirectory[str] | None = None

    def stop(self) -> None:
        for name in ("nfc", "camera", "printer"):
            sim = getattr(self, name)
            if sim is not None:
                (getattr(sim, "close", None) or sim.release)()
        if self.ils is not None:
            self.ils.stop()
        if self.tmp is not None:
            self.tmp.cleanup()


@dataclass
class Kiosk:
    settings: Settings
    runtime: Runtime
    flow: Session
    sims: Simulators
    devices: list[Device] = field(default_factory=list)
    voice: VoiceGuide | None = None
    journal: Journal | None = None
    replayer: Replayer | None = None
    tally: Tally | None = None
    metrics: MetricsServer | None = None
    staff: StaffDesk | None = None
    log_file: logging.Handler | None = None
    technician: TechnicianService | None = None
    # The window attach_ui made: ended at stop(), never left to the garbage collector.
    window: Any = None

    def stop(self) -> None:
        if self.technician is not None:
            self.technician.close()
        if self.staff is not None:
            self.staff.shutting_down()  # the library hears it (SIP2 status 2) before the link closes
        if self.metrics is not None:
            self.metrics.stop()
        if self.replayer is not None:
            self.replayer.stop()
        self.runtime.stop()
        if self.window is not None:
            # Deleted now, parent first: the cyclic collector would tear its widgets down in
            # any order, and a Qt object deleted twice crashes the process (kiosk.ui.collector).
            from kiosk.ui.collector import dispose

            window, self.window = self.window, None
            dispose(window)
        if self.journal is not None:
            self.journal.close()
        if self.voice is not None:
            self.voice.close()
        self.sims.stop()
        if self.staff is not None:
            self.staff.close()
        if self.log_file is not None:
            close_log_file(self.log_file)


def _journal(settings: Settings) -> Journal:
    lib = settings.library
    try:
        journal = Journal(lib.journal or ":memory:", dt.timedelta(days=lib.journal_retention_days))
    except JournalError as exc:
        raise ConfigError(f"{settings.source}: [library] journal = {lib.journal!r}: {exc}") from exc
    return journal


class Replayer:
    """Sends the loans and returns taken offline once the library answers again: at once when
    the link comes back (wake()), and a look every few seconds while any wait (a failed try
    costs one connection attempt)."""

    # Patron data kept no longer than needed: the journal is tidied at start and this often.
    TIDY_S = 3600.0

    def __init__(self, journaled: JournaledLibrary, every_s: float = 3.0) -> None:
        self.journaled, self.every_s = journaled, every_s
        self._tidied = -self.TIDY_S
        self._stop = threading.Event()
        self._nudged = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-replay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._nudged.set()

    def stop(self) -> None:
        self._stop.set()
        self._nudged.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            self._nudged.wait(self.every_s)
            self._nudged.clear()
            if self._stop.is_set():
                return
            try:
                if self.journaled.pending_offline():
                    self.journaled.replay()
                if time.monotonic() - self._tidied >= self.TIDY_S:
                    self._tidied = time.monotonic()
                    entries, cards = self.journaled.tidy()
                    if entries or cards:
                        log.info(
                            "journal: %d settled entries and %d cards past their time dropped", entries, cards
                        )
            except Exception:  # a thread's last resort: the entries wait for the next try
                log.exception("journal: replaying what was taken offline failed")


def _reconcile(journaled: JournaledLibrary) -> None:
    try:
        open_before = len(journaled.journal.open_entries())
        if not open_before:
            return
        settled = journaled.reconcile()
        log.warning(
            "journal: %d of %d open entries settled with the library at start-up; %d the patron was not "
            "told (diagnostics, journal export)",
            len(settled), open_before, len(journaled.journal.untold()),
        )  # fmt: skip
    except Exception:  # a thread's last resort: the kiosk runs on, the entries stay open
        log.exception("journal: reconciling at start-up failed")


def _library(settings: Settings, sims: Simulators, post: Post) -> Sip2Library:
    lib = settings.library
    host, port = lib.host, lib.port
    if lib.embedded:
        from simulators.ils.server import start_server

        rules = None
        if lib.rules:
            from simulators.ils.rules import load_rules

            try:
                rules = load_rules(lib.rules)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{settings.source}: [library] rules = {lib.rules!r}: {exc}") from exc
        try:
            sims.ils = start_server(
                rules=rules,
                host=host,
                port=port,
                db_path=lib.db or None,
                login_id=lib.login_id,
                password=settings.sip2_password(),
                institution=lib.institution,
            )
        except sqlite3.Error as exc:
            raise ConfigError(
                f"{settings.source}: [library] db = {lib.db!r}: the embedded server cannot open it ({exc})"
            ) from exc
        except OSError as exc:
            raise ConfigError(
                f"{settings.source}: [library] host = {host!r}, port = {port}: the embedded server "
                f"cannot listen there ({exc.strerror or exc})"
            ) from exc
        host, port = sims.ils.host, sims.ils.port
        log.info("embedded library server on %s:%s", host, port)
    return Sip2Library(
        host=host,
        port=port,
        login_id=lib.login_id,
        password=settings.sip2_password(),
        institution=lib.institution,
        location_code=lib.location_code,
        terminator="\r\n" if lib.terminator == "CRLF" else "\r",
        encoding=lib.encoding,
        delimiter=lib.delimiter,
        tls=lib.tls,
        tls_ca=lib.tls_ca or None,
        timeout=lib.timeout_s,
        recovery_s=float(lib.recovery_s),
        tls_cert=lib.tls_cert or None,
        tls_key=lib.tls_key or None,
        retries=lib.retries,
        heartbeat=lib.heartbeat,
        heartbeat_s=float(lib.heartbeat_s),
        # The link going down or up is news for the technician, like a device's.
        on_link=lambda online, detail: post(DeviceStatus(device="library", ok=online, detail=detail)),
    )


def card_identity(settings: Settings) -> tuple[CardIdRule, CardIdSources]:
    """How a card becomes a patron identifier, as the [nfc] section says."""
    return card_id.card_identity(settings.nfc)


def _card_reader(settings: Settings, sims: Simulators) -> NfcReader:
    nfc = settings.nfc
    path = nfc.device
    if path == "sim":
        from simulators.nfc import CardEmulator

        sims.nfc = CardEmulator()
        path = sims.nfc.path
    rule, sources = card_identity(settings)
    return NfcReader(
        path,
        rule,
        technologies=tuple(nfc.technologies),
        holdoff_s=nfc.holdoff_s,
        sources=sources,
        read_attempts=nfc.read_attempts,
    )


def _camera(settings: Settings, sims: Simulators) -> CameraReader:
    cam = settings.camera
    patterns = CodePatterns(item=cam.item_pattern, member=cam.member_pattern)
    source: Any = cam.source
    if source == "sim":
        from simulators.camera import VirtualCamera

        sims.camera = VirtualCamera(width=960, height=540, fps=8, realtime=True)
        source = sims.camera
    capture = CaptureSettings(
        width=cam.width,
        height=cam.height,
        fps=cam.fps,
        focus=None if cam.focus < 0 else cam.focus,
        exposure=None if cam.exposure < 0 else cam.exposure,
    )
    return CameraReader(source, patterns, forget_after_s=cam.forget_after_s, capture=capture)


def _printer(settings: Settings, sims: Simulators, profile: PrinterProfile) -> SerialReceiptPrinter:
    pr = settings.printer
    url = pr.device
    if url == "sim":
        from simulators.printer import VirtualPrinter

        if pr.sim_out:
            out = Path(pr.sim_out)
        else:
            sims.tmp = tempfile.TemporaryDirectory(prefix="kiosk-receipts-")
            out = Path(sims.tmp.name)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{settings.source}: [printer] sim_out = {pr.sim_out!r}: not a folder for receipts "
                f"({exc.strerror or exc})"
            ) from exc
        sims.printer = VirtualPrinter.for_profile(profile, baud=pr.sim_baud, out_dir=out)
        url = sims.printer.url
        if pr.sim_baud:
            # The kiosk paces its status waits to the simulated line, as to a real one.
            url = f"{url}?baud={pr.sim_baud}"
    return SerialReceiptPrinter(url, profile)


def voice_guide(settings: Settings, sims: Simulators) -> VoiceGuide:
    """Voice guidance and cues on one audio path, as the [voice] section says; watching the
    earphone (a simulated jack for `sim`, kept in `sims.earphone`)."""
    from kiosk.devices.audio import AudioOut, NoSinks, PulseSinks
    from kiosk.devices.sounds import CueSounds
    from kiosk.devices.speech import EspeakSpeech, NoSpeech

    v = settings.voice
    out = AudioOut(v.player)
    speech = EspeakSpeech(out, rate=v.rate, volume=v.volume) if v.engine == "espeak-ng" else NoSpeech()
    guide = VoiceGuide(
        speech,
        CueSounds(out, volume=v.volume),
        speaker=v.speaker,
        cues=v.sounds,
        volume=v.volume,
        rate=v.rate,
        language=Language(settings.kiosk.language),
    )
    guide.also_close.append(out.close)
    if v.earphone == "sim":
        from simulators.audio import EarphoneJack

        sims.earphone = EarphoneJack()
        guide.attach(sims.earphone)
    else:
        guide.attach(PulseSinks() if v.earphone == "pulse" else NoSinks())
    return guide


def offline_lending(settings: Settings) -> OfflineLending | None:
    """The library's policy for lending while it cannot be reached (None: it lends nothing)."""
    lib = settings.library
    if not lib.offline_borrowing:
        return None
    return OfflineLending(lib.offline_items, lib.offline_seen_days, lib.offline_loan_days)


def visit_settings(settings: Settings) -> VisitSettings:
    k, p, t = settings.kiosk, settings.patron, settings.technician
    return VisitSettings(
        library_name=k.library_name,
        kiosk_id=k.id,
        language=Language(k.language),
        account_url=k.account_url,
        footer=k.footer,
        inactivity_s=k.inactivity_s,
        countdown_s=k.countdown_s,
        goodbye_s=k.goodbye_s,
        pin_after_card=p.pin_after_card,
        pin_attempts=p.pin_attempts,
        lockout_s=p.lockout_min * 60,
        number_digits=(p.number_min, p.number_max),
        registration_prefix=p.registration_prefix,
        registration_digits=p.registration_digits,
        bring_in_consent={Language.KO: p.bring_in_consent_ko, Language.EN: p.bring_in_consent_en},
        member_libraries=dict(settings.library.members),
        offline_returns=settings.library.offline_returns,
        offline_lending=settings.library.offline_borrowing,
        technician_cards=frozenset(uid.upper() for uid in t.cards),
        technician_pin_sha256=t.pin_sha256,
        technician_pin_attempts=t.pin_attempts,
        technician_lockout_s=t.lockout_min * 60,
        technician_idle_s=t.idle_s,
        essential=tuple(t.essential),
    )


def build(settings: Settings) -> Kiosk:
    """Everything but the UI: adapters, simulators for `sim` devices, flow and runtime."""
    lg = settings.log
    try:
        log_file = open_log_file(lg.file, lg.max_bytes, lg.backups, lg.level) if lg.file else None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        problem = f"[log] file = {lg.file!r}: cannot be written ({reason})"
        raise ConfigError(f"{settings.source}: {problem}") from exc
    warning = plaintext_link_warning(settings)
    if warning:
        log.warning("%s", warning)
    try:
        profile = get_profile(settings.printer.profile)
    except ConfigError as exc:
        raise ConfigError(
            f"{settings.source}: [printer] profile = {settings.printer.profile!r}: {exc}"
        ) from None
    sims = Simulators()
    # The library link reports from its own thread before the runtime exists: post late-bound.
    runtime_ref: list[Runtime] = []
    replayer_ref: list[Replayer] = []

    def post(event: Event) -> None:
        if runtime_ref:
            runtime_ref[0].post(event)
        if replayer_ref and isinstance(event, DeviceStatus) and event.device == "library" and event.ok:
            replayer_ref[0].wake()  # the library is back: what was taken offline goes now

    library: Sip2Library | None = None
    try:
        library = _library(settings, sims, post)
        devices: list[Device] = [_card_reader(settings, sims), _camera(settings, sims)]
        printer = _printer(settings, sims, profile)
        journal = _journal(settings)
    except BaseException:
        # A device or the journal refused after the link started: stop its heartbeat thread
        # and the simulators (the embedded library server) too.
        if library is not None:
            library.close()
        sims.stop()
        if log_file is not None:
            close_log_file(log_file)
        raise
    if settings.printer.watch_s > 0:
        devices.append(PrinterWatch(printer, float(settings.printer.watch_s)))
    flow = Session(visit_settings(settings))
    journaled = JournaledLibrary(library, journal, offline_returns=settings.library.offline_returns,
                                 offline_lending=offline_lending(settings))  # fmt: skip
    runtime = Runtime(flow, journaled, printer, SystemClock(), devices=devices, membership=library.membership)
    runtime_ref.append(runtime)
    # Staff hear of a call, a device lost, paper out, the link down, the journal not draining.
    staff = StaffDesk.from_settings(settings.alerts, settings.kiosk.id, runtime.clock.now, library.client,
                                    journal)  # fmt: skip
    staff.attach(runtime, lambda: flow.visit.started is not None)
    # What a crash or a lost answer left open is asked about (never sent again) while the
    # kiosk starts; what the patron could not be told stays in the journal for staff.
    threading.Thread(target=_reconcile, args=(journaled,), name="journal-reconcile", daemon=True).start()
    replayer = Replayer(journaled)
    replayer_ref.append(replayer)
    # Screens said, cues played: the guide watches the effects and plays PlaySound's cues.
    voice = voice_guide(settings, sims)
    runtime.sound = voice.cue
    runtime.observers.append(voice.observe)
    # What happened, counted for the technician (and the metrics endpoint when enabled).
    tally = Tally()
    runtime.observers.append(tally)
    # A visit's end clears what the devices remember of it: the next patron may show the same
    # book, or the same patron tap again at once.
    for device in devices:
        runtime.on_visit_ended.append(device.reset)
    replayer.start()
    metrics = start_metrics(settings, tally, journal, runtime.clock.now)
    if metrics is not None:
        library.client.on_round_trip = metrics.metrics.round_trip
    kiosk = Kiosk(settings, runtime, flow, sims, devices, voice, journal, replayer, tally, metrics,
                  staff=staff, log_file=log_file)  # fmt: skip
    # The technician's screen: checks on these live devices, counters, test page, reopen.
    kiosk.technician = TechnicianService(kiosk)
    return kiosk


def attach_ui(kiosk: Kiosk, headless: bool, fit_screen: bool = False) -> Any:
    """Create the window and the Qt pump; returns the window (not shown).

    `fit_screen` (the demo on a desktop): a scaled model of the panel that fits the screen,
    every millimetre scaled alike so the layout is the panel's."""
    from kiosk.ui.app import ensure_app, set_up_access
    from kiosk.ui.binding import guard_if_needed
    from kiosk.ui.bridge import QtPump
    from kiosk.ui.collector import MainThreadCollector
    from kiosk.ui.theme import Theme
    from kiosk.ui.window import KioskWindow

    app = ensure_app(headless)
    d = kiosk.settings.display
    scale = 1.0
    screen = app.primaryScreen()
    if fit_screen and screen is not None:
        available = screen.availableGeometry()
        scale = min(1.0, 0.95 * available.height() / d.height_px, 0.7 * available.width() / d.width_px)
    theme = Theme(
        px_per_mm=float(d.px_per_mm) * scale, zoom=float(d.zoom), high_contrast=d.theme == "high-contrast"
    )
    # The voice controls (repeat, stop, louder...) go to the voice guide, the rest to the visit.
    post = controls_first(kiosk.voice, kiosk.runtime.post) if kiosk.voice else kiosk.runtime.post
    window = KioskWindow(theme, kiosk.settings.kiosk.library_name, post)
    window.resize(round(d.width_px * scale), round(d.height_px * scale))
    # A quick library never flashes the busy screen: it is drawn after 150 ms without an answer.
    window.busy_delay_ms = 150
    kiosk.runtime.show = window.show_view
    # Garbage holding Qt objects is never collected on a worker thread (see kiosk.ui.collector).
    MainThreadCollector(parent=window)
    pump = QtPump(kiosk.runtime, parent=window, guard=guard_if_needed())
    kiosk.runtime.wakeup = pump.wake
    if kiosk.voice is not None:
        # The accessibility strip's voice controls (and their keys) call the voice guide.
        window.presentation.update(kiosk.voice.handlers())
    # The physical keypad and the panel's height (low position); the accessibility strip's
    # zoom, contrast and low position are the patron's for one visit only.
    set_up_access(window, kiosk.settings.keypad.as_dict(), float(d.mount_bottom_mm), kiosk.settings.source)
    kiosk.runtime.on_visit_ended.append(window.reset_presentation)
    kiosk.window = window
    return window


def attach_panel(kiosk: Kiosk, window: Any) -> int:
    """Show the kiosk window beside the simulator control panel and run until closed."""
    from PySide6.QtWidgets import QApplication

    from simulators.panel import ControlPanel

    app = QApplication.instance()
    assert app is not None
    panel = ControlPanel(kiosk.sims)
    window.move(0, 0)
    window.show()
    # Beside the kiosk, never over it.
    panel.move(window.frameGeometry().right() + 12, 0)
    panel.show()
    kiosk.runtime.start()
    try:
        return int(app.exec())
    finally:
        from kiosk.ui.collector import dispose

        dispose(panel)  # as the window at stop(): never the garbage collector's to tear down
