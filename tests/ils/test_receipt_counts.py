"""The receipt's counts are the library's: loans here and across Chaekieum, and how many more
under the limit that binds, for a visit that borrows books from the embedded server."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.messages import text
from kiosk.core.model import Language, Loan, LoanLimit
from kiosk.core.receipt import Receipt, layout
from kiosk.flows.screens import Visit, VisitSettings, receipt
from kiosk.ils.library import Sip2Library
from simulators.ils import seed

pytestmark = pytest.mark.timeout(30)

AT = dt.datetime(2026, 3, 2, 14, 5)


def visit_receipt(library: Sip2Library, patron_id: str, items: tuple[str, ...],
                  language: Language = Language.KO) -> Receipt:  # fmt: skip
    """A visit as the kiosk makes it: the patron looked up on arrival, each item checked out."""
    visit = Visit(card=patron_id, patron=library.lookup_patron(patron_id), started=AT)
    for item in items:
        result = library.checkout(patron_id, item)
        assert result.ok, (item, result.reason)
        visit.settle(item, loan=Loan(result.item_id, result.title, result.due))
    return receipt(VisitSettings(), visit, language)


def account_lines(r: Receipt) -> list[str]:
    """The counts and the quota: from the "now on loan" heading to the next centred line or rule."""
    lines = layout(r, 48)
    start = next(i for i, x in enumerate(lines) if x.text == text("receipt.loans_now", r.language))
    found = [lines[start].text]
    for line in lines[start + 1 :]:
        if line.align != "left" or line.style != "normal":
            break
        found.append(line.text)
    return found


def counts_now(library: Sip2Library, patron_id: str) -> tuple[int | None, int | None, int | None]:
    """What the library says after the visit: loans here, across Chaekieum, how many more."""
    details = library.lookup_patron(patron_id).details
    return details.loans_here, details.network_loans, details.quota_remaining


LIBRARY, NETWORK = LoanLimit.LIBRARY, LoanLimit.NETWORK


@pytest.mark.parametrize(
    ("patron_id", "borrow", "here", "network", "left", "limit", "scope", "line"),
    [
        # 5 here + 2 at GN; borrowing 1 leaves 1 of this library's 7 (12 of the network's 20).
        (seed.LIBRARY_BOUND_PATRON_ID, 1, 6, 8, 1, 7, LIBRARY,
         "이 도서관 한도 7권 중 1권 더 대출 가능"),
        (seed.LIBRARY_BOUND_PATRON_ID, 2, 7, 9, 0, 7, LIBRARY,
         "이 도서관 한도 7권을 채워 더 대출할 수 없음"),
        # 2 here + 16 elsewhere; borrowing 1 leaves 1 of the network's 20 (4 of this library's 7).
        (seed.NETWORK_BOUND_PATRON_ID, 1, 3, 19, 1, 20, NETWORK,
         "책이음 전체 한도 20권 중 1권 더 대출 가능"),
        (seed.NETWORK_BOUND_PATRON_ID, 2, 4, 20, 0, 20, NETWORK,
         "책이음 전체 한도 20권을 채워 더 대출할 수 없음"),
        (seed.DEMO_PATRON_ID, 3, 4, 4, 3, 7, LIBRARY,
         "이 도서관 한도 7권 중 3권 더 대출 가능"),
    ],
)  # fmt: skip
def test_receipt_counts_after_borrowing(library, patron_id, borrow, here, network, left, limit, scope, line):
    r = visit_receipt(library, patron_id, seed.DEMO_ITEMS[:borrow])
    assert (r.loans_total, r.loans_network) == (here, network)
    assert (r.quota_left, r.quota_limit, r.quota_scope) == (left, limit, scope)
    counts = ["현재 대출 중", f"  이 도서관 {here}권", f"  책이음 도서관 전체 {network}권"]
    assert account_lines(r) == [*counts, line]
    # The receipt says what the library says once the visit is over.
    assert counts_now(library, patron_id) == (here, network, left)


def test_english_receipt_counts(library):
    r = visit_receipt(library, seed.NETWORK_BOUND_PATRON_ID, seed.DEMO_ITEMS[:1], Language.EN)
    assert account_lines(r) == ["Now on loan", "  At this library: 3", "  Across Chaekieum libraries: 19",
                                "Can borrow 1 more of 20 across Chaekieum"]  # fmt: skip


def test_a_book_checked_out_again_is_renewed_not_counted_twice(library):
    # Koha's way, and the embedded server's: a checkout of the patron's own loan renews it.
    own = seed.LIBRARY_BOUND_LOANS[0]
    r = visit_receipt(library, seed.LIBRARY_BOUND_PATRON_ID, (own, seed.DEMO_ITEMS[0]))
    assert [loan.item_id for loan in r.borrowed] == [own, seed.DEMO_ITEMS[0]]
    assert (r.loans_total, r.loans_network, r.quota_left, r.quota_scope) == (6, 8, 1, LoanLimit.LIBRARY)
    assert counts_now(library, seed.LIBRARY_BOUND_PATRON_ID) == (6, 8, 1)
