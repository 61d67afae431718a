"""Reader faults: what the technician is told, and that the worker recovers without losing a tap."""

from __future__ import annotations

import errno
import queue
import time

import pytest

from kiosk.core.events import CardRead, DeviceStatus
from kiosk.devices import nfc_faults
from tests.devices.test_nfc import UID7, WAIT_S, field, ready, start_reader

__all__ = ["field", "start_reader"]

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("usb:054c:06c1", errno.EACCES, ["permission denied", "udev", "plugdev", "udevadm control -R"]),
        ("usb", errno.EBUSY, ["busy", "modprobe -r port100", "pn533_usb", "blacklist"]),
        ("usb:054c:06c1", errno.ENODEV, ["lsusb", "modprobe -r", "udev"]),
        ("tty:USB0:pn532", errno.ENOENT, ["serial port", "tty:PORT:DRIVER"]),
        ("tty:USB0:pn532", errno.ETIMEDOUT, ["did not answer", "cable"]),
    ],
)
def test_open_faults_say_what_to_do(path: str, code: int, words: list[str]) -> None:
    detail = nfc_faults.open_failed(path, OSError(code, "x"))
    assert path in detail
    for word in words:
        assert word in detail


def test_a_lost_reader_says_it_reopens() -> None:
    detail = nfc_faults.lost("usb", OSError(errno.ENODEV, "No such device"))
    assert "stopped answering" in detail and "reopening" in detail and "lsusb" in detail
    assert "none of the configured" in nfc_faults.lost(
        "usb", OSError(errno.ENOTSUP, "reader supports none of the configured technologies 106B")
    )


def test_reader_failing_underneath_is_reported_reopened_and_reads_again(field, start_reader) -> None:
    """The udp link cannot be unplugged, so its socket is closed under the driver: the next
    sense() fails with an OSError, as nfcpy's USB transport does when the reader is pulled."""
    reader, events = start_reader(field.path, retry_s=(0.01, 0.05))
    ready(events)
    # The driver holds a socket only for the millisecond of each sense() (it mutes between
    # polls): watch closely, close it whenever it is there, until the reader notices.
    deadline = time.monotonic() + WAIT_S
    lost = None
    while lost is None:
        assert time.monotonic() < deadline, "the reader never noticed its link failing"
        clf = reader._clf  # reaching the driver is the point of this test
        sock = getattr(getattr(clf, "device", None), "socket", None)
        if sock is not None:
            sock.close()
        try:
            lost = events._queue.get_nowait()
        except queue.Empty:
            time.sleep(0.0002)
    assert isinstance(lost, DeviceStatus) and not lost.ok
    assert "stopped answering" in lost.detail and field.path in lost.detail
    back = events.next()
    assert isinstance(back, DeviceStatus) and back.ok
    field.tap(UID7)
    assert events.next() == CardRead(technology="106A", uid=UID7, identifier=UID7)
