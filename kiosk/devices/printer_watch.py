"""The receipt printer watched between receipts: its real-time status asked every few seconds,
so a printer out of paper (or with its cover open, or unplugged) is known before the next
patron comes, not when their receipt fails. A change is posted as DeviceStatus("printer")."""

from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk.core.events import DeviceStatus
from kiosk.core.ports import Post

log = logging.getLogger(__name__)


def reading(status: dict[str, Any]) -> tuple[bool, str]:
    """(ok, reason) of a printer status (SerialReceiptPrinter.status()): a printer that did
    not answer is not ok ("unreachable"), never assumed fine."""
    if status.get("online") is None:
        return False, "unreachable"
    if status.get("paper") == "out":
        return False, "paper_out"
    if status.get("cover_open"):
        return False, "cover_open"
    if status.get("cutter_error"):
        return False, "cutter_error"
    if status.get("error") or status.get("online") is False:
        return False, "error"
    return True, ""


class PrinterWatch:
    """A Device: asks `printer.status()` every `every_s` seconds on its own thread and posts
    DeviceStatus when what it says changes (and once at start)."""

    name = "printer"

    def __init__(self, printer: Any, every_s: float = 30.0) -> None:
        self.printer = printer
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: tuple[bool, str] | None = None

    def start(self, post: Post) -> None:
        self._stop.clear()
        self._last = None
        self._thread = threading.Thread(target=self._run, args=(post,), name="printer-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def reset(self) -> None:
        pass  # nothing of a visit is kept here

    def check_now(self, post: Post) -> None:
        """Ask once and post a change (the watch's own step; tests call it directly)."""
        try:
            status = self.printer.status()
        except Exception as exc:  # the watch must outlive any adapter fault
            log.exception("printer status failed")
            status = {"online": None, "detail": f"status failed: {type(exc).__name__}"}
        now = reading(status)
        if now == self._last:
            return
        self._last = now
        ok, reason = now
        detail = str(status.get("detail") or ("printer ready" if ok else reason))
        post(DeviceStatus(device=self.name, ok=ok, detail=detail, reason=reason))

    def _run(self, post: Post) -> None:
        while not self._stop.is_set():
            self.check_now(post)
            self._stop.wait(self.every_s)
