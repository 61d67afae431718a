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


class LibraryUnreachable(LibraryUnavailable):
    """No connection could be made: the request was never sent, so it was not carried out."""


class LibraryTimeout(LibraryError):
    """No answer in time: the request may or may not have been carried out."""

    message_id = "error.library_timeout"


class OutcomeUnknown(LibraryError):
    """A checkout, return or renewal was sent, its answer was lost and the library could not
    be asked what became of it: the patron is told it is not confirmed (check at the desk),
    never that it was refused."""

    message_id = "error.outcome_unknown"

    def __init__(self, message: str, operation: str = "", item_id: str = "") -> None:
        super().__init__(message)
        self.operation = operation
        self.item_id = item_id


class LibraryProtocolError(LibraryError):
    """A reply we cannot read: malformed message or bad checksum."""


class LoginRejected(LibraryError):
    """The SIP2 login id or password was refused (before any request went out)."""


class LoginUnreadable(LibraryUnreachable, LibraryProtocolError):
    """The answer to the login or the first status could not be read (a garbled line, the
    wrong encoding): no request was sent."""


class DeviceError(KioskError):
    """A device is absent, busy or failed."""


def patron_reason(error: BaseException) -> str:
    """The message id a patron is shown for a failed library request: the error's own, or
    "cannot reach the library" for anything that is not a LibraryError (an adapter's bug)."""
    return error.message_id if isinstance(error, LibraryError) else LibraryError.message_id
