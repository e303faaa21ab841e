"""What several commands share: the common options, date checks, writing output."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.arxiv.listing import is_iso_date
from bot.digest import DigestEntry
from bot.engine import Engine
from bot.errors import UsageError

log = logging.getLogger("paperbot")


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="config file (default: $PAPERBOT_CONFIG, else the bundled defaults)")
    common.add_argument("--no-llm", action="store_true", help="no LLM calls: metadata, abstracts, key findings, links")
    return common


# The README's exit codes: 0 done, 1 arXiv/LLM/storage trouble, 2 bad input, 3 written without analyses.
NO_ANALYSES = 3


def check_date(date: str | None) -> None:
    if date and not is_iso_date(date):
        raise UsageError(f"--date {date!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09")


def say_if_analyses_are_off(engine: Engine, args) -> None:
    """With no key for OpenAI the output says analyses are off; stderr (what cron mails) says it too."""
    if engine.llm is None and not args.no_llm:
        print(f"paperbot: analyses are off: set {engine.config.llm.api_key_env} to your OpenAI key (or point "
              "[llm] base_url at another server) to have them written", file=sys.stderr)


def exit_code(engine: Engine, entries: tuple[DigestEntry, ...] | list[DigestEntry], summary: object = None) -> int:
    """NO_ANALYSES when analyses were wanted and not one could be written (LLM down, quota, key), so cron
    and systemd notice; the sentence names the reason. 0 otherwise."""
    if engine.llm is None or not entries or summary is not None or any(e.analysis or e.deep for e in entries):
        return 0
    reasons = [e.analysis_note for e in entries if e.analysis_note]
    reason = max(set(reasons), key=reasons.count) if reasons else "no usable answer"
    print(f"paperbot: error: no analysis could be written ({reason}); the output has the abstracts only, and "
          "a later run writes the analyses once the LLM answers", file=sys.stderr)
    return NO_ANALYSES


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
