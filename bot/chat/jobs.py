"""The bot's own work, once per process: each channel's morning post at its time, on every platform.

One scheduler for all platforms: a platform's service `attach`es its
Conversation once it is connected and checked, and its channels are scheduled
(and caught up); it `detach`es before it disconnects, which lets a post in
flight finish first (a post cancelled between the platform's answer and our
record of it would go out twice). The digest comes from the one shared engine,
with the channel's profile, so two channels that need the same analysis pay
for it once. What must follow a post (the archive's refresh) is an `after_post`
hook, run after each channel's post without holding up the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from ..config import ChannelConfig
from ..digest import Digest
from ..engine import Engine
from ..errors import NoAnnouncement
from ..models import ChannelRef
from ..scheduler import DigestScheduler
from .morning import MorningPost
from .outbox import Outbox
from .seam import Conversation

log = logging.getLogger(__name__)

AfterPost = Callable[[ChannelRef, Digest], Awaitable[None]]


class Jobs:
    def __init__(self, engine: Engine, stop: asyncio.Event):
        self.engine = engine
        self.stop = stop
        self.scheduler = DigestScheduler(self.post, catch_up_hours=engine.config.digest.catch_up_hours)
        self.outboxes: dict[str, Outbox] = {}
        self.after_post: list[AfterPost] = []
        self._running: dict[str, set[asyncio.Task]] = {}

    def channels(self, platform: str) -> tuple[ChannelConfig, ...]:
        return tuple(c for c in self.engine.config.channels if c.platform == platform)

    def attach(self, conversation: Conversation) -> list[ChannelConfig]:
        """Schedule the platform's channels on it; returns those caught up now."""
        self.outboxes[conversation.platform] = Outbox(conversation, self.engine.store, stop=self.stop)
        self.scheduler.start()
        return self.scheduler.add(self.channels(conversation.platform), datetime.now(timezone.utc))

    async def detach(self, platform: str) -> None:
        """Unschedule the platform's channels and wait for its post in flight (before it disconnects)."""
        self.scheduler.remove(self.channels(platform))
        if running := self._running.get(platform):
            await asyncio.wait(running, timeout=60)
        self.outboxes.pop(platform, None)

    def shutdown(self) -> None:
        self.scheduler.shutdown()

    async def post(self, channel: ChannelConfig) -> None:
        """The channel's morning post (what of it is not posted yet), then the after-post hooks."""
        outbox = self.outboxes.get(channel.platform)
        if outbox is None or outbox.stopping:  # disconnected or stopping while the job waited: the next start posts
            return
        running = self._running.setdefault(channel.platform, set())
        running.add(asyncio.current_task())
        try:
            digest = await self._post(channel, outbox)
        finally:
            running.discard(asyncio.current_task())
        for hook in self.after_post if digest else ():
            try:
                await hook(channel.ref, digest)
            except Exception:  # a hook's trouble is logged; the post is out
                log.exception("after posting to %s: %s failed", channel.ref, getattr(hook, "__name__", hook))

    async def _post(self, channel: ChannelConfig, outbox: Outbox) -> Digest | None:
        votes = self.engine.config.votes
        morning = MorningPost(outbox, votes.emoji, votes.down_emoji)
        try:
            digest = await self.engine.build_digest(self.engine.config.profile(channel.ref))
        except NoAnnouncement as exc:
            log.info("%s: %s", channel.ref, exc)
            if self.engine.config.digest.post_empty_days:
                today = datetime.now(ZoneInfo(channel.timezone)).date().isoformat()
                await morning.post_note(channel.ref, today, str(exc))
            return None
        await morning.post_digest(channel.ref, digest)
        return digest
