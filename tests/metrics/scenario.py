"""Three visits to a whole kiosk on the simulators, and what they should count.

Visit 1: a book returned without a card, then the demo patron's card, a loan, the same book
shown again, a refused book (not for loan), a receipt printed. Visit 2: a blocked card's
notice, left by the demo patron's card, which starts visit 3: one more loan, and the printer
out of paper.

`python -m tests.metrics.scenario` runs it and writes its transcript to visits.transcript.json
(the recorded transcript tests/metrics/test_tally.py counts).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk import config
from kiosk.app import Kiosk
from kiosk.core.events import BarcodeRead, CardRead, Pressed
from simulators.ils import seed
from tests.kiosk_settings import kiosk_settings

TRANSCRIPT = Path(__file__).with_name("visits.transcript.json")
WAIT_S = 30.0

# What the visits make the tally count (devices aside).
EXPECTED: dict[str, Any] = {
    "visits_started": 3,
    "visits_ended": 3,
    "loans": 2,
    "loans_offline": 0,
    "returns": 1,
    "renewals": 0,
    "requests": 0,
    "unconfirmed": 0,
    "refusals": {"refusal.not_for_loan": 1},
    "receipts_printed": 1,
    "receipts_failed": 1,
    "receipt_failures": {"printer.paper_out": 1},
    "card_taps": 3,
    "barcode_scans": 5,
    "card_problems": {},
    "flow_failures": 0,
    "device_errors": {},
}


def settings(tmp_path: Path, metrics: bool = True) -> config.Settings:
    """The default kiosk on its simulators, with the metrics endpoint on any free loopback port."""
    base = config.validate({"metrics": {"enabled": metrics, "port": 0, "bind": "127.0.0.1"}}, "<test>")
    return kiosk_settings(tmp_path, base, ("metrics",), journal=str(tmp_path / "journal.sqlite"))


class Driver:
    def __init__(self, kiosk: Kiosk) -> None:
        self.k = kiosk

    def until(self, condition: Any, what: str) -> None:
        assert self.k.runtime.run_until(condition, WAIT_S), f"not in time: {what}"

    def post(self, event: Any) -> None:
        self.k.runtime.post(event)

    def screen(self) -> str:
        view = self.k.flow._last_view
        return "" if view is None else view.screen

    def activity(self, name: str) -> None:
        self.until(lambda: self.k.flow.activity is not None and self.k.flow.activity.name == name, name)

    def scan(self, item: str) -> None:
        self.post(BarcodeRead(text=item, symbology="Code128"))

    def printed(self, count: int) -> None:
        """Wait for the receipt's outcome, then leave goodbye for the first screen."""
        tally = self.k.tally
        assert tally is not None
        self.until(lambda: sum(tally.snapshot()[k] for k in ("receipts_printed", "receipts_failed")) == count,
                   "the receipt's outcome")  # fmt: skip
        self.until(lambda: self.k.flow.state == "goodbye", "goodbye")
        self.post(Pressed(control="ok"))
        self.until(lambda: self.k.flow.state == "idle", "back to the first screen")


def drive(kiosk: Kiosk) -> None:
    """The visits; returns on the first screen after the last."""
    d = Driver(kiosk)
    visit = kiosk.flow.visit
    d.until(lambda: d.screen() == "idle", "the first screen")
    # The reader reports from its own thread when it opens: its status is in every scrape after.
    tally = kiosk.tally
    assert tally is not None
    d.until(lambda: "nfc" in tally.snapshot()["devices"], "the card reader's status")
    # Visit 1
    d.post(Pressed(control="giveback"))
    d.activity("giveback")
    d.scan(seed.DEMO_LOAN_ITEM)
    d.until(lambda: bool(kiosk.flow.visit.returned), "the return")
    d.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
    d.activity("borrow")
    d.scan(seed.DEMO_ITEMS[0])
    d.until(lambda: len(kiosk.flow.visit.borrowed) == 1, "the loan")
    d.scan(seed.DEMO_ITEMS[0])  # shown again: still one loan
    d.scan(seed.NOT_FOR_LOAN_ITEM)
    d.until(lambda: len(kiosk.flow.visit.refused) == 1, "the refusal")
    d.until(lambda: not kiosk.flow._last_view.busy, "the screen settled")
    d.post(Pressed(control="finish"))
    d.printed(1)
    assert kiosk.flow.visit is not visit
    # Visits 2 and 3
    d.post(CardRead(technology="106A", uid="02", identifier=seed.BLOCKED_PATRON_ID))
    d.until(lambda: kiosk.flow.state == "notice", "the blocked card's notice")
    d.post(CardRead(technology="106A", uid="01", identifier=seed.DEMO_PATRON_ID))
    d.activity("borrow")
    kiosk.sims.printer.paper_out()
    d.scan(seed.DEMO_ITEMS[1])
    d.until(lambda: len(kiosk.flow.visit.borrowed) == 1, "the second visit's loan")
    d.until(lambda: not kiosk.flow._last_view.busy, "the screen settled")
    d.post(Pressed(control="finish"))
    d.printed(2)


def record(path: Path = TRANSCRIPT) -> None:
    from kiosk.app import build
    from kiosk.demo.transcript import Transcript

    with tempfile.TemporaryDirectory() as tmp:
        kiosk = build(settings(Path(tmp), metrics=False))
        transcript = Transcript()
        kiosk.runtime.observers.append(transcript)
        kiosk.runtime.start()
        try:
            drive(kiosk)
        finally:
            kiosk.stop()
    path.write_text(transcript.dump() + "\n", encoding="utf-8")


if __name__ == "__main__":
    record(Path(sys.argv[1]) if len(sys.argv) > 1 else TRANSCRIPT)
