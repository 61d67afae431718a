"""Every block the library sends becomes a sentence with its figures and the next step, over
SIP2 against the embedded server's seeded patrons; Return is offered rather than a dead end."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.flows import screens
from simulators.ils import seed


@pytest.mark.parametrize(
    ("patron_id", "message", "args"),
    [
        (seed.BLOCKED_PATRON_ID, "block.fees", (("amount", "5,000"),)),
        (seed.SUSPENDED_PATRON_ID, "block.suspended", (("until", "2026-03-12"),)),  # today + 10 days
        (seed.OVERDUE_PATRON_ID, "block.overdue", (("count", "1"),)),
        (seed.LOST_CARD_PATRON_ID, "block.card_lost", ()),
        (seed.EXPIRED_PATRON_ID, "block.card_expired", (("date", "2026-03-01"),)),  # yesterday
    ],
)
def test_each_block_is_explained_with_its_figures(library, today, patron_id, message, args):
    patron = library.lookup_patron(patron_id)
    assert not patron.can_borrow
    view = screens.blocked(Language.KO, patron, patron.blocks)
    assert (view.message, view.message_args) == (message, args)
    assert view.controls[0] == "giveback"  # returning is still possible
    said = text(view.message, Language.KO, **dict(view.message_args))
    assert "{" not in said and all(value in said for _, value in args)
    if patron_id == seed.OVERDUE_PATRON_ID:
        assert [(x.detail, x.note) for x in view.lines] == [(seed.OVERDUE_ITEM, "block.overdue_item")]


def test_the_suspension_date_is_read_from_a_koha_style_message_too():
    from kiosk.ils.answers import suspended_until
    from kiosk.ils.sip2.codec import Message

    reply = Message("64", "", (("AF", "Patron's account is restricted until 2026-04-01"),))
    assert suspended_until(reply) == dt.date(2026, 4, 1)
    assert suspended_until(Message("64", "", (("AF", "Welcome back 2026-04-01"),))) is None


def test_the_borrowing_history_comes_through_the_membership_port(server):
    """My account's history over SIP2: the runtime puts BorrowingHistory to the membership
    service of the real adapter, against the embedded server."""
    from kiosk.core.events import CardRead, Pressed
    from kiosk.flows.session import Session
    from kiosk.ils.library import Sip2Library
    from kiosk.runtime.clock import SystemClock
    from kiosk.runtime.loop import Runtime
    from tests.ils.test_lost_answers import Paper

    library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
    views = []
    runtime = Runtime(
        Session(), library, Paper(), SystemClock(), show=views.append, membership=library.membership
    )
    runtime.start()
    try:
        runtime.post(CardRead(technology="106A", uid="01", identifier=seed.NETWORK_PATRON_ID))
        assert runtime.run_until(
            lambda: bool(views) and views[-1].screen == "borrow" and not views[-1].busy, 20
        )
        runtime.post(Pressed(control="my_loans"))
        runtime.post(Pressed(control="history"))
        assert runtime.run_until(
            lambda: views[-1].message == "account.history_note" and not views[-1].busy, 20
        )
        assert seed.HISTORY_ITEM in [line.detail for line in views[-1].lines]
    finally:
        runtime.stop()


def test_a_closed_stack_book_is_told_apart_from_a_reference_book(library):
    assert library.checkout(seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM).reason == "refusal.closed_stack"
    assert library.checkout(seed.DEMO_PATRON_ID, seed.NOT_FOR_LOAN_ITEM).reason == "refusal.not_for_loan"
    requested = library.place_hold(seed.DEMO_PATRON_ID, seed.CLOSED_STACK_ITEM)
    assert requested.ok and requested.collect_by is not None and requested.pickup_location
    holds = library.lookup_patron(seed.DEMO_PATRON_ID).details.holds
    assert seed.CLOSED_STACK_ITEM in [hold.item_id for hold in holds]
