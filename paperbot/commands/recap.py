"""`paperbot recap --channel slack:ID`: one channel's weekly recap posted now (or printed with --dry-run)."""

from __future__ import annotations

import sys

from bot.chat.outbox import Outbox
from bot.chat.recap import RecapResult, WeeklyRecap
from bot.config import Config
from bot.engine import Engine
from bot.errors import ConfigError, PaperbotError
from bot.weeks import IsoWeek

from ..platforms import PLATFORMS
from .common import write

NAME, HELP = "recap", "post (or print) one channel's weekly recap now"


def arguments(parser) -> None:
    parser.add_argument("--channel", required=True, help="a [[channels]] entry as platform:id, e.g. slack:C0123ABCD")
    parser.add_argument("--week", help="an ISO week, e.g. 2026-W23 (default: the week a recap posted now is of)")
    parser.add_argument("--dry-run", action="store_true", help="print the recap as Markdown instead of posting it")
    parser.add_argument("--force", action="store_true", help="post it even if the week was recapped already")


def parse_week(text: str | None) -> IsoWeek | None:
    if text is None:
        return None
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise ConfigError(f"--week {exc}") from None


async def run(config: Config, args, started: float) -> int:
    week = parse_week(args.week)
    channel = config.channel(args.channel)
    if args.dry_run:
        async with Engine(config, use_llm=not args.no_llm) as engine:
            recap = WeeklyRecap(engine)
            week = week or recap.week_due(channel)
            markdown = await recap.markdown(channel, week)
        if markdown is None:
            print(f"paperbot: nothing was posted to {channel.ref} in {week}: no recap", file=sys.stderr)
        else:
            write(markdown + "\n", None)
        return 0
    platform = PLATFORMS[channel.platform]
    # Connected first: a missing or rejected token is told before any work is done.
    async with Engine(config, use_llm=not args.no_llm) as engine, platform.connect(config) as conversation:
        recap = WeeklyRecap(engine)
        week = week or recap.week_due(channel)
        try:
            result = await recap.post(Outbox(conversation, engine.store), channel, week, force=args.force)
        except PaperbotError as exc:
            raise type(exc)(f"{exc}; what was posted is kept and the next run continues") from None
    print(f"paperbot: {outcome(result, str(channel.ref))}", file=sys.stderr)
    return 0


def outcome(result: RecapResult, channel: str) -> str:
    if result.already:
        return f"{result.week} was recapped in {channel} already; --force posts it again"
    if result.empty and not result.sent:
        return f"nothing was posted to {channel} in {result.week}: no recap"
    what = "a one-line note" if result.empty else "the recap"
    return f"{result.week}: posted {what} to {channel} ({result.sent} messages)"
