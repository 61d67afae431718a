"""Typed requests to the library: what a flow asks through CallLibrary, and the port that
answers each. A request knows how to put itself to its port, so the runtime needs no table of
operation names and a flow cannot ask for something the ports do not offer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from kiosk.core.ports import LibrarySystem, MembershipService


@dataclass(frozen=True)
class Request:
    """One call on the LibrarySystem port (or, with `port = "membership"`, on the
    MembershipService port)."""

    port: ClassVar[str] = "library"
    # The port method's name: also what logs and transcripts show.
    operation: ClassVar[str] = ""
    # Arguments never written to a log or transcript unmasked.
    private_fields: ClassVar[tuple[str, ...]] = ()

    def send(self, port: Any) -> Any:
        return getattr(port, self.operation)(**self.args)

    @property
    def args(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class LookupPatron(Request):
    operation: ClassVar[str] = "lookup_patron"
    private_fields: ClassVar[tuple[str, ...]] = ("pin",)
    patron_id: str
    pin: str | None = None

    @property
    def args(self) -> dict[str, Any]:
        # An empty PIN is not a wrong one: it is left out, as the port's default.
        return {"patron_id": self.patron_id} | ({"pin": self.pin} if self.pin else {})


@dataclass(frozen=True)
class Checkout(Request):
    operation: ClassVar[str] = "checkout"
    patron_id: str
    item_id: str
    # An earlier checkout of the item in this visit has an unknown outcome: ask first.
    after_unknown: bool = False

    @property
    def args(self) -> dict[str, Any]:
        base: dict[str, Any] = {"patron_id": self.patron_id, "item_id": self.item_id}
        return base | ({"after_unknown": True} if self.after_unknown else {})


@dataclass(frozen=True)
class Checkin(Request):
    operation: ClassVar[str] = "checkin"
    item_id: str


@dataclass(frozen=True)
class Renew(Request):
    operation: ClassVar[str] = "renew"
    patron_id: str
    item_id: str


@dataclass(frozen=True)
class RenewAll(Request):
    operation: ClassVar[str] = "renew_all"
    patron_id: str


@dataclass(frozen=True)
class PlaceHold(Request):
    operation: ClassVar[str] = "place_hold"
    patron_id: str
    item_id: str
    pickup_location: str = ""


@dataclass(frozen=True)
class CancelHold(Request):
    operation: ClassVar[str] = "cancel_hold"
    patron_id: str
    item_id: str


@dataclass(frozen=True)
class ItemInformation(Request):
    operation: ClassVar[str] = "item_information"
    item_id: str


@dataclass(frozen=True)
class FeePaid(Request):
    operation: ClassVar[str] = "fee_paid"
    patron_id: str
    amount: int
    transaction_id: str


@dataclass(frozen=True)
class EndSession(Request):
    operation: ClassVar[str] = "end_session"
    patron_id: str


@dataclass(frozen=True)
class BringIn(Request):
    port: ClassVar[str] = "membership"
    operation: ClassVar[str] = "bring_in"
    private_fields: ClassVar[tuple[str, ...]] = ("birth_date", "new_pin")
    patron_id: str
    birth_date: dt.date
    new_pin: str


@dataclass(frozen=True)
class BorrowingHistory(Request):
    port: ClassVar[str] = "membership"
    operation: ClassVar[str] = "borrowing_history"
    patron_id: str


LIBRARY_REQUESTS: tuple[type[Request], ...] = (
    LookupPatron, Checkout, Checkin, Renew, RenewAll, PlaceHold, CancelHold, ItemInformation, FeePaid,
    EndSession,
)  # fmt: skip
MEMBERSHIP_REQUESTS: tuple[type[Request], ...] = (BringIn, BorrowingHistory)


def check_ports() -> None:
    """Every request names a method its port declares (run by the tests)."""
    for kinds, port in ((LIBRARY_REQUESTS, LibrarySystem), (MEMBERSHIP_REQUESTS, MembershipService)):
        for kind in kinds:
            if not callable(getattr(port, kind.operation, None)):
                raise TypeError(f"{kind.__name__}: {port.__name__} has no {kind.operation}()")
