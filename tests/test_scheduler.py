"""The morning schedule: local post times across time zones and DST, catch-up after downtime."""

import asyncio
from datetime import datetime, timezone

from bot.config import ChannelConfig
from bot.scheduler import DigestScheduler, last_post_time, missed

BERLIN = ChannelConfig(platform="slack", id="C1", post_at="09:00", timezone="Europe/Berlin")
TOKYO = ChannelConfig(platform="slack", id="C2", post_at="08:30", timezone="Asia/Tokyo")


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_last_post_time_in_local_time_across_dst():
    assert last_post_time(BERLIN, utc(2026, 1, 15, 9, 0)).astimezone(timezone.utc) == utc(2026, 1, 15, 8, 0)  # CET
    assert last_post_time(BERLIN, utc(2026, 7, 15, 9, 0)).astimezone(timezone.utc) == utc(2026, 7, 15, 7, 0)  # CEST
    assert last_post_time(BERLIN, utc(2026, 7, 15, 6, 0)).astimezone(timezone.utc) == utc(2026, 7, 14, 7, 0)


def test_catch_up_window():
    assert missed(BERLIN, utc(2026, 1, 15, 13, 59), 6)  # 5 h 59 after 09:00 CET
    assert not missed(BERLIN, utc(2026, 1, 15, 14, 1), 6)
    assert not missed(BERLIN, utc(2026, 1, 15, 13, 0), 0)


async def test_start_schedules_every_channel_and_catches_up_the_missed_one():
    posted = []

    async def post(channel):
        posted.append(str(channel.ref))

    scheduler = DigestScheduler(post, catch_up_hours=6)
    scheduler.start()
    try:
        due = scheduler.add((BERLIN, TOKYO), now=utc(2026, 1, 15, 10, 0))  # 11:00 Berlin (missed 2 h ago); 19:00 Tokyo
        assert [str(c.ref) for c in due] == ["slack:C1"]
        jobs = {j.id: j for j in scheduler.scheduler.get_jobs()}
        assert {"digest:slack:C1", "digest:slack:C2"} <= jobs.keys()
        assert str(jobs["digest:slack:C2"].trigger.timezone) == "Asia/Tokyo"
        for _ in range(100):  # the catch-up job runs on the loop: wait for it, not for a clock
            if posted:
                break
            await asyncio.sleep(0.01)
        assert posted == ["slack:C1"]
        scheduler.remove((TOKYO,))  # its platform disconnected
        assert {j.id for j in scheduler.scheduler.get_jobs()} == {"digest:slack:C1"}
    finally:
        scheduler.shutdown()


async def test_a_failing_channel_does_not_stop_the_scheduler(caplog):
    async def post(channel):
        raise RuntimeError("Slack is down")

    scheduler = DigestScheduler(post, catch_up_hours=6)
    await scheduler._run(BERLIN)
    assert "the digest for slack:C1 failed" in caplog.text
