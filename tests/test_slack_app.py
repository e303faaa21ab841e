"""The Slack app over HTTP (signed requests to Bolt's own web app): /paper, /mustread, votes."""

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.app import build_app
from adapters.slack.conversation import SlackConversation, make_client
from bot.chat.desk import Desk
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import VoteBook
from bot.config import load_config
from bot.engine import Engine
from bot.models import ChannelRef
from testkit.arxiv_fake import ApiPaper
from testkit.paper_docs import latexml_html, sample_doc
from testkit.slack_fake import FakeSlack, event_body, reaction_event, sign, slash_command_body
from testkit.samples import make_digest

SECRET = "test-signing-secret"
CHANNEL = "C0123"
PID = "2602.12281"


@pytest.fixture
async def bot(arxiv_fake, llm_fake, write_config, tmp_path):
    doc = sample_doc(PID)
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    async with FakeSlack() as slack:
        slack.add_channel(CHANNEL, name="vision")
        engine = Engine(load_config(write_config()))
        votes = VoteBook(engine.store, emoji=("star", "+1"), threshold=2)
        client = make_client("xoxb-test", slack.api_url)
        app = build_app(Desk(engine, votes), client, signing_secret=SECRET)
        runner = web.AppRunner(app.web_app(path="/slack/events"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        async with aiohttp.ClientSession() as http:
            yield _Bot(slack, engine, votes, client, http, url, llm_fake)
        await runner.cleanup()
        await engine.close()


class _Bot:
    def __init__(self, slack, engine, votes, client, http, url, llm):
        self.slack, self.engine, self.votes, self.client, self.http, self.url, self.llm = \
            slack, engine, votes, client, http, url, llm

    async def command(self, command, text, user="U1", secret=SECRET):
        body = slash_command_body(command=command, text=text, user_id=user, channel_id=CHANNEL,
                                  response_url=self.slack.new_response_url())
        headers = {**sign(body, secret), "Content-Type": "application/x-www-form-urlencoded"}
        async with self.http.post(self.url, data=body, headers=headers) as r:
            return r.status, await r.text()

    async def event(self, event, event_id):
        body = event_body(event, event_id=event_id)
        headers = {**sign(body, SECRET), "Content-Type": "application/json"}
        async with self.http.post(self.url, data=body, headers=headers) as r:
            return r.status


def deep_calls(llm):
    return [c for c in llm.calls if '"abstract_translation"' in c["messages"][0]["content"]]


async def test_paper_acks_first_then_posts_the_analysis_in_a_thread(bot):
    status, text = await bot.command("/paper", f"arXiv:{PID}")
    assert status == 200 and "Working on 2602.12281" in text and json.loads(text)["response_type"] == "ephemeral"

    messages = await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2 and bot.slack.messages(CHANNEL))
    head, *thread = messages
    assert "Deep analysis" in str(head["blocks"]) and "asked by &lt;@U1&gt;" not in str(head["blocks"])
    assert "<@U1>" in str(head["blocks"])
    assert all(m["thread_ts"] == head["ts"] for m in thread)
    assert "7. Summary" in str(thread)
    assert len(deep_calls(bot.llm)) == 1


async def test_paper_cached_costs_nothing(bot):
    await bot.command("/paper", PID)
    await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2)
    count = len(bot.slack.messages(CHANNEL))
    await bot.command("/paper", f"{PID}v1", user="U2")
    await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2 * count)
    assert len(deep_calls(bot.llm)) == 1


async def test_invalid_id_is_an_ephemeral_sentence(bot):
    status, text = await bot.command("/paper", "banana")
    assert status == 200
    assert "is not an arXiv id; use a form like 2602.12281" in json.loads(text)["text"]
    assert bot.slack.messages(CHANNEL) == [] and bot.llm.calls == []


async def test_bad_signature_is_rejected(bot):
    status, _ = await bot.command("/paper", PID, secret="wrong")
    assert status == 401 and bot.slack.messages(CHANNEL) == []


