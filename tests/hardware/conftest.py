"""Real devices: `pytest tests/hardware --hardware --nfc usb` runs the NFC reading tests on a reader."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    # Honoured when tests/hardware is on the command line (pytest loads this file at start);
    # tests/conftest.py may declare the same option for whole-suite runs.
    try:
        parser.addoption("--nfc", default=None, metavar="PATH", help="nfcpy path of a real reader, e.g. usb")
    except ValueError:
        pass  # already declared by tests/conftest.py


@pytest.fixture
def nfc_path(request: pytest.FixtureRequest) -> str:
    try:
        path = request.config.getoption("--nfc")
    except ValueError:
        path = None
    if not path:
        pytest.skip("needs --nfc PATH (e.g. --nfc usb)")
    return str(path)
