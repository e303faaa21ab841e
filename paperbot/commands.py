"""The commands: each builds the process's one engine, does its work and closes it."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import sys
import time
from pathlib import Path

from bot.arxiv.listing import is_iso_date
from bot.chat.desk import Desk
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import VoteBook
from bot.config import Config
from bot.digest import Digest
from bot.document.markdown import ANALYSES_OFF, render_digest, render_entry
from bot.engine import Engine
from bot.errors import ConfigError, PaperbotError
from bot.models import ChannelRef

from .platforms import PLATFORMS, wanted
from .progress import TqdmProgress

log = logging.getLogger("paperbot")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _check_date(date: str | None) -> None:
    if date and not is_iso_date(date):
        raise PaperbotError(f"--date {date!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09")


async def digest(config: Config, args, started: float) -> int:
    _check_date(args.date)
    async with Engine(config, use_llm=not args.no_llm) as engine:
        progress = TqdmProgress()
        try:
            built = await engine.build_digest(config.profile(), args.date, progress=progress)
        finally:
            progress.close()
        _write(render_digest(built), args.out)
        _summary_line(engine, built, time.perf_counter() - started)
    return 0


def _summary_line(engine: Engine, built: Digest, seconds: float) -> None:
    usage = engine.store.usage(engine.run_id)
    print(f"paperbot: {built.date}: {built.announced} papers announced, {built.picked} picked, "
          f"{usage.calls} LLM calls, {usage.prompt_tokens} tokens in / {usage.completion_tokens} out, "
          f"{seconds:.1f} s", file=sys.stderr)


async def paper(config: Config, args, started: float) -> int:
    if args.lang is not None and not _LANGUAGE_RE.match(args.lang):
        raise ConfigError(f"--lang {args.lang!r} is not a language code; use e.g. zh or en")
    language = args.lang or config.llm.language
    async with Engine(config, use_llm=not args.no_llm) as engine:
        progress = TqdmProgress()
        progress.note("fetching the full text and writing the deep analysis" if args.deep else "writing the analysis")
        try:
            entry = await engine.paper(args.id, language, deep=args.deep, refresh=args.refresh)
        finally:
            progress.close()
        analyses_off = engine.llm is None
    text = render_entry(entry, language=language, analyses_off=analyses_off)
    _write(text + (f"\n\n> {ANALYSES_OFF}\n" if analyses_off else "\n"), None)
    return 0


async def post(config: Config, args, started: float) -> int:
    _check_date(args.date)
    channel = config.channel(args.channel)
    platform = PLATFORMS[channel.platform]
    # Connected first: a missing or rejected token is told before any work is done.
    async with Engine(config, use_llm=not args.no_llm) as engine, platform.connect(config) as conversation:
        progress = TqdmProgress()
        try:
            built = await engine.build_digest(config.profile(channel.ref), args.date, progress=progress)
        finally:
            progress.close()
        before = len(engine.store.posted(channel.ref, built.date))
        try:
            sent = await MorningPost(Outbox(conversation, engine.store), config.votes.emoji).post_digest(
                channel.ref, built)
        except PaperbotError as exc:
            raise type(exc)(f"{exc}; what was posted is kept and the next run continues") from None
    print(f"paperbot: {built.date}: posted {sent} messages to {channel.ref}"
          + (f" ({before} were posted before)" if before else ""), file=sys.stderr)
    return 0


async def run(config: Config, args, started: float) -> int:
    platforms = wanted(config)
    if not platforms:
        raise ConfigError("nothing to run: add a [[channels]] entry with platform = \"slack\" or \"discord\" and "
                          "set SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(config, [p.run() for p in platforms], stop)
    return 0


async def serve(config: Config, services, stop: asyncio.Event) -> None:
    """Run the platforms' services on one engine until `stop`: one Store, one pacer, one LLM limit and one
    in-flight table for all of them. One failing (a bad token) stops the others cleanly, and its error is
    what to fix."""
    async with Engine(config) as engine:
        desk = Desk(engine, VoteBook(engine.store, emoji=config.votes.emoji, threshold=config.votes.threshold))
        tasks = [asyncio.create_task(run_service(engine, desk, stop), name=run_service.__name__)
                 for run_service in services]
        try:
            for finished in asyncio.as_completed(tasks):
                await finished
        except BaseException:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise


def _write(text: str, out: str | None) -> None:
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


COMMANDS = {"digest": digest, "paper": paper, "post": post, "run": run}
