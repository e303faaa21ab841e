"""What several commands share: the common options, date checks, writing output."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.arxiv.listing import is_iso_date
from bot.errors import PaperbotError

log = logging.getLogger("paperbot")


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="config file (default: $PAPERBOT_CONFIG, else the bundled defaults)")
    common.add_argument("--no-llm", action="store_true", help="no LLM calls: metadata, abstracts, key findings, links")
    return common


def check_date(date: str | None) -> None:
    if date and not is_iso_date(date):
        raise PaperbotError(f"--date {date!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09")


def write(text: str, out: str | None) -> None:
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # never leave a half-written digest behind
        log.info("wrote %s", path)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
