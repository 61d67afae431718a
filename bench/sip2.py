"""SIP2: codec messages per second; a client round trip on loopback beside a raw-socket echo.

The round trip goes through the client against the embedded server; the echo sends the same
request bytes to a socket that sends them back (the ratio is what the SIP2 layers cost).

Run: ./dev bench sip2 (or .venv/bin/python -m bench sip2). Figures are medians of this run;
only the ratios compare, since the machine's speed and load change the absolute numbers.
"""

from __future__ import annotations

import datetime as dt
import socket
import statistics
import threading
import time

from kiosk.ils.library import Sip2Library
from kiosk.ils.sip2.codec import Codec, Message
from simulators.ils import seed
from simulators.ils.server import start_server

ROUNDS = 300

# A typical 64 reply: Hangul name, loans, screen message.
REPLY = Message(
    "64",
    "              " + "000" + "20260302    120000" + "0000" * 2 + "0003" + "0000" * 3,
    (("AO", "MA"), ("AA", seed.DEMO_PATRON_ID), ("AE", "김민수"), ("BZ", "0005"), ("CA", "0000"),
     ("CB", "0007"), ("BL", "Y"), ("BH", "KRW"), ("BV", "0"), ("CC", "0"),
     ("AU", seed.item_id(21)), ("AU", seed.item_id(22)), ("AU", seed.item_id(23)),
     ("AF", "대출 가능 권수: 4권"), ("XN", "3"), ("XM", "20")),
    sequence=4,
)  # fmt: skip


def _per_second(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)


def codec_rates() -> None:
    codec = Codec()
    data = codec.encode(REPLY)
    n = 20000
    encode = _per_second(lambda: codec.encode(REPLY), n)
    decode = _per_second(lambda: codec.decode(data), n)
    join = _per_second(lambda: b"|".join([b"64", data]), n)  # a floor: bytes joined, nothing checked
    print(f"codec, a {len(data)}-byte 64 reply with Hangul:")
    print(f"  encode {encode:>10,.0f} msg/s")
    print(f"  decode {decode:>10,.0f} msg/s (checksum, NFC, fields)")
    print(f"  bytes.join baseline {join:>10,.0f} /s  (encode is {join / encode:.0f}x slower than a join)")


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def round_trips() -> None:
    with start_server(today=dt.date(2026, 3, 2)) as server:
        library = Sip2Library(server.host, server.port, "kiosk", "kiosk", "MA", timeout=5.0)
        client = library.client
        request = Message("17", "20260302    120000", (("AO", "MA"), ("AB", seed.DEMO_LOAN_ITEM), ("AC", "")))
        client.connect()
        # The same bytes for the echo: the encoded request and the reply the server gives to it.
        request_bytes = client.codec.encode(request.with_sequence(0))
        reply_bytes = client.codec.encode(client.request(request).with_sequence(0))
        sip2 = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            client.request(request, idempotent=True)
            sip2.append(time.perf_counter() - started)
        lookups = []
        for _ in range(ROUNDS // 10):
            started = time.perf_counter()
            library.lookup_patron(seed.DEMO_PATRON_ID)
            lookups.append(time.perf_counter() - started)
        library.close()
    listener, thread = _echo_server()
    echo = []
    with socket.create_connection(listener.getsockname()) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(ROUNDS):
            started = time.perf_counter()
            sock.sendall(request_bytes)
            got = 0
            while got < len(request_bytes):
                got += len(sock.recv(65536))
            echo.append(time.perf_counter() - started)
    listener.close()
    thread.join(timeout=2)
    e, s, lk = (statistics.median(x) * 1e6 for x in (echo, sip2, lookups))
    print(
        f"loopback round trip, median of {ROUNDS} "
        f"({len(request_bytes)} B request, {len(reply_bytes)} B reply):"
    )
    print(f"  raw-socket echo of the request bytes {e:>8.0f} us  (baseline)")
    print(f"  item information (17) via the client {s:>8.0f} us  ({s / e:.1f}x the echo)")
    print(f"  patron lookup (63 + 17 per loan)     {lk:>8.0f} us  ({lk / e:.1f}x the echo)")


def main() -> None:
    codec_rates()
    round_trips()


if __name__ == "__main__":
    main()
