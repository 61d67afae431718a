"""A real HTTP server on a free loopback port that records each POST's JSON body; it answers
with the statuses it is told (then 200), or holds requests until released."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.statuses: list[int] = []  # answered in turn, then 200
        self.released = threading.Event()
        self.released.set()
        self.url = ""

    def bodies(self, event: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if event is None or p.get("event") == event]

    def kinds(self, event: str = "raised") -> list[str]:
        return [p["kind"] for p in self.bodies(event)]


@contextmanager
def webhook_server() -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            with recorder.lock:
                recorder.posts.append(body)
                recorder.headers.append(dict(self.headers))
                status = recorder.statuses.pop(0) if recorder.statuses else 200
            recorder.released.wait(10)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    thread = threading.Thread(
        target=server.serve_forever, name="test-webhook", kwargs={"poll_interval": 0.05}
    )
    thread.start()
    try:
        yield recorder
    finally:
        recorder.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
