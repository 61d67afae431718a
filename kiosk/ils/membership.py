"""The MembershipService port over SIP2 extension fields: Chaekieum bring-in (25 patron enable
with a birth date and new PIN) and borrowing history (63 with XH), as the embedded server offers."""

from __future__ import annotations

import datetime as dt
import logging

from kiosk.core.model import BringInResult, HistoryEntry
from kiosk.core.privacy import mask_card
from kiosk.ils import answers
from kiosk.ils.sip2.client import Sip2Client, now_field
from kiosk.ils.sip2.codec import parse_date
from kiosk.ils.sip2.layout import build

log = logging.getLogger(__name__)

# The embedded server's refusal codes (XE) of a bring-in, as message ids.
_REFUSALS = {
    "identity": "refusal.identity_not_confirmed",
    "pin": "refusal.pin_unacceptable",
    "not_member": "refusal.not_a_member",
    "already": "refusal.already_member",
    # The member's home library does not let the membership be brought in (blocked there,
    # or not transferable): ask there or at the desk.
    "home_refused": "refusal.bring_in_refused",
    # The home library counted too many wrong birth dates for this member, at any kiosk or
    # member library, and confirms no more: the desk checks an ID.
    "locked": "bring_in.too_many",
}


class Sip2Membership:
    """MembershipService on a SIP2 server that announces the Chaekieum extensions in its
    98 status reply (XC: "bring_in,history"); other servers get a refusal saying so."""

    def __init__(self, client: Sip2Client, institution: str) -> None:
        self.client = client
        self.institution = institution

    def extensions(self) -> frozenset[str]:
        status = self.client.acs_status or self.client.connect()
        return frozenset(x for x in status.get(answers.X_EXTENSIONS).split(",") if x)

    def bring_in(self, patron_id: str, birth_date: dt.date, new_pin: str) -> BringInResult:
        if "bring_in" not in self.extensions():
            return BringInResult(False, patron_id, reason="refusal.bring_in_unsupported")
        if not new_pin.isdigit() or not 4 <= len(new_pin) <= 6:
            return BringInResult(False, patron_id, reason="refusal.pin_unacceptable")
        fields = (("AO", self.institution), ("AA", patron_id), ("AC", ""), ("AD", new_pin),
                  (answers.X_BIRTH_DATE, birth_date.strftime("%Y%m%d")))  # fmt: skip
        # Not repeated after a lost answer: a second bring-in is refused as "already", which
        # the flow reads as done.
        reply = self.client.request(build("25", fields, transaction_date=now_field()))
        code = reply.get(answers.X_REFUSAL)
        message = answers.screen(reply)
        if code and code != "already":
            log.info("bring-in refused for patron %s: %s", mask_card(patron_id), code)
            return BringInResult(False, patron_id, reason=_REFUSALS.get(code, "refusal.bring_in_refused"),
                                 screen_message=message)  # fmt: skip
        return BringInResult(True, patron_id, self.institution,
                             reason=_REFUSALS["already"] if code else "", screen_message=message)  # fmt: skip

    def borrowing_history(self, patron_id: str) -> tuple[HistoryEntry, ...]:
        if "history" not in self.extensions():
            return ()
        fields = (("AO", self.institution), ("AA", patron_id), ("AC", ""), (answers.X_HISTORY, "Y"))
        request = build("63", fields, transaction_date=now_field())
        reply = self.client.request(request, idempotent=True)
        entries = []
        for entry in reply.get_all(answers.X_HISTORY):
            parts = entry.split("^", 4)
            if len(parts) != 5:
                continue
            library, item_id, out, back, title = parts
            checked_out = parse_date(out)
            if checked_out is None:
                continue
            entries.append(HistoryEntry(library, item_id, title, checked_out, parse_date(back)))
        return tuple(entries)
