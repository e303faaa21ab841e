"""A tiny loopback HTTP server base for the test fakes.

Every fake is a real HTTP/1.1 server on 127.0.0.1 (port 0, so tests can run in
parallel) served by a ``ThreadingHTTPServer`` in a background thread; the real
client libraries (requests, feedparser, arxiv, openai/httpx) talk to it over a
socket exactly as they would talk to the real service.

Subclasses implement ``route(req) -> Response``. The base records every request
(``.requests``), counts requests in flight (``.max_concurrent``) and can answer
scripted failures (``.fail_next``) before ``route`` is ever called.

    with FakeSomething() as fx:          # or fx.start() ... fx.stop()
        requests.get(f"{fx.url}/x")
        assert fx.requests[-1].path == "/x"
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Self
from urllib.parse import parse_qs, urlsplit

from .waiting import wait_until

__all__ = ["FakeServer", "Recorded", "Response"]


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it (header names lower-cased)."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]  # parse_qs of the query string, blanks kept
    headers: dict[str, str]
    body: bytes
    time: float  # time.monotonic() at arrival


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain; charset=utf-8"


@dataclass
class _FailRule:
    prefix: str
    status: int
    remaining: int
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so clients keep connections alive as they do in production
    # (httpx pools them); every answer therefore carries a Content-Length.
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus
        # the client's delayed ACK stalls each keep-alive answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track_connection(self.connection, add=False)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        rec = Recorded(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            time=time.monotonic(),
        )
        resp = self.server.fake._dispatch(rec)
        headers = dict(resp.headers)
        # A Content-Type given in the headers (e.g. to fail_next) wins.
        ctype = next((headers.pop(k) for k in list(headers) if k.lower() == "content-type"), None)
        self.send_response(resp.status)
        self.send_header("Content-Type", ctype or resp.content_type)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep pytest output clean; .requests is the log


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck handler must never hang the test run
    # socketserver's default backlog of 5 drops SYNs under a burst of
    # concurrent clients, and the kernel retries them only after 1 s.
    request_queue_size = 128
    fake: "FakeServer"

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up (or stop() closing a keep-alive socket) is normal
        # here; anything else is printed as socketserver would.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FakeServer:
    """Base class: start/stop, request log, in-flight counter, scripted failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._fail_rules: list[_FailRule] = []
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self.max_concurrent = 0
        self.errors: list[BaseException] = []  # exceptions raised by route()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # stop() waits up to one poll
            name=f"{type(self).__name__}@{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        # Keep-alive connections keep their handler thread blocked on a read:
        # shut the sockets so those threads end now rather than at exit.
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at --------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        """A snapshot (a new list each time) of every request, in arrival order.

        It is a copy, so appending to or clearing it changes nothing: use
        ``clear_requests()``.
        """
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 2.0) -> Any:
        """Poll `predicate` until it returns something truthy (returned); TimeoutError after `timeout`."""
        return await wait_until(predicate, timeout, type(self).__name__)

    def clear_requests(self) -> None:
        """Forget the recorded requests and restart the max_concurrent count."""
        with self._lock:
            self._requests.clear()
            self.max_concurrent = self._in_flight

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        count: int = 1,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        """Answer the next `count` requests under `path_prefix` with `status`.

        Rules are consumed in the order they were added; the failed requests
        are still recorded in ``.requests``.
        """
        with self._lock:
            self._fail_rules.append(
                _FailRule(path_prefix, status, count, dict(headers or {}), body)
            )

    # -- for subclasses ----------------------------------------------------
    def route(self, req: Recorded) -> Response:
        return Response(404, b"not found")

    # -- internals -----------------------------------------------------------
    def _dispatch(self, req: Recorded) -> Response:
        with self._lock:
            self._requests.append(req)
            self._in_flight += 1
            self.max_concurrent = max(self.max_concurrent, self._in_flight)
            rule = next(
                (r for r in self._fail_rules if r.remaining > 0 and req.path.startswith(r.prefix)),
                None,
            )
            if rule is not None:
                rule.remaining -= 1
        try:
            if rule is not None:
                return Response(rule.status, rule.body, dict(rule.headers))
            try:
                return self.route(req)
            except Exception as exc:  # a bug in a fake must show up, not hang
                with self._lock:
                    self.errors.append(exc)
                return Response(500, f"fake crashed: {exc!r}".encode())
        finally:
            with self._lock:
                self._in_flight -= 1

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
