"""Each of the 14 SIP2 patron status flags, sent by the embedded server for a seeded patron
over SIP2 on TCP, becomes a sentence with its figures and next step on the patron's screen;
flags that only close renewals or reservations leave borrowing open; the library's own words
are shown where the kiosk has no sentence for them, cleaned of control characters."""

from __future__ import annotations

import pytest

from kiosk.core.messages import text
from kiosk.core.model import Language
from kiosk.core.privacy import has_controls
from kiosk.flows import screens
from kiosk.ils.sip2.layout import PATRON_STATUS_FLAGS, patron_flags
from simulators.ils import seed

# flag -> (may borrow, first message, its figures, other lines' notes, restrictions)
EXPECTED = {
    "charge_denied": (False, "refusal.patron_blocked", (), ["library.note"], ()),
    "renewal_denied": (True, "", (), [], ("renewal_denied",)),
    "recall_denied": (True, "", (), [], ("recall_denied",)),
    "hold_denied": (True, "", (), [], ("hold_denied",)),
    "card_lost": (False, "block.card_lost", (), [], ("renewal_denied", "hold_denied")),
    "too_many_charged": (False, "block.limit", (("limit", "7"), ("count", "7")), [], ()),
    "too_many_overdue": (False, "block.overdue", (("count", "1"),), ["block.overdue_item"], ()),
    "too_many_renewals": (True, "", (), [], ("too_many_renewals",)),
    "too_many_claims_returned": (False, "block.claims_returned", (("count", "2"),), [], ()),
    "too_many_lost": (False, "block.items_lost", (("count", "3"),), [], ()),
    "excessive_fines": (False, "block.fees", (("amount", "5,000"),), [], ()),
    "excessive_fees": (False, "block.fees", (("amount", "15,000"),), [], ()),
    "recall_overdue": (
        False, "block.recall_overdue", (("count", "1"),), ["block.overdue", "block.recalled_item"], ()
    ),
    "too_many_billed": (False, "block.items_billed", (("count", "2"),), [], ()),
}  # fmt: skip


def test_every_flag_has_a_seeded_patron_and_an_expectation():
    assert set(seed.FLAG_PATRONS) == set(PATRON_STATUS_FLAGS) == set(EXPECTED)


@pytest.mark.parametrize("flag", PATRON_STATUS_FLAGS)
def test_each_flag_is_explained_with_its_figures_and_next_step(library, flag):
    card = seed.FLAG_PATRONS[flag]
    may_borrow, message, args, notes, restrictions = EXPECTED[flag]
    # The server really sends the flag in its 64 reply.
    assert flag in patron_flags(library.patron_information(card).fixed[:14])
    patron = library.lookup_patron(card)
    assert patron.can_borrow is may_borrow
    assert patron.details.restrictions == restrictions
    if may_borrow:
        return
    view = screens.blocked(Language.KO, patron, patron.blocks)
    assert (view.message, view.message_args) == (message, args)
    assert [line.note for line in view.lines] == notes
    assert view.controls[0] == "giveback"  # returning is still possible, not a dead end
    for language in Language:
        said = text(view.message, language, **dict(view.message_args))
        assert said != view.message and "{" not in said
        assert all(value in said for _, value in args)


def test_a_patron_whose_renewals_are_withdrawn_may_borrow_but_not_renew(library):
    patron = library.lookup_patron(seed.RENEWAL_DENIED_PATRON_ID)
    assert patron.can_borrow and "renewal_denied" in patron.details.restrictions
    refused = library.renew(seed.RENEWAL_DENIED_PATRON_ID, seed.RENEWAL_DENIED_LOAN)
    assert not refused.ok and refused.reason == "refusal.renewal_denied"
    # Checking out the own loan again (a renewal at a self-check) is refused the same way.
    again = library.checkout(seed.RENEWAL_DENIED_PATRON_ID, seed.RENEWAL_DENIED_LOAN)
    assert not again.ok and again.reason == "refusal.renewal_denied"
    lent = library.checkout(seed.RENEWAL_DENIED_PATRON_ID, seed.DEMO_ITEMS[0])
    assert lent.ok


def test_a_patron_without_renewals_left_may_borrow_but_not_renew(library):
    refused = library.renew(seed.RENEWALS_USED_PATRON_ID, seed.RENEWALS_USED_LOAN)
    assert not refused.ok and refused.reason == "refusal.renewal_limit"
    assert library.checkout(seed.RENEWALS_USED_PATRON_ID, seed.DEMO_ITEMS[1]).ok


