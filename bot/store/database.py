"""The SQLite file: opened once per process, WAL, and one BEGIN IMMEDIATE per write.

With WAL, plain upserts from two writers (the bot and a cron digest, say) still
fail with "database is locked"; taking the write lock up front with BEGIN
IMMEDIATE, with a busy timeout, is what makes them wait their turn instead.

What goes wrong with the file itself (a folder that cannot be made, a path
that is a folder, a read-only or damaged file) becomes one `StorageError`
sentence naming the file and the fix, and the file is never touched: a
read-only database still answers everything that only reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from ..clock import Clock, utc_now
from ..errors import StorageError
from .migrations import migrate

BUSY_TIMEOUT_S = 30
_DAMAGED = ("file is not a database", "database disk image is malformed", "malformed database schema")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def storage_error(path: Path, exc: BaseException) -> StorageError | None:
    """The sentence for what SQLite said about `path`, or None when it is not about the file itself."""
    text = str(exc)
    if any(d in text for d in _DAMAGED):
        return StorageError(f"the database {path} is damaged or not a paperbot database ({text}); move it aside "
                            "and restore a backup (see the README's \"Backups\"), or remove it to start fresh")
    if "readonly database" in text:
        return StorageError(f"the database {path} is read-only, so this cannot be saved; fix the file's "
                            "permissions (and its folder's), or set [storage] path to a writable file")
    if "unable to open database file" in text or "disk I/O error" in text:
        return StorageError(f"the database {path} cannot be opened ({text}); check that its folder exists and "
                            "is writable, or set [storage] path")
    return None


class _Connection(sqlite3.Connection):
    """Every statement's failure about the file itself comes out as the StorageError sentence."""

    path = Path()

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise storage_error(self.path, exc) or exc

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise storage_error(self.path, exc) or exc


def _connect(path: Path) -> sqlite3.Connection:
    if path.is_dir():
        raise StorageError(f"the database path {path} is a folder; set [storage] path to a file in it, "
                           f"e.g. {path / 'paperbot.db'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), path.parent)
        raise StorageError(f"the database {path} cannot be created: {blocker} is a file, not a folder; "
                           "set [storage] path to a file in a folder") from None
    except OSError as exc:
        raise StorageError(f"the folder for the database {path} cannot be created ({exc.strerror}); "
                           "create it with write permission, or set [storage] path") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, factory=_Connection)
    except sqlite3.DatabaseError as exc:
        raise storage_error(path, exc) or exc from None
    conn.path = path
    return conn


class StoreBase:
    def __init__(self, path: str | Path, *, clock: Clock = utc_now):
        # The chat's timestamps (posts, votes, read marks: what a weekly recap counts) come from this clock.
        self.clock = clock
        self.path = Path(path)
        self.db = Database(_connect(self.path))
        if self.db.execute("pragma journal_mode").fetchone()[0] != "wal":
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
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise
        else:
            self.db.conn.execute("COMMIT")
