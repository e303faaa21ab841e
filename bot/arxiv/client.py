"""The process's one way to arXiv: every request paced (3 s, one at a time), feeds read once at a time.

Channels whose morning posts start together often share categories: a feed that
is being read already is awaited, not read again, so two channels on cs.CV at
09:00 cost one cs.CV request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from ..config import ArxivConfig
from ..fulltext.document import FullText
from ..fulltext.fetch import fetch_fulltext
from ..models import Announcement, Paper
from .listing import Feed, combine, read_feed
from .metadata import fetch_metadata, fetch_pending
from .pacer import PACER, PacedSession


class ArxivClient:
    def __init__(self, config: ArxivConfig):
        self.config = config
        self.session = PacedSession(min_interval_s=config.min_interval_s, timeout_s=config.timeout_s,
                                    max_retries=config.max_retries, backoff_s=config.retry_backoff_s)
        self._feeds: dict[str, asyncio.Future[Feed]] = {}

    def close(self) -> None:
        self.session.close()

    @staticmethod
    def requests_made() -> int:
        """arXiv requests of this process so far (for benchmarks and the log)."""
        return PACER.requests_made

    async def announcement(self, categories: Sequence[str], announce_types: tuple[str, ...]) -> Announcement:
        feeds = await asyncio.gather(*(self._feed(c) for c in categories))
        return combine(list(feeds), announce_types)

    async def _feed(self, category: str) -> Feed:
        if category in self._feeds:
            return await asyncio.shield(self._feeds[category])
        future = asyncio.get_running_loop().create_future()
        self._feeds[category] = future
        try:
            feed = await asyncio.to_thread(read_feed, self.session, self.config.rss_url, category)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a lone reader must not log "never retrieved"
            raise
        else:
            future.set_result(feed)
            return feed
        finally:
            del self._feeds[category]

    async def metadata(self, ids: Sequence[str]) -> dict[str, Paper]:
        return await asyncio.to_thread(fetch_metadata, self.session, self.config.api_url, list(ids))

    async def metadata_pending(self, take: Callable[[int], list[str]]) -> tuple[list[str], dict[str, Paper]]:
        """One API request for the ids `take` gives at its turn (see metadata.fetch_pending)."""
        return await asyncio.to_thread(fetch_pending, self.session, self.config.api_url, take)

    async def fulltext(self, paper: Paper) -> FullText:
        return await asyncio.to_thread(fetch_fulltext, self.session, self.config, paper)
