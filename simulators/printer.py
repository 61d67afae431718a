"""A virtual ESC/POS receipt printer on a pty or TCP port: paces, answers status, saves PNGs."""

from __future__ import annotations

import argparse
import logging
import signal
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from simulators.escpos_render import CODEPAGES, EscposInterpreter
from simulators.printer_link import PtyLink, TcpLink
from simulators.printer_paper import STATUS_OK

FAULTS = (
    "drop_connection",
    "paper_out",
    "paper_out_after:N",
    "paper_out_after_lines:N",
    "paper_near_end",
    "cover_open",
    "offline",
    "cutter_error",
)
_POLL = 0.05  # seconds; how promptly the reader notices close()
XON, XOFF = b"\x11", b"\x13"
log = logging.getLogger(__name__)


class VirtualPrinter:
    """A receipt printer you can plug pyserial into (`.url`). Faults are data, e.g.
    `faults=["paper_out_after:3"]`; see FAULTS. Use as a context manager or call close().

    The model: `dots` across the head (576 for 80 mm, 384 for 58 mm), the `codepage` of its
    Korean font ("ks_x_1001", "cp949", None: no Korean font), `qr_native` (GS ( k QR codes);
    see for_profile()."""

    def __init__(
        self,
        baud: int = 19200,
        out_dir: Path | None = None,
        dots: int = 576,
        faults: Iterable[str] = (),
        *,
        flow_control: str = "none",
        codepage: str | None = "cp949",
        qr_native: bool = True,
        _transport: PtyLink | TcpLink | None = None,
    ) -> None:
        if baud < 0 or dots <= 0 or dots % 8:
            raise ValueError(
                f"need baud >= 0 and dots a positive multiple of 8, got baud={baud}, dots={dots}"
            )
        if flow_control not in ("none", "xonxoff"):
            # A pty has no RTS/CTS lines to assert; see docs/printer.md.
            raise ValueError(f"flow_control must be 'none' or 'xonxoff', got {flow_control!r}")
        self.baud = baud
        self.flow_control = flow_control
        self.xoff_sent = 0  # how often this printer told the sender to stop
        self._held = False  # XOFF in force
        self._hold_asked = False
        self._drop_pending = False
        self.dots = dots
        self.out_dir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="vprinter-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.receipts: list[Path] = []
        # Each receipt's printed text (one string per line), beside its PNG as receipt-NNNN.txt.
        self.receipt_texts: list[list[str]] = []
        self._unplugged = False
        # (time.monotonic() when read off the line, bytes received before it): for benchmarks.
        self.arrivals: list[tuple[float, int]] = []
        self._received = bytearray()
        self._waited = 0
        self._paper = True
        self._near_end = False
        self._cover_open = False
        self._offline = False
        self._cutter_error = False
        self._out_after_receipts: int | None = None
        self._out_after_lines: int | None = None
        self._apply_faults(faults)
        self._cond = threading.Condition()
        self._interp = EscposInterpreter(
            dots,
            self._on_status,
            self._on_cut,
            can_print=self._can_print,
            on_printed=self._on_printed,
            codepage=codepage,
            qr_native=qr_native,
        )
        self._io = _transport or PtyLink()
        self.url = self._io.url
        self.port = self.url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="virtual-printer", daemon=True)
        self._thread.start()

    @staticmethod
    def model_of(profile: object) -> dict[str, object]:
        """The keyword arguments that make this printer the model a kiosk printer profile
        describes: its plain numbers only (dots, Korean font and code page, native QR)."""
        korean = getattr(profile, "korean", "double-byte") == "double-byte"
        return {
            "dots": int(getattr(profile, "dots", 576)),
            "codepage": str(getattr(profile, "codepage", "cp949")) if korean else None,
            "qr_native": bool(getattr(profile, "qr_native", True)),
        }

    @classmethod
    def for_profile(cls, profile: object, **kwargs: object) -> VirtualPrinter:
        """The printer a kiosk printer profile describes (see model_of), on a pty."""
        return cls(**cls.model_of(profile), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def tcp(cls, host: str = "127.0.0.1", port: int = 0, **kwargs: object) -> VirtualPrinter:
        """The printer on a TCP port (port 0: any free one); `.url` is socket://host:port."""
        return cls(_transport=TcpLink(host, port), **kwargs)  # type: ignore[arg-type]

    # Faults without an argument, and the state each sets.
    _FLAGS = {
        "paper_out": ("_paper", False),
        "paper_near_end": ("_near_end", True),
        "cover_open": ("_cover_open", True),
        "offline": ("_offline", True),
        "cutter_error": ("_cutter_error", True),
        # Cut off whoever connects, once, after their first bytes.
        "drop_connection": ("_drop_pending", True),
    }
    _COUNTS = {"paper_out_after": "_out_after_receipts", "paper_out_after_lines": "_out_after_lines"}

    def _apply_faults(self, faults: Iterable[str]) -> None:
        for fault in faults:
            name, _, arg = fault.partition(":")
            if name in self._COUNTS and arg.isdigit():
                setattr(self, self._COUNTS[name], int(arg))
            elif name in self._FLAGS and not arg:
                setattr(self, *self._FLAGS[name])
            else:
                raise ValueError(f"unknown printer fault {fault!r}; known: {', '.join(FAULTS)}")

    # --- controls (from tests, the demo panel) ---

    def paper_out(self) -> None:
        with self._cond:
            self._paper = False
            self._flow()

    def paper_in(self) -> None:
        """Load a fresh roll: the half-printed receipt (if any) is torn off and thrown away."""
        with self._cond:
            self._paper = True
            self._near_end = False
            self._out_after_receipts = self._out_after_lines = None
            self._interp.discard_page()
            self._flow()

    def cover_open(self, is_open: bool = True) -> None:
        with self._cond:
            self._cover_open = is_open
            self._flow()

    def go_offline(self, offline: bool = True) -> None:
        """Offline: the printer takes bytes but neither prints nor answers status."""
        with self._cond:
            self._offline = offline
            self._flow()

    def paper_out_after_lines(self, lines: int) -> None:
        """The roll runs out after `lines` more printed lines (mid-receipt, as a real one does)."""
        if lines < 0:
            raise ValueError(f"lines must be 0 or more, not {lines}")
        with self._cond:
            self._out_after_lines = lines

    def unplug(self, unplugged: bool = True) -> None:
        """The printer behind the line is gone (cable pulled at the printer, power off): nothing
        prints and no status is answered; what was half printed is lost. The port itself stays
        (a USB-serial adapter's tty, a network socket), so the kiosk finds the printer again
        when it is plugged back in."""
        with self._cond:
            self._unplugged = unplugged
            if unplugged:
                self._interp.discard_page()
            self._flow()

    def cutter_error(self, jammed: bool = True) -> None:
        with self._cond:
            self._cutter_error = jammed

    def hold(self, held: bool = True) -> None:
        """With XON/XOFF flow control: XOFF (receive buffer full), or XON to let data flow again."""
        with self._cond:
            self._hold_asked = held
            self._flow()

    def drop_connection(self) -> None:
        """Pull the cable: TCP cuts the client off; a pty hangs up and gets a new path (.url)."""
        with self._cond:
            self._io.drop()
            self.url = self.port = self._io.url
            self._interp.discard_page()

    def _flow(self) -> None:
        """Send XOFF when the printer cannot take data (held, paper out, cover open, offline),
        XON when it can again, as a printer set to XON/XOFF handshaking does."""
        if self.flow_control != "xonxoff":
            return
        held = self._hold_asked or not self._ready()
        if held != self._held:
            self._held = held
            self.xoff_sent += held
            self._io.write(XOFF if held else XON)

    def paper_near_end(self, near: bool = True) -> None:
        with self._cond:
            self._near_end = near

    @property
    def received_bytes(self) -> bytes:
        with self._cond:
            return bytes(self._received)

    def wait_for_receipt(self, timeout: float = 5.0) -> Path:
        """The next receipt not yet handed out by this method; TimeoutError if none comes."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.receipts) > self._waited, timeout):
                raise TimeoutError(
                    f"no receipt cut within {timeout} s ({len(self._received)} bytes received)"
                )
            self._waited += 1
            return self.receipts[self._waited - 1]

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._io.close()

    def __enter__(self) -> VirtualPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the reader thread ---

    def _run(self) -> None:
        # Read about 20 ms of line time at once, then wait it out: the sender sees the pace
        # of a real serial line (and its status replies arrive no sooner).
        chunk = max(16, self.baud // 500) if self.baud else 65536
        while not self._stop.is_set():
            try:
                data = self._io.read(chunk, _POLL)
            except OSError:
                if self._stop.is_set():
                    return  # close() shut the port under us
                log.exception("virtual printer on %s: read failed", self.url)
                self._stop.wait(_POLL)
                continue
            if not data:
                continue
            self.arrivals.append((time.monotonic(), len(self._received)))
            if self.baud and self._stop.wait(len(data) * 10 / self.baud):
                return
            with self._cond:
                self._received += data
                self._interp.feed(data)
                if self._drop_pending:
                    self._drop_pending = False
                    self._io.drop()
                    self.url = self.port = self._io.url
                    self._interp.discard_page()

    # --- interpreter callbacks (called with self._cond held) ---

    def _ready(self) -> bool:
        return self._paper and not self._cover_open and not self._offline and not self._unplugged

    def _can_print(self) -> bool:
        """Asked before paper moves: this is where a counted-down roll runs out."""
        if self._out_after_lines == 0:
            self._out_after_lines = None
            self._paper = False
            self._flow()
        return self._ready()

    def _on_printed(self) -> None:
        if self._out_after_lines is not None:
            self._out_after_lines -= 1

    def _on_status(self, n: int) -> None:
        if self._offline or self._unplugged:
            return
        self._io.write(bytes([self.status_byte(n)]))

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n in the printer's present state."""
        out, cover = not self._paper, self._cover_open
        if n == 1:
            return STATUS_OK | (0x08 if out or cover else 0)
        if n == 2:
            return (
                STATUS_OK
                | (0x04 if cover else 0)
                | (0x20 if out else 0)
                | (0x40 if self._cutter_error else 0)
            )
        if n == 3:
            return STATUS_OK | (0x08 if self._cutter_error else 0)
        if n == 4:
            return STATUS_OK | (0x0C if self._near_end else 0) | (0x60 if out else 0)
        return STATUS_OK

    def _on_cut(self, page: Image.Image | None) -> None:
        if page is None or not self._ready():
            return
        path = self.out_dir / f"receipt-{len(self.receipts) + 1:04d}.png"
        page.save(path)
        text = list(self._interp.cut_text)
        path.with_suffix(".txt").write_text("\n".join(text) + "\n", encoding="utf-8")
        self.receipt_texts.append(text)
        self.receipts.append(path)
        if self._out_after_receipts is not None:
            self._out_after_receipts -= 1
            if self._out_after_receipts <= 0:
                # The roll ends during the next receipt, as a real one does.
                self._out_after_receipts = None
                self._out_after_lines = 0
        self._cond.notify_all()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulators.printer", description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="directory for receipt PNGs")
    ap.add_argument("--tcp", type=int, metavar="PORT", help="listen on TCP (0: any port)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--baud", type=int, default=19200, help="pace; 0 for no pacing")
    ap.add_argument("--dots", type=int, default=576, help="576 for 80 mm, 384 for 58 mm")
    ap.add_argument("--fault", action="append", default=[], help=" | ".join(FAULTS))
    ap.add_argument("--flow", choices=("none", "xonxoff"), default="none", help="flow control")
    ap.add_argument(
        "--codepage",
        choices=(*CODEPAGES, "none"),
        default="cp949",
        help="the Korean font's character set; none: no Korean font (default cp949)",
    )
    ap.add_argument("--no-native-qr", action="store_true", help="a model without GS ( k QR codes")
    args = ap.parse_args(argv)
    kwargs = dict(
        baud=args.baud,
        out_dir=args.out,
        dots=args.dots,
        faults=args.fault,
        flow_control=args.flow,
        codepage=None if args.codepage == "none" else args.codepage,
        qr_native=not args.no_native_qr,
    )
    try:
        printer = (
            VirtualPrinter.tcp(args.host, args.tcp, **kwargs)
            if args.tcp is not None
            else VirtualPrinter(**kwargs)
        )  # type: ignore[arg-type]
    except (ValueError, OSError) as e:
        ap.error(str(e))
    print(f"virtual printer on {printer.url}, receipts to {printer.out_dir}", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            path = printer.wait_for_receipt(timeout=3600)
            print(f"printed {path}", flush=True)
    except (KeyboardInterrupt, TimeoutError):
        pass
    finally:
        printer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
