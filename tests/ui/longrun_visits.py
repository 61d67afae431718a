"""Many visits in one process through the real Qt pump, offscreen: a card tap, a book, finish,
the receipt, goodbye, back to idle; the book is returned over a second SIP2 connection before
the next visit. Prints one JSON line with what it saw.

    QT_QPA_PLATFORM=offscreen python tests/ui/longrun_visits.py --visits 1000

Events are posted to the runtime from a driver thread, as the device threads post them, so
every wake-up crosses threads as it does in a library. Run as its own process: a binding that
corrupts reference counts aborts the interpreter, which a test sees as an exit status."""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk import config
from kiosk.app import attach_ui, build
from kiosk.core.events import BarcodeRead, CardRead, Pressed
from kiosk.ils.library import Sip2Library
from simulators.ils.seed import DEMO_ITEMS, DEMO_PATRON_ID

SINGLETONS = {"None": None, "True": True, "False": False}


def refcounts() -> dict[str, int]:
    return {name: sys.getrefcount(obj) for name, obj in SINGLETONS.items()}


def settings(tmp: str) -> config.Settings:
    s = config.defaults()
    lib = dict(s.library.as_dict(), port=0, db=str(Path(tmp) / "ils.sqlite"))
    printer = dict(s.printer.as_dict(), sim_out=str(Path(tmp) / "receipts"), sim_baud=0)
    return config.validate({"library": lib, "printer": printer}, "<longrun>")


class Driver:
    """Posts a visit's events and waits for the screens they lead to."""

    def __init__(self, kiosk, window) -> None:  # type: ignore[no-untyped-def]
        self.kiosk = kiosk
        self.window = window
        self.changed = threading.Condition()
        self.screens = 0
        window.rendered.append(self._rendered)

    def _rendered(self, view) -> None:  # type: ignore[no-untyped-def]
        with self.changed:
            self.screens += 1
            self.changed.notify_all()

    def wait(self, test, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        with self.changed:
            while True:
                view = self.window.view
                if view is not None and test(view):
                    return
                left = end - time.monotonic()
                if left <= 0:
                    screen = view.screen if view is not None else None
                    raise TimeoutError(f"waiting for {what}; on screen: {screen}")
                self.changed.wait(min(left, 0.5))

    def visit(self, item: str) -> None:
        post = self.kiosk.runtime.post
        self.wait(lambda v: v.screen == "idle", "idle")
        post(CardRead(technology="106A", uid="04A1B2C3", identifier=DEMO_PATRON_ID))
        self.wait(lambda v: v.screen == "borrow" and not v.busy, "borrow screen")
        post(BarcodeRead(symbology="Code128", text=item, kind="item"))
        self.wait(lambda v: v.screen == "borrow" and not v.busy and any(x.detail == item for x in v.lines),
                  f"{item} on the borrow screen")  # fmt: skip
        post(Pressed(control="finish"))
        self.wait(lambda v: v.screen == "goodbye", "goodbye")
        post(Pressed(control="ok"))
        self.wait(lambda v: v.screen == "idle", "idle after goodbye")


def main() -> int:
    faulthandler.enable()
    if os.environ.get("LONGRUN_DUMP_AFTER"):
        faulthandler.dump_traceback_later(float(os.environ["LONGRUN_DUMP_AFTER"]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-guard", action="store_true", help="leave a leaking binding unguarded")
    args = parser.parse_args()
    if args.no_guard:
        import kiosk.ui.binding

        kiosk.ui.binding.guard_if_needed = lambda: None  # type: ignore[assignment]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    result: dict[str, object] = {"visits": 0}
    with tempfile.TemporaryDirectory() as tmp:
        k = build(settings(tmp))
        window = attach_ui(k, headless=True)
        window.show()
        driver = Driver(k, window)
        ils = k.sims.ils
        returns = Sip2Library(ils.host, ils.port, "kiosk", k.settings.sip2_password(),
                              k.settings.library.institution)  # fmt: skip
        failure: list[str] = []
        finished = threading.Event()
        marks: dict[str, dict[str, int]] = {}

        def drive() -> None:
            try:
                for n in range(args.warmup + args.visits):
                    if n == args.warmup:
                        marks["start"] = refcounts()
                    item = DEMO_ITEMS[n % len(DEMO_ITEMS)]
                    driver.visit(item)
                    back = returns.checkin(item)
                    if not back.ok:
                        raise AssertionError(f"visit {n}: {item} could not be returned: {back.reason}")
                    result["visits"] = n + 1 - args.warmup
                    if (n + 1) % 100 == 0:
                        print(f"{n + 1} visits, refcounts {refcounts()}", file=sys.stderr, flush=True)
                marks["end"] = refcounts()
            except BaseException as exc:  # noqa: BLE001 - reported in the JSON line
                failure.append(f"{type(exc).__name__}: {exc}")
            finally:
                finished.set()

        k.runtime.start()
        thread = threading.Thread(target=drive, name="driver", daemon=True)
        QTimer.singleShot(0, thread.start)
        # Quit from the GUI thread: a timer started on the driver thread would never fire.
        watch = QTimer()
        watch.timeout.connect(lambda: finished.is_set() and QApplication.quit())
        watch.start(100)
        QApplication.exec()
        watch.stop()
        thread.join(5)
        returns.close()
        from kiosk.ui.bridge import QtPump

        qt_pump = window.findChild(QtPump)
        result.update(
            failure=failure[0] if failure else "",
            screens=driver.screens,
            wakes=qt_pump.wakes if qt_pump is not None else None,
            guard_restored=qt_pump.guard.restored if qt_pump is not None and qt_pump.guard else 0,
            runtime_errors=[repr(e) for e in k.runtime.errors],
            drift={name: marks["end"][name] - marks["start"][name] for name in SINGLETONS}
            if "end" in marks
            else None,
        )
        k.stop()
    print(json.dumps(result))
    return 1 if result["failure"] else 0


if __name__ == "__main__":
    sys.exit(main())
