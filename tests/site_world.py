"""A store filled through the real flows, for the archive's tests: two announcement days posted to a Slack
and a Discord (Chinese) channel, votes from reactions, a paper taken off the must-read list, and deep
analyses asked for with /paper in both languages. One paper is hostile: markup in its title and abstract."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.chat.ask import Asker, Question
from bot.chat.desk import Desk, PaperRequest
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import Reaction, VoteBook
from bot.config import load_config
from bot.document.markdown import MARKDOWN
from bot.engine import Engine
from bot.models import ChannelRef
from bot.site.refresh import build_from_config
from bot.text import split_text
from testkit.arxiv_fake import FakeArxiv, FeedItem
from testkit.llm_fake import FakeLLM
from testkit.network_guard import install_guard
from testkit.paper_docs import latexml_html, sample_doc
from testkit.samples import DAY, filler_items, seed_items, smart_responder

SLACK = ChannelRef("slack", "C0123ABCD")
DISCORD = ChannelRef("discord", "1100000000000000010")
GUILD = 1100000000000000001
DAY2 = DAY + dt.timedelta(days=1)
HOSTILE_ID = "2602.12999"
HOSTILE_TITLE = 'Splatting <b>bold</b> & "quoted" <i onmouseover=alert(3)>titles</i>'
HOSTILE_ABSTRACT = ("We propose a method. <script>alert(1)</script> It renders scenes. "
                    "<img src=x onerror=alert(2)> Experiments show gains of 3 points on two benchmarks.")
DEEP_ID = seed_items()[1].id  # asked for with /paper in both channels
QUESTION = "Which datasets do they evaluate on?"  # asked in the /paper answer's thread on Slack
JANUARY_ID, JANUARY_TITLE = "2601.00042", "Tulip Bulbs in Winter: Segmenting Dormant Flowers from Frost"


@dataclass
class MemoryChat:
    """A platform that keeps what it was sent; message ids look like the platform's."""

    platform: str
    sent: list[dict] = field(default_factory=list)
    told: list = field(default_factory=list)

    def render(self, doc):
        return split_text(MARKDOWN.render(doc), 3000)

    async def send(self, to, message, *, thread, key):
        n = len(self.sent) + 1
        message_id = f"1770000000.{n:06d}" if self.platform == "slack" else str(1200000000000000000 + n)
        self.sent.append({"to": to, "text": message, "thread": thread, "id": message_id})
        return message_id

    async def open_thread(self, to, parent, name):
        return parent if self.platform == "slack" else str(int(parent) + 500000)

    async def tell(self, to, user, text):
        self.told.append((user, text))


def world_config(folder: Path, arxiv_url: str, llm_url: str, *, site: dict | None = None) -> Path:
    sections = {
        "arxiv": {"categories": ["cs.CV"], "rss_url": f"{arxiv_url}/rss", "api_url": f"{arxiv_url}/api/query",
                  "html_url": f"{arxiv_url}/html", "pdf_url": f"{arxiv_url}/pdf", "min_interval_s": 0,
                  "retry_backoff_s": 0},
        "digest": {"max_papers": 4},
        "llm": {"base_url": llm_url, "model": "fake-model", "retry_backoff_s": 0, "language": "en"},
        "storage": {"path": "paperbot.db"},
        "discord": {"guild_ids": [GUILD]},
        "site": {"slack_workspace_url": "https://team.slack.com", **(site or {})},
    }
    text = "\n".join(f"[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
                     for name, values in sections.items())
    text += (f'\n[[channels]]\nplatform = "slack"\nid = "{SLACK.id}"\n'
             f'\n[[channels]]\nplatform = "discord"\nid = "{DISCORD.id}"\nlanguage = "zh"\n')
    path = folder / "paperbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def days() -> list[tuple[dt.date, list[FeedItem]]]:
    hostile = FeedItem(HOSTILE_ID, title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT, authors=["Eve <evil@x>"])
    seed = seed_items()
    # Submitted in January (its id says so), announced in February: its search index is January's.
    january = FeedItem(JANUARY_ID, title=JANUARY_TITLE, abstract="We segment dormant tulip bulbs. It works.",
                       authors=["Flora Winter"])
    return [(DAY, [hostile, *seed[:5], *filler_items(8)]), (DAY2, [january, *seed[5:], *filler_items(8, start=2000)])]


async def fill(config_path: Path, arxiv_fake) -> dict[str, MemoryChat]:
    """Post both days to both channels, vote, mark one read, and ask for deep analyses; returns the chats."""
    config = load_config(config_path)
    doc = sample_doc(DEEP_ID)
    arxiv_fake.set_html(f"{DEEP_ID}v1", latexml_html(doc))
    chats = {"slack": MemoryChat("slack"), "discord": MemoryChat("discord")}
    async with Engine(config) as engine:
        for date, items in days():
            arxiv_fake.add_day("cs.CV", date, items)
            for channel in (SLACK, DISCORD):
                digest = await engine.build_digest(config.profile(channel))
                outbox = Outbox(chats[channel.platform], engine.store)
                await MorningPost(outbox, config.votes.emoji).post_digest(channel, digest)
        votes = VoteBook(engine.store, emoji=config.votes.emoji, threshold=config.votes.threshold)
        desk = Desk(engine, votes)
        await desk.paper(PaperRequest(SLACK, "U9", DEEP_ID, request_id="r1"), chats["slack"])
        await desk.paper(PaperRequest(DISCORD, "9", DEEP_ID, request_id="r2"), chats["discord"])
        head = engine.store.posted_item(SLACK, engine.clock().date().isoformat(), "request:r1")["request:r1"]
        await Asker(engine).ask(Question(SLACK, head["message"], "U9", QUESTION, request_id="q1"), chats["slack"])
        _vote(votes, engine.store, SLACK, HOSTILE_ID, ["U1", "U2", "U3"])
        _vote(votes, engine.store, SLACK, seed_items()[0].id, ["U1", "U2"])
        _vote(votes, engine.store, SLACK, seed_items()[2].id, ["U4"])  # one voter: not on the list
        _vote(votes, engine.store, DISCORD, HOSTILE_ID, ["7"])
        votes.done(SLACK, seed_items()[0].id, "U1")
    return chats


def _vote(votes: VoteBook, store, channel: ChannelRef, paper_id: str, users: list[str]) -> None:
    post = next(p for p in store.archive_posts([str(channel)]) if p["paper_id"] == paper_id)
    for user in users:
        assert votes.react(Reaction(channel, post["message"], user, "star", True, f"{channel}-{paper_id}-{user}"),
                           bot_user="UBOT")


# -- the built site, once per test module ---------------------------------------------------------
@dataclass
class World:
    config_path: Path
    out: Path
    report: object
    chats: dict[str, MemoryChat]

    def page(self, path: str) -> str:
        return (self.out / path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    """The store filled through the real flows (fakes on 127.0.0.1), and the site built from it."""
    folder = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as patch, FakeArxiv() as arxiv, FakeLLM() as llm:
        install_guard(patch)
        patch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        llm.responder = smart_responder
        config_path = world_config(folder, arxiv.url, llm.base_url)
        chats = asyncio.run(fill(config_path, arxiv))
    out = folder / "site"
    report = build_from_config(load_config(config_path), out)
    return World(config_path, out, report, chats)
