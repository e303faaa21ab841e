"""The SQLite file: opened once per process, WAL, and one BEGIN IMMEDIATE per write.

With WAL, plain upserts from two writers (the bot and a cron digest, say) still
fail with "database is locked"; taking the write lock up front with BEGIN
IMMEDIATE, with a busy timeout, is what makes them wait their turn instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from ..clock import Clock, utc_now
from .migrations import migrate

BUSY_TIMEOUT_S = 30


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StoreBase:
    def __init__(self, path: str | Path, *, clock: Clock = utc_now):
        # The chat's timestamps (posts, votes, read marks: what a weekly recap counts) come from this clock.
        self.clock = clock
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = Database(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S))
        self.db.enable_wal()
        migrate(self.db, self.write)

    def close(self) -> None:
        self.db.close()

    def now(self) -> str:
        """The store clock's time, as the chat tables keep it (UTC ISO, seconds)."""
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    @contextmanager
    def write(self) -> Iterator[Database]:
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        else:
            self.db.conn.execute("COMMIT")
