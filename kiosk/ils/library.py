"""The LibrarySystem port over SIP2: patrons (63), checkout (11), checkin (09), renewals (29, 65),
holds (15), items (17), fees (37) and end of session (35)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from kiosk.core.errors import LibraryProtocolError, LibraryTimeout, LibraryUnavailable, LibraryUnreachable
from kiosk.core.model import (
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HoldResult,
    ItemInfo,
    Loan,
    Patron,
    RenewAllResult,
    RenewResult,
)
from kiosk.core.privacy import mask_card
from kiosk.ils import answers, recovery
from kiosk.ils.answers import (  # re-exported: the adapter's public reading rules
    X_LATE_DAYS,
    integer,
    patron_blocks,
    print_lines,
    refusal_reason,
    screen,
)
from kiosk.ils.membership import Sip2Membership
from kiosk.ils.sip2.client import LinkListener, Sip2Client, now_field
from kiosk.ils.sip2.codec import Message, parse_date, sip_datetime
from kiosk.ils.sip2.layout import build, parse_fixed, summary

log = logging.getLogger(__name__)

# Charged items whose titles are looked up one by one (17) when the 64 reply has none.
MAX_LOAN_DETAILS = 20
_R = TypeVar("_R")


class Sip2Library:
    """LibrarySystem over SIP2. An unknown patron is not an error: lookup_patron returns
    Patron(valid=False, blocks=("refusal.patron_unknown",)). Failures to talk to the server
    raise kiosk.core.errors.LibraryError subclasses. A checkout, checkin, renewal, hold or
    payment whose answer was lost is never simply sent again: the library is asked what
    happened first (kiosk.ils.recovery), so nothing is lost or done twice."""

    def __init__(
        self,
        host: str,
        port: int,
        login_id: str,
        password: str,
        institution: str,
        location_code: str = "",
        terminator: str = "\r",
        encoding: str = "utf-8",
        delimiter: str = "|",
        tls: bool = False,
        tls_ca: str | None = None,
        timeout: float = 10.0,
        *,
        checksums: bool = True,
        loan_details: bool = True,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        retries: int = 1,
        heartbeat: bool = False,
        heartbeat_s: float = 0.0,
        on_link: LinkListener | None = None,
        recovery_s: float = 8.0,
    ) -> None:
        self.institution = institution
        # After a lost answer: how long the library may take to tell what happened (17, 63 on
        # a fresh connection) before the patron is told "not confirmed".
        self.recovery_s = recovery_s
        self.location_code = location_code
        self.loan_details = loan_details
        self.client = Sip2Client(
            host, port, login_id=login_id, password=password, location_code=location_code,
            terminator=terminator, encoding=encoding, delimiter=delimiter, tls=tls,
            tls_ca=tls_ca, timeout=timeout, checksums=checksums, tls_cert=tls_cert,
            tls_key=tls_key, retries=retries, heartbeat=heartbeat, heartbeat_s=heartbeat_s,
            on_link=on_link,
        )  # fmt: skip
        self.membership = Sip2Membership(self.client, institution)
        # Due dates of the loans each patron had at the last look: a lost renewal is told
        # from a lost nothing by whether the due date moved.
        self._dues: dict[str, dict[str, dt.date | None]] = {}
        self._fees: dict[str, int] = {}
        self._cache_lock = threading.Lock()

    def connect(self) -> None:
        """Log in now rather than on the first request (diagnostics, start-up checks)."""
        self.client.connect()

    def _sendable(self, value: str) -> bool:
        """Whether `value` can go out in a field of this connection: a misread barcode must
        come back as "unknown", not as a protocol error that reads "library unavailable"."""
        codec = self.client.codec
        if not value or any(c in value for c in (codec.delimiter, "\r", "\n")):
            return False
        try:
            value.encode(codec.encoding)
        except UnicodeEncodeError:
            return False
        return True

    # -- patrons ----------------------------------------------------------------------

    def patron_information(self, patron_id: str, list_id: str = "", pin: str | None = None,
                           extra: tuple[tuple[str, str], ...] = ()) -> Message:  # fmt: skip
        """The raw 64 reply, with the item list `list_id` (AS, AT, AU, AV, BU, CD) asked for."""
        fields = [("AO", self.institution), ("AA", patron_id), ("AC", "")]
        if pin:  # an empty PIN means none was asked for, not a wrong one
            fields.append(("AD", pin))
        fields += [("BP", "1"), ("BQ", "9999"), *extra]
        request = build("63", tuple(fields), transaction_date=now_field(),
                        summary=summary(list_id) if list_id else " " * 10)  # fmt: skip
        return self.client.request(request, idempotent=True)

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron:
        if not self._sendable(patron_id) or (pin and not self._sendable(pin)):
            return Patron(patron_id, "", valid=False, blocks=("refusal.patron_unknown",))
        reply = self.patron_information(patron_id, "AU", pin)
        blocks = patron_blocks(reply, dt.date.today())
        if blocks == ("refusal.patron_unknown",):
            log.info("patron %s unknown to the library", mask_card(patron_id))
            return Patron(patron_id, "", valid=False, blocks=blocks, screen_message=screen(reply))
        # The library's own id for the patron: a membership number typed on the keypad is
        # answered with the card's id, which every later request uses (as Koha answers).
        patron_id = reply.get("AA") or patron_id
        counts = parse_fixed(reply)
        # The spec allows one item list per request: ask for the others only when counted.
        extra: list[tuple[str, str]] = []
        for list_id, count in (("AT", "overdue_items_count"), ("AS", "hold_items_count"),
                               ("CD", "unavailable_holds_count"),
                               ("BU", "recall_items_count")):  # fmt: skip
            if integer(counts[count]):
                more = self.patron_information(patron_id, list_id)
                extra += [
                    (fid, v)
                    for fid, v in more.fields
                    if fid in (list_id, answers.X_HOLD_DETAIL, answers.X_HOLD_QUEUE)
                ]
        full = Message(reply.code, reply.fixed, reply.fields + tuple(extra))
        loans = self._loans(reply.get_all("AU"))
        limit = integer(reply.get("CB"))
        details = answers.patron_details(full, len(loans), limit)
        if self.loan_details and any(not hold.title for hold in details.holds):
            # A hold list names items only: their titles, so the patron knows which book to fetch.
            holds = tuple(
                hold if hold.title or index >= MAX_LOAN_DETAILS
                else dataclasses.replace(hold, title=self.item_reply(hold.item_id).get("AJ"))
                for index, hold in enumerate(details.holds)
            )  # fmt: skip
            details = dataclasses.replace(details, holds=holds)
        with self._cache_lock:
            self._dues[patron_id] = {loan.item_id: loan.due for loan in loans}
            self._fees[patron_id] = details.fees_owed
        return Patron(
            patron_id=patron_id,
            name=reply.get("AE"),
            valid=True,
            blocks=blocks,
            home_library=reply.get("AQ") or reply.get("AO"),
            loans=loans,
            loan_limit=limit,
            screen_message=screen(reply),
            details=details,
        )

    def patron_status(self, patron_id: str, pin: str | None = None) -> tuple[str, ...]:
        """Block message ids from a quick 23 patron status (no item lists)."""
        fields = [("AO", self.institution), ("AA", patron_id), ("AC", ""), ("AD", pin or "")]
        reply = self.client.request(build("23", tuple(fields), transaction_date=now_field()), idempotent=True)
        return patron_blocks(reply, dt.date.today())

    def _loans(self, charged: list[str]) -> tuple[Loan, ...]:
        loans = []
        for index, entry in enumerate(charged):
            item_id, _, title = entry.partition(" ")
            due = None
            if self.loan_details and index < MAX_LOAN_DETAILS:
                info = self.item_reply(item_id)
                title = title or info.get("AJ")
                due = parse_date(info.get("AH"))
            loans.append(Loan(item_id, title, due))
        return tuple(loans)

    def due_before(self, patron_id: str, item_id: str) -> tuple[bool, dt.date | None]:
        """(known, due) of the item among the patron's loans at the last look."""
        with self._cache_lock:
            dues = self._dues.get(patron_id)
            if dues is None or item_id not in dues:
                return dues is not None, None
            return True, dues[item_id]

    def _remember_due(self, patron_id: str, item_id: str, due: dt.date | None) -> None:
        with self._cache_lock:
            self._dues.setdefault(patron_id, {})[item_id] = due

    # -- items ------------------------------------------------------------------------

    def item_reply(self, item_id: str) -> Message:
        """The raw 18 reply for an item (title AJ, due date AH, circulation status)."""
        request = build("17", (("AO", self.institution), ("AB", item_id), ("AC", "")),
                        transaction_date=now_field())  # fmt: skip
        return self.client.request(request, idempotent=True)

    def item_information(self, item_id: str) -> ItemInfo:
        if not self._sendable(item_id):
            return ItemInfo(item_id, known=False)
        return answers.item_info(item_id, self.item_reply(item_id))

    # -- circulation ------------------------------------------------------------------

    def _carefully(
        self, what: str, item_id: str, send: Callable[[], _R], find_out: Callable[[], _R | None]
    ) -> _R:
        """Send a request that changes something. When its answer is lost (no answer, the
        connection gone, or an answer that is no SIP2 message: a garbled line, a bad checksum
        twice), ask the library what happened (on a fresh connection, within `recovery_s`)
        before anything else: done -> its outcome; not done -> sent once more, and the same
        again if that answer is lost too; cannot tell -> OutcomeUnknown. Nothing is ever done
        twice or reported refused when it may have been done."""
        for attempt in (1, 2):
            try:
                return send()
            except LibraryUnreachable:
                raise  # no connection: nothing was sent, so nothing was done
            except (LibraryTimeout, LibraryUnavailable, LibraryProtocolError) as lost:
                log.warning("%s: answer lost (%s); asking the library what happened", what, lost)
                with self.client.bounded(self.recovery_s):
                    outcome = recovery.find_out(what, item_id, find_out, lost)
                if outcome is not None:
                    return outcome
                if attempt == 2:
                    raise LibraryUnavailable(f"{what} not carried out: {lost}") from lost
                log.info("%s was not carried out; sending it once more", what)
        raise AssertionError("unreachable")  # pragma: no cover

    def checkout(
        self,
        patron_id: str,
        item_id: str,
        after_unknown: bool = False,
        offline_at: dt.datetime | None = None,
        offline_due: dt.date | None = None,
    ) -> CheckoutResult:
        """Lend `item_id` to the patron. `after_unknown`: an earlier checkout of it in this
        visit has an unknown outcome, so the library is asked first whether the patron has it
        already (then that loan is the answer: never a renewal by a second checkout).
        `offline_at`: a loan made while the library was unreachable, sent now with SIP2's
        no-block flag, the time it was made and the due date the patron was given."""
        if not self._sendable(item_id):
            return CheckoutResult(False, item_id, reason="refusal.item_unknown")
        if not self._sendable(patron_id):
            return CheckoutResult(False, item_id, reason="refusal.patron_unknown")
        known, due_before = self.due_before(patron_id, item_id)
        if after_unknown:
            lost = LibraryTimeout("the earlier checkout's answer was lost")
            with self.client.bounded(self.recovery_s):
                had = recovery.find_out(
                    "checkout", item_id, lambda: recovery.checkout(self, patron_id, item_id, None), lost
                )
            if had is not None:
                return had

        def send() -> CheckoutResult:
            # SC renewal policy Y: an item already on loan to this patron is renewed.
            if offline_at is None:
                made, no_block, nb_due = now_field(), "N", now_field()
            else:
                made, no_block = sip_datetime(offline_at), "Y"
                due = offline_due or offline_at.date()
                nb_due = sip_datetime(dt.datetime.combine(due, dt.time(23, 59, 59)))
            request = build(
                "11", (("AO", self.institution), ("AA", patron_id), ("AB", item_id), ("AC", ""),
                       ("BO", "N")),
                # The no-block due date means nothing online; strict servers want a date in it.
                sc_renewal_policy="Y", no_block=no_block, transaction_date=made, nb_due_date=nb_due,
            )  # fmt: skip
            return self._checkout_result(patron_id, item_id, self.client.request(request))

        def find_out() -> CheckoutResult | None:
            return recovery.checkout(self, patron_id, item_id, due_before if known else None)

        return self._carefully("checkout", item_id, send, find_out)

    def _checkout_result(self, patron_id: str, item_id: str, reply: Message) -> CheckoutResult:
        message, title = screen(reply), reply.get("AJ")
        if reply.flag(0) != "1":
            reason = refusal_reason(message)
            if reason == "refusal.not_for_loan" and answers.closed_stack(
                self.item_information(item_id).location
            ):
                reason = "refusal.closed_stack"  # lent on request: the kiosk offers to request it
            log.info("checkout refused for patron %s: %s", mask_card(patron_id), reason)
            return CheckoutResult(False, item_id, title, reason=reason, screen_message=message,
                                  print_lines=print_lines(reply))  # fmt: skip
        due = parse_date(reply.get("AH"))
        self._remember_due(patron_id, item_id, due)
        return CheckoutResult(ok=True, item_id=reply.get("AB") or item_id, title=title, due=due,
                              screen_message=message, renewed=reply.flag(1) == "Y",
                              print_lines=print_lines(reply))  # fmt: skip

    def checkin(self, item_id: str, offline_at: dt.datetime | None = None) -> CheckinResult:
        """Return `item_id`. `offline_at`: a return taken while the library was unreachable,
        replayed now with SIP2's no-block flag and the time it was taken."""
        if not self._sendable(item_id):
            return CheckinResult(False, item_id, reason="refusal.item_unknown")

        def send() -> CheckinResult:
            now = sip_datetime(offline_at) if offline_at is not None else now_field()
            request = build("09", (("AP", self.location_code), ("AO", self.institution),
                                   ("AB", item_id), ("AC", "")),
                            no_block="Y" if offline_at is not None else "N", transaction_date=now,
                            return_date=now)  # fmt: skip
            reply = self.client.request(request)
            message = screen(reply)
            ok = reply.flag(0) == "1"
            return CheckinResult(
                ok=ok, item_id=reply.get("AB") or item_id, title=reply.get("AJ"),
                reason="" if ok else refusal_reason(message, "refusal.not_on_loan"),
                screen_message=message, print_lines=print_lines(reply), alert=reply.flag(3) == "Y",
                for_hold=reply.get("CV") in ("01", "02") or bool(reply.get("CY")),
                sort_bin=reply.get("CL"), destination=reply.get("CT"),
                late_days=integer(reply.get(X_LATE_DAYS)),
            )  # fmt: skip

        return self._carefully("checkin", item_id, send, lambda: recovery.checkin(self, item_id))

    def renew(self, patron_id: str, item_id: str) -> RenewResult:
        if not self._sendable(item_id) or not self._sendable(patron_id):
            return RenewResult(False, item_id, reason="refusal.not_on_loan")
        known, due_before = self.due_before(patron_id, item_id)
        if not known or due_before is None:
            due_before = answers.item_info(item_id, self.item_reply(item_id)).due

        def send() -> RenewResult:
            request = build("29", (("AO", self.institution), ("AA", patron_id), ("AB", item_id),
                                   ("AC", ""), ("BO", "N")),
                            third_party_allowed="N", no_block="N", transaction_date=now_field(),
                            nb_due_date=now_field())  # fmt: skip
            reply = self.client.request(request)
            message = screen(reply)
            if reply.flag(0) != "1":
                reason = refusal_reason(message, "refusal.renewal_refused", context="renewal")
                return RenewResult(False, item_id, reply.get("AJ"), reason=reason, screen_message=message,
                                   print_lines=print_lines(reply))  # fmt: skip
            due = parse_date(reply.get("AH"))
            self._remember_due(patron_id, item_id, due)
            return RenewResult(True, item_id, reply.get("AJ"), due, screen_message=message,
                               print_lines=print_lines(reply))  # fmt: skip

        return self._carefully("renewal", item_id, send, lambda: recovery.renew(self, item_id, due_before))

    def renew_all(self, patron_id: str) -> RenewAllResult:
        """Renew every loan that can be; not recovered after a lost answer, since sending it
        again renews nothing twice (each item renews once) and refuses the rest."""
        request = build("65", (("AO", self.institution), ("AA", patron_id), ("AC", ""), ("BO", "N")),
                        transaction_date=now_field())  # fmt: skip
        reply = self.client.request(request, idempotent=True)
        renewed = []
        for item_id in reply.get_all("BM"):
            item_id = item_id.partition(" ")[0]
            info = self.item_reply(item_id)
            due = parse_date(info.get("AH"))
            self._remember_due(patron_id, item_id, due)
            renewed.append(Loan(item_id, info.get("AJ"), due))
        refused = tuple(entry.partition(" ")[0] for entry in reply.get_all("BN"))
        return RenewAllResult(
            reply.flag(0) == "1", tuple(renewed), refused, screen(reply), print_lines(reply)
        )

    def _hold(self, mode: str, patron_id: str, item_id: str, pickup_location: str) -> HoldResult:
        fields = [("AO", self.institution), ("AA", patron_id), ("AB", item_id), ("AC", "")]
        if pickup_location:
            fields.insert(1, ("BS", pickup_location))
        fields.append(("BY", "2"))  # a specific copy
        reply = self.client.request(build("15", tuple(fields), hold_mode=mode, transaction_date=now_field()))
        message = screen(reply)
        ok = reply.flag(0) == "1"
        default = "refusal.hold_refused" if mode == "+" else "refusal.hold_unknown"
        return HoldResult(
            ok=ok, item_id=reply.get("AB") or item_id, title=reply.get("AJ"),
            available=reply.flag(1) == "Y", collect_by=parse_date(reply.get("BW")),
            pickup_location=reply.get("BS"), queue_position=integer(reply.get("BR")),
            reason="" if ok else refusal_reason(message, default, context="hold"), screen_message=message,
            print_lines=print_lines(reply),
        )  # fmt: skip

    def place_hold(self, patron_id: str, item_id: str, pickup_location: str = "") -> HoldResult:
        if not self._sendable(item_id) or not self._sendable(patron_id):
            return HoldResult(False, item_id, reason="refusal.item_unknown")
        return self._carefully(
            "hold", item_id, lambda: self._hold("+", patron_id, item_id, pickup_location),
            lambda: recovery.hold(self, patron_id, item_id, placed=True),
        )  # fmt: skip

    def cancel_hold(self, patron_id: str, item_id: str) -> HoldResult:
        if not self._sendable(item_id) or not self._sendable(patron_id):
            return HoldResult(False, item_id, reason="refusal.hold_unknown")
        return self._carefully(
            "hold cancellation", item_id, lambda: self._hold("-", patron_id, item_id, ""),
            lambda: recovery.hold(self, patron_id, item_id, placed=False),
        )  # fmt: skip

    def fee_paid(self, patron_id: str, amount: int, transaction_id: str) -> FeePaidResult:
        with self._cache_lock:
            owed_before = self._fees.get(patron_id)

        def send() -> FeePaidResult:
            fields = (("AO", self.institution), ("AA", patron_id), ("AC", ""), ("BV", str(amount)),
                      ("BK", transaction_id))  # fmt: skip
            request = build("37", fields, transaction_date=now_field(), fee_type="01",
                            payment_type="02", currency="KRW")  # fmt: skip
            reply = self.client.request(request)
            message = screen(reply)
            ok = reply.flag(0) == "Y"
            return FeePaidResult(
                ok,
                reply.get("BK") or transaction_id,
                amount,
                "" if ok else "refusal.fee_refused",
                message,
                print_lines(reply),
            )

        return self._carefully(
            "fee payment",
            transaction_id,
            send,
            lambda: recovery.fee(self, patron_id, amount, transaction_id, owed_before),
        )

    def end_session(self, patron_id: str) -> None:
        request = build("35", (("AO", self.institution), ("AA", patron_id)), transaction_date=now_field())
        self.client.request(request, idempotent=True)
        with self._cache_lock:
            self._dues.pop(patron_id, None)
            self._fees.pop(patron_id, None)

    def close(self) -> None:
        self.client.close()
