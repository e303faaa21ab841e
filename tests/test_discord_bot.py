"""Discord end to end against the fake REST API and gateway, driven by the real discord.py:
command sync, the morning post, /paper, votes, /mustread, crash-and-resume, 429, reconnect."""

import asyncio
import threading

import discord
import pytest

from adapters.discord.app import PaperBot
from adapters.discord.conversation import DiscordConversation, intents
from bot.analysis.replies import QuickAnalysis
from bot.chat.desk import Desk
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import VoteBook
from bot.config import load_config
from bot.engine import Engine
from bot.errors import ChatError
from bot.models import ChannelRef
from testkit.samples import make_digest, quick_reply, smart_responder
from testkit.arxiv_fake import ApiPaper
from testkit.discord_fake import (BOT_USER_ID, CHANNEL_ID, GUILD_ID, ROUTE_SEND, USER_ID, USER_ID_2, FakeDiscord,
                                      started_client)
from testkit.paper_docs import latexml_html, sample_doc

PID = "2602.12281"
TARGET = ChannelRef("discord", CHANNEL_ID)
EVIL = "@everyone @here <@123456789012345678> [arxiv.org](https://evil.example) ||spoiler||"


@pytest.fixture
async def discord_fake():
    async with FakeDiscord() as fake:
        yield fake
        assert fake.errors == []


def discord_config(write_config, fake, *, guild_ids=(GUILD_ID,), channels=()):
    path = write_config(digest={"max_papers": 3})
    text = path.read_text() + (f'\n[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
                               f'guild_ids = [{", ".join(guild_ids)}]\nguild_ready_timeout_s = 0.05\n')
    for channel_id, post_at in channels:
        text += f'\n[[channels]]\nplatform = "discord"\nid = "{channel_id}"\npost_at = "{post_at}"\ntimezone = "UTC"\n'
    path.write_text(text)
    return load_config(path)


class Bot:
    def __init__(self, fake, client, engine, llm):
        self.fake, self.client, self.engine, self.llm = fake, client, engine, llm

    async def post(self, digest, *, stop=None, store=None) -> int:
        self.engine.store.save_papers([e.paper for e in digest.entries])
        return await self.morning(stop=stop, store=store).post_digest(TARGET, digest)

    def morning(self, *, stop=None, store=None) -> MorningPost:
        outbox = Outbox(DiscordConversation(self.client), store or self.engine.store, stop=stop)
        return MorningPost(outbox, ("star", "+1"))

    def thread(self) -> list[dict]:
        """The messages of the morning post's thread (its id is the parent's)."""
        [parent] = self.fake.messages(CHANNEL_ID)
        return self.fake.messages(parent["id"])

    async def answered(self, interaction, messages=2) -> tuple[dict, list[dict]]:
        """The /paper follow-up and the messages of its thread, once there are `messages` in all."""
        def ready():
            followups = self.fake.followups(interaction)
            if followups and len(self.fake.messages(followups[0]["message_id"])) >= messages - 1:
                return followups[0], self.fake.messages(followups[0]["message_id"])
        return await self.fake.wait_until(ready, timeout=10)


@pytest.fixture
async def bot(arxiv_fake, llm_fake, write_config, discord_fake):
    doc = sample_doc(PID)
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    config = discord_config(write_config, discord_fake)
    engine = Engine(config)
    client = PaperBot(Desk(engine, VoteBook(engine.store, emoji=("star", "+1"), threshold=2)), config)
    async with started_client(discord_fake, client):
        yield Bot(discord_fake, client, engine, llm_fake)
    await engine.close()


def text_of(message: dict) -> str:
    return message["content"] + "".join(e.get("title", "") + e.get("description", "") for e in message["embeds"])


def deep_calls(llm):
    return [c for c in llm.calls if '"abstract_translation"' in c["messages"][0]["content"]]


# -- connect and commands ---------------------------------------------------------------------------
async def test_commands_are_registered_in_the_configured_server_with_no_privileged_intent(bot):
    commands = {c["name"]: c for c in bot.fake.guild_commands(GUILD_ID)}
    assert set(commands) == {"paper", "mustread"} and bot.fake.global_commands == []
    assert [o["name"] for o in commands["paper"]["options"]] == ["id"]
    assert {o["name"] for o in commands["mustread"]["options"]} == {"list", "done"}
    assert all(c.get("contexts") == [0] or c.get("dm_permission") is False for c in commands.values())  # servers only
    [identify] = bot.fake.identify_payloads
    assert identify["intents"] == intents().value and not intents().value & (1 << 1 | 1 << 8 | 1 << 15)


