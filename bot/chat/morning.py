"""The morning post: the day's summary to the channel, one reply per paper in its thread.

Exactly once and resumable (see outbox): a process that died after the parent
and four of ten replies posts the other six on its next start, and nothing
twice. `ChannelJob` is what the scheduler runs for a channel each morning; it
asks the one shared engine for the channel's digest (its profile travels with
the request), so two channels that need the same analysis pay for it once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from ..config import ChannelConfig
from ..digest import Digest
from ..document.chat import digest_head, note, paper_post, thread_name
from ..engine import Engine
from ..errors import NoAnnouncement
from ..models import ChannelRef
from .outbox import Outbox

log = logging.getLogger(__name__)


class MorningPost:
    def __init__(self, outbox: Outbox, vote_emoji: tuple[str, ...]):
        self.outbox = outbox
        self.vote_emoji = vote_emoji

    async def post_digest(self, to: ChannelRef, digest: Digest) -> int:
        """Post what is not posted yet; returns how many messages were sent now."""
        before = self.outbox.sent_now
        name = thread_name(digest)
        head = await self.outbox.post(to, digest_head(digest), date=digest.date, item="parent", rest_in_thread=name)
        for entry in digest.entries:
            if self.outbox.stopping or not head:
                break
            await self.outbox.post(to, paper_post(entry, digest.language, self.vote_emoji), date=digest.date,
                                   item=f"paper:{entry.paper.id}", under=(head[0].message, name),
                                   paper_id=entry.paper.id)
        sent = self.outbox.sent_now - before
        log.info("posted %s to %s: %d messages now", digest.date, to, sent)
        return sent

    async def post_note(self, to: ChannelRef, day: str, text: str) -> bool:
        """A note for a day, once: False when that day's post (a digest or a note) is there already."""
        if "parent" in self.outbox.store.posted(to, day):  # a /paper answer that day is not the day's post
            return False
        return bool(await self.outbox.post(to, note(text), date=day, item="parent"))


class ChannelJob:
    """The scheduler's job for a platform's channels; remembers what runs, so a stop can let it finish."""

    def __init__(self, engine: Engine, outbox: Outbox):
        self.engine = engine
        self.outbox = outbox
        self.morning = MorningPost(outbox, engine.config.votes.emoji)
        self.running: set[asyncio.Task] = set()

    async def post(self, channel: ChannelConfig) -> None:
        task = asyncio.current_task()
        self.running.add(task)
        try:
            await self._post(channel)
        finally:
            self.running.discard(task)

    async def finish(self) -> None:
        """Wait for the post in flight. APScheduler's shutdown cancels running jobs, and a job cancelled
        between the platform's answer and our record of it would post that message twice."""
        if self.running:
            await asyncio.wait(self.running, timeout=60)

    async def _post(self, channel: ChannelConfig) -> None:
        if self.outbox.stopping:  # stopped while the job waited: the next start posts it
            return
        profile = self.engine.config.profile(channel.ref)
        try:
            digest = await self.engine.build_digest(profile)
        except NoAnnouncement as exc:
            log.info("%s: %s", channel.ref, exc)
            if self.engine.config.digest.post_empty_days:
                today = datetime.now(ZoneInfo(channel.timezone)).date().isoformat()
                await self.morning.post_note(channel.ref, today, str(exc))
            return
        await self.morning.post_digest(channel.ref, digest)
