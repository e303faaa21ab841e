"""`paperbot run` for Discord: the gateway client (commands, votes) plus each channel's scheduled post.

Start-up checks what a new user gets wrong first (the token, a channel the bot
cannot see) and says so in one sentence. Stopping is clean: the message being
sent finishes, the rest of the thread is posted on the next start. A gateway
reconnect (op 7, a dropped connection) is discord.py's business: it resumes the
session, and the posts ledger, not the connection, guards against posting twice.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.chat.core import Core
from bot.config import ChannelConfig, secret_from_env
from bot.errors import ConfigError

from .app import PaperBot
from .conversation import CHANNEL_PERMISSIONS, TOKEN_ENV, DiscordConversation, configure_endpoints, explain, login, resolve_channel
from .conversation import connect  # noqa: F401 - the platform's sender, for paperbot.platforms

log = logging.getLogger(__name__)


async def run_discord(core: Core, stop: asyncio.Event) -> None:
    """Run until `stop`, on the process's one engine and jobs (shared with the other platforms)."""
    config = core.engine.config
    channels = core.jobs.channels("discord")
    token = secret_from_env(TOKEN_ENV, "the application's bot token", "Discord")
    configure_endpoints(config.discord)
    client = PaperBot(core.desk, config, core.asker)
    gateway: asyncio.Task | None = None
    try:
        await login(client, token)  # runs setup_hook: the slash commands are registered here
        gateway = asyncio.create_task(client.connect(), name="discord gateway")
        await _first(client.wait_until_ready(), gateway, stop)
        if stop.is_set():  # stopped while connecting (SIGTERM, or the other platform failed to start)
            return
        await _check(client, channels)
        core.jobs.attach(DiscordConversation(client, config.votes.emoji))
        log.info("paperbot is running on Discord as %s for %s", client.user,
                 ", ".join(str(c.ref) for c in channels) or "commands only")
        await _first(stop.wait(), gateway, stop)
    finally:
        await core.jobs.detach("discord")  # lets a post in flight finish before the connection closes
        await client.close()
        if gateway is not None:
            try:
                await gateway
            except (Exception, asyncio.CancelledError) as exc:  # closed mid-connect: aiohttp may raise anything
                log.debug("the gateway ended with %r while stopping", exc)
        log.info("paperbot stopped on Discord; anything not posted yet is posted on the next start")


async def _first(wanted, gateway: asyncio.Task, stop: asyncio.Event) -> None:
    """Wait for `wanted` or a stop, unless the gateway ends first (a refused intent): then raise why."""
    waiting, stopping = asyncio.ensure_future(wanted), asyncio.ensure_future(stop.wait())
    await asyncio.wait({waiting, stopping, gateway}, return_when=asyncio.FIRST_COMPLETED)
    for task in (waiting, stopping):
        task.cancel()
    if not gateway.done() or stop.is_set():
        return
    exc = gateway.exception()
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        raise ConfigError("Discord refused the gateway intents; paperbot needs no privileged intent, "
                          "so check that this is paperbot's token") from None
    raise ConfigError(f"the Discord gateway closed ({exc or 'without an error'}); paperbot stops") from exc


async def _check(client: discord.Client, channels: tuple[ChannelConfig, ...]) -> None:
    """Each channel exists and the bot has what the morning post needs there: the gateway lists every
    channel of a server, also those the bot cannot see, so existing is not enough."""
    for channel in channels:
        try:
            found = await resolve_channel(client, channel.id)
        except discord.HTTPException as exc:
            raise ConfigError(explain(exc, channel.id)) from None
        me = getattr(found.guild, "me", None)
        if me is None:  # no member data for the bot (not in the cache): the first post will tell
            continue
        allowed = found.permissions_for(me)
        if not allowed.view_channel:
            raise ConfigError(f"paperbot cannot see Discord channel {channel.id}; let its role view the channel "
                              "(or invite it with the README's URL)")
        missing = [name for name, wanted in CHANNEL_PERMISSIONS if wanted and not getattr(allowed, name)]
        if missing:
            raise ConfigError(f"paperbot lacks {', '.join(p.replace('_', ' ') for p in missing)} in Discord channel "
                              f"{channel.id}; give its role these permissions there (or invite it with the README's URL)")
