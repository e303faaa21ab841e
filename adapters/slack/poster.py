"""Posting a digest to a Slack channel exactly once, resumable after a crash.

Each message is recorded in the store (`posts`) right after Slack accepted it.
Posting again skips what is recorded and continues in the same thread, so a
process that died after the parent and four of ten replies posts the other six
on its next start and nothing twice. A 429 waits for Retry-After (slack_sdk's
retry handler) and continues in order: messages are sent one at a time.
"""

from __future__ import annotations

import logging

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest import Digest
from bot.store import Store

from .blocks import SlackMessage, paper_message, parent_message

log = logging.getLogger(__name__)


def make_client(token: str, api_url: str, *, rate_limit_retries: int = 5) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


def target(channel: str) -> str:
    return f"slack:{channel}"


class SlackPoster:
    def __init__(self, client: AsyncWebClient, store: Store, vote_emoji: tuple[str, ...] = ("star", "+1")):
        self.client = client
        self.store = store
        self.vote_emoji = vote_emoji

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
