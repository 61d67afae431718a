"""What a technician reads when the NFC reader cannot be opened or stops answering."""

from __future__ import annotations

import errno

PATH_SCHEMES = ("usb", "tty", "com", "udp")
KERNEL_DRIVER_HINT = (
    "the kernel NFC driver may hold it: `sudo modprobe -r port100` (Sony RC-S380) or "
    "`sudo modprobe -r pn533_usb` (PN533, ACR122U), then blacklist it in "
    "/etc/modprobe.d/blacklist-nfc.conf (see docs/nfc.md)"
)
PERMISSION_HINT = (
    "give the kiosk user access with a udev rule, e.g. /etc/udev/rules.d/nfcdev.rules: "
    'SUBSYSTEM=="usb", ATTRS{idVendor}=="054c", ATTRS{idProduct}=="06c1", GROUP="plugdev" '
    "(your reader's ids from `lsusb`), then `sudo udevadm control -R` and re-plug it; "
    "`python -m nfc` prints the exact rule"
)


def bad_path(path: str) -> str | None:
    if path.split(":", 1)[0] in PATH_SCHEMES:
        return None
    return (
        f"'{path}' is not an NFC reader path: use usb[:VID:PID] (e.g. usb:054c:06c1),"
        " tty:PORT:DRIVER (e.g. tty:USB0:pn532) or udp:HOST:PORT for the simulator"
    )


def open_failed(path: str, error: OSError) -> str:
    """The technician's line for an OSError from opening the reader at `path`."""
    where = f"NFC reader '{path}'"
    scheme = path.split(":", 1)[0]
    if error.errno == errno.EACCES:
        return f"permission denied for {where}: {PERMISSION_HINT}"
    if error.errno == errno.EBUSY:
        return f"{where} is busy: another program uses it (stop it) or {KERNEL_DRIVER_HINT}"
    if error.errno == errno.ENODEV and scheme == "usb":
        return (
            f"no {where} found: check it is plugged in (`lsusb`); if it is, "
            f"{KERNEL_DRIVER_HINT}, or the kiosk user lacks permission: {PERMISSION_HINT}"
        )
    if error.errno in (errno.ENODEV, errno.ENOENT) and scheme in ("tty", "com"):
        return (
            f"no {where} found: check the serial port exists and the driver name "
            "(tty:PORT:DRIVER, DRIVER pn532 or arygon)"
        )
    if error.errno == errno.ETIMEDOUT:
        return (
            f"{where} did not answer: check the cable, the driver name in the path and "
            "that no other program uses the port"
        )
    return f"cannot open {where}: {error.strerror or error}"


def lost(path: str, error: Exception) -> str:
    """The technician's line when a reader that was open fails."""
    if isinstance(error, OSError) and error.errno == errno.ENOTSUP:
        return f"NFC reader '{path}': {error.strerror}"
    return (
        f"NFC reader '{path}' stopped answering (unplugged?): {type(error).__name__}: {error}; "
        "reopening it; if it does not come back, check the cable and `lsusb`"
    )
