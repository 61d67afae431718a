"""Python's cyclic garbage collected on the Qt main thread only.

The collector runs on whichever thread allocates when a generation's threshold is crossed: a
library, printer or camera worker, too. If the garbage it finds holds Qt wrappers (a view's
widgets, a timer, a signal connection), their C++ objects are deleted on that thread, which
Qt does not allow for widgets and which can crash the process long after the code that made
the garbage ran. While the window lives, automatic collection is off and a timer on the main
thread collects whenever the counts say Python would have.

Collected on the main thread is still not safe for a tree of widgets alive in C++: the
collector clears the wrappers of a cycle in an order of its own (how the objects happened to be
allocated), and in some orders a wrapper deletes a C++ object its parent already deleted (seen:
the window's header layout, ~QBoxLayout through a freed pointer, a segmentation fault inside
gc.collect()). Every kiosk window is in such a cycle (its children keep its bound methods), so
a window that is done is ended with `dispose()`: its C++ objects are deleted at once, parent
first, as Qt deletes a tree, and the collector later frees only wrappers that hold nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer

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


def dispose(obj: QObject) -> None:
    """End `obj` and every Qt object under it now, on its own thread: the C++ objects are
    deleted by Qt, parent first, and their Python wrappers left empty (never the cyclic
    collector's to tear down). From another thread it is deleted by its thread's event loop
    (deleteLater). Harmless on an object already deleted."""
    if not shiboken6.isValid(obj):
        return
    if obj.thread() != QThread.currentThread():
        obj.deleteLater()
        return
    shiboken6.delete(obj)
