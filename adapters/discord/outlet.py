"""The morning post on Discord: how bot.posting sends (exactly once, resumable) reaches Discord.

The parent goes to the channel, a public thread is started from it, and each
paper's message goes into the thread. A thread started from a message has the
message's id, so resuming after a crash between the parent and the thread
needs no record of its own: "a thread already exists" (160004) names it.
A 429 is waited out by discord.py's HTTP client, per bucket, and bot.posting
sends one message at a time, so the order holds.
"""

from __future__ import annotations

import hashlib
import logging

import aiohttp
import discord
import yarl

from bot.config import Config, DiscordConfig
from bot.digest import Digest, DigestEntry
from bot.errors import ConfigError, PaperbotError
from bot.posting import DigestPoster
from bot.store import Store

from .embeds import MAX_THREAD_NAME, DiscordMessage, clip, note_message, paper_messages, parent_messages
from .reactions import VoteEmoji

log = logging.getLogger(__name__)

# paperbot never joins voice: discord.py's warnings at start that voice libraries are missing are noise.
discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False

TOKEN_ENV = "DISCORD_BOT_TOKEN"
THREAD_EXISTS = 160004
NO_MENTIONS = discord.AllowedMentions.none()
# What the invite URL asks for (the README's URL carries this value).
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True,
                                  add_reactions=True, create_public_threads=True, send_messages_in_threads=True,
                                  use_application_commands=True)
# What the bot itself needs in a posting channel (commands are a permission of the members who use them).
CHANNEL_PERMISSIONS = discord.Permissions(PERMISSIONS.value & ~discord.Permissions(use_application_commands=True).value)

_FIXES = {
    10003: "check the channel id in [[channels]] (developer mode on, right-click the channel, Copy Channel ID)",
    50001: "the bot cannot see the channel: invite it with the README's URL and let its role view the channel",
    50013: "the bot lacks a permission there: send messages, create public threads, send messages in threads",
}


def target(channel: int | str) -> str:
    return f"discord:{channel}"


def configure_endpoints(config: DiscordConfig) -> None:
    """discord.py reads its REST base and gateway from class attributes, so they are set process-wide."""
    discord.http.Route.BASE = config.api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def intents() -> discord.Intents:
    """Guilds (channels, threads) and guild reactions (votes): no privileged intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_reactions = True
    return wanted


def explain(exc: discord.HTTPException, channel: str) -> str:
    """A Discord error as the sentence a user can act on."""
    fix = _FIXES.get(exc.code, "see https://discord.com/developers/docs/topics/opcodes-and-status-codes")
    return f"Discord refused channel {channel} ({exc.status} {exc.text or exc.code}); {fix}"


async def resolve_channel(client: discord.Client, channel_id: int | str):
    """The channel from the gateway's cache, else from the API (a CLI post has no gateway)."""
    return client.get_channel(int(channel_id)) or await client.fetch_channel(int(channel_id))


async def start_thread(client: discord.Client, channel_id: int | str, message_id: int | str, name: str) -> str:
    """The public thread under a message, started now or found (it has the message's id)."""
    channel = await resolve_channel(client, channel_id)
    if isinstance(channel, discord.Thread):  # no threads inside threads: stay in this one
        return str(channel.id)
    try:
        thread = await channel.get_partial_message(int(message_id)).create_thread(name=clip(name, MAX_THREAD_NAME))
    except discord.HTTPException as exc:
        if exc.code == THREAD_EXISTS:
            return str(message_id)
        raise
    return str(thread.id)


class DiscordOutlet:
    """Discord for bot.posting: embeds, a thread from the parent, mentions off on every message."""

    platform = "discord"

    def __init__(self, client: discord.Client, vote_emoji: tuple[str, ...] = ("star", "+1")):
        self.client = client
        self.vote_emoji = VoteEmoji(vote_emoji).shown

    def parent_messages(self, digest: Digest) -> list[DiscordMessage]:
        return parent_messages(digest)

    def paper_messages(self, entry: DigestEntry, language: str) -> list[DiscordMessage]:
        return paper_messages(entry, self.vote_emoji, language)

    def note_message(self, text: str) -> DiscordMessage:
        return note_message(text)

    async def send(self, channel: str, message: DiscordMessage, *, thread: str | None, key: str) -> str:
        # A nonce made from the key, enforced: if we die after Discord created the message but before we
        # recorded it, the resend on restart (within Discord's few-minute window) gets the same message back.
        nonce = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        where = self.client.get_partial_messageable(int(thread or channel))
        return str((await send(where, message, nonce=nonce)).id)

    async def open_thread(self, channel: str, parent: str, name: str) -> str:
        return await start_thread(self.client, channel, parent, name)


async def send(where: discord.abc.Messageable | discord.Webhook, message: DiscordMessage, **extra) -> discord.Message:
    return await where.send(content=message.content or None, embeds=[discord.Embed.from_dict(e) for e in message.embeds],
                            allowed_mentions=NO_MENTIONS, **extra)


async def post_to_discord(token: str, config: Config, channel: str, digest: Digest, store: Store) -> tuple[int, int]:
    """Post a digest over REST only (no gateway); returns (sent now, posted before)."""
    configure_endpoints(config.discord)
    client = discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS)
    before = len(store.posted(target(channel), digest.date))
    try:
        await login(client, token)
        sent = await DigestPoster(DiscordOutlet(client, config.votes.emoji), store).post_digest(channel, digest)
    except discord.HTTPException as exc:
        raise PaperbotError(f"{explain(exc, channel)}; what was posted is kept and the next run continues") from None
    finally:
        await client.close()
    return sent, before


async def login(client: discord.Client, token: str) -> None:
    try:
        await client.login(token)
    except discord.LoginFailure:
        raise ConfigError(f"Discord rejected {TOKEN_ENV}; copy the token from the application's Bot page "
                          "(Reset Token) in the Discord developer portal") from None
    except (aiohttp.ClientError, OSError, discord.HTTPException) as exc:
        raise PaperbotError(f"Discord could not be reached at {discord.http.Route.BASE} ({type(exc).__name__}); "
                            "check the network or [discord] api_base and try again") from None
