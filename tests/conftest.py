"""Shared test set-up: Qt renders offscreen; no display or hardware is needed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser):
    parser.addoption("--hardware", action="store_true", help="run tests/hardware against real devices")
    parser.addoption(
        "--nfc", default=None, metavar="PATH", help="nfcpy path of a real reader (with --hardware)"
    )


def pytest_collection_modifyitems(config, items):
    import pytest

    if config.getoption("--hardware"):
        return
    skip = pytest.mark.skip(reason="needs --hardware")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)