async def test_without_guild_ids_the_commands_are_global(arxiv_fake, llm_fake, write_config, discord_fake):
    config = discord_config(write_config, discord_fake, guild_ids=())
    engine = Engine(config)
    async with started_client(discord_fake, PaperBot(Desk(engine, VoteBook(engine.store, emoji=("star",), threshold=2)),
                                                     config)):
        assert {c["name"] for c in discord_fake.global_commands} == {"paper", "mustread"}
    # Then guild_ids are set: the commands move to the server, none are left twice.
    config = discord_config(write_config, discord_fake)
    async with started_client(discord_fake, PaperBot(Desk(engine, VoteBook(engine.store, emoji=("star",), threshold=2)),
                                                     config)):
        assert discord_fake.global_commands == [] and len(discord_fake.guild_commands(GUILD_ID)) == 2
    await engine.close()


# -- the morning post -------------------------------------------------------------------------------
async def test_parent_thread_and_one_message_per_paper_in_rank_order(bot):
    sent = await bot.post(make_digest())

    [parent] = bot.fake.messages(CHANNEL_ID)
    thread = bot.thread()
    assert sent == 11 and len(thread) == 10 and parent["id"] in bot.fake.threads
    assert bot.fake.threads[parent["id"]]["name"] == "arXiv cs.CV — 2026-02-09"
    assert "10 of 142 papers picked" in text_of(parent) and "Main themes and trends" in text_of(parent)
    assert [m["embeds"][0]["title"].startswith(f"{n}. Paper number {n}") for n, m in enumerate(thread, 1)] == [True] * 10
    assert all(m["allowed_mentions"] == {"parse": []} for m in [parent, *thread])
    assert "[PDF](https://arxiv.org/pdf/2602.12281v1)" in text_of(thread[0]) and "⭐ or 👍" in text_of(thread[0])


async def test_a_long_analysis_is_split_not_rejected(bot):
    long = QuickAnalysis(**{**quick_reply("x"), "key_innovations": ["word " * 700] * 8})
    await bot.post(make_digest(1, analysis=long))
    thread = bot.thread()
    assert len(thread) > 1 and "".join(text_of(m) for m in thread).count("word") == 5600


async def test_untrusted_text_cannot_ping_or_hide_a_link(bot):
    from dataclasses import replace

    evil = QuickAnalysis(**{**quick_reply("x"), "main_contribution": EVIL})
    digest = make_digest(2, title=EVIL, analysis=evil)
    digest = replace(digest, entries=tuple(replace(e, paper=replace(e.paper, authors=(EVIL,))) for e in digest.entries))
    await bot.post(digest)
    for message in bot.fake.messages():
        text = text_of(message)
        assert message["allowed_mentions"] == {"parse": []}
        assert "@everyone" not in text and "@here" not in text and "<@1" not in text
        assert "[arxiv.org](https://evil" not in text and "||spoiler" not in text


async def test_a_crash_after_four_papers_resumes_without_posting_twice(bot):
    digest = make_digest()
    bot.fake.after(ROUTE_SEND, 5).fail_next(ROUTE_SEND, status=503)  # 503: discord.py does not retry it
    with pytest.raises(ChatError, match="trouble on Discord's side"):
        await bot.post(digest)
    assert len(bot.thread()) == 4

    sent, again = await bot.post(digest), await bot.post(digest)  # the next start, and one more

    thread = bot.thread()
    assert (sent, again) == (6, 0) and len(bot.fake.messages(CHANNEL_ID)) == 1
    assert [m["embeds"][0]["title"].startswith(f"{n}. ") for n, m in enumerate(thread, 1)] == [True] * 10


async def test_a_crash_after_the_thread_was_started_resumes_in_the_same_thread(bot):
    bot.fake.after(ROUTE_SEND, 1).fail_next(ROUTE_SEND, status=503)  # the parent and its thread, then nothing
    with pytest.raises(ChatError):
        await bot.post(make_digest(3))
    assert len(bot.fake.threads) == 1 and bot.thread() == []
    assert await bot.post(make_digest(3)) == 3  # the thread is there already (160004): the same one
    assert len(bot.fake.threads) == 1 and len(bot.thread()) == 3


async def test_a_stop_before_the_post_starts_posts_nothing(bot):
    stop = asyncio.Event()
    stop.set()
    assert await bot.post(make_digest(3), stop=stop) == 0 and bot.fake.messages() == []


async def test_a_429_mid_thread_waits_and_continues_in_order(bot):
    bot.fake.after(ROUTE_SEND, 3).rate_limit_next(ROUTE_SEND, times=2, retry_after=0.05)
    await bot.post(make_digest())
    thread = bot.thread()
    assert [m["embeds"][0]["title"].startswith(f"{n}. ") for n, m in enumerate(thread, 1)] == [True] * 10
    assert [c.status for c in bot.fake.calls_to(ROUTE_SEND)].count(429) == 2


