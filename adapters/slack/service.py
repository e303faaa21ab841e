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

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.chat.core import Core
from bot.config import ChannelConfig, Config, secret_from_env
from bot.errors import ConfigError

from .app import build_app
from .conversation import SlackConversation, make_client, unreachable

log = logging.getLogger(__name__)

BOT_TOKEN, APP_TOKEN, SIGNING_SECRET = "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"


def _secret(name: str, what: str) -> str:
    return secret_from_env(name, what, "Slack")


@contextlib.asynccontextmanager
async def connect(config: Config) -> AsyncIterator[SlackConversation]:
    """Slack for sending only (`paperbot post`): the bot token from the environment, no app."""
    token = _secret(BOT_TOKEN, "the app's bot token, xoxb-...")
    yield SlackConversation(make_client(token, config.slack.api_url))


async def run_slack(core: Core, stop: asyncio.Event) -> None:
    """Run until `stop`, on the process's one engine and jobs (shared with the other platforms)."""
    config = core.engine.config
    channels = core.jobs.channels("slack")
    token = _secret(BOT_TOKEN, "the app's bot token, xoxb-...")
    socket = config.slack.mode == "socket"
    app_token = _secret(APP_TOKEN, "an app-level token with connections:write, xapp-...") if socket else None
    secret = _secret(SIGNING_SECRET, "the app's signing secret") if not socket else "socket-mode"
    client = make_client(token, config.slack.api_url)
    await _check(client, channels)

    app = build_app(core.desk, client, signing_secret=secret, asker=core.asker)
    handler, runner = None, None
    try:
        if socket:
            handler = AsyncSocketModeHandler(app, app_token)
            await handler.connect_async()
        else:
            runner = web.AppRunner(app.web_app(path="/slack/events"))
            await runner.setup()
            await web.TCPSite(runner, config.slack.host, config.slack.port).start()
        core.jobs.attach(SlackConversation(client))
        log.info("paperbot is running on Slack (%s mode) for %s", config.slack.mode,
                 ", ".join(str(c.ref) for c in channels) or "commands only")
        await stop.wait()
    finally:
        await core.jobs.detach("slack")  # lets a post in flight finish before the connection closes
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
    except (aiohttp.ClientError, OSError) as exc:  # DNS failure, closed port, no network
        raise unreachable(client, exc) from None
    for channel in channels:
        try:
            info = await client.conversations_info(channel=channel.id)
        except SlackApiError as exc:
            raise ConfigError(f"paperbot cannot see Slack channel {channel.id} ({exc.response.get('error')}); "
                              "check the id in [[channels]]") from None
        if not info["channel"].get("is_member", True):
            raise ConfigError(f"paperbot is not in Slack channel {channel.id}; invite it: /invite @paperbot")
