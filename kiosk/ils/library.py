"""The LibrarySystem port over SIP2: patron lookup (63), checkout (11), end of session (35)."""

from __future__ import annotations

import logging

from kiosk.core.model import CheckoutResult, Loan, Patron
from kiosk.core.privacy import mask_card
from kiosk.ils.sip2.client import Sip2Client, now_field
from kiosk.ils.sip2.codec import Message, parse_date

log = logging.getLogger(__name__)

# Patron status flags of the 64 reply (position -> block message id), most telling first.
_PATRON_FLAGS: tuple[tuple[int, str], ...] = (
    (4, "refusal.card_invalid"),  # card reported lost
    (10, "refusal.fees"),  # excessive outstanding fines
    (11, "refusal.fees"),  # excessive outstanding fees
    (6, "refusal.suspended"),  # too many items overdue
    (5, "refusal.limit"),  # too many items charged
)

# SIP2 has no refusal codes: servers explain in the AF screen message. Phrases of Koha,
# Evergreen and Korean servers (lower case), checked in this order.
_REFUSAL_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refusal.item_unknown", ("invalid item", "item not found", "unknown item",
                              "no such item", "item barcode not found", "등록되지 않은 자료")),
    ("refusal.patron_unknown", ("invalid patron", "unknown patron", "patron not found",
                                "등록되지 않은 회원")),
    ("refusal.card_invalid", ("card lost", "lost card", "card reported lost", "분실",
                              "사용할 수 없는 회원증")),
    ("refusal.fees", ("fine", "fee", "outstanding", "연체료", "미납")),
    ("refusal.suspended", ("suspend", "debarred", "restricted until", "대출이 정지",
                           "대출 정지")),
    ("refusal.not_for_loan", ("not for loan", "notforloan", "reference", "non-circulating",
                              "cannot be checked out at this", "대출 불가", "열람 전용",
                              "보존서고")),
    ("refusal.on_hold", ("on hold", "hold shelf", "reserved for", "is reserved", "예약")),
    ("refusal.already_on_loan", ("checked out to another", "already checked out",
                                 "already on loan", "issued to another", "이미 대출")),
    ("refusal.limit", ("too many", "maximum number", "limit", "권수")),
)  # fmt: skip

_PATRON_REASONS = frozenset({"refusal.card_invalid", "refusal.fees", "refusal.suspended", "refusal.limit"})

# Charged items whose titles are looked up one by one (17) when the 64 reply has none.
MAX_LOAN_DETAILS = 20


def refusal_reason(screen_message: str) -> str:
    """The message id for a checkout refusal explained by `screen_message`."""
    text = screen_message.lower()
    for message_id, phrases in _REFUSAL_PHRASES:
        if any(phrase in text for phrase in phrases):
            return message_id
    return "refusal.checkout_refused"


def patron_blocks(reply: Message) -> tuple[str, ...]:
    """Block message ids from a 64 reply's patron status flags and fee fields."""
    blocks: list[str] = []
    if reply.get("BL", "Y") == "N":
        return ("refusal.patron_unknown",)
    if reply.get("CQ") == "N":
        blocks.append("refusal.patron_blocked")  # wrong PIN: no better message id yet
    for index, message_id in _PATRON_FLAGS:
        if reply.flag(index) == "Y":
            blocks.append(message_id)
    fee, limit = _amount(reply.get("BV")), _amount(reply.get("CC"))
    if fee is not None and limit is not None and fee > limit:
        blocks.append("refusal.fees")
    if reply.flag(0) == "Y" and not blocks:
        # Charge privileges denied without a flag saying why (Koha's debarments): the
        # screen message may tell.
        reason = refusal_reason(_screen(reply))
        blocks.append(reason if reason in _PATRON_REASONS else "refusal.patron_blocked")
    return tuple(dict.fromkeys(blocks))


def _amount(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "")) if text.strip() else None
    except ValueError:
        return None


