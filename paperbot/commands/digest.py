"""`paperbot digest`: the day's digest as Markdown, with a one-line summary of what it cost."""

from __future__ import annotations

import sys
import time

from bot.config import Config
from bot.digest import Digest
from bot.document.markdown import render_digest
from bot.engine import Engine

from ..progress import TqdmProgress
from .common import check_date, exit_code, say_if_analyses_are_off, write

NAME, HELP = "digest", "build the digest of an announcement day as Markdown"


def arguments(parser) -> None:
    parser.add_argument("--channel", help="a [[channels]] entry (slack:C0123ABCD): that channel's digest, with its "
                                          "overrides and its taste, as Markdown, without posting")
    parser.add_argument("--date", help="YYYY-MM-DD: the current announcement or a stored day (default: current)")
    parser.add_argument("--out", help="write the Markdown to this file (default: stdout)")


async def run(config: Config, args, started: float) -> int:
    check_date(args.date)
    async with Engine(config, use_llm=not args.no_llm) as engine:
        engine.days.warm_up()  # while the feed is read
        progress = TqdmProgress()
        try:
            profile = config.profile(config.channel(args.channel).ref if args.channel else None)
            built = await engine.build_digest(profile, args.date, progress=progress)
        finally:
            progress.close()
        write(render_digest(built), args.out)
        summary_line(engine, built, time.perf_counter() - started)
        say_if_analyses_are_off(engine, args)
        return exit_code(engine, built.entries, built.summary)


def summary_line(engine: Engine, built: Digest, seconds: float) -> None:
    usage = engine.store.usage(engine.run_id)
    failed = f" ({usage.failed} failed attempts)" if usage.failed else ""
    print(f"paperbot: {built.date}: {built.announced} papers announced, {built.picked} picked, "
          f"{usage.calls} LLM calls{failed}, {usage.prompt_tokens} tokens in / {usage.completion_tokens} out, "
          f"{seconds:.1f} s", file=sys.stderr)
