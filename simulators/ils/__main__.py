"""`python -m simulators.ils` (and `kiosk sim ils`): run the SIP2 library server in the foreground."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import threading

from simulators.ils.rules import Rules, load_rules
from simulators.ils.server import start_server


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not 0 or more seconds")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001)
    parser.add_argument("--db", default=None, help="SQLite file, kept between runs (default: in memory)")
    parser.add_argument("--login-id", default="kiosk")
    parser.add_argument("--password", default="kiosk")
    parser.add_argument("--institution", default="MA", help="member library served: MA, GN or MP")
    parser.add_argument("--encoding", default="utf-8", help="utf-8, cp949 or cp850")
    parser.add_argument("--terminator", choices=("cr", "crlf"), default="cr")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="pretend today is this ISO date (for demos)"
    )
    parser.add_argument("--rules", default=None, help="circulation rules TOML (default: Seoul's)")
    parser.add_argument("--heartbeat", type=float, default=30.0, help="status interval announced (seconds)")
    parser.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=300.0,
        metavar="S",
        help="close a connection with no request for S seconds (0: never; default 300)",
    )
    parser.add_argument("--tls-cert", default=None, help="PEM certificate: speak TLS only")
    parser.add_argument("--tls-key", default=None, help="PEM key, unless it is in --tls-cert")
    parser.add_argument("--tls-client-ca", default=None, help="require kiosk certificates signed by this CA")
    parser.add_argument("-v", "--verbose", action="store_true")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        rules = load_rules(args.rules) if args.rules else Rules()
    except (OSError, ValueError) as exc:
        print(f"cannot read the rules: {exc}")
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with start_server(
        args.host,
        args.port,
        args.db,
        args.login_id,
        args.password,
        args.institution,
        args.today,
        rules=rules,
        encoding=args.encoding,
        terminator="\r\n" if args.terminator == "crlf" else "\r",
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_client_ca=args.tls_client_ca,
        heartbeat_s=args.heartbeat,
        idle_timeout_s=args.idle_timeout,
    ) as server:
        print(f"SIP2 server on {server.host}:{server.port} (Ctrl-C to stop)", flush=True)
        stop.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.ils", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
