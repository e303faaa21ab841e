"""A paper's new version, told in the paper's own thread: through the Slack and Discord fakes and a fake
arXiv whose days move on. Posted Monday, replaced Wednesday: one reply in Monday's thread and not in
Wednesday's post; a second replacement gives a second reply; a restart repeats none; an unchanged abstract
makes no LLM call; votes stay with the paper."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.arxiv.listing import combine, Feed
from bot.chat.votes import VoteBook
from bot.models import ChannelRef, Listed, Paper
from testkit.arxiv_fake import ApiPaper, FeedItem
from testkit.discord_fake import CHANNEL_ID, GUILD_ID, USER_ID, USER_ID_2
from testkit.waiting import wait_until
from testkit.week import FakeClock, change_calls, week_responder
from tests.test_recap import (config_for, discord_fake, items, on_discord, on_slack, slack_command,  # noqa: F401
                              slack_config, slack_vote)

MONDAY, WEDNESDAY, THURSDAY = date(2026, 2, 9), date(2026, 2, 11), date(2026, 2, 12)
A1 = "2602.06501"
OLD = "We study problem A1. We propose method A1. Results improve."
NEW = "We study problem A1. We propose method A1 and a second dataset. Results improve by 3 points."


def replaced(paper_id: str, version: int, abstract: str, announce_type: str = "replace") -> FeedItem:
    return FeedItem(paper_id, version=version, title="Paper A1: a study", abstract=abstract,
                    authors=["Ada Lovelace"], categories=["cs.CV"], announce_type=announce_type)


def api(arxiv_fake, paper_id: str, version: int, abstract: str, comment: str | None, day: date,
        title: str = "Paper A1: a study") -> None:
    """The API's entry for the paper's newest version (its comment is only there)."""
    arxiv_fake.add_paper(ApiPaper(paper_id, version=version, title=title, abstract=abstract,
                                  authors=["Ada Lovelace"], comment=comment,
                                  published=datetime(2026, 1, 8, 18, tzinfo=timezone.utc),
                                  updated=datetime.combine(day - timedelta(days=1), datetime.min.time(),
                                                           tzinfo=timezone.utc)))


async def announce(bot, arxiv_fake, day: date, feed: list[FeedItem], versions: list[tuple]) -> dict:
    """A morning whose feed carries replacements; `versions`: (id, version, abstract, comment) for the API."""
    arxiv_fake.set_feed("cs.CV", day, feed)
    for item in feed:
        if item.announce_type == "new":
            api(arxiv_fake, item.id, 1, item.abstract, None, day, item.title)
    for paper_id, version, abstract, comment, *title in versions:
        api(arxiv_fake, paper_id, version, abstract, comment, day, *title)
    bot.clock.set(day.year, day.month, day.day, 9, 0)
    await bot.core.jobs.post(bot.channel)
    return bot.store.posted(bot.channel.ref, day.isoformat())


def in_thread(slack, parent_ts: str) -> list[dict]:
    return [m for m in slack.messages("C0123") if m["thread_ts"] == parent_ts]


def text_of(message: dict) -> str:
    return message["text"] + str(message["blocks"])


async def test_posted_monday_replaced_wednesday_and_thursday_one_reply_each_in_mondays_thread(
        arxiv_fake, llm_fake, write_config, slack):
    llm_fake.responder = week_responder
    config = slack_config(write_config, slack)
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(config, clock) as bot:
        monday = await announce(bot, arxiv_fake, MONDAY, items("A"), [(A1, 1, OLD, "10 pages")])
        await slack_vote(bot, slack, monday[f"paper:{A1}"]["message"], "U1")
        wednesday = await announce(bot, arxiv_fake, WEDNESDAY, [*items("C"), replaced(A1, 2, NEW),
                                                                replaced("2602.07777", 3, "Not ours.")],
                                   [(A1, 2, NEW, "Accepted at CVPR 2026 <!channel>")])

    parent = monday["parent"]["message"]
    [told] = [m for m in in_thread(slack, parent) if "v2 is out" in m["text"]]
    text = text_of(told)
    assert told["text"] == f"{A1}: v2 is out (2026-02-10)"
    assert f"<https://arxiv.org/abs/{A1}v2|v2 is out (2026-02-10): Paper A1: a study>" in text
    assert "*Comment:* Accepted at CVPR 2026 &lt;!channel&gt;" in text and "<!channel>" not in text  # inert
    assert "The abstract changed:" in text
    assert "adds results on a second dataset" in text  # the model's paragraph
    assert f"<https://arxiv.org/pdf/{A1}v2|PDF>" in text
    [asked] = change_calls(llm_fake)
    assert "We propose method A1 and a second dataset" in asked["messages"][1]["content"]
    assert 'version="1" part="older"' in asked["messages"][1]["content"] and "10 pages" in asked["messages"][1]["content"]

    wednesday_thread = in_thread(slack, wednesday["parent"]["message"])
    assert len(wednesday_thread) == 3 and not any("Paper A1" in text_of(m) for m in wednesday_thread)
    assert not any("2602.07777" in text_of(m) for m in slack.messages("C0123"))  # a paper the channel never got

    clock.set(2026, 2, 11, 10, 0)  # a restart within the catch-up window: the morning job runs again
    async with on_slack(config, clock) as bot:
        await wait_until(lambda: len(arxiv_fake.requests_to("/rss/")) >= 3, 10)
        await bot.core.jobs.post(bot.channel)  # and once more by hand: still nothing twice
        # Votes follow the paper: a vote on the new version's reply counts with Monday's.
        await slack_vote(bot, slack, told["ts"], "U2")
        must_read = VoteBook(bot.store, emoji=("star",), threshold=2).must_read(bot.channel.ref)
        assert [(m.paper.id, m.paper.version, m.votes) for m in must_read] == [(A1, 2, 2)]

        await announce(bot, arxiv_fake, THURSDAY, [*items("D"), replaced(A1, 3, NEW)],
                       [(A1, 3, NEW, "Code released at github.com/ada/a1")])
        # v3 listed again the next day (cross-listed into another feed): the channel heard of it already.
        await announce(bot, arxiv_fake, THURSDAY + timedelta(days=1), [*items("E"), replaced(A1, 3, NEW, "replace-cross")],
                       [])
    replies = [m for m in in_thread(slack, parent) if "is out" in m["text"]]
    assert [m["text"] for m in replies] == [f"{A1}: v2 is out (2026-02-10)", f"{A1}: v3 is out (2026-02-11)"]
    third = text_of(replies[1])
    assert "The abstract is unchanged." in third and "*Comment:* Code released at github.com/ada/a1" in third
    assert len(change_calls(llm_fake)) == 1  # the unchanged abstract cost no call


async def test_a_paper_answered_for_paper_gets_its_new_version_in_the_answers_thread(
        arxiv_fake, llm_fake, write_config, slack):
    llm_fake.responder = week_responder
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(slack_config(write_config, slack), clock) as bot:
        await announce(bot, arxiv_fake, MONDAY, items("A"), [])
        asked = "2602.06504"  # not picked on Monday: asked for with /paper
        await slack_command(slack, "/paper", asked, "U1")
        await wait_until(lambda: [r for r in bot.store.db.query("select * from posts where item like 'request:%'")
                                  if r["item"].endswith(":analysis")], 10)
        [head] = [r for r in bot.store.db.query("select * from posts where item like 'request:%'")
                  if not r["item"].endswith(":analysis")]
        await announce(bot, arxiv_fake, WEDNESDAY, [*items("C"), replaced(asked, 2, OLD, "replace-cross")],
                       [(asked, 2, "We study problem A4. We propose method A4. Results improve.", None,
                         "Paper A4: a study")])
    [told] = [m for m in in_thread(slack, head["message"]) if "v2 is out" in m["text"]]
    assert "The abstract is unchanged." in text_of(told) and change_calls(llm_fake) == []


async def test_following_new_versions_can_be_turned_off(arxiv_fake, llm_fake, write_config, slack):
    config = slack_config(write_config, slack)
    config = config.model_copy(update={"digest": config.digest.model_copy(update={"follow_new_versions": False})})
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_slack(config, clock) as bot:
        await announce(bot, arxiv_fake, MONDAY, items("A"), [])
        await announce(bot, arxiv_fake, WEDNESDAY, [*items("C"), replaced(A1, 2, NEW)], [(A1, 2, NEW, None)])
    assert not any("is out" in m["text"] for m in slack.messages("C0123")) and len(slack.messages("C0123")) == 8


async def test_on_discord_the_new_version_goes_into_the_morning_posts_thread(
        arxiv_fake, llm_fake, write_config, discord_fake):
    llm_fake.responder = week_responder
    endpoint = (f'\n[discord]\napi_base = "{discord_fake.api_base}"\ngateway_url = "{discord_fake.gateway_url}"\n'
                f'guild_ids = [{GUILD_ID}]\nguild_ready_timeout_s = 0.05\n')
    config = config_for(write_config, platform="discord", endpoint=endpoint, channel=CHANNEL_ID)
    clock = FakeClock(datetime(2026, 2, 8, 20, 0, tzinfo=timezone.utc))
    async with on_discord(config, clock) as bot:
        monday = await announce(bot, arxiv_fake, MONDAY, items("A"), [])
        post = monday[f"paper:{A1}"]
        await discord_fake.reaction(USER_ID, post["thread"], post["message"], "⭐")
        await announce(bot, arxiv_fake, WEDNESDAY, [*items("C"), replaced(A1, 2, NEW)], [(A1, 2, NEW, None)])
        told = bot.store.posted(bot.channel.ref, WEDNESDAY.isoformat())[f"version:{A1}:v2"]
        await discord_fake.reaction(USER_ID_2, told["thread"], told["message"], "⭐")
        await bot.voted(2)
        must_read = VoteBook(bot.store, emoji=("star",), threshold=2).must_read(ChannelRef("discord", CHANNEL_ID))
    assert told["thread"] == post["thread"] and [(m.paper.id, m.votes) for m in must_read] == [(A1, 2)]
    [message] = [m for m in discord_fake.messages(post["thread"]) if m["id"] == told["message"]]
    assert message["embeds"][0]["title"] == "v2 is out (2026-02-10): Paper A1: a study"
    assert "The abstract changed:" in message["embeds"][0]["description"]
    assert len(discord_fake.messages(CHANNEL_ID)) == 2  # the two mornings' parents, nothing else at the top


def test_the_listing_keeps_replacements_apart_from_the_days_papers():
    def listed(pid, kind, version=1):
        return Listed(Paper(pid, version, "T", "A"), "cs.CV", kind)

    feed = Feed("cs.CV", "2026-02-11", (listed("1", "new"), listed("2", "replace", 2), listed("3", "cross"),
                                         listed("4", "replace-cross", 3)))
    day = combine([feed], ("new", "cross"))
    assert [i.paper.id for i in day.listed] == ["1", "3"] and day.other_types == 2
    assert [(i.paper.id, i.paper.version) for i in day.replaced] == [("2", 2), ("4", 3)]
    everything = combine([replace(feed)], ("new", "cross", "replace"))
    assert [i.paper.id for i in everything.listed] == ["1", "2", "3"] and len(everything.replaced) == 2


@pytest.mark.parametrize("before, after, changed", [("a  b\nc", "a b c", False), ("a b c", "a b d", True)])
def test_an_abstract_changes_in_words_not_in_spacing(before, after, changed):
    from bot.chat.versions import abstract_changed

    assert abstract_changed(Paper("1", 1, "T", before), Paper("1", 2, "T", after)) is changed
