"""Each channel's jobs at their local times, with APScheduler 3.x: the morning post every day, the weekly
recap on its day; a kind of job is registered once with when it runs for a channel.

The morning job runs every day: the feed, not the calendar, says whether there was an
announcement (arXiv skips weekends and holidays and announces on its own clock),
and the posts ledger, not the scheduler, is the guard against posting twice (for
every kind of job). That makes catching up simple: on start, a channel whose last
run time of a job passed less than `catch_up_hours` ago runs it once; if it is
already out, the run posts nothing. A channel's jobs caught up together run one
after the other, in the order their kinds were registered (the morning post
before the recap that counts it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from .config import ChannelConfig

log = logging.getLogger(__name__)

PostJob = Callable[[ChannelConfig], Awaitable[None]]
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class When:
    """A local time of day in a time zone, every day or on one weekday (0 = Monday)."""

    at: str  # "HH:MM"
    timezone: str
    weekday: int | None = None

    def last(self, now: datetime) -> datetime:
        """The most recent occurrence at or before `now`, in the time zone (DST-aware)."""
        tz = ZoneInfo(self.timezone)
        local = now.astimezone(tz)
        hour, minute = map(int, self.at.split(":"))
        for back in range(8):
            day = local.date() - timedelta(days=back)
            moment = datetime.combine(day, time(hour, minute), tzinfo=tz)
            if (self.weekday is None or day.weekday() == self.weekday) and moment <= local:
                return moment
        raise AssertionError("a weekly time recurs within eight days")

    def missed(self, now: datetime, catch_up_hours: float) -> bool:
        return now - self.last(now) < timedelta(hours=catch_up_hours)

    def trigger(self) -> CronTrigger:
        hour, minute = map(int, self.at.split(":"))
        day = "*" if self.weekday is None else _CRON_DAYS[self.weekday]
        return CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Kind:
    """A kind of job each channel may have: its name ("digest", "recap"), what it runs, and when it runs
    for a channel (None: that channel has none)."""

    name: str
    run: PostJob
    when: Callable[[ChannelConfig], When | None]


def morning(channel: ChannelConfig) -> When:
    return When(channel.post_at, channel.timezone)


def last_post_time(channel: ChannelConfig, now: datetime) -> datetime:
    """The most recent morning `post_at` in the channel's time zone at or before `now` (DST-aware)."""
    return morning(channel).last(now)


def missed(channel: ChannelConfig, now: datetime, catch_up_hours: float) -> bool:
    return morning(channel).missed(now, catch_up_hours)


class DigestScheduler:
    """One per process: every registered kind of job for every platform's channels, added as platforms connect."""

    def __init__(self, post: PostJob | None = None, *, catch_up_hours: float):
        self.catch_up_hours = catch_up_hours
        self.kinds: dict[str, Kind] = {}
        # The grace time is the catch-up window: a job late by minutes (a busy loop) still runs.
        self._shut = False
        self.scheduler = AsyncIOScheduler(job_defaults={
            "misfire_grace_time": int(catch_up_hours * 3600) or 1, "coalesce": True, "max_instances": 1})
        if post is not None:
            self.register("digest", post, morning)

    def register(self, name: str, run: PostJob, when: Callable[[ChannelConfig], When | None]) -> None:
        """A kind of job for every channel added from now on."""
        self.kinds[name] = Kind(name, run, when)

    def start(self) -> None:
        """Start (inside the running loop); channels are added with `add`, before or after. After
        `shutdown` it stays stopped."""
        if not self.scheduler.running and not self._shut:
            self.scheduler.start()

    def add(self, channels: tuple[ChannelConfig, ...], now: datetime) -> list[ChannelConfig]:
        """Schedule each channel's jobs; returns the channels with a job caught up now (as of `now`)."""
        due: list[ChannelConfig] = []
        for channel in channels:
            missed_kinds = []
            for kind in self.kinds.values():
                when = kind.when(channel)
                if when is None:
                    continue
                self.scheduler.add_job(self._run, when.trigger(), args=[channel, kind.name],
                                       id=f"{kind.name}:{channel.ref}", name=f"{kind.name} for {channel.ref}",
                                       replace_existing=True)
                if when.missed(now, self.catch_up_hours):
                    log.info("%s: its %s at %s is less than %g h past: catching up", channel.ref, kind.name,
                             when.at, self.catch_up_hours)
                    missed_kinds.append(kind.name)
            if missed_kinds:
                self.scheduler.add_job(self._catch_up, args=[channel, missed_kinds], id=f"catch-up:{channel.ref}",
                                       replace_existing=True)
                due.append(channel)
        return due

    def remove(self, channels: tuple[ChannelConfig, ...]) -> None:
        for channel in channels:
            for job_id in (*(f"{name}:{channel.ref}" for name in self.kinds), f"catch-up:{channel.ref}"):
                if self.scheduler.get_job(job_id):
                    self.scheduler.remove_job(job_id)

    def shutdown(self) -> None:
        self._shut = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _catch_up(self, channel: ChannelConfig, names: list[str]) -> None:
        for name in names:
            await self._run(channel, name)

    async def _run(self, channel: ChannelConfig, name: str = "digest") -> None:
        try:
            await self.kinds[name].run(channel)
        except Exception:  # one channel's failure never stops the others or the next run
            log.exception("the %s for %s failed; the next run resumes it", name, channel.ref)
