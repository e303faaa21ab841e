"""`paperbot backup FILE`: a consistent copy of the database, safe while the bot is running."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Config
from bot.errors import ConfigError
from bot.store.backup import backup

from ..progress import TqdmProgress

NAME, HELP = "backup", "copy the database to FILE, consistent even while the bot writes"


def arguments(parser) -> None:
    parser.add_argument("file", help="where the copy goes (a new file)")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


async def run(config: Config, args, started: float) -> int:
    target = Path(args.file).expanduser()
    if target.is_dir():
        raise ConfigError(f"{target} is a folder; name the backup file, e.g. {target / 'paperbot-backup.db'}")
    if target.exists() and not args.force:
        raise ConfigError(f"{target} exists; pick a new name, or add --force to replace it")
    if target.resolve() == config.db_path.resolve():
        raise ConfigError(f"{target} is the database itself; pick another file")
    progress = TqdmProgress()

    def step(done: int, total: int) -> None:
        progress.total(total)
        progress.advance(done - progress.bar.n, "pages")

    try:
        size = await asyncio.to_thread(backup, config.db_path, target, progress=step)
    finally:
        progress.close()
    print(f"paperbot: backed up {config.db_path} to {target} ({size:,} bytes)", file=sys.stderr)
    return 0
