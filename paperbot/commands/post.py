"""`paperbot post --channel slack:ID`: one channel's digest posted now (what is not posted yet)."""

from __future__ import annotations

import sys

from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.config import Config
from bot.engine import Engine
from bot.errors import PaperbotError

from ..platforms import PLATFORMS
from ..progress import TqdmProgress
from .common import check_date, exit_code, say_if_analyses_are_off

NAME, HELP = "post", "post one digest to a configured channel now"


def arguments(parser) -> None:
    parser.add_argument("--channel", required=True, help="a [[channels]] entry as platform:id, e.g. slack:C0123ABCD")
    parser.add_argument("--date", help="YYYY-MM-DD: the current announcement or a stored day (default: current)")


async def run(config: Config, args, started: float) -> int:
    check_date(args.date)
    channel = config.channel(args.channel)
    platform = PLATFORMS[channel.platform]
    # Connected first: a missing or rejected token is told before any work is done.
    async with Engine(config, use_llm=not args.no_llm) as engine, platform.connect(config) as conversation:
        engine.days.warm_up()  # while the feed is read
        progress = TqdmProgress()
        try:
            built = await engine.build_digest(config.profile(channel.ref), args.date, progress=progress)
        finally:
            progress.close()
        before = len(engine.store.posted(channel.ref, built.date))
        try:
            sent = await MorningPost(Outbox(conversation, engine.store), config.votes.emoji, config.votes.down_emoji).post_digest(
                channel.ref, built)
        except PaperbotError as exc:
            raise type(exc)(f"{exc}; what was posted is kept and the next run continues") from None
        print(f"paperbot: {built.date}: posted {sent} messages to {channel.ref}"
              + (f" ({before} were posted before)" if before else ""), file=sys.stderr)
        say_if_analyses_are_off(engine, args)
        return exit_code(engine, built.entries, built.summary)