async def test_a_day_without_announcement_can_have_one_note(bot):
    poster = bot.morning()
    assert await poster.post_note(TARGET, "2026-02-14", "no arXiv announcement for 2026-02-14 @everyone")
    assert not await poster.post_note(TARGET, "2026-02-14", "no arXiv announcement for 2026-02-14")
    [note] = bot.fake.messages(CHANNEL_ID)
    assert "no arXiv announcement" in note["content"] and "@everyone" not in note["content"]
    # A /paper answer earlier that day is not the day's post: the note still goes out once.
    bot.engine.store.save_post(TARGET, "2026-02-15", "request:1", message="1", thread=None, paper_id=PID)
    assert await poster.post_note(TARGET, "2026-02-15", "no arXiv announcement for 2026-02-15")


# -- /paper -------------------------------------------------------------------------------------------
async def test_paper_defers_before_the_analysis_is_written_then_answers_in_a_thread(bot):
    release = threading.Event()

    def held(request):  # the model answers only once the test has seen the deferral
        release.wait(10)
        return smart_responder(request)

    bot.llm.responder = held
    try:
        interaction = await bot.fake.interaction("paper", {"id": f"arXiv:{PID}"})
        [deferred] = await bot.fake.wait_until(lambda: bot.fake.callbacks(interaction))
        assert deferred.type == 5 and bot.fake.followups(interaction) == []
    finally:
        release.set()
    head, thread = await bot.answered(interaction)
    assert deferred.seq < head["seq"] and head["replaced_original"]
    assert head["embeds"][0]["title"].startswith("Deep analysis: ") and f"<@{USER_ID}>" in text_of(head)
    assert "7. Summary" in "".join(text_of(m) for m in thread) and len(deep_calls(bot.llm)) == 1
    assert all(m["allowed_mentions"] == {"parse": []} for m in thread)


async def test_paper_cached_costs_nothing_and_two_at_once_cost_one(bot):
    bot.llm.latency_s = 0.2
    first, second = [await bot.fake.interaction("paper", {"id": PID}, user_id=u) for u in (USER_ID, USER_ID_2)]
    await bot.answered(first), await bot.answered(second)
    third = await bot.fake.interaction("paper", {"id": f"{PID}v1"})
    await bot.answered(third)
    assert len(deep_calls(bot.llm)) == 1


async def test_invalid_id_is_an_ephemeral_sentence(bot):
    interaction = await bot.fake.interaction("paper", {"id": "banana"})
    [answer] = await bot.fake.wait_until(lambda: bot.fake.callbacks(interaction))
    assert answer.type == 4 and answer.ephemeral and "is not an arXiv id" in answer.data["content"]
    assert bot.llm.calls == [] and all(m["ephemeral"] for m in bot.fake.messages(CHANNEL_ID))


async def test_no_full_text_answers_with_the_labelled_quick_analysis(bot, arxiv_fake):
    arxiv_fake.withdraw(PID)
    head, thread = await bot.answered(await bot.fake.interaction("paper", {"id": PID}))
    assert head["embeds"][0]["title"].startswith("Quick analysis: ")
    assert "No deep analysis: arXiv has no usable full text" in text_of(thread[0]) and deep_calls(bot.llm) == []


async def test_an_unknown_paper_replaces_the_thinking_message_with_one_sentence(bot):
    interaction = await bot.fake.interaction("paper", {"id": "2602.99999"})
    [original] = await bot.fake.wait_until(lambda: [m for m in bot.fake.messages(CHANNEL_ID)
                                                    if m["kind"] == "original" and not m["loading"]], timeout=10)
    assert "arXiv has no paper 2602.99999" in original["content"] and bot.fake.followups(interaction) == []


async def test_a_failure_after_the_deferral_is_told_to_the_asker(bot):
    bot.fake.fail_next(ROUTE_SEND, status=403, code=50013)  # the bot may start threads but not post in them
    interaction = await bot.fake.interaction("paper", {"id": PID})
    _, apology = await bot.fake.wait_until(lambda: len(bot.fake.followups(interaction)) >= 2
                                           and bot.fake.followups(interaction), timeout=10)
    assert apology["ephemeral"] and "the bot lacks a permission there" in apology["content"]