async def test_votes_reach_the_mustread_list_and_done_removes(bot):
    digest = make_digest(3)
    bot.engine.store.save_papers([e.paper for e in digest.entries])
    await MorningPost(Outbox(SlackConversation(bot.client), bot.engine.store), ("star", "+1")).post_digest(
        ChannelRef("slack", CHANNEL), digest)
    first_reply = bot.slack.messages(CHANNEL)[1]["ts"]
    assert await bot.event(reaction_event("U1", "star", CHANNEL, first_reply), "Ev1") == 200
    await bot.event(reaction_event("U1", "star", CHANNEL, first_reply), "Ev1")  # Slack's retry
    await bot.event(reaction_event("UBOT", "star", CHANNEL, first_reply), "Ev2")  # the bot itself
    status, text = await bot.command("/mustread", "")
    assert "Nothing on the must-read list" in text

    await bot.event(reaction_event("U2", "+1", CHANNEL, first_reply), "Ev3")
    # Bolt acks an event before its listener runs: wait for the vote to land, not for a clock.
    await bot.slack.wait_until(lambda: bot.votes.must_read(ChannelRef("slack", "C0123")))
    status, text = await bot.command("/mustread", "")
    assert "Paper number 1" in text and "2 votes" in text and "&lt;@U1&gt;" not in text

    status, text = await bot.command("/mustread", "done 2602.12281")
    assert "off the list" in text
    status, text = await bot.command("/mustread", "")
    assert "Nothing on the must-read list" in text


async def test_the_ack_comes_before_the_analysis_is_written(bot):
    import threading

    from testkit.samples import smart_responder

    release = threading.Event()

    def held(request):  # the model answers only once the test has seen the ack
        release.wait(10)
        return smart_responder(request)

    bot.llm.responder = held
    try:
        status, text = await bot.command("/paper", PID)
        assert status == 200 and "Working on" in text
        assert bot.slack.messages(CHANNEL) == []  # acknowledged while the analysis is still being written
    finally:
        release.set()
    await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2)


async def test_two_people_asking_at_once_cost_one_analysis(bot):
    bot.llm.latency_s = 0.2
    results = await asyncio.gather(bot.command("/paper", PID, user="U1"), bot.command("/paper", PID, user="U2"))
    assert all(status == 200 for status, _ in results)
    messages = await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 4 and bot.slack.messages(CHANNEL))
    assert len(deep_calls(bot.llm)) == 1
    heads = [m for m in messages if m["thread_ts"] is None]
    assert sorted("<@U1>" in str(h["blocks"]) for h in heads) == [False, True]


async def test_no_full_text_answers_with_the_labelled_quick_analysis(bot, arxiv_fake):
    arxiv_fake.withdraw(PID)
    await bot.command("/paper", PID)
    head, reply = await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2 and bot.slack.messages(CHANNEL))
    assert "Quick analysis" in str(head["blocks"])
    assert "No deep analysis: arXiv has no usable full text" in str(reply["blocks"])
    assert "quick analysis from the abstract" in str(reply["blocks"]) and deep_calls(bot.llm) == []


async def test_voting_on_a_deep_analysis_counts_for_its_paper(bot):
    await bot.command("/paper", PID)
    messages = await bot.slack.wait_until(lambda: len(bot.slack.messages(CHANNEL)) >= 2 and bot.slack.messages(CHANNEL))
    analysis = [m for m in messages if m["thread_ts"]][0]
    await bot.event(reaction_event("U1", "star", CHANNEL, analysis["ts"]), "EvA")
    await bot.event(reaction_event("U2", "star", CHANNEL, analysis["ts"]), "EvB")
    [item] = await bot.slack.wait_until(lambda: bot.votes.must_read(ChannelRef("slack", "C0123")))
    assert item.paper.id == PID and item.votes == 2


async def test_unknown_paper_is_an_ephemeral_sentence(bot):
    await bot.command("/paper", "2602.99999")
    [reply] = await bot.slack.wait_until(lambda: [p for url in bot.slack.response_urls for p in bot.slack.responses(url)])
    assert "arXiv has no paper 2602.99999" in str(reply.body) and reply.body["response_type"] == "ephemeral"
    assert bot.slack.messages(CHANNEL) == []


async def test_paper_in_a_channel_the_bot_is_not_in_tells_the_asker_to_invite_it(bot):
    bot.slack.add_channel("COUT", name="outside", member=False)
    body = slash_command_body(command="/paper", text=PID, user_id="U1", channel_id="COUT",
                              response_url=bot.slack.new_response_url())
    headers = {**sign(body, SECRET), "Content-Type": "application/x-www-form-urlencoded"}
    async with bot.http.post(bot.url, data=body, headers=headers) as r:
        assert r.status == 200 and "Working on" in await r.text()
    [reply] = await bot.slack.wait_until(lambda: [p for url in bot.slack.response_urls for p in bot.slack.responses(url)],
                                         timeout=10)
    assert reply.body["response_type"] == "ephemeral" and reply.body["text"] == (
        "Slack refused to post to COUT (not_in_channel); invite the bot to the channel: /invite @paperbot")
    assert bot.slack.messages("COUT") == []
