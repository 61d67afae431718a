"""Immutable views: what a screen should show, as data the UI renders."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.model import Language


@dataclass(frozen=True)
class Line:
    """One row of a list on screen: text plus a status that is shown by icon and text, not colour alone."""

    text: str
    detail: str = ""
    # "ok", "refused", "unconfirmed" (the library could not say), "info"
    status: str = "info"
    # A message id (with its arguments) explaining the status, e.g. the due date or a refusal.
    note: str = ""
    note_args: tuple[tuple[str, str], ...] = ()
    # A row the patron can touch: pressing it posts Pressed(control); with `selected` not None
    # it is a toggle shown on or off (e.g. the loans to renew on "My loans").
    control: str = ""
    selected: bool | None = None


@dataclass(frozen=True)
class Input:
    """A field the patron fills on the on-screen keypad (a card number, a PIN, a birth date).
    A `secret` one is shown, spoken and logged only as dots."""

    name: str
    label: str  # message id
    value: str = ""
    secret: bool = False
    max_length: int = 0
    # Shown to the patron as typed (a membership number, a birth date) but personal: never
    # logged, spoken aloud or kept in a transcript or screenshot.
    private: bool = False
    # Shown before the typed digits, not typed (a registration number's letters).
    prefix: str = ""

    def shown(self) -> str:
        return "●" * len(self.value) if self.secret else self.prefix + self.value


@dataclass(frozen=True)
class View:
    """A screen to show.

    `screen` names the screen ("idle", "borrow", "working", "goodbye", "notice");
    `title` and `message` are message ids from core.messages, `message_args` fill their
    placeholders; `lines` is the list the screen shows; `controls` are the control ids
    offered, in focus order.
    """

    screen: str
    language: Language
    title: str
    message: str = ""
    message_args: tuple[tuple[str, str], ...] = ()
    lines: tuple[Line, ...] = ()
    controls: tuple[str, ...] = ()
    # Seconds left before the screen times out, shown and spoken; None when it does not.
    countdown: int | None = None
    busy: bool = False
    # What the screen holds besides its list: a pictogram and a hint under it, the text shown
    # when the list is empty, keypad fields.
    pictogram: str = ""
    hint: str = ""
    empty: str = ""
    inputs: tuple[Input, ...] = ()
    # Personal content (a PIN typed, a patron's details): never spoken, logged or captured
    # unmasked; screenshots of it are not kept.
    sensitive: bool = False

    def args(self) -> dict[str, str]:
        return dict(self.message_args)


# One type per screen: the window and the tests tell screens apart by type, and a screen's
# own fields are its own. Each is a View, so whatever renders a View renders them all.


@dataclass(frozen=True)
class IdleView(View):
    pass


@dataclass(frozen=True)
class WorkingView(View):
    pass


@dataclass(frozen=True)
class NoticeView(View):
    pass


@dataclass(frozen=True)
class BorrowView(View):
    pass


@dataclass(frozen=True)
class GivebackView(View):
    pass


@dataclass(frozen=True)
class AccountView(View):
    pass


@dataclass(frozen=True)
class GoodbyeView(View):
    pass


@dataclass(frozen=True)
class SignInView(View):
    pass


@dataclass(frozen=True)
class BringInView(View):
    pass


@dataclass(frozen=True)
class TechnicianView(View):
    pass


@dataclass(frozen=True)
class OutOfServiceView(View):
    pass


VIEW_TYPES: dict[str, type[View]] = {
    "idle": IdleView,
    "working": WorkingView,
    "notice": NoticeView,
    "borrow": BorrowView,
    "giveback": GivebackView,
    "account": AccountView,
    "goodbye": GoodbyeView,
    "signin": SignInView,
    "bring_in": BringInView,
    "technician": TechnicianView,
    "out_of_service": OutOfServiceView,
}
