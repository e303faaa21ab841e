"""The part every WebSocket-speaking fake shares: an aiohttp app on 127.0.0.1 (port 0), served from
its own event loop in a background thread, so tests drive it from sync code or from their own loop.

Why not ``FakeServer`` (http.server) like the arXiv and LLM fakes: Slack's Socket Mode and
Discord's gateway are WebSockets, which http.server cannot speak. A subclass adds its routes in
``_add_routes`` and keeps its open WebSockets in ``_sockets`` so that stopping closes them.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Self

from aiohttp import web

from .waiting import wait_until, wait_until_sync


class ThreadedApp:
    def __init__(self) -> None:
        self.port = 0
        self.errors: list[BaseException] = []  # exceptions inside the fake (a bug in it)
        self._sockets: list[web.WebSocketResponse] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def _on_start(self) -> None:
        """Set-up that must happen on the fake's own loop (locks, futures)."""

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if self._loop is not None:
            return self
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        self._run(self._serve(), timeout=5)
        return self

    def stop(self) -> None:
        """Close the WebSockets and the server. From async code use ``async with`` (or
        ``await asyncio.to_thread(fake.stop)``) so the client's loop can answer the close frame."""
        if self._loop is None:
            return
        try:
            self._run(self._shutdown(), timeout=5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self, coro: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _on_loop(self, coro: Any) -> Any:
        """Run `coro` on the fake's loop and await it from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    async def _serve(self) -> None:
        await self._on_start()
        app = web.Application()
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake stopping")
        await self._runner.cleanup()

    # -- waiting (short polls with a deadline: no fixed sleeps in tests) ---------------------------
    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 2.0) -> Any:
        """Poll `predicate` until it returns something truthy (returned); TimeoutError after `timeout`."""
        return await wait_until(predicate, timeout, type(self).__name__)

    def wait_until_sync(self, predicate: Callable[[], Any], timeout: float = 2.0) -> Any:
        return wait_until_sync(predicate, timeout, type(self).__name__)
