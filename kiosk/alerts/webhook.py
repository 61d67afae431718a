"""StaffAlerts over an HTTP webhook: each alert a JSON POST, sent on its own thread."""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from typing import Any

from kiosk.core.alerts import Alert, AlertKind

log = logging.getLogger("kiosk.alerts.webhook")

# What waits to be posted: more than this (a webhook down for long) drops the oldest.
QUEUE_LIMIT = 100
USER_AGENT = "chaekieum-kiosk-alerts/1"


class WebhookAlerts:
    """POSTs `{"event": "raised"|"cleared", "kind", "severity", "message", "kiosk_id", "at",
    "visit"}` to `url`. Never blocks the caller: posts go on a thread, in order, each tried
    `attempts` times (waiting `backoff_s`, doubling, between tries) with `timeout_s` per try;
    an answer other than 2xx counts as a failed try. What still fails is logged and dropped.
    `close()` gives what waits `drain_s` to go, then stops the thread."""

    def __init__(
        self,
        url: str,
        kiosk_id: str,
        timeout_s: float = 5.0,
        attempts: int = 3,
        backoff_s: float = 2.0,
        drain_s: float = 3.0,
    ) -> None:
        self.url = url
        self.kiosk_id = kiosk_id
        self.timeout_s = timeout_s
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.drain_s = drain_s
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts-webhook", daemon=True)
        self._thread.start()

    def raise_alert(self, alert: Alert) -> None:
        self._put({"event": "raised", **alert.as_json()})

    def clear(self, kind: AlertKind) -> None:
        self._put({"event": "cleared", "kind": str(kind), "kiosk_id": self.kiosk_id})

    def close(self) -> None:
        self._queue.put(None)  # posts queued before it still go, within drain_s
        self._thread.join(timeout=self.drain_s)
        self._stop.set()  # what is left (a webhook that hangs) is dropped
        self._thread.join(timeout=self.timeout_s + 1)

    def _put(self, body: dict[str, Any]) -> None:
        if self._stop.is_set():
            return
        if self._queue.qsize() >= QUEUE_LIMIT:
            try:
                dropped = self._queue.get_nowait()
                log.warning("webhook %s: too many alerts waiting; dropped %s", self.url, dropped)
            except queue.Empty:
                pass
        self._queue.put(body)

    def _run(self) -> None:
        while not self._stop.is_set():
            body = self._queue.get()
            if body is None:
                return
            self._deliver(body)

    def _deliver(self, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        wait = self.backoff_s
        for attempt in range(1, self.attempts + 1):
            problem = self._post(data)
            if problem is None:
                self.sent += 1
                return
            if attempt == self.attempts or self._stop.wait(wait):
                break
            log.info("webhook %s: %s; trying again in %.1f s", self.url, problem, wait)
            wait *= 2
        self.failed += 1
        log.warning(
            "webhook %s: alert %s %s not delivered after %d tries: %s",
            self.url, body.get("kind"), body.get("event"), attempt, problem,
        )  # fmt: skip

    def _post(self, data: bytes) -> str | None:
        """None when the webhook took it; else what went wrong."""
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                answer.read(4096)
                return None if 200 <= answer.status < 300 else f"answered {answer.status}"
        except urllib.error.HTTPError as exc:
            return f"answered {exc.code} {exc.reason}"
        except urllib.error.URLError as exc:
            return f"cannot be reached ({exc.reason})"
        except (OSError, ValueError) as exc:  # a timeout, a reset connection
            return f"failed ({type(exc).__name__}: {exc})"
