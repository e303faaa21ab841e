"""Each channel's morning post at its local `post_at`, with APScheduler 3.x.

The job runs every day: the feed, not the calendar, says whether there was an
announcement (arXiv skips weekends and holidays and announces on its own clock),
and the posts ledger, not the scheduler, is the guard against posting twice.
That makes catching up simple: on start, a channel whose last post time passed
less than `catch_up_hours` ago is run once; if its digest is already out, the
run posts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from .config import ChannelConfig

log = logging.getLogger(__name__)

PostJob = Callable[[ChannelConfig], Awaitable[None]]


def last_post_time(channel: ChannelConfig, now: datetime) -> datetime:
    """The most recent `post_at` in the channel's time zone at or before `now` (DST-aware)."""
    tz = ZoneInfo(channel.timezone)
    local = now.astimezone(tz)
    hour, minute = map(int, channel.post_at.split(":"))
    today = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return today if today <= local else (today - timedelta(days=1)).replace(tzinfo=tz)


def missed(channel: ChannelConfig, now: datetime, catch_up_hours: float) -> bool:
    return now - last_post_time(channel, now) < timedelta(hours=catch_up_hours)


class DigestScheduler:
    """One per process: the morning posts of every platform's channels, added as platforms connect."""

    def __init__(self, post: PostJob, *, catch_up_hours: float):
        self.post = post
        self.catch_up_hours = catch_up_hours
        # The grace time is the catch-up window: a job late by minutes (a busy loop) still runs.
        self.scheduler = AsyncIOScheduler(job_defaults={
            "misfire_grace_time": int(catch_up_hours * 3600) or 1, "coalesce": True, "max_instances": 1})

    def start(self) -> None:
        """Start (inside the running loop); channels are added with `add`."""
        if not self.scheduler.running:
            self.scheduler.start()

    def add(self, channels: tuple[ChannelConfig, ...], now: datetime) -> list[ChannelConfig]:
        """Schedule each channel's morning post; returns the channels caught up now."""
        for channel in channels:
            hour, minute = map(int, channel.post_at.split(":"))
            self.scheduler.add_job(self._run, CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(channel.timezone)),
                                   args=[channel], id=f"digest:{channel.ref}", name=f"digest for {channel.ref}",
                                   replace_existing=True)
        due = [c for c in channels if missed(c, now, self.catch_up_hours)]
        for channel in due:
            log.info("%s: its %s post is less than %g h past: catching up", channel.ref, channel.post_at,
                     self.catch_up_hours)
            self.scheduler.add_job(self._run, args=[channel], id=f"catch-up:{channel.ref}", replace_existing=True)
        return due

    def remove(self, channels: tuple[ChannelConfig, ...]) -> None:
        for channel in channels:
            for job_id in (f"digest:{channel.ref}", f"catch-up:{channel.ref}"):
                if self.scheduler.get_job(job_id):
                    self.scheduler.remove_job(job_id)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _run(self, channel: ChannelConfig) -> None:
        try:
            await self.post(channel)
        except Exception:  # one channel's failure never stops the others or the next morning
            log.exception("the digest for %s failed; the next run resumes it", channel.ref)
