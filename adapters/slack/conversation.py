"""Slack behind the conversation seam: Block Kit messages, threads are their parent's ts.

A 429 waits for Retry-After (slack_sdk's retry handler) and the core sends one
message at a time, so order holds. Slack has no idempotency key for
chat.postMessage: the ledger key is unused here (see bot.chat.outbox). Every
refusal becomes one sentence naming the fix (errors.ChatError).
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.document.model import Document
from bot.errors import ChatError
from bot.models import ChannelRef

from .render import SlackMessage, esc, render

log = logging.getLogger(__name__)

FIXES = {
    "channel_not_found": "check the channel id in [[channels]] (Slack: channel details, at the bottom)",
    "not_in_channel": "invite the bot to the channel: /invite @paperbot",
    "invalid_auth": "SLACK_BOT_TOKEN is not a valid bot token (xoxb-...)",
    "not_authed": "set SLACK_BOT_TOKEN",
}


def make_client(token: str, api_url: str, *, rate_limit_retries: int = 5) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


def refusal(exc: SlackApiError, channel: str, method: str = "chat.postMessage") -> ChatError:
    error = exc.response.get("error", "unknown_error")
    fix = FIXES.get(error, f"see https://api.slack.com/methods/{method}")
    return ChatError(f"Slack refused to post to {channel} ({error}); {fix}")


def unreachable(client: AsyncWebClient, exc: BaseException) -> ChatError:
    return ChatError(f"Slack could not be reached at {client.base_url} ({type(exc).__name__}); check the network "
                     "or [slack] api_url, and try again")


class SlackConversation:
    platform = "slack"

    def __init__(self, client: AsyncWebClient):
        self.client = client

    def render(self, doc: Document) -> list[SlackMessage]:
        return render(doc)

    async def send(self, to: ChannelRef, message: SlackMessage, *, thread: str | None, key: str) -> str:
        try:
            response = await self.client.chat_postMessage(
                channel=to.id, text=message.text, blocks=message.blocks, thread_ts=thread,
                unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            raise refusal(exc, to.id) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise unreachable(self.client, exc) from None
        return response["ts"]

    async def open_thread(self, to: ChannelRef, parent: str, name: str) -> str:
        return parent  # a Slack thread is the replies to its parent's ts

    async def permalink(self, to: ChannelRef, message: str, thread: str | None) -> str | None:
        """Slack's own link to a message (a reply's opens its thread); None if Slack gives none."""
        try:
            response = await self.client.chat_getPermalink(channel=to.id, message_ts=message)
        except (SlackApiError, aiohttp.ClientError, OSError) as exc:
            log.warning("no link to message %s in %s (%s)", message, to, type(exc).__name__)
            return None
        return response.get("permalink")

    async def tell(self, to: ChannelRef, user: str, text: str) -> None:
        try:
            await self.client.chat_postEphemeral(channel=to.id, user=user, text=esc(text))
        except (SlackApiError, aiohttp.ClientError, OSError) as exc:
            log.warning("could not tell %s in %s: %s (%s)", user, to, text, type(exc).__name__)


class CommandConversation(SlackConversation):
    """Slack for one slash command: the asker is told through the command's response_url, which works
    even where the bot cannot post (a channel it is not in)."""

    def __init__(self, client: AsyncWebClient, respond):
        super().__init__(client)
        self.respond = respond

    async def tell(self, to: ChannelRef, user: str, text: str) -> None:
        try:
            await self.respond(response_type="ephemeral", text=esc(text), replace_original=False)
        except Exception as exc:  # response_url expired (30 min) or unreachable: the log is all that is left
            log.warning("could not tell %s in %s: %s (%s)", user, to, text, type(exc).__name__)
