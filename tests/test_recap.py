"""The weekly recap through the real Slack and Discord fakes and a fake arXiv that moves through the days:
a week of mornings with votes and /paper requests, then the recap (content, order, exactly once across a
restart and a crash mid-post, catch-up after downtime, an empty week), and `paperbot recap`. The engine's
clock is set, never slept."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest

from adapters.discord.service import run_discord
from adapters.slack.service import run_slack
from bot.chat.core import Core
from bot.config import load_config
from bot.engine import Engine
from bot.errors import ChatError
from bot.models import ChannelRef
from bot.weeks import IsoWeek
from testkit.arxiv_fake import FeedItem
from testkit.discord_fake import CHANNEL_ID, GUILD_ID, ROUTE_SEND, USER_ID, USER_ID_2, FakeDiscord, point_discord_at
from testkit.slack_fake import FakeSlack, event_payload, reaction_event, slash_command_payload
from testkit.waiting import wait_until
from testkit.week import FakeClock, themes_calls, week_responder
from tests.test_digest import run

SLACK = ChannelRef("slack", "C0123")
WEEK = IsoWeek(2026, 7)  # Monday 2026-02-09 to Sunday 2026-02-15
MONDAY = date(2026, 2, 9)


def items(tag: str, count: int = 4, *, title_words: int = 0) -> list[FeedItem]:
    """A day's feed: `count` papers, in arXiv's order (the pick keeps it: no interests, no learning)."""
    filler = " with a long title" * title_words
    return [FeedItem(f"2602.{ord(tag) * 100 + n:05d}", title=f"Paper {tag}{n}: a study{filler}",
                     abstract=f"We study problem {tag}{n}. We propose method {tag}{n}. Results improve.",
                     authors=["Ada Lovelace"], categories=["cs.CV"]) for n in range(1, count + 1)]


def config_for(write_config, *, platform: str, endpoint: str, channel: str, max_papers: int = 3, extra: str = ""):
    # the recap is of what was posted: the picks stay in arXiv order, whatever the week's votes teach
    path = write_config(digest={"max_papers": max_papers})
    path.write_text(path.read_text() + "\n[ranking]\nlearn = false\n" + endpoint + f'\n[[channels]]\nplatform = "{platform}"\nid = "{channel}"\n'
                    'post_at = "09:00"\ntimezone = "UTC"\n' + extra)
    return load_config(path)


def slack_config(write_config, slack, **kw):
    return config_for(write_config, platform="slack", endpoint=f'\n[slack]\napi_url = "{slack.api_url}"\n',
                      channel="C0123", **kw)


class Running:
    """The bot on one platform (its real service), on an engine whose clock the test sets."""

    def __init__(self, config, clock: FakeClock, service, platform: str):
        self.config, self.clock, self.service, self.platform = config, clock, service, platform
        self.channel = config.channels[0]

    async def __aenter__(self) -> Running:
        self.stop = asyncio.Event()
        self.engine = Engine(self.config, clock=self.clock)
        self.core = Core.build(self.engine, self.stop)
        self.task = asyncio.create_task(self.service(self.core, self.stop))
        await wait_until(lambda: self.platform in self.core.jobs.outboxes or self.task.done(), timeout=10)
        if self.task.done():
            self.task.result()
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        try:
            await asyncio.wait_for(self.task, 10)
        finally:
            self.core.jobs.shutdown()
            await self.engine.close()

    @property
    def store(self):
        return self.engine.store

    async def morning(self, arxiv_fake, day: date, feed: list[FeedItem]) -> dict:
        """That day's announcement, and the morning post at 09:00; returns the day's ledger."""
        arxiv_fake.add_day("cs.CV", day, feed)
        self.clock.set(day.year, day.month, day.day, 9, 0)
        await self.core.jobs.post(self.channel)
        return self.store.posted(self.channel.ref, day.isoformat())

    async def recap(self, *args: int) -> None:
        self.clock.set(*args)
        await self.core.jobs.recap(self.channel)

    async def voted(self, count: int) -> None:
        await wait_until(lambda: self.store.db.execute("select count(*) from votes").fetchone()[0] >= count, 10)


def on_slack(config, clock) -> Running:
    return Running(config, clock, run_slack, "slack")


async def slack_vote(bot: Running, slack, ts: str, *users: str) -> None:
    """Star reactions on a message, recorded before the clock moves on (Bolt acks before it handles)."""
    for user in users:
        envelope = await slack.send_envelope("events_api", event_payload(
            reaction_event(user, "star", "C0123", ts), event_id=f"Ev-{user}-{ts}"))
        await slack.wait_ack(envelope)
    marks = ",".join("?" * len(users))
    await wait_until(lambda: bot.store.db.execute(
        f"select count(*) from votes where message = ? and user in ({marks})", [ts, *users]).fetchone()[0]
        == len(users), 10)


async def slack_command(slack, command: str, text: str, user: str) -> None:
    envelope = await slack.send_envelope("slash_commands", slash_command_payload(
        command=command, text=text, user_id=user, channel_id="C0123", response_url=slack.new_response_url()))
    await slack.wait_ack(envelope)


def recap_messages(slack) -> list[dict]:
    return [m for m in slack.messages("C0123") if "The week in arXiv" in m["text"]]


def blocks_text(message: dict) -> str:
    return "\n".join(b["text"]["text"] if "text" in b and isinstance(b["text"], dict) else
                     "\n".join(e.get("text", "") for e in b.get("elements", [])) for b in message["blocks"])


def reply(ledger: dict, paper_id: str) -> str:
    return ledger[f"paper:{paper_id}"]["message"]


async def a_week_on_slack(bot: Running, slack, arxiv_fake, clock: FakeClock) -> None:
    """The week the tests recap: a paper crossing the threshold the week before (not this week's), votes on
    Monday and Tuesday, /paper on Wednesday, a read mark on Thursday, Friday's morning."""
    last_friday = MONDAY - timedelta(days=3)
    old = await bot.morning(arxiv_fake, last_friday, items("Z"))
    await slack_vote(bot, slack, reply(old, "2602.09001"), "U1", "U2")  # crossed the week before
    mon = await bot.morning(arxiv_fake, MONDAY, items("A"))
    clock.advance(hours=1)
    await slack_vote(bot, slack, reply(mon, "2602.06501"), "U1", "U2", "U3")
    await slack_vote(bot, slack, reply(mon, "2602.06502"), "U1")
    await slack_vote(bot, slack, reply(old, "2602.09001"), "U3")  # a third vote, but it crossed last week
    tue = await bot.morning(arxiv_fake, MONDAY + timedelta(days=1), items("B"))
    clock.advance(hours=1)
    await slack_vote(bot, slack, reply(tue, "2602.06601"), "U1", "U2")
    clock.advance(hours=1)
    await slack_vote(bot, slack, reply(mon, "2602.06502"), "U2")  # crosses after B1 did
    await bot.morning(arxiv_fake, MONDAY + timedelta(days=2), items("C"))
    clock.advance(hours=2)
    for user in ("U1", "U2"):
        await slack_command(slack, "/paper", "2602.06503", user)
    await slack_command(slack, "/paper", "2602.06704", "U3")  # a paper of the day that was not picked
    await wait_until(lambda: bot.store.db.execute(
        "select count(*) from posts where item like 'request:%:analysis'").fetchone()[0] == 3, 10)
    await bot.morning(arxiv_fake, MONDAY + timedelta(days=3), items("D"))
    clock.advance(hours=1)
    await slack_command(slack, "/mustread", "done 2602.06501", "U1")
    await wait_until(lambda: bot.store.db.execute("select count(*) from read_marks").fetchone()[0], 10)
    await bot.morning(arxiv_fake, MONDAY + timedelta(days=4), items("E"))


# -- the week, then the recap ------------------------------------------------------------------------
async def test_a_week_of_mornings_with_votes_then_one_recap_with_its_lists_themes_and_counts(
        arxiv_fake, llm_fake, write_config, slack):
    llm_fake.responder = week_responder
    clock = FakeClock(datetime(2026, 2, 5, 20, 0, tzinfo=timezone.utc))  # Thursday evening: nothing due
    async with on_slack(slack_config(write_config, slack), clock) as bot:
        await a_week_on_slack(bot, slack, arxiv_fake, clock)
        store = bot.core.engine.store
        for n, paper_id in enumerate(["2602.06503", "2602.06503", "2602.06602"]):  # questions in their threads
            admitted = store.admit_ask(bot.channel.ref, "1700000000.000100", "U1", f"question {n}?", f"q{n}",
                                       per_channel=30, per_user=10)
            store.finish_ask(admitted.ask_id, status="answered", paper_id=paper_id, answer="It says so in §3.")
        before = len(slack.messages("C0123"))
        await bot.recap(2026, 2, 13, 16, 0)
        await bot.recap(2026, 2, 13, 16, 30)  # the same week again (a second run): nothing more
    [message] = recap_messages(slack)
    assert len(slack.messages("C0123")) == before + 1 and message["thread_ts"] is None
    text = blocks_text(message)
    assert "The week in arXiv cs.CV: 2026-W07" in str(message["blocks"]) and "2026-02-09 to 2026-02-15" in text

    must_read = text[text.index("Must read this week"):text.index("Most asked")]
    order = [must_read.index(f"Paper {tag}: a study") for tag in ("A1", "B1", "A2")]
    assert order == sorted(order), must_read  # most votes first, then the earlier crossing
    assert "3 votes" in must_read and must_read.count("2 votes") == 2
    assert "Paper Z1" not in must_read  # it crossed the threshold the week before
    assert "· read" in must_read.split("Paper B1")[0]  # A1 was marked read on Thursday
    assert must_read.count("|thread>") == 3 and "https://fake.slack.com/archives/C0123/p" in must_read
    assert "<@U" not in text and "<!" not in text  # voters are counted, never pinged

    most_asked = text[text.index("Most asked"):text.index("Most discussed")]
    assert most_asked.index("Paper A3") < most_asked.index("Paper C4")
    assert "asked 2 times" in most_asked and "asked once" in most_asked
    discussed = text[text.index("Most discussed"):text.index("Themes of the week")]
    assert discussed.index("Paper A3") < discussed.index("Paper B2")
    assert "2 questions answered in its thread" in discussed and "1 question answered in its thread" in discussed
    assert "This week the team read about scene representation (1)" in text
    assert "20 papers announced · 16 posted · 4 voted on · 1 read" in text  # 15 picks and C4; A1 A2 B1 Z1

    [themes] = themes_calls(llm_fake)  # paid once, listing the week's 15 picks in posting order
    user = themes["messages"][1]["content"]
    assert "Week 2026-W07." in user and "[15] Paper E3" in user and "Paper Z1" not in user
    assert "Paper A1: a study [3 votes]" in user


async def test_exactly_once_across_a_crash_mid_post_a_restart_and_catch_up_after_downtime(
        arxiv_fake, llm_fake, write_config, slack, caplog):
    llm_fake.responder = week_responder
    config = slack_config(write_config, slack)
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(config, clock) as bot:
        mon = await bot.morning(arxiv_fake, MONDAY, items("A"))
        clock.advance(hours=1)
        await slack_vote(bot, slack, reply(mon, "2602.06501"), "U1", "U2")
        slack.fail_next("chat.postMessage", "internal_error")  # Slack fails the recap: the job dies with it
        clock.set(2026, 2, 13, 16, 0)
        with pytest.raises(ChatError):
            await bot.core.jobs.recap(bot.channel)
    assert recap_messages(slack) == [] and len(themes_calls(llm_fake)) == 1

    clock.set(2026, 2, 13, 19, 0)  # back three hours later: within catch_up_hours (6), the recap goes out
    async with on_slack(config, clock):
        await wait_until(lambda: recap_messages(slack), 10)
    caplog.set_level("INFO", logger="bot.chat.recap")
    clock.set(2026, 2, 13, 21, 30)  # another restart in the window: the ledger has it
    async with on_slack(config, clock) as bot:
        await wait_until(lambda: "recap of 2026-W07: 0 messages sent now" in caplog.text, 10)
    assert len(recap_messages(slack)) == 1 and len(themes_calls(llm_fake)) == 1  # posted once, paid once
    assert "Paper A1: a study" in blocks_text(recap_messages(slack)[0])


async def test_a_restart_too_long_after_the_recap_time_does_not_catch_up(arxiv_fake, llm_fake, write_config, slack):
    clock = FakeClock(datetime(2026, 2, 13, 22, 30, tzinfo=timezone.utc))  # 6.5 h after Friday 16:00
    async with on_slack(slack_config(write_config, slack), clock) as bot:
        jobs = {job.id: job for job in bot.core.jobs.scheduler.scheduler.get_jobs()}
    assert "catch-up:slack:C0123" not in jobs and {"digest:slack:C0123", "recap:slack:C0123"} <= jobs.keys()
    trigger = str(jobs["recap:slack:C0123"].trigger)
    assert "day_of_week='fri'" in trigger and "hour='16'" in trigger and "minute='0'" in trigger


@pytest.mark.parametrize("post_empty_days", [False, True])
async def test_an_empty_week_gets_no_recap_or_one_note(post_empty_days, arxiv_fake, llm_fake, write_config, slack):
    config = slack_config(write_config, slack)
    config = config.model_copy(update={"digest": config.digest.model_copy(update={"post_empty_days": post_empty_days})})
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(config, clock) as bot:
        await bot.recap(2026, 2, 13, 16, 0)
        await bot.recap(2026, 2, 14, 10, 0)  # Saturday, again: the same week
    messages = slack.messages("C0123")
    if post_empty_days:
        assert [m["text"] for m in messages] == ["Nothing was posted here in 2026-W07, so there is no recap this week."]
    else:
        assert messages == []
    assert themes_calls(llm_fake) == []


async def test_a_recap_on_monday_is_of_last_week_and_a_channel_can_turn_it_off(
        arxiv_fake, llm_fake, write_config, slack):
    llm_fake.responder = week_responder
    config = slack_config(write_config, slack, extra='recap_day = "monday"\nrecap_post_at = "08:00"\n')
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(config, clock) as bot:
        await bot.morning(arxiv_fake, MONDAY, items("A"))
        await bot.recap(2026, 2, 16, 8, 0)  # the next Monday
    [message] = recap_messages(slack)
    assert "2026-W07" in message["text"] and "2026-02-09 to 2026-02-15 · 1 morning post\n" in blocks_text(message)
    assert "No paper reached 2 votes this week." in blocks_text(message)
    off = slack_config(write_config, slack, extra="recap_enabled = false\n")
    assert off.recap_schedule(off.channels[0]) is None and config.recap_schedule(config.channels[0]) == (0, "08:00")


# -- Discord: a recap longer than one message, cut by a crash ------------------------------------------
@pytest.fixture
async def discord_fake(monkeypatch):
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake.token)
        with point_discord_at(fake):
            yield fake
        assert fake.errors == []


