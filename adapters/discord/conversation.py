"""Discord behind the conversation seam: embeds, a public thread from a message, mentions off.

A thread started from a message has the message's id, so finding it again after
a crash needs no record of its own: "a thread already exists" (160004) names it.
A 429 is waited out by discord.py's HTTP client, per bucket, and the core sends
one message at a time, so the order holds. Every refusal becomes one sentence
naming the fix (errors.ChatError).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator

import aiohttp
import discord
import yarl

from bot.config import Config, DiscordConfig, secret_from_env
from bot.document.markdown import md
from bot.document.model import Document
from bot.errors import ChatError, ConfigError, PaperbotError
from bot.models import ChannelRef

from .reactions import VoteEmoji
from .render import MAX_THREAD_NAME, DiscordMarkdown, DiscordMessage, clip, inert, render

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


def channel(channel_id: int | str) -> ChannelRef:
    return ChannelRef("discord", str(channel_id))


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


def explain(exc: discord.HTTPException, where: str) -> str:
    """A Discord error as the sentence a user can act on."""
    fix = _FIXES.get(exc.code, "see https://discord.com/developers/docs/topics/opcodes-and-status-codes")
    return f"Discord refused channel {where} ({exc.status} {exc.text or exc.code}); {fix}"


async def resolve_channel(client: discord.Client, channel_id: int | str):
    """The channel from the gateway's cache, else from the API (a CLI post has no gateway)."""
    return client.get_channel(int(channel_id)) or await client.fetch_channel(int(channel_id))


class DiscordConversation:
    platform = "discord"

    def __init__(self, client: discord.Client, vote_emoji: tuple[str, ...] = ("star", "+1")):
        self.client = client
        self.markdown = DiscordMarkdown(VoteEmoji(vote_emoji))

    def render(self, doc: Document) -> list[DiscordMessage]:
        return render(doc, self.markdown)

    async def send(self, to: ChannelRef, message: DiscordMessage, *, thread: str | None, key: str) -> str:
        # A nonce made from the key, enforced: if we die after Discord created the message but before we
        # recorded it, the resend on restart (within Discord's few-minute window) gets the same message back.
        nonce = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        where = self.client.get_partial_messageable(int(thread or to.id))
        with refusals(to):
            return str((await send(where, message, nonce=nonce)).id)

    async def open_thread(self, to: ChannelRef, parent: str, name: str) -> str:
        with refusals(to):
            return await start_thread(self.client, to.id, parent, name)

    async def permalink(self, to: ChannelRef, message: str, thread: str | None) -> str | None:
        """discord.com/channels/<server>/<channel or thread>/<message>; None if the channel is not found."""
        try:
            found = await resolve_channel(self.client, to.id)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("no link to message %s in %s (%s)", message, to, type(exc).__name__)
            return None
        guild = getattr(found, "guild", None)
        return f"https://discord.com/channels/{guild.id}/{thread or to.id}/{message}" if guild else None

    async def tell(self, to: ChannelRef, user: str, text: str) -> None:
        """Outside an interaction Discord has no ephemeral message: a direct message it is."""
        try:
            member = await self.client.fetch_user(int(user))
            await member.send(inert_text(text), allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("could not tell %s in %s: %s (%s)", user, to, text, type(exc).__name__)


class InteractionConversation(DiscordConversation):
    """Discord for one slash command that was deferred: the first message replaces "thinking…"; telling
    the asker is an ephemeral follow-up (or, before anything was sent, the text that replaces it)."""

    def __init__(self, client: discord.Client, vote_emoji: tuple[str, ...], interaction: discord.Interaction):
        super().__init__(client, vote_emoji)
        self.interaction = interaction
        self.answered = False

    async def send(self, to: ChannelRef, message: DiscordMessage, *, thread: str | None, key: str) -> str:
        if self.answered:
            return await super().send(to, message, thread=thread, key=key)
        with refusals(to):
            sent = await send(self.interaction.followup, message, wait=True)
        self.answered = True
        return str(sent.id)

    async def tell(self, to: ChannelRef, user: str, text: str) -> None:
        try:
            if not self.answered:
                await self.interaction.edit_original_response(content=inert_text(text))
                self.answered = True
            else:
                await self.interaction.followup.send(inert_text(text), ephemeral=True, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:  # the interaction may be gone (15 min)
            log.warning("could not tell %s in %s: %s (%s)", user, to, text, type(exc).__name__)


def inert_text(text: str) -> str:
    return inert(md(text))


@contextlib.contextmanager
def refusals(to: ChannelRef):
    """Discord's errors while sending as one sentence (errors.ChatError)."""
    try:
        yield
    except discord.HTTPException as exc:
        side = " (trouble on Discord's side; the next run continues)" if exc.status >= 500 else ""
        raise ChatError(explain(exc, to.id) + side) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise ChatError(f"the connection to Discord dropped while posting to {to.id} ({type(exc).__name__}); "
                        "check the network") from None


async def start_thread(client: discord.Client, channel_id: int | str, message_id: int | str, name: str) -> str:
    """The public thread under a message, started now or found (it has the message's id)."""
    found = await resolve_channel(client, channel_id)
    if isinstance(found, discord.Thread):  # no threads inside threads: stay in this one
        return str(found.id)
    try:
        thread = await found.get_partial_message(int(message_id)).create_thread(name=clip(name, MAX_THREAD_NAME))
    except discord.HTTPException as exc:
        if exc.code == THREAD_EXISTS:
            return str(message_id)
        raise
    return str(thread.id)


async def send(where: discord.abc.Messageable | discord.Webhook, message: DiscordMessage, **extra) -> discord.Message:
    return await where.send(content=message.content or None, embeds=[discord.Embed.from_dict(e) for e in message.embeds],
                            allowed_mentions=NO_MENTIONS, **extra)


async def login(client: discord.Client, token: str) -> None:
    try:
        await client.login(token)
    except discord.LoginFailure:
        raise ConfigError(f"Discord rejected {TOKEN_ENV}; copy the token from the application's Bot page "
                          "(Reset Token) in the Discord developer portal") from None
    except (aiohttp.ClientError, OSError, discord.HTTPException) as exc:
        raise PaperbotError(f"Discord could not be reached at {discord.http.Route.BASE} ({type(exc).__name__}); "
                            "check the network or [discord] api_base and try again") from None


@contextlib.asynccontextmanager
async def connect(config: Config) -> AsyncIterator[DiscordConversation]:
    """Discord for sending only (`paperbot post`): REST, no gateway."""
    token = secret_from_env(TOKEN_ENV, "the application's bot token", "Discord")
    configure_endpoints(config.discord)
    client = discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS)
    try:
        await login(client, token)
        yield DiscordConversation(client, config.votes.emoji)
    finally:
        await client.close()
