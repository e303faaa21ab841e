"""`paperbot`: the command line. Thin: parse arguments, run a command, turn expected failures into one
sentence and an exit code (README, "Exit codes")."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before our imports: the summary line counts them too (see main)

import argparse  # noqa: E402 - after the clock above, on purpose
import asyncio  # noqa: E402
import logging  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.errors import NoAnnouncement, PaperbotError  # noqa: E402
from bot.store.database import storage_error  # noqa: E402

from . import commands  # noqa: E402
from .__main__ import INTERRUPTED  # noqa: E402
from .commands.common import common_options  # noqa: E402

log = logging.getLogger("paperbot")
_IMPORT_S = time.perf_counter() - _STARTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbot", description="Each morning's arXiv papers, picked and read for your team.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)
    common = common_options()
    for command in commands.ALL:
        command.arguments(sub.add_parser(command.NAME, parents=[common], help=command.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    global _STARTED
    _STARTED = time.perf_counter() - _IMPORT_S  # this run, plus the one-off cost of our imports
    args = _parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    config = None
    try:
        config = load_config(args.config)
        command = next(c for c in commands.ALL if c.NAME == args.command)
        return asyncio.run(command.run(config, args, _STARTED))
    except sqlite3.DatabaseError as exc:  # met while reading rows: the same sentence as at open
        error = storage_error(config.db_path, exc) if config else None
        if error is None:
            raise
        print(f"paperbot: error: {error}", file=sys.stderr)
        return error.exit_code
    except NoAnnouncement as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except PaperbotError as exc:
        print(f"paperbot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, end="", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