def on_discord(config, clock) -> Running:
    return Running(config, clock, run_discord, "discord")


async def test_a_long_recap_on_discord_resumes_after_a_crash_in_its_thread(
        arxiv_fake, llm_fake, write_config, discord_fake):
    llm_fake.responder = week_responder
    endpoint = (f'\n[discord]\napi_base = "{discord_fake.api_base}"\ngateway_url = "{discord_fake.gateway_url}"\n'
                f'guild_ids = [{GUILD_ID}]\nguild_ready_timeout_s = 0.05\n')
    config = config_for(write_config, platform="discord", endpoint=endpoint, channel=CHANNEL_ID, max_papers=5)
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    ref = ChannelRef("discord", CHANNEL_ID)
    async with on_discord(config, clock) as bot:
        for n, tag in enumerate("ABCD"):  # twenty long-titled picks, each voted onto the must-read list
            ledger = await bot.morning(arxiv_fake, MONDAY + timedelta(days=n), items(tag, 5, title_words=12))
            clock.advance(hours=1)
            for paper in items(tag, 5):
                post = ledger[f"paper:{paper.id}"]
                for user in (USER_ID, USER_ID_2):
                    await discord_fake.reaction(user, post["thread"], post["message"], "⭐")
        await bot.voted(40)
        parents = len(discord_fake.messages(CHANNEL_ID))
        discord_fake.after(ROUTE_SEND, 1).fail_next(ROUTE_SEND, status=403, code=50013)  # the second message fails
        with pytest.raises(ChatError):
            await bot.recap(2026, 2, 13, 16, 0)
        recorded = bot.store.posted(ref, "2026-02-09")
    assert "recap:2026-W07" in recorded and "recap:2026-W07:1" not in recorded
    [first] = discord_fake.messages(CHANNEL_ID)[parents:]
    assert first["embeds"][0]["title"] == "The week in arXiv cs.CV: 2026-W07"

    clock.set(2026, 2, 13, 17, 0)  # the restart catches up: only what is missing, in the recap's thread
    async with on_discord(config, clock):
        await wait_until(lambda: discord_fake.messages(first["id"]), 10)
    assert discord_fake.messages(CHANNEL_ID)[parents:] == [first]
    rest = discord_fake.messages(first["id"])
    shown = "".join(e.get("description", "") for m in [first, *rest] for e in m["embeds"])
    assert shown.count("2 votes") == 20 and shown.count("[thread](https://discord.com/channels/") == 20
    assert len(themes_calls(llm_fake)) == 1


