"""The tally counts what the patron was shown, once per book and visit, from a recorded
transcript and from the runtime's live events and effects alike."""

from __future__ import annotations

import json
import threading

from kiosk.core.effects import PrintReceipt, Show, VisitEnded
from kiosk.core.events import BarcodeRead, CardProblem, CardRead, DeviceStatus, FlowFailed, ReceiptPrinted
from kiosk.core.model import Language, PrintOutcome
from kiosk.core.views import BorrowView, GivebackView, IdleView, Line, NoticeView, WorkingView
from kiosk.demo import records
from kiosk.runtime.tally import Tally
from simulators.ils import seed
from tests.metrics.scenario import EXPECTED, TRANSCRIPT

KO = Language.KO


def recorded() -> list[dict]:
    return json.loads(TRANSCRIPT.read_text(encoding="utf-8"))


def test_a_recorded_transcript_is_counted_as_its_visits_went():
    snap = Tally().replay(recorded()).snapshot()
    assert {k: snap[k] for k in EXPECTED} == EXPECTED
    assert snap["devices"]["printer"]["ok"] is False
    assert snap["devices"]["printer"]["status"] == "printer.paper_out"
    assert snap["devices"]["nfc"]["status"] == snap["devices"]["library"]["status"] == "ok"


def test_the_tally_agrees_with_the_records_check_reading_the_same_transcript():
    """kiosk.demo.records reads outcomes off the screens its own way: both must agree."""
    entries = recorded()
    snap = Tally().replay(entries).snapshot()
    shown = [s.outcome for v in records.visits(entries) for s in v.shown.values()]
    assert snap["loans"] == shown.count(records.BORROWED)
    assert snap["returns"] == shown.count(records.RETURNED)
    assert sum(snap["refusals"].values()) == shown.count(records.REFUSED)
    receipts = [ok for v in records.visits(entries) for _, ok in v.receipts]
    assert (snap["receipts_printed"], snap["receipts_failed"]) == (
        receipts.count(True),
        receipts.count(False),
    )


def borrow(*lines: Line) -> Show:
    return Show(BorrowView("borrow", KO, "borrow.title", lines=lines))


def test_every_screen_lists_the_visit_again_yet_each_book_counts_once():
    tally = Tally()
    done = Line("A", seed.DEMO_ITEMS[0], "ok", "borrow.done_line")
    refused = Line("B", seed.NOT_FOR_LOAN_ITEM, "refused", "refusal.not_for_loan")
    for effect in (borrow(done), borrow(done, refused), borrow(done, refused), VisitEnded()):
        tally("effect", effect)
    snap = tally.snapshot()
    assert (snap["visits_started"], snap["visits_ended"], snap["loans"]) == (1, 1, 1)
    assert snap["refusals"] == {"refusal.not_for_loan": 1}
    # The next visit lends the same book again: it counts again.
    tally("effect", borrow(done))
    assert tally.snapshot()["loans"] == 2 and tally.snapshot()["visits_started"] == 2


def test_outcomes_are_read_as_the_screens_say_them():
    tally = Tally()
    tally("effect", Show(GivebackView("giveback", KO, "giveback.title", lines=(
        Line("A", "EM0000000001", "ok", "giveback.returned_line"),
        Line("B", "EM0000000002", "refused", "giveback.refused_line", (("reason", "refusal.not_on_loan"),)),
        Line("C", "EM0000000003", "unconfirmed", "library.unreachable"),
    ))))  # fmt: skip
    tally("effect", borrow(
        Line("D", "EM0000000004", "ok", "borrow.done_offline_line"),
        Line("E", "EM0000000005", "ok", "borrow.renewed_line"),
        Line("F", "EM0000000006", "ok", "library.hold_queued"),
        Line("", "", "refused", "refusal.card_expired"),  # no book: not a transaction
        Line("G", "EM0000000007", "refused", "block.overdue_item"),  # a fact, not a refusal
        Line("H", "EM0000000008", "info", "borrow.hold_ready_line"),
    ))  # fmt: skip
    snap = tally.snapshot()
    assert (snap["returns"], snap["loans"], snap["loans_offline"], snap["renewals"], snap["requests"]) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    assert snap["unconfirmed"] == 1
    assert snap["refusals"] == {"refusal.not_on_loan": 1}


