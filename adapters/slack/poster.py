"""Posting a digest to a Slack channel exactly once, resumable after a crash.

Each message is recorded in the store (`posts`) right after Slack accepted it.
Posting again skips what is recorded and continues in the same thread, so a
process that died after the parent and four of ten replies posts the other six
on its next start and nothing twice. A 429 waits for Retry-After (slack_sdk's
retry handler) and continues in order: messages are sent one at a time.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Config
from bot.digest import Digest
from bot.errors import PaperbotError
from bot.store import Store

from .blocks import SlackMessage, paper_message, parent_message

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
    client = make_client(token, config.slack.api_url)
    poster = SlackPoster(client, store, config.votes.emoji)
    before = len(store.posted(target(channel), digest.date))
    try:
        sent = await poster.post_digest(channel, digest)
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise PaperbotError(f"Slack refused to post to {channel} ({error}); "
                            f"{_FIXES.get(error, 'see https://api.slack.com/methods/chat.postMessage')}; "
                            "what was posted is kept and the next run continues") from None
    return sent, before


class SlackPoster:
    def __init__(self, client: AsyncWebClient, store: Store, vote_emoji: tuple[str, ...] = ("star", "+1"), *,
                 stop: asyncio.Event | None = None):
        self.client = client
        self.store = store
        self.vote_emoji = vote_emoji
        self.stop = stop  # set by SIGTERM: the message being sent finishes, the rest waits for the next start

    async def post_digest(self, channel: str, digest: Digest) -> int:
        """Post what is not posted yet; returns how many messages were sent now."""
        where = target(channel)
        done = self.store.posted(where, digest.date)
        sent = 0
        parent_pages = parent_message(digest)
        if "parent" not in done:
            done["parent"] = await self._post(where, digest.date, "parent", channel, parent_pages[0], None)
            sent += 1
        thread = done["parent"]["message"]
        items = [(f"parent:{n}", None, page) for n, page in enumerate(parent_pages[1:], 1)]
        for entry in digest.entries:
            pages = paper_message(entry, self.vote_emoji)
            items += [(f"paper:{entry.paper.id}" + (f":{n}" if n else ""), entry.paper.id, page)
                      for n, page in enumerate(pages)]
        for item, paper_id, message in items:
            if self.stop is not None and self.stop.is_set():
                log.info("stopping: %s of %s resumes on the next start", item, digest.date)
                break
            if item not in done:
                await self._post(where, digest.date, item, channel, message, thread, paper_id)
                sent += 1
        log.info("posted %s to %s: %d messages now, %d already there", digest.date, where, sent, len(items) + 1 - sent)
        return sent

    async def _post(self, where: str, date: str, item: str, channel: str, message: SlackMessage,
                    thread: str | None, paper_id: str | None = None) -> dict:
        response = await self.client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, thread_ts=thread,
            unfurl_links=False, unfurl_media=False)
        ts = response["ts"]
        self.store.save_post(where, date, item, message=ts, thread=thread, paper_id=paper_id)
        return {"message": ts, "thread": thread}