async def test_paper_asked_inside_a_thread_answers_there_and_its_messages_are_votes(bot):
    await bot.post(make_digest(1))
    [parent] = bot.fake.messages(CHANNEL_ID)
    interaction = await bot.fake.interaction("paper", {"id": PID}, channel_id=parent["id"])
    head = (await bot.fake.wait_until(lambda: bot.fake.followups(interaction), timeout=10))[0]
    analysis = await bot.fake.wait_until(lambda: [m for m in bot.fake.messages(parent["id"])
                                                  if m["seq"] > head["seq"] and not m["ephemeral"]], timeout=10)
    assert len(bot.fake.threads) == 1 and "7. Summary" in text_of(analysis[0])  # no thread inside the thread
    await bot.fake.reaction(USER_ID, parent["id"], head["message_id"], "⭐")  # on the head: the thread is its channel
    await bot.fake.reaction(USER_ID_2, parent["id"], analysis[0]["id"], "⭐")
    [item] = await bot.fake.wait_until(lambda: bot.client.desk.votes.must_read(TARGET))
    assert item.paper.id == PID and item.voters == (USER_ID, USER_ID_2)


# -- votes and /mustread -----------------------------------------------------------------------------
async def votes_for(bot, thread_message: dict, *users: str, emoji="⭐", added=True):
    for user in users:
        await bot.fake.reaction(user, thread_message["channel_id"], thread_message["id"], emoji, added=added)


async def test_raw_reaction_votes_reach_the_list_and_done_takes_one_off(bot):
    await bot.post(make_digest(3))
    first, second, _ = bot.thread()
    await votes_for(bot, first, USER_ID)
    await votes_for(bot, first, BOT_USER_ID)  # the bot's own reaction
    await votes_for(bot, first, USER_ID, emoji="🔥")  # not a vote emoji
    await votes_for(bot, second, USER_ID, USER_ID_2, emoji="👍🏽")
    await votes_for(bot, second, USER_ID_2, emoji="👍🏽", added=False)  # taken back
    await votes_for(bot, first, USER_ID_2, emoji="👍")
    votes = bot.client.desk.votes
    [item] = await bot.fake.wait_until(lambda: votes.must_read(TARGET))
    assert item.paper.id == "2602.12281" and item.voters == (USER_ID, USER_ID_2)

    listing = await bot.fake.interaction("mustread", subcommand="list")
    [answer] = await bot.fake.wait_until(lambda: bot.fake.callbacks(listing))
    text = "".join(e.get("description", "") for e in answer.data["embeds"])
    assert answer.ephemeral and "Paper number 1" in text and "2 votes" in text and f"<@{USER_ID}>" in text

    done = await bot.fake.interaction("mustread", {"id": "arXiv:2602.12281"}, subcommand="done")
    [answer] = await bot.fake.wait_until(lambda: bot.fake.callbacks(done))
    assert answer.ephemeral and "off the list" in answer.data["content"] and votes.must_read(TARGET) == []


async def test_a_vote_on_a_message_from_before_a_restart_counts(bot, discord_fake):
    await bot.post(make_digest(3))
    first = bot.thread()[0]
    await bot.client.close()  # the restart: a new client with an empty cache, the same database

    config = bot.engine.config
    engine = Engine(config)
    restarted = PaperBot(Desk(engine, VoteBook(engine.store, emoji=("star", "+1"), threshold=2)), config)
    async with started_client(discord_fake, restarted):
        await votes_for(bot, first, USER_ID, USER_ID_2)
        [item] = await discord_fake.wait_until(lambda: restarted.desk.votes.must_read(TARGET))
    assert item.paper.id == "2602.12281" and item.votes == 2
    await engine.close()


async def test_voting_on_a_deep_analysis_counts_for_its_paper(bot):
    _, thread = await bot.answered(await bot.fake.interaction("paper", {"id": PID}))
    await votes_for(bot, thread[0], USER_ID, USER_ID_2)
    [item] = await bot.fake.wait_until(lambda: bot.client.desk.votes.must_read(TARGET))
    assert item.paper.id == PID and item.votes == 2


async def test_a_message_accepted_but_not_recorded_is_not_doubled_on_resend(bot, tmp_path):
    # The crash window no ledger can close: Discord created the messages, our records are gone.
    # Each message's nonce comes from its ledger key, so the resend gets the same messages back.
    from bot.store import Store

    await bot.post(make_digest(3))
    sent = await bot.morning(store=Store(tmp_path / "lost.db")).post_digest(TARGET, make_digest(3))
    assert sent == 4 and len(bot.fake.messages(CHANNEL_ID)) == 1 and len(bot.thread()) == 3
    nonces = [c.json["nonce"] for c in bot.fake.calls_to(ROUTE_SEND)]
    assert len(nonces) == 8 and len(set(nonces)) == 4 and all(c.json["enforce_nonce"] for c in bot.fake.calls_to(ROUTE_SEND))
