"""The conversation seam is enough: a minimal in-memory platform that implements only `Conversation`
(as the README's "Adding a platform" lists it) gets the morning post, /paper, votes and /mustread."""

from dataclasses import dataclass, field

import pytest

from bot.chat.desk import Desk, PaperRequest
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import Reaction, VoteBook
from bot.config import load_config
from bot.document.markdown import MARKDOWN
from bot.engine import Engine
from bot.errors import ChatError
from bot.models import ChannelRef
from bot.text import split_text
from testkit.arxiv_fake import ApiPaper
from testkit.paper_docs import latexml_html, sample_doc
from testkit.samples import make_digest

HERE = ChannelRef("memory", "room-1")
PID = "2602.12281"


@dataclass
class MemoryConversation:
    """A platform with 1,500-character messages: what it got, in order."""

    platform: str = "memory"
    sent: list[dict] = field(default_factory=list)
    told: list[tuple[str, str]] = field(default_factory=list)
    threads: dict[str, str] = field(default_factory=dict)
    refuse_after: int | None = None

    def render(self, doc):
        return split_text(MARKDOWN.render(doc), 1500)

    async def send(self, to, message, *, thread, key):
        if self.refuse_after is not None and len(self.sent) >= self.refuse_after:
            raise ChatError("the memory platform is full; empty it")
        self.sent.append({"to": to, "text": message, "thread": thread, "key": key, "id": f"m{len(self.sent)}"})
        return self.sent[-1]["id"]

    async def open_thread(self, to, parent, name):
        return self.threads.setdefault(parent, f"t-{parent}")

    async def tell(self, to, user, text):
        self.told.append((user, text))


@pytest.fixture
async def engine(arxiv_fake, llm_fake, write_config):
    doc = sample_doc(PID)
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    async with Engine(load_config(write_config())) as engine:
        yield engine


async def test_the_morning_post_goes_out_once_and_resumes_in_its_thread(engine):
    memory = MemoryConversation(refuse_after=4)
    digest = make_digest(5)
    with pytest.raises(ChatError):
        await MorningPost(Outbox(memory, engine.store), ("star",)).post_digest(HERE, digest)
    memory.refuse_after = None
    again = await MorningPost(Outbox(memory, engine.store), ("star",)).post_digest(HERE, digest)
    assert await MorningPost(Outbox(memory, engine.store), ("star",)).post_digest(HERE, digest) == 0

    head, *rest = memory.sent
    assert head["thread"] is None and "Main themes and trends" in head["text"] and "Paper number 1" in head["text"]
    assert {m["thread"] for m in rest} == {f"t-{head['id']}"} and again == len(memory.sent) - 4
    papers = [m for m in rest if m["text"].startswith("## [")]
    assert [f"Paper number {n}:" in m["text"] for n, m in enumerate(papers, 1)] == [True] * 5
    assert len({m["key"] for m in memory.sent}) == len(memory.sent)  # every message has its own ledger key


async def test_paper_votes_and_the_must_read_list(engine, llm_fake):
    memory = MemoryConversation()
    desk = Desk(engine, VoteBook(engine.store, emoji=("star",), threshold=2))
    await desk.paper(PaperRequest(HERE, "ada", f"arXiv:{PID}", request_id="r1"), memory)

    head, *analysis = memory.sent
    assert "Deep analysis" in head["text"] and "@ada" in head["text"] and head["thread"] is None
    assert analysis and all(m["thread"] == f"t-{head['id']}" for m in analysis)
    assert "7. Summary" in "".join(m["text"] for m in analysis)

    for user in ("ada", "alan"):
        assert desk.votes.react(Reaction(HERE, analysis[0]["id"], user, "star", True, f"e-{user}"), bot_user="bot")
    listing = MARKDOWN.render(desk.must_read(HERE))
    assert PID in listing and "2 votes" in listing and "@alan" in listing
    assert desk.done(HERE, PID, "ada") == f"{PID} is marked as read and off the list."
    assert "Nothing on the must-read list" in MARKDOWN.render(desk.must_read(HERE))

    await desk.paper(PaperRequest(HERE, "alan", "2602.99999", request_id="r2"), memory)
    assert memory.told == [("alan", "arXiv has no paper 2602.99999; check the id (e.g. 2602.12281)")]


async def test_a_refusal_while_answering_is_told_to_the_asker(engine):
    memory = MemoryConversation(refuse_after=0)
    desk = Desk(engine, VoteBook(engine.store, emoji=("star",), threshold=2))
    await desk.paper(PaperRequest(HERE, "ada", PID, request_id="r3"), memory)
    assert memory.sent == [] and memory.told == [("ada", "the memory platform is full; empty it")]
