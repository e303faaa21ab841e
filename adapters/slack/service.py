"""`paperbot run` for Slack: the app (Socket Mode or HTTP) plus each channel's scheduled post.

Start-up checks what a new user gets wrong first (tokens, the bot not in a
channel) and says so in one sentence. Stopping is clean: the message being
sent finishes, the rest of the thread is posted on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timezone

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.chat.desk import Desk
from bot.chat.morning import ChannelJob
from bot.chat.outbox import Outbox
from bot.config import ChannelConfig, Config, secret_from_env
from bot.engine import Engine
from bot.errors import ConfigError
from bot.scheduler import DigestScheduler

from .app import build_app
from .conversation import SlackConversation, make_client

log = logging.getLogger(__name__)

BOT_TOKEN, APP_TOKEN, SIGNING_SECRET = "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"


def _secret(name: str, what: str) -> str:
    return secret_from_env(name, what, "Slack")


@contextlib.asynccontextmanager
async def connect(config: Config) -> AsyncIterator[SlackConversation]:
    """Slack for sending only (`paperbot post`): the bot token from the environment, no app."""
    token = _secret(BOT_TOKEN, "the app's bot token, xoxb-...")
    yield SlackConversation(make_client(token, config.slack.api_url))


async def run_slack(engine: Engine, desk: Desk, stop: asyncio.Event) -> None:
    """Run until `stop`, on the process's one engine (shared with the other platforms)."""
    config = engine.config
    channels = tuple(c for c in config.channels if c.platform == "slack")
    token = _secret(BOT_TOKEN, "the app's bot token, xoxb-...")
    socket = config.slack.mode == "socket"
    app_token = _secret(APP_TOKEN, "an app-level token with connections:write, xapp-...") if socket else None
    secret = _secret(SIGNING_SECRET, "the app's signing secret") if not socket else "socket-mode"
    client = make_client(token, config.slack.api_url)
    await _check(client, channels)

    app = build_app(desk, client, signing_secret=secret)
    job = ChannelJob(engine, Outbox(SlackConversation(client), engine.store, stop=stop))
    scheduler = DigestScheduler(channels, job.post, catch_up_hours=config.digest.catch_up_hours)
    handler, runner = None, None
    try:
        if socket:
            handler = AsyncSocketModeHandler(app, app_token)
            await handler.connect_async()
        else:
            runner = web.AppRunner(app.web_app(path="/slack/events"))
            await runner.setup()
            await web.TCPSite(runner, "0.0.0.0", config.slack.port).start()
        scheduler.start(datetime.now(timezone.utc))
        log.info("paperbot is running on Slack (%s mode) for %s", config.slack.mode,
                 ", ".join(str(c.ref) for c in channels) or "commands only")
        await stop.wait()
    finally:
        await job.finish()  # before the scheduler's shutdown, which would cancel it
        scheduler.shutdown()
        if handler:
            await handler.close_async()
        if runner:
            await runner.cleanup()
        log.info("paperbot stopped; anything not posted yet is posted on the next start")


async def _check(client, channels: tuple[ChannelConfig, ...]) -> None:
    try:
        await client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(f"Slack rejected {BOT_TOKEN} ({exc.response.get('error')}); copy the Bot User OAuth "
                          "Token from the app's OAuth & Permissions page") from None
    for channel in channels:
        try:
            info = await client.conversations_info(channel=channel.id)
        except SlackApiError as exc:
            raise ConfigError(f"paperbot cannot see Slack channel {channel.id} ({exc.response.get('error')}); "
                              "check the id in [[channels]]") from None
        if not info["channel"].get("is_member", True):
            raise ConfigError(f"paperbot is not in Slack channel {channel.id}; invite it: /invite @paperbot")