# -- the command ----------------------------------------------------------------------------------------
@pytest.fixture
def slack_sync(monkeypatch):
    with FakeSlack() as fake:
        fake.add_channel("C0123", name="vision")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        yield fake


def test_recap_command_dry_run_prints_markdown_and_posting_happens_once_unless_forced(
        arxiv_fake, llm_fake, write_config, slack_sync, capsys):
    slack = slack_sync
    llm_fake.responder = week_responder
    last_week = IsoWeek.of(date.today() - timedelta(days=14))  # a past week, whatever today is
    config = slack_config(write_config, slack)
    path = config.base_dir / "paperbot.toml"

    async def week():
        clock = FakeClock(datetime.combine(last_week.monday, datetime.min.time(), tzinfo=timezone.utc))
        async with on_slack(config, clock) as bot:
            mon = await bot.morning(arxiv_fake, last_week.monday, items("A"))
            await slack_vote(bot, slack, reply(mon, "2602.06501"), "U1", "U2")

    asyncio.run(week())
    posted = len(slack.messages("C0123"))
    argv = ("recap", "--config", path, "--channel", "slack:C0123", "--week", str(last_week))
    code, out, err = run(capsys, *argv, "--dry-run")
    assert code == 0, err
    assert out.startswith(f"## The week in arXiv cs.CV: {last_week}\n")
    assert "**Must read this week**" in out and "1. [Paper A1: a study](https://arxiv.org/abs/2602.06501v1) — 2 votes" in out
    assert "This week the team read about" in out and len(slack.messages("C0123")) == posted  # printed only

    code, out, err = run(capsys, *argv)
    assert code == 0 and f"{last_week}: posted the recap to slack:C0123 (1 messages)" in err
    code, out, err = run(capsys, *argv)
    assert code == 0 and f"{last_week} was recapped in slack:C0123 already; --force posts it again" in err
    code, out, err = run(capsys, *argv, "--force")
    assert code == 0 and "posted the recap" in err
    assert len(recap_messages(slack)) == 2 and len(themes_calls(llm_fake)) == 1

    code, out, err = run(capsys, "recap", "--config", path, "--channel", "slack:C0123", "--week", "2026-W60")
    assert code == 2 and err.strip() == ("paperbot: error: --week '2026-W60' is not an ISO week; write it as "
                                         "YYYY-Www, e.g. 2026-W23")
    code, out, err = run(capsys, "recap", "--config", path, "--channel", "slack:C0123", "--week",
                         str(IsoWeek.of(date.today() + timedelta(days=21))), "--dry-run")
    assert code == 0 and out == "" and "nothing was posted to slack:C0123 in" in err


