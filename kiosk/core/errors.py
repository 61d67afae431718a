"""The kiosk's exception tree. Patron-facing errors carry a message id; every error's text
says what a technician should check."""

from __future__ import annotations


class KioskError(Exception):
    message_id = "printer.failed"


class ConfigError(KioskError):
    """Bad configuration: names the file, the key and what was expected."""


class LibraryError(KioskError):
    """Talking to the library system failed."""

    message_id = "error.library_unavailable"


class LibraryUnavailable(LibraryError):
    """Connection refused, reset or closed."""


class LibraryTimeout(LibraryError):
    """No answer in time: the request may or may not have been carried out."""

    message_id = "error.library_timeout"


class LibraryProtocolError(LibraryError):
    """A reply we cannot read: malformed message or bad checksum."""


class LoginRejected(LibraryError):
    """The SIP2 login id or password was refused."""


class DeviceError(KioskError):
    """A device is absent, busy or failed."""
