"""Shared test set-up: Qt renders offscreen; no display or hardware is needed."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser):
    parser.addoption("--hardware", action="store_true", help="run tests/hardware against real devices")
    parser.addoption(
        "--nfc", default=None, metavar="PATH", help="nfcpy path of a real reader (with --hardware)"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--hardware"):
        return
    skip = pytest.mark.skip(reason="needs --hardware")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


# A thread or child process a test leaves running keeps the interpreter (or the pipe of whoever
# runs the suite) open after the last test: the run would hang instead of ending. Each test is
# checked for what it left behind, and the run ends with a failure naming what still runs.
LEFT_BEHIND_GRACE_S = 3.0


# Threads a module-wide fixture's event loop starts on demand (pysip2's server): they belong to
# the fixture, and end with it.
FIXTURE_POOLS = ("AnyIO worker thread",)


def _adopt_orphans() -> None:
    """Make this process the reaper of its descendants (Linux): a process a test's child left
    behind (a player, a simulator) becomes this process's child when its parent dies, so it is
    seen, named and stopped here instead of holding the run's output open."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


_adopt_orphans()


def _stop(children: list[int]) -> None:
    import signal

    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _running_threads() -> set:
    import threading

    return {
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and not t.name.startswith(FIXTURE_POOLS)
    }


def _children() -> set[int]:
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{os.getpid()}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as f:
                found.update(int(pid) for pid in f.read().split())
        except OSError:
            continue
    return found


def _describe_child(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        return f"{pid} {command}"
    except OSError:
        return str(pid)


def _alive_child(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _settle(before_threads: set, before_children: set[int]) -> tuple[list, list[int]]:
    import time

    deadline = time.monotonic() + LEFT_BEHIND_GRACE_S
    while True:
        threads = [t for t in _running_threads() - before_threads if t.is_alive()]
        children = [pid for pid in _children() - before_children if _alive_child(pid)]
        if (not threads and not children) or time.monotonic() > deadline:
            return threads, children
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _nothing_left_running():
    before = (_running_threads(), _children())
    yield
    threads, children = _settle(*before)
    if threads or children:
        names = [t.name for t in threads] + [_describe_child(pid) for pid in children]
        _stop(children)
        pytest.fail(f"the test left running: {', '.join(names)}", pytrace=False)


@pytest.fixture(autouse=True)
def _root_log_handlers_restored():
    """A test that runs the command line in-process (kiosk.cli.main) sets the root logger's
    handler to the stderr it captured: put the handlers back, so later tests' logging does not
    write to a stream already closed."""
    import logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    for handler in before:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="module", autouse=True)
def _qt_garbage_freed_on_the_main_thread():
    """What a module's tests left for the cyclic collector is freed here, on the main thread:
    left to chance, a later test's worker thread would collect it, deleting Qt objects off
    the GUI thread (see kiosk.ui.collector). The windows a module's tests made and left are
    deleted first, by Qt, parent first: the collector tearing a live widget tree down in an
    order of its own deletes a layout twice (a segmentation fault in gc.collect())."""
    yield
    import sys

    if "PySide6.QtWidgets" in sys.modules:
        import shiboken6
        from PySide6.QtWidgets import QApplication

        from kiosk.ui.collector import dispose

        for widget in QApplication.topLevelWidgets():
            if shiboken6.createdByPython(widget):
                dispose(widget)
    if "PySide6.QtCore" in sys.modules:
        import gc

        gc.collect()


def pytest_sessionfinish(session, exitstatus):
    session.config._kiosk_exitstatus = int(exitstatus)


def pytest_unconfigure(config):
    # After the summary: what still runs is named, and the run ends (failed) instead of hanging.
    exitstatus = getattr(config, "_kiosk_exitstatus", 0)
    threads, children = _settle(set(), set())
    if threads or children:
        import sys

        names = [t.name for t in threads] + [_describe_child(pid) for pid in children]
        _stop(children)
        sys.stderr.write(f"\nstill running after the last test: {', '.join(names)}\n")
        sys.stderr.flush()
        os._exit(exitstatus or 1)
