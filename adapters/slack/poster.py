"""The morning post on Slack: how bot.posting sends (exactly once, resumable) reaches Slack.

A 429 waits for Retry-After (slack_sdk's retry handler) and continues in order:
bot.posting sends one message at a time.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from bot.digest import Digest, DigestEntry
from bot.errors import PaperbotError
from bot.posting import DigestPoster
from bot.store import Store

from .blocks import SlackMessage, esc, paper_message, parent_message, sections

log = logging.getLogger(__name__)


def make_client(token: str, api_url: str, *, rate_limit_retries: int = 5) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


def target(channel: str) -> str:
    return f"slack:{channel}"


_FIXES = {
    "channel_not_found": "check the channel id in [[channels]] (Slack: channel details, at the bottom)",
    "not_in_channel": "invite the bot to the channel: /invite @paperbot",
    "invalid_auth": "SLACK_BOT_TOKEN is not a valid bot token (xoxb-...)",
    "not_authed": "set SLACK_BOT_TOKEN",
}


async def post_to_slack(token: str, config: Config, channel: str, digest: Digest, store: Store) -> tuple[int, int]:
    """Post a digest (what is not posted yet); returns (sent now, posted before). Slack errors become one sentence."""
    poster = DigestPoster(SlackOutlet(make_client(token, config.slack.api_url), config.votes.emoji), store)
    before = len(store.posted(target(channel), digest.date))
    try:
        sent = await poster.post_digest(channel, digest)
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise PaperbotError(f"Slack refused to post to {channel} ({error}); "
                            f"{_FIXES.get(error, 'see https://api.slack.com/methods/chat.postMessage')}; "
                            "what was posted is kept and the next run continues") from None
    return sent, before


class SlackOutlet:
    """Slack for bot.posting: Block Kit messages, threads are the parent's ts."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, vote_emoji: tuple[str, ...] = ("star", "+1")):
        self.client = client
        self.vote_emoji = vote_emoji

    def parent_messages(self, digest: Digest) -> list[SlackMessage]:
        return parent_message(digest)

    def paper_messages(self, entry: DigestEntry, language: str) -> list[SlackMessage]:
        return paper_message(entry, self.vote_emoji)

    def note_message(self, text: str) -> SlackMessage:
        return SlackMessage(text, sections(f"_{esc(text)}_"))

    async def send(self, channel: str, message: SlackMessage, *, thread: str | None, key: str) -> str:
        # Slack has no idempotency key for chat.postMessage: `key` is unused (see bot.posting).
        response = await self.client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, thread_ts=thread,
            unfurl_links=False, unfurl_media=False)
        return response["ts"]

    async def open_thread(self, channel: str, parent: str, name: str) -> str:
        return parent  # a Slack thread is the replies to its parent's ts