def test_a_patron_whose_reservations_are_withdrawn_may_borrow_but_not_reserve(library):
    refused = library.place_hold(seed.HOLD_DENIED_PATRON_ID, seed.ON_LOAN_ITEM)
    assert not refused.ok and refused.reason == "refusal.hold_denied"
    assert library.place_hold(seed.DEMO_PATRON_ID, seed.ON_LOAN_ITEM).ok  # the book itself may be
    assert library.checkout(seed.HOLD_DENIED_PATRON_ID, seed.DEMO_ITEMS[2]).ok
    patron = library.lookup_patron(seed.RECALL_DENIED_PATRON_ID)
    assert patron.can_borrow and patron.details.restrictions == ("recall_denied",)


def test_a_blocked_patron_is_told_what_else_is_closed(library, server):
    """A patron blocked for fees whose reservations the library also closed: both said."""
    with server.store.transaction():
        server.store.db.execute("UPDATE patrons SET fees=3000 WHERE card_id=?", (seed.HOLD_DENIED_PATRON_ID,))
    patron = library.lookup_patron(seed.HOLD_DENIED_PATRON_ID)
    view = screens.blocked(Language.EN, patron, patron.blocks)
    assert (view.message, view.message_args) == ("block.fees", (("amount", "3,000"),))
    assert [line.note for line in view.lines] == ["account.hold_denied"]
    # A lost card closes everything: its restrictions go unsaid.
    lost = library.lookup_patron(seed.LOST_CARD_PATRON_ID)
    assert lost.details.restrictions and screens.blocked(Language.EN, lost, lost.blocks).lines == ()


def test_the_recalled_book_is_listed_once_to_return_first(library):
    patron = library.lookup_patron(seed.RECALL_OVERDUE_PATRON_ID)
    assert patron.details.recalled == (seed.RECALLED_ITEM,)
    view = screens.blocked(Language.KO, patron, patron.blocks)
    assert [(line.detail, line.note) for line in view.lines if line.detail] == [
        (seed.RECALLED_ITEM, "block.recalled_item")
    ]


def test_the_librarys_own_words_are_shown_when_no_sentence_fits(library):
    patron = library.lookup_patron(seed.STAFF_BLOCK_PATRON_ID)
    view = screens.blocked(Language.EN, patron, patron.blocks)
    assert view.message == "refusal.patron_blocked"
    (note,) = view.lines
    assert (note.text, note.note, note.status) == (seed.STAFF_BLOCK_NOTE, "library.note", "info")
    # A message the kiosk has a sentence for is not repeated in the library's words.
    fees = library.lookup_patron(seed.BLOCKED_PATRON_ID)
    assert fees.details.library_note == ""
    assert "library.note" not in [line.note for line in screens.blocked(Language.EN, fees, fees.blocks).lines]


def test_a_hostile_library_message_is_cleaned_before_it_is_shown(library, server):
    hostile = "\x1b[2J\x1b]0;owned\x07주소 확인이\u202e 필요합니다\x00\x7f {amount} 데스크로\x9b31m 오세요"
    with server.store.transaction():
        server.store.db.execute(
            "UPDATE patrons SET note=? WHERE card_id=?", (hostile, seed.STAFF_BLOCK_PATRON_ID)
        )
    patron = library.lookup_patron(seed.STAFF_BLOCK_PATRON_ID)
    (note,) = screens.blocked(Language.KO, patron, patron.blocks).lines
    assert not has_controls(note.text) and "owned" not in note.text
    assert note.text == "주소 확인이 필요합니다 {amount} 데스크로 오세요"
    # Shown as the row's own text, never as a template: braces stay as they are.
    assert text(note.note, Language.KO) == "도서관에서 보낸 안내"


def test_a_long_library_message_is_cut(library, server):
    with server.store.transaction():
        server.store.db.execute(
            "UPDATE patrons SET note=? WHERE card_id=?", ("가" * 240, seed.STAFF_BLOCK_PATRON_ID)
        )
    patron = library.lookup_patron(seed.STAFF_BLOCK_PATRON_ID)
    assert len(patron.details.library_note) == 200 and patron.details.library_note.endswith("…")


def test_the_history_patron_has_more_than_a_page_of_history_over_sip2(library):
    entries = library.membership.borrowing_history(seed.HISTORY_PATRON_ID)
    assert len(entries) == seed.HISTORY_COUNT > 8
    assert [e.item_id for e in entries] == list(seed.HISTORY_ITEMS)
    assert all(e.returned is not None and e.returned > e.checked_out for e in entries)
    assert library.lookup_patron(seed.HISTORY_PATRON_ID).can_borrow
