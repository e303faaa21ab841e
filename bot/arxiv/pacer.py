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
from collections.abc import Callable
from dataclasses import dataclass

import requests
from requests.structures import CaseInsensitiveDict

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


class DownloadTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Download:
    """A whole response body, read while the pacer still held the connection."""

    url: str
    status_code: int
    headers: CaseInsensitiveDict
    body: bytes


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
        return self._with_retries(url, lambda: super(PacedSession, self).request(method, url, *args, **kwargs))

    def get_at_turn(self, url: str, params: Callable[[], dict]):
        """GET with `params` made when this request's turn comes (after the pacer's wait), not before: a
        batch built then holds everything asked for while it waited. Made once; retries reuse them."""
        made: list[dict] = []

        def send():
            if not made:
                made.append(params())
            return super(PacedSession, self).request("GET", url, params=made[0], timeout=self.timeout_s)

        return self._with_retries(url, send)

    def download(self, url: str, *, max_bytes: int, deadline_s: float) -> Download:
        """GET a whole body of at most `max_bytes` within `deadline_s`, paced and retried.

        The body is read inside the pacer, not after it: a PDF still streaming in
        is a connection to arXiv, and arXiv allows one at a time.
        """
        return self._with_retries(url, lambda: self._read_body(url, max_bytes, deadline_s))

    def _read_body(self, url: str, max_bytes: int, deadline_s: float) -> Download:
        started = time.monotonic()
        with super().request("GET", url, stream=True, timeout=self.timeout_s) as response:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise DownloadTooLarge(f"{url} is {declared:,} bytes, over the {max_bytes:,}-byte limit")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadTooLarge(f"{url} is over the {max_bytes:,}-byte limit")
                if time.monotonic() - started > deadline_s:
                    raise requests.Timeout(f"{url} took longer than {deadline_s:g} s to download")
                chunks.append(chunk)
            return Download(url, response.status_code, response.headers, b"".join(chunks))

    def _with_retries(self, url, send):
        attempt = 0
        while True:
            try:
                response = PACER.run(self.min_interval_s, send)
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
