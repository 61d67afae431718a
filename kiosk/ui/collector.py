"""Python's cyclic garbage collected on the Qt main thread only.

The collector runs on whichever thread allocates when a generation's threshold is crossed: a
library, printer or camera worker, too. If the garbage it finds holds Qt wrappers (a view's
widgets, a timer, a signal connection), their C++ objects are deleted on that thread, which
Qt does not allow for widgets and which can crash the process long after the code that made
the garbage ran. While the window lives, automatic collection is off and a timer on the main
thread collects whenever the counts say Python would have.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 250


class MainThreadCollector(QObject):
    """Collects generation 0, 1 or 2 when Python's thresholds say so, on the thread it lives
    on (make it in the main thread). `stop()` (or its parent's end) gives collection back."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.collections = [0, 0, 0]
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)
        self.destroyed.connect(_give_back(self._was_enabled))

    def check(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        if counts[0] > thresholds[0]:
            generation = 0
            if counts[1] > thresholds[1]:
                generation = 1
                if counts[2] > thresholds[2]:
                    generation = 2
        if generation >= 0:
            gc.collect(generation)
            self.collections[generation] += 1

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def _give_back(enabled: bool) -> Callable[..., None]:
    # Not a method: it runs when the object is already being destroyed.
    def give_back(*_: object) -> None:
        if enabled:
            gc.enable()

    return give_back
