"""A consistent copy of the database while the bot keeps writing: SQLite's online backup API.

Never `cp` a live WAL database: the copy can miss what is still in the -wal file
or catch a page half-written. The backup API copies a consistent snapshot,
page by page, and starts again by itself when a writer changes a page it has
copied. The copy is written next to the target and renamed into place, so a
backup that fails halfway leaves no half-file behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import StorageError
from .database import storage_error

PAGES_PER_STEP = 1024


def backup(source: Path, target: Path, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Copy the database at `source` to `target` (a new file); returns its size in bytes."""
    if not source.is_file():
        raise StorageError(f"there is no database at {source} yet, so nothing to back up; check [storage] path")
    partial = target.with_name(target.name + ".partial")
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP,
                       progress=(lambda status, remaining, total: progress(total - remaining, total)) if progress else None)
        finally:
            dst.close()
            src.close()
        partial.replace(target)
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise storage_error(source, exc) or StorageError(f"the backup of {source} failed ({exc}); try again") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"the backup cannot be written to {target} ({exc.strerror}); pick a writable place") from None
    return target.stat().st_size
