"""One pace for all arXiv traffic of the process.

arXiv's terms allow one request every 3 seconds and one connection at a time,
across RSS, API and PDF alike. The `arxiv` package paces per Client instance
only, so every request to arXiv goes through `PacedSession`, which shares one
module-level lock and clock, and retries the transient failures (429, 5xx,
connection errors) a bounded number of times with backoff.
"""

from __future__ import annotations

import logging
import threading
import time

import requests

log = logging.getLogger(__name__)

_RETRY_STATUSES = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER_S = 60.0


class _ProcessPacer:
    """Serialises requests and spaces their starts by at least `interval` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_start: float | None = None
        self.requests_made = 0

    def run(self, interval: float, send):
        with self._lock:  # one connection at a time
            if self._last_start is not None:
                wait = self._last_start + interval - time.monotonic()
                if wait > 0:
                    log.debug("arXiv pacing: waiting %.2f s", wait)
                    time.sleep(wait)
            self._last_start = time.monotonic()
            self.requests_made += 1
            return send()


PACER = _ProcessPacer()


class PacedSession(requests.Session):
    """A requests session whose every request is paced, timed out and retried."""

    def __init__(self, *, min_interval_s: float, timeout_s: float, max_retries: int, backoff_s: float):
        super().__init__()
        self.min_interval_s = min_interval_s
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.headers["User-Agent"] = "paperbot/0.1 (arXiv digest bot)"

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout_s)
        attempt = 0
        while True:
            try:
                response = PACER.run(self.min_interval_s, lambda: super(PacedSession, self).request(method, url, *args, **kwargs))
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.max_retries:
                    raise
                log.warning("arXiv request failed (%s); retry %d of %d", type(exc).__name__, attempt + 1, self.max_retries)
                self._sleep_before_retry(attempt, None)
            else:
                if response.status_code not in _RETRY_STATUSES or attempt >= self.max_retries:
                    return response
                log.warning("arXiv answered %d for %s; retry %d of %d", response.status_code, url, attempt + 1, self.max_retries)
                self._sleep_before_retry(attempt, response.headers.get("Retry-After"))
            attempt += 1

    def _sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff_s * (2**attempt)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), _MAX_RETRY_AFTER_S))
            except ValueError:
                pass  # an HTTP date: our own backoff is good enough
        if delay:
            time.sleep(delay)
