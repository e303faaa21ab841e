"""`paperbot run`: the bot, on every platform that has a channel or a token, on one engine."""

from __future__ import annotations

import asyncio
import signal

from bot.chat.core import Core
from bot.config import Config
from bot.engine import Engine
from bot.errors import ConfigError
from bot.site.refresh import SiteRefresher

from ..platforms import wanted

NAME, HELP = "run", "run the chat bot: scheduled posts, /paper, /mustread, votes"


def arguments(parser) -> None:
    pass


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
        # Loaded before the bot starts, not on its event loop in the middle of the first post or /paper.
        await engine.days.warm_up()
        core = Core.build(engine, stop, platforms=len(services))
        if config.site_dir:  # the archive follows each morning post
            core.jobs.after_post.append(SiteRefresher(config))
        tasks = [asyncio.create_task(run_service(core, stop), name=run_service.__name__) for run_service in services]
        try:
            for finished in asyncio.as_completed(tasks):
                await finished
        except BaseException:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            core.jobs.shutdown()
