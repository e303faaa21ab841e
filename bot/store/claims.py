"""Claims: leases in SQLite that make a piece of paid work happen once across processes.

Before an analysis is paid for (or a full text downloaded) its key is claimed
in one BEGIN IMMEDIATE: the claim names its holder (one per open Store, so
per process) and an expiry. Another process that wants the same key waits for
the stored result instead of calling the model. The holder renews its lease
while it works; a holder that dies stops renewing, its claim lapses after
`lease_s`, and the next one takes over. Within one process the callers of a
key share one in-flight future first, so only one of them claims or polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from ..clock import Clock, utc_now
from .database import StoreBase

log = logging.getLogger(__name__)
T = TypeVar("T")


class ClaimsStore(StoreBase):
    def __init__(self, path: str | Path, *, lease_s: float = 60.0, clock: Clock = utc_now):
        super().__init__(path, clock=clock)
        self.holder = uuid.uuid4().hex
        self.lease_s = lease_s
        self._inflight: dict[str, asyncio.Future] = {}

    def claim(self, key: str) -> bool:
        """Take or renew the lease on `key`; False while another holder's lease runs."""
        with self.write() as db:
            row = db.execute("select holder, expires_at from claims where key = ?", [key]).fetchone()
            now = time.time()
            if row and row[0] != self.holder and row[1] > now:
                return False
            db.execute("insert or replace into claims (key, holder, expires_at) values (?, ?, ?)",
                       [key, self.holder, now + self.lease_s])
            return True

    def release(self, key: str) -> None:
        with self.write() as db:
            db.execute("delete from claims where key = ? and holder = ?", [key, self.holder])

    async def once(self, key: str, lookup: Callable[[], T | None], produce: Callable[[], Awaitable[T]], *,
                   fresh: bool = False) -> T:
        """What `lookup` finds stored for `key`, else what `produce` makes (and stores) under a claim.

        `fresh`: produce anew even if something is stored, unless it is being produced right now (here or
        in another process); then that result is fresh enough and is returned.
        """
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        if not fresh and (found := lookup()) is not None:
            return found
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._claimed(key, lookup, produce, fresh)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a lone caller must not log "never retrieved"
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._inflight[key]

    async def _claimed(self, key: str, lookup: Callable[[], T | None], produce: Callable[[], Awaitable[T]],
                       fresh: bool) -> T:
        poll_s, waited = min(1.0, self.lease_s / 10), False
        while True:
            if self.claim(key):
                try:
                    if (waited or not fresh) and (found := lookup()) is not None:
                        return found  # finished by another process between our lookup and our claim
                    return await self._renewing(key, produce)
                finally:
                    self.release(key)
            if not waited:
                log.info("%s is being written by another process: waiting for it", key)
            waited = True
            await asyncio.sleep(poll_s)
            if not fresh and (found := lookup()) is not None:
                return found

    async def _renewing(self, key: str, produce: Callable[[], Awaitable[T]]) -> T:
        async def renew() -> None:
            while True:
                await asyncio.sleep(self.lease_s / 3)
                self.claim(key)

        renewal = asyncio.create_task(renew())
        try:
            return await produce()
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
