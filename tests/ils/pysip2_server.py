"""An independent strict SIP2 server for the client's suite: pysip2's, with a tiny library."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import anyio.to_thread
from pysip2 import models as m
from pysip2 import routes as r
from pysip2.server import SIP2Server

PATRON = "P0001"
ITEMS = {"I0001": "채식주의자", "I0002": "소년이 온다", "I0003": "Human Acts"}
# The library's day for due dates: fixed, so a test that reads a due date and the day it
# expects on either side of midnight still agrees.
TODAY = dt.date(2026, 3, 2)


def _now() -> str:
    return dt.datetime.now().strftime("%Y%m%d    %H%M%S")


def _due(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).strftime("%Y%m%d") + "    235959"


def make_server() -> SIP2Server:
    app = SIP2Server(encoding="utf-8", error_detection="required", login_required=True, institution_id="MA",
                     library_name="pysip2 test library", timeout_period="005")  # fmt: skip
    loans: dict[str, str] = {}
    holds: set[str] = set()
    fees = {"owed": 3000, "paid": set()}

    @app.route(r.LOGIN)
    def login(req: m.LoginRequest, ctx) -> m.LoginResponse:
        return m.LoginResponse(
            ok="1" if (req.login_user_id, req.login_password) == ("kiosk", "kiosk") else "0"
        )

    @app.route(r.SC_STATUS)
    def status(req: m.SCStatusRequest, ctx) -> m.ACSStatusResponse:
        return ctx.server.build_acs_status(req)

    @app.route(r.PATRON_INFORMATION)
    def patron(req: m.PatronInformationRequest, ctx) -> m.PatronInformationResponse:
        known = req.patron_identifier == PATRON
        charged = tuple(loans) if req.summary[2:3] == "Y" else ()
        return m.PatronInformationResponse(
            patron_status=" " * 14, language="000", transaction_date=_now(), hold_items_count="0000",
            overdue_items_count="0000", charged_items_count=f"{len(loans):04d}", fine_items_count="0000",
            recall_items_count="0000", unavailable_holds_count=f"{len(holds):04d}", institution_id="MA",
            patron_identifier=req.patron_identifier, personal_name="김민수" if known else "",
            charged_items_limit="0007", valid_patron="Y" if known else "N", currency_type="KRW",
            fee_amount=str(fees["owed"]), fee_limit="5000", charged_items=charged,
            unavailable_hold_items=tuple(holds) if req.summary[5:6] == "Y" else (),
        )  # fmt: skip

    @app.route(r.CHECKOUT)
    def checkout(req: m.CheckoutRequest, ctx) -> m.CheckoutResponse:
        item = req.item_identifier
        ok = item in ITEMS and item not in loans
        if ok:
            loans[item] = _due(15)
        return m.CheckoutResponse(
            ok="1" if ok else "0",
            renewal_ok="N",
            magnetic_media="N",
            desensitize="Y" if ok else "N",
            transaction_date=_now(),
            institution_id="MA",
            patron_identifier=req.patron_identifier,
            item_identifier=item,
            title_identifier=ITEMS.get(item, ""),
            due_date=loans.get(item, "") if ok else "",
            screen_message=()
            if ok
            else ("Item not found" if item not in ITEMS else "Item already checked out",),
        )

    @app.route(r.CHECKIN)
    def checkin(req: m.CheckinRequest, ctx) -> m.CheckinResponse:
        ok = loans.pop(req.item_identifier, None) is not None
        return m.CheckinResponse(
            ok="1" if ok else "0",
            resensitize="Y",
            magnetic_media="N",
            alert="N",
            transaction_date=_now(),
            institution_id="MA",
            item_identifier=req.item_identifier,
            permanent_location="MA",
            title_identifier=ITEMS.get(req.item_identifier),
            screen_message=() if ok else ("Item not checked out",),
        )

    @app.route(r.ITEM_INFORMATION)
    def item(req: m.ItemInformationRequest, ctx) -> m.ItemInformationResponse:
        item_id = req.item_identifier
        status = "04" if item_id in loans else ("03" if item_id in ITEMS else "01")
        return m.ItemInformationResponse(
            circulation_status=status,
            security_marker="02",
            fee_type="01",
            transaction_date=_now(),
            item_identifier=item_id,
            title_identifier=ITEMS.get(item_id, ""),
            due_date=loans.get(item_id),
        )

    @app.route(r.RENEW)
    def renew(req: m.RenewRequest, ctx) -> m.RenewResponse:
        item_id = req.item_identifier or ""
        ok = item_id in loans
        if ok:
            loans[item_id] = _due(22)
        return m.RenewResponse(ok="1" if ok else "0", renewal_ok="Y" if ok else "N", magnetic_media="N",
                               desensitize="N", transaction_date=_now(), institution_id="MA",
                               patron_identifier=req.patron_identifier, item_identifier=item_id,
                               title_identifier=ITEMS.get(item_id, ""), due_date=loans.get(item_id, ""),
                               screen_message=() if ok else ("Item not checked out",))  # fmt: skip

    @app.route(r.RENEW_ALL)
    def renew_all(req: m.RenewAllRequest, ctx) -> m.RenewAllResponse:
        for item_id in loans:
            loans[item_id] = _due(22)
        return m.RenewAllResponse(
            ok="1",
            renewed_count=f"{len(loans):04d}",
            unrenewed_count="0000",
            transaction_date=_now(),
            institution_id="MA",
            renewed_items=tuple(loans),
        )

    @app.route(r.HOLD)
    def hold(req: m.HoldRequest, ctx) -> m.HoldResponse:
        item_id = req.item_identifier or ""
        (holds.add if req.hold_mode == "+" else holds.discard)(item_id)
        return m.HoldResponse(
            ok="1",
            available="N",
            transaction_date=_now(),
            queue_position="1",
            institution_id="MA",
            patron_identifier=req.patron_identifier,
            item_identifier=item_id,
        )

    @app.route(r.FEE_PAID)
    def fee_paid(req: m.FeePaidRequest, ctx) -> m.FeePaidResponse:
        first = req.transaction_id not in fees["paid"]
        if first:
            fees["paid"].add(req.transaction_id)
            fees["owed"] -= int(req.fee_amount)
        return m.FeePaidResponse(
            payment_accepted="Y",
            transaction_date=_now(),
            institution_id="MA",
            patron_identifier=req.patron_identifier,
            transaction_id=req.transaction_id,
        )

    @app.route(r.END_PATRON_SESSION)
    def end(req: m.EndPatronSessionRequest, ctx) -> m.EndSessionResponse:
        return m.EndSessionResponse(end_session="Y", transaction_date=_now(), institution_id="MA",
                                    patron_identifier=req.patron_identifier)  # fmt: skip

    return app


@contextmanager
def running() -> Iterator[int]:
    """pysip2's server on a free loopback port, on its own thread; stopped and joined after."""
    ports: queue.Queue[int | BaseException] = queue.Queue()
    stop = threading.Event()

    async def serve() -> None:
        async with make_server().start("127.0.0.1", 0) as port:

            def wait() -> None:
                # Told from the worker thread: once the test has the port, every thread is up.
                ports.put(port)
                stop.wait()

            await anyio.to_thread.run_sync(wait)

    def main() -> None:
        try:
            anyio.run(serve)
        except BaseException as exc:  # noqa: BLE001 - reported to the test through the queue
            ports.put(exc)

    thread = threading.Thread(target=main, name="pysip2-server")
    thread.start()
    try:
        got = ports.get(timeout=10)
        if isinstance(got, BaseException):
            raise got
        yield got
    finally:
        stop.set()
        thread.join(timeout=10)