def test_a_reason_that_is_not_a_message_id_is_counted_as_other():
    """A library's own text (or a card number) must never become a counter's name."""
    tally = Tally()
    tally("effect", borrow(
        Line("A", "EM0000000001", "refused", f"Card {seed.DEMO_PATRON_ID} is barred!"),
        Line("B", "EM0000000002", "refused", "refusal." + "x" * 80),
    ))  # fmt: skip
    tally("event", DeviceStatus(device="nfc", ok=False, detail="reader unplugged"))
    tally("event", CardProblem(reason=seed.DEMO_PATRON_ID))
    snap = tally.snapshot()
    assert snap["refusals"] == {"other": 2}
    assert snap["card_problems"] == {"other": 1}
    assert seed.DEMO_PATRON_ID not in repr(snap) and seed.DEMO_PATRON_ID not in repr(tally.lines())


def test_reads_devices_and_receipts():
    tally = Tally()
    events = [
        CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID),
        CardRead(technology="qr", uid="", identifier=seed.HOLDER_PATRON_ID),
        BarcodeRead(text=seed.DEMO_ITEMS[0], symbology="Code128"),
        CardProblem(reason="two_cards"),
        DeviceStatus(device="library", ok=False, detail="SIP2 server 10.0.0.5:6001: connection refused"),
        # As a transcript records it, with the reason word a device may give.
        {
            "type": "DeviceStatus",
            "device": "camera",
            "ok": False,
            "detail": "camera stopped",
            "reason": "unplugged",
        },
        DeviceStatus(device="library", ok=True),
        ReceiptPrinted(job_id=1, outcome=PrintOutcome(ok=True)),
        ReceiptPrinted(
            job_id=2, outcome=PrintOutcome(ok=False, reason="printer.paper_out", detail="paper out")
        ),
        FlowFailed(state="active", failed_on="Pressed", detail="KeyError: x"),
    ]
    for event in events:
        tally("event", event)
    snap = tally.snapshot()
    assert (snap["card_taps"], snap["barcode_scans"], snap["flow_failures"]) == (2, 1, 1)
    assert snap["card_problems"] == {"two_cards": 1}
    assert snap["device_errors"] == {"library": 1, "camera": 1}
    assert {d: s["status"] for d, s in snap["devices"].items()} == {
        "library": "ok", "camera": "unplugged", "printer": "printer.paper_out",
    }  # fmt: skip
    assert (snap["receipts_printed"], snap["receipts_failed"]) == (1, 1)
    assert snap["receipt_failures"] == {"printer.paper_out": 1}
    assert ("device camera", "unplugged") in tally.lines()


def test_the_first_screen_and_a_visit_end_without_a_visit_count_no_visit():
    tally = Tally()
    for effect in (
        Show(IdleView("idle", KO, "idle.title")),
        VisitEnded(),
        Show(IdleView("idle", KO, "idle.title")),
    ):
        tally("effect", effect)
    assert (tally.snapshot()["visits_started"], tally.snapshot()["visits_ended"]) == (0, 0)
    tally("effect", Show(WorkingView("working", KO, "working.title")))
    tally("effect", Show(NoticeView("notice", KO, "notice.title")))
    tally("effect", VisitEnded())
    assert (tally.snapshot()["visits_started"], tally.snapshot()["visits_ended"]) == (1, 1)


class Unreadable:
    """A view whose lines cannot be read: a bug elsewhere must not stop the runtime."""

    screen = "borrow"

    @property
    def lines(self):
        raise RuntimeError("broken view")


def test_what_the_tally_cannot_read_is_logged_never_raised(caplog):
    tally = Tally()
    tally("effect", Show(Unreadable()))  # type: ignore[arg-type]
    tally("effect", PrintReceipt(job_id=1, receipt=None))  # type: ignore[arg-type]
    tally("event", CardRead(technology="106A", uid="01", identifier="x"))
    assert tally.snapshot()["card_taps"] == 1
    assert "tally: could not count effect Show" in caplog.text


def test_snapshots_are_copies_read_safely_while_counting():
    tally = Tally()
    stop = threading.Event()
    seen: list[int] = []

    def read() -> None:
        while not stop.is_set():
            snap = tally.snapshot()
            snap["refusals"]["refusal.x"] = 99  # a copy: the tally is not changed
            seen.append(snap["card_taps"])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(2000):
            tally("event", CardRead(technology="106A", uid="01", identifier="x"))
            tally("effect", borrow(Line("A", f"EM{n:010d}", "refused", "refusal.not_for_loan")))
    finally:
        stop.set()
        reader.join()
    snap = tally.snapshot()
    assert snap["card_taps"] == 2000 and snap["refusals"] == {"refusal.not_for_loan": 2000}
    assert seen == sorted(seen)  # each read saw a whole count, never going back