def test_weeks():
    assert str(IsoWeek.parse("2026-W23")) == "2026-W23" and IsoWeek.parse("2026-W23").monday == date(2026, 6, 1)
    assert IsoWeek.recapped_on(date(2026, 2, 13)) == WEEK == IsoWeek.recapped_on(date(2026, 2, 15))  # Fri, Sun
    assert IsoWeek.recapped_on(date(2026, 2, 16)) == WEEK == IsoWeek.recapped_on(date(2026, 2, 19))  # Mon, Thu
    start, end = WEEK.bounds("Asia/Tokyo")
    assert start == datetime(2026, 2, 8, 15, 0, tzinfo=timezone.utc) and end - start == timedelta(days=7)
    for bad in ("2026-23", "2026-W00", "2026-W54", "W23"):
        with pytest.raises(ValueError, match="is not an ISO week"):
            IsoWeek.parse(bad)
    assert IsoWeek.parse("2020-W53").monday == date(2020, 12, 28)  # a year with 53 weeks


def test_the_weekly_time_and_its_catch_up_window_in_the_channels_time_zone():
    from bot.scheduler import When

    friday = When("16:00", "Europe/Berlin", 4)
    assert friday.last(datetime(2026, 2, 13, 15, 30, tzinfo=timezone.utc)) == datetime(
        2026, 2, 13, 15, 0, tzinfo=timezone.utc)  # 16:00 CET
    assert friday.last(datetime(2026, 2, 13, 14, 30, tzinfo=timezone.utc)).date() == date(2026, 2, 6)  # before it
    assert friday.last(datetime(2026, 4, 3, 14, 30, tzinfo=timezone.utc)) == datetime(
        2026, 4, 3, 14, 0, tzinfo=timezone.utc)  # 16:00 CEST, after the clocks changed
    assert friday.missed(datetime(2026, 2, 13, 20, 59, tzinfo=timezone.utc), 6)
    assert not friday.missed(datetime(2026, 2, 13, 21, 1, tzinfo=timezone.utc), 6)
    assert not friday.missed(datetime(2026, 2, 16, 8, 0, tzinfo=timezone.utc), 6)  # Monday: long past


def test_a_zh_channel_gets_the_recap_in_its_words_and_untrusted_titles_stay_text():
    from bot.document.markdown import render
    from bot.document.recap import recap
    from bot.models import Paper
    from bot.weeks import WeekCounts, WeekPaper, WeekRecap

    evil = Paper("2602.00001", 1, "[click](https://evil.example) <!channel> # heading", "A.")
    week = WeekRecap(week=WEEK, categories=("cs.CV",), language="zh", threshold=2, mornings=5,
                     must_read=(WeekPaper(evil, votes=3, read=True),), most_asked=(WeekPaper(evil, asks=1),),
                     picks=(evil,), counts=WeekCounts(142, 50, 12, 3), themes_note="模型没有给出可用的回答")
    text = render(recap(week))
    assert text.startswith("## arXiv cs.CV 本周回顾：2026-W07")
    for words in ("本周必读", "3 票", "已读", "最常查询", "被查询 1 次", "本周主题暂不可用：模型没有给出可用的回答",
                  "公布 142 篇 · 发布 50 篇 · 获投票 12 篇 · 已读 3 篇"):
        assert words in text, words
    assert "[click](" not in text and "\\[click\\](https://evil.example) \\<!channel\\> # heading" in text
