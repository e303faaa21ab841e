"""The bot's own work, once per process: each channel's morning post and weekly recap at their times, on
every platform.

One scheduler for all platforms: a platform's service `attach`es its
Conversation once it is connected and checked, and its channels are scheduled
(and caught up); it `detach`es before it disconnects, which lets a post in
flight finish first (a post cancelled between the platform's answer and our
record of it would go out twice). The digest comes from the one shared engine,
with the channel's profile, so two channels that need the same analysis pay
for it once. After the morning post, the channel's papers that came back as a
new version are told in their threads (chat.versions). What must follow a post
(the archive's refresh) is an `after_post` hook, run after each channel's post
without holding up the others. A channel's jobs never run at the same time: the
recap counts the morning post that is going out at its hour. "Now" is the
engine's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from zoneinfo import ZoneInfo

from ..config import ChannelConfig
from ..digest import Digest
from ..engine import Engine
from ..errors import NoAnnouncement
from ..models import ChannelRef
from ..scheduler import DigestScheduler, When
from .morning import MorningPost
from .outbox import Outbox
from .recap import WeeklyRecap
from .seam import Conversation
from .versions import NewVersions

log = logging.getLogger(__name__)

AfterPost = Callable[[ChannelRef, Digest], Awaitable[None]]


# How long the first platform to connect waits for the others before the mornings start anyway.
START_WAIT_S = 30.0


class Jobs:
    def __init__(self, engine: Engine, stop: asyncio.Event, *, platforms: int = 1):
        self.engine = engine
        self.stop = stop
        # The schedule starts once every platform of the process is attached: channels due together
        # (a catch-up at start, or the same post_at) then start together, and share feeds and analyses
        # as they are being fetched, instead of the late platform's channels fetching them again.
        self.platforms = platforms
        self._attached: set[str] = set()
        self.clock = engine.clock
        self.scheduler = DigestScheduler(self.post, catch_up_hours=engine.config.digest.catch_up_hours)
        self.scheduler.register("recap", self.recap, self._recap_time)
        self.recaps = WeeklyRecap(engine)
        self.versions = NewVersions(engine)
        self.outboxes: dict[str, Outbox] = {}
        self.after_post: list[AfterPost] = []
        self._running: dict[str, set[asyncio.Task]] = {}
        self._turns: dict[ChannelRef, asyncio.Lock] = {}

    def channels(self, platform: str) -> tuple[ChannelConfig, ...]:
        return tuple(c for c in self.engine.config.channels if c.platform == platform)

    def attach(self, conversation: Conversation) -> list[ChannelConfig]:
        """Schedule the platform's channels on it; returns those with a job caught up now."""
        self.outboxes[conversation.platform] = Outbox(conversation, self.engine.store, stop=self.stop)
        due = self.scheduler.add(self.channels(conversation.platform), self.clock())
        if not self._attached:
            asyncio.get_running_loop().call_later(START_WAIT_S, self.scheduler.start)
        self._attached.add(conversation.platform)
        if len(self._attached) >= self.platforms:
            self.scheduler.start()
        return due

    async def detach(self, platform: str) -> None:
        """Unschedule the platform's channels and wait for its post in flight (before it disconnects)."""
        self.scheduler.remove(self.channels(platform))
        if running := self._running.get(platform):
            await asyncio.wait(running, timeout=60)
        self.outboxes.pop(platform, None)

    def shutdown(self) -> None:
        self.scheduler.shutdown()

    async def post(self, channel: ChannelConfig) -> None:
        """The channel's morning post (what of it is not posted yet), its papers' new versions, then the
        after-post hooks."""
        digest = None
        async with self._turn(channel) as outbox:
            if outbox is None:
                return
            digest = await self._post(channel, outbox)
            if digest is not None:
                try:
                    await self.versions.follow(outbox, channel.ref, digest)
                except Exception:  # the morning post is out; the hooks still run
                    log.exception("%s: telling the new versions of %s failed", channel.ref, digest.date)
        for hook in self.after_post if digest else ():
            try:
                await hook(channel.ref, digest)
            except Exception:  # a hook's trouble is logged; the post is out
                log.exception("after posting to %s: %s failed", channel.ref, getattr(hook, "__name__", hook))

    async def recap(self, channel: ChannelConfig) -> None:
        """The channel's weekly recap of the week due now (once per week: the posts ledger)."""
        async with self._turn(channel) as outbox:
            if outbox is not None:
                await self.recaps.post(outbox, channel, self.recaps.week_due(channel, self.clock()))

    @contextlib.asynccontextmanager
    async def _turn(self, channel: ChannelConfig) -> AsyncIterator[Outbox | None]:
        """The channel's outbox for one job, none while its platform is gone or stopping; the job is waited
        for by `detach`, and the channel's other jobs wait for it."""
        outbox = self.outboxes.get(channel.platform)
        if outbox is None or outbox.stopping:  # disconnected or stopping while the job waited: the next start posts
            yield None
            return
        running = self._running.setdefault(channel.platform, set())
        running.add(asyncio.current_task())
        try:
            async with self._turns.setdefault(channel.ref, asyncio.Lock()):
                yield self.outboxes.get(channel.platform) if not outbox.stopping else None
        finally:
            running.discard(asyncio.current_task())

    async def _post(self, channel: ChannelConfig, outbox: Outbox) -> Digest | None:
        votes = self.engine.config.votes
        morning = MorningPost(outbox, votes.emoji, votes.down_emoji)
        try:
            digest = await self.engine.build_digest(self.engine.config.profile(channel.ref))
        except NoAnnouncement as exc:
            log.info("%s: %s", channel.ref, exc)
            if self.engine.config.digest.post_empty_days:
                today = self.clock().astimezone(ZoneInfo(channel.timezone)).date().isoformat()
                await morning.post_note(channel.ref, today, str(exc))
            return None
        await morning.post_digest(channel.ref, digest)
        return digest

    def _recap_time(self, channel: ChannelConfig) -> When | None:
        schedule = self.engine.config.recap_schedule(channel)
        return When(schedule[1], channel.timezone, schedule[0]) if schedule else None
