"""A simulated earphone jack: the AudioSinks port, plugged and unplugged by tests and the demo."""

from __future__ import annotations

import threading
from collections.abc import Callable


class EarphoneJack:
    """Reports no earphone at start; plug() and unplug() report a change as a sound server
    would (from the caller's thread, as pactl's watcher does from its own)."""

    def __init__(self, plugged: bool = False) -> None:
        self.plugged = plugged
        self._changed: Callable[[bool], None] | None = None
        self._lock = threading.Lock()

    def start(self, changed: Callable[[bool], None]) -> None:
        with self._lock:
            self._changed = changed
            plugged = self.plugged
        changed(plugged)

    def _set(self, plugged: bool) -> None:
        with self._lock:
            if plugged == self.plugged:
                return
            self.plugged = plugged
            changed = self._changed
        if changed is not None:
            changed(plugged)

    def plug(self) -> None:
        self._set(True)

    def unplug(self) -> None:
        self._set(False)

    def stop(self) -> None:
        with self._lock:
            self._changed = None

    def close(self) -> None:
        self.stop()
