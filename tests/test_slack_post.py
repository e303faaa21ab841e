"""The morning post on Slack: parent + threaded replies, inert text, limits, exactly once."""

import types

import pytest
from slack_sdk.http_retry import builtin_async_handlers

from adapters.slack.conversation import SlackConversation, make_client
from adapters.slack.render import MAX_SECTION, esc, render
from bot.analysis.replies import QuickAnalysis
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.digest import Digest, DigestEntry
from bot.document.chat import paper_post, request_analysis
from bot.errors import ChatError
from bot.models import ChannelRef, Paper
from bot.store import Store
from testkit.samples import make_digest, quick_reply
from testkit.slack_fake import FakeSlack, blocks_errors

CHANNEL = "C0123"
EVIL = "<!channel> <@U999> @here <https://evil.example|arxiv.org> &amp; *bold*"


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        fake.add_channel(CHANNEL, name="vision")
        yield fake


@pytest.fixture
def no_jitter(monkeypatch):
    # slack_sdk waits Retry-After + random() s; the jitter is not what these tests are about.
    monkeypatch.setattr(builtin_async_handlers, "random", types.SimpleNamespace(random=lambda: 0.0))


class poster:  # noqa: N801 - reads as the old helper: poster(slack, tmp_path).post_digest(CHANNEL, digest)
    def __init__(self, slack, tmp_path):
        outbox = Outbox(SlackConversation(make_client("xoxb-test", slack.api_url)), Store(tmp_path / "p.db"))
        self.morning = MorningPost(outbox, ("star", "+1"))

    async def post_digest(self, channel: str, digest) -> int:
        return await self.morning.post_digest(ChannelRef("slack", channel), digest)


async def test_parent_then_one_threaded_reply_per_paper_in_rank_order(slack, tmp_path):
    sent = await poster(slack, tmp_path).post_digest(CHANNEL, make_digest())

    parent, *replies = slack.messages(CHANNEL)
    assert sent == 11 and len(replies) == 10
    assert parent["thread_ts"] is None and "10 of 142 papers picked" in str(parent["blocks"])
    assert "3D scene representation" in str(parent["blocks"])  # the executive summary
    assert all(r["thread_ts"] == parent["ts"] for r in replies)
    assert [f"Paper number {n}" in str(r["blocks"]) for n, r in enumerate(replies, 1)] == [True] * 10
    assert all(m["unfurl_links"] is False and m["unfurl_media"] is False for m in slack.messages(CHANNEL))
    reply = str(replies[0]["blocks"])
    for part in ("et al. (12 authors)", "cs.CV", "picked because", "Key Findings", "1. Main contribution",
                 "arxiv.org/pdf/2602.12281v1", "arxiv.org/html/2602.12281v1", ":star:"):
        assert part in reply


async def test_untrusted_text_cannot_ping_or_hide_a_link(slack, tmp_path):
    evil = QuickAnalysis(**{**quick_reply("x"), "main_contribution": EVIL, "limitations": [EVIL]})
    digest = make_digest(2, title=EVIL, analysis=evil)
    digest = Digest(**{**digest.__dict__, "entries": tuple(
        DigestEntry(**{**e.__dict__, "paper": Paper(**{**e.paper.__dict__, "authors": (EVIL,), "abstract": EVIL})})
        for e in digest.entries)})

    await poster(slack, tmp_path).post_digest(CHANNEL, digest)

    for message in slack.messages(CHANNEL):
        text = str(message["blocks"]) + message["text"]
        assert "<!channel>" not in text and "<@U999>" not in text and "<https://evil" not in text
        assert "&lt;!channel&gt;" in text or "Paper" in text
    assert esc(EVIL) in str(slack.messages(CHANNEL)[1]["blocks"])


async def test_a_long_analysis_is_split_not_rejected(slack, tmp_path):
    long = QuickAnalysis(**{**quick_reply("x"), "key_innovations": ["word " * 700] * 8})
    digest = make_digest(1, analysis=long)
    [message] = render(paper_post(digest.entries[0], "en", ("star",)))
    assert blocks_errors(message.blocks) == []
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in message.blocks if b["type"] == "section")

    await poster(slack, tmp_path).post_digest(CHANNEL, digest)

    assert len(slack.messages(CHANNEL)) == 2
    assert str(slack.messages(CHANNEL)[1]["blocks"]).count("word") == 5600


async def test_a_crash_after_four_replies_resumes_without_posting_twice(slack, tmp_path):
    digest = make_digest()
    slack.after("chat.postMessage", 5).fail_next("chat.postMessage", "internal_error")
    with pytest.raises(ChatError, match="Slack refused to post to C0123 .internal_error."):
        await poster(slack, tmp_path).post_digest(CHANNEL, digest)
    assert len(slack.messages(CHANNEL)) == 5  # the parent and four replies

    sent = await poster(slack, tmp_path).post_digest(CHANNEL, digest)  # the next start
    again = await poster(slack, tmp_path).post_digest(CHANNEL, digest)

    parent, *replies = slack.messages(CHANNEL)
    assert sent == 6 and again == 0
    assert len(replies) == 10 and all(r["thread_ts"] == parent["ts"] for r in replies)
    assert [f"Paper number {n}:" in str(r["blocks"]) for n, r in enumerate(replies, 1)] == [True] * 10


async def test_a_429_mid_thread_waits_and_continues_in_order(slack, tmp_path, no_jitter):
    slack.after("chat.postMessage", 3).rate_limit_next("chat.postMessage", times=2, retry_after=0)

    await poster(slack, tmp_path).post_digest(CHANNEL, make_digest())

    parent, *replies = slack.messages(CHANNEL)
    assert len(replies) == 10
    assert [f"Paper number {n}:" in str(r["blocks"]) for n, r in enumerate(replies, 1)] == [True] * 10
    assert [c.status for c in slack.calls_to("chat.postMessage")].count(429) == 2


def test_a_deep_analysis_uses_the_markdown_headings_in_the_channel_language():
    from dataclasses import replace

    from bot.analysis.replies import DeepAnalysis, DeepResult
    from testkit.samples import deep_reply

    entry = replace(make_digest(1).entries[0], deep=DeepResult(DeepAnalysis(**deep_reply("x", zh=True)), {}))
    [zh] = render(request_analysis(entry, "zh", ("star",)))
    [en] = render(request_analysis(entry, "en", ("star",)))
    assert "7. 总结" in str(zh.blocks) and "速记版pipeline" in str(zh.blocks)
    assert "7. Summary" in str(en.blocks) and blocks_errors(zh.blocks) == []