class Sip2Library:
    """LibrarySystem over SIP2. An unknown patron is not an error: lookup_patron returns
    Patron(valid=False, blocks=("refusal.patron_unknown",)). Failures to talk to the server
    raise kiosk.core.errors.LibraryError subclasses."""

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
    ) -> None:
        self.institution = institution
        self.loan_details = loan_details
        self.client = Sip2Client(
            host, port, login_id=login_id, password=password, location_code=location_code,
            terminator=terminator, encoding=encoding, delimiter=delimiter, tls=tls,
            tls_ca=tls_ca, timeout=timeout, checksums=checksums,
        )  # fmt: skip

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

    def lookup_patron(self, patron_id: str, pin: str | None = None) -> Patron:
        if not self._sendable(patron_id) or (pin and not self._sendable(pin)):
            return Patron(patron_id, "", valid=False, blocks=("refusal.patron_unknown",))
        fields = [("AO", self.institution), ("AA", patron_id), ("AC", "")]
        if pin:  # an empty PIN means none was asked for, not a wrong one
            fields.append(("AD", pin))
        fields += [("BP", "1"), ("BQ", str(MAX_LOAN_DETAILS * 5))]
        # Summary position 2 asks for the charged items (AU).
        request = Message("63", "000" + now_field() + "  Y       ", tuple(fields))
        reply = self.client.request(request, idempotent=True)
        blocks = patron_blocks(reply)
        if blocks == ("refusal.patron_unknown",):
            log.info("patron %s unknown to the library", mask_card(patron_id))
            return Patron(patron_id, "", valid=False, blocks=blocks,
                          screen_message=_screen(reply))  # fmt: skip
        return Patron(
            patron_id=patron_id,
            name=reply.get("AE"),
            valid=True,
            blocks=blocks,
            home_library=reply.get("AQ") or reply.get("AO"),
            loans=self._loans(reply.get_all("AU")),
            loan_limit=_int(reply.get("CB")),
            screen_message=_screen(reply),
        )

    def _loans(self, charged: list[str]) -> tuple[Loan, ...]:
        loans = []
        for index, entry in enumerate(charged):
            # Some servers send "barcode title" (Evergreen's msg64_summary_datatype).
            item_id, _, title = entry.partition(" ")
            due = None
            if self.loan_details and index < MAX_LOAN_DETAILS:
                info = self.item_information(item_id)
                title = title or info.get("AJ")
                due = parse_date(info.get("AH"))
            loans.append(Loan(item_id, title, due))
        return tuple(loans)

    def item_information(self, item_id: str) -> Message:
        """The raw 18 reply for an item (title AJ, due date AH, circulation status)."""
        request = Message("17", now_field(), (("AO", self.institution), ("AB", item_id),
                                              ("AC", "")))  # fmt: skip
        return self.client.request(request, idempotent=True)

    def checkout(self, patron_id: str, item_id: str) -> CheckoutResult:
        if not self._sendable(item_id):
            return CheckoutResult(False, item_id, reason="refusal.item_unknown")
        if not self._sendable(patron_id):
            return CheckoutResult(False, item_id, reason="refusal.patron_unknown")
        # SC renewal policy Y: an item already on loan to this patron is renewed.
        fixed = "YN" + now_field() + " " * 18
        request = Message("11", fixed, (("AO", self.institution), ("AA", patron_id),
                                        ("AB", item_id), ("AC", ""), ("BO", "N")))  # fmt: skip
        reply = self.client.request(request)
        screen = _screen(reply)
        title = reply.get("AJ")
        if reply.flag(0) != "1":
            reason = refusal_reason(screen)
            log.info("checkout refused for patron %s: %s", mask_card(patron_id), reason)
            return CheckoutResult(False, item_id, title, reason=reason, screen_message=screen)
        return CheckoutResult(
            ok=True,
            item_id=reply.get("AB") or item_id,
            title=title,
            due=parse_date(reply.get("AH")),
            screen_message=screen,
            renewed=reply.flag(1) == "Y",
        )

    def end_session(self, patron_id: str) -> None:
        request = Message("35", now_field(), (("AO", self.institution), ("AA", patron_id)))
        self.client.request(request, idempotent=True)

    def close(self) -> None:
        self.client.close()


def _screen(reply: Message) -> str:
    return " ".join(part.strip() for part in reply.get_all("AF") if part.strip())


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
