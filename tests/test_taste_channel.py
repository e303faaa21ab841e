"""A channel's taste end to end: its reactions (up and down, on Slack and Discord), /paper requests and
imports change the next day's pick; never twice; `learn = false` is the interests ranking exactly."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from adapters.discord.app import PaperBot
from adapters.slack.service import run_slack
from bot.chat.desk import Desk, PaperRequest
from bot.chat.votes import VoteBook
from bot.config import load_config
from bot.engine import Engine
from bot.models import ChannelRef
from bot.ranking import rank
from paperbot.commands.run import serve
from testkit.arxiv_fake import ApiPaper, FeedItem
from testkit.discord_fake import CHANNEL_ID, FakeDiscord, started_client
from testkit.slack_fake import event_payload, reaction_event
from tests.test_digest import run
from tests.test_discord_bot import discord_config
from tests.test_discord_service import minutes_ago

DAY1, DAY2 = dt.date(2026, 2, 9), dt.date(2026, 2, 10)
SPLAT = ["Gaussian splatting for dynamic scenes", "Compact 3D Gaussian splatting with anchors",
         "Relightable Gaussian splats from phone video", "Feed-forward Gaussian splatting from two views",
         "Gaussian splatting meets SLAM", "Anti-aliased Gaussian splatting at any scale",
         "Deformable Gaussian splats for avatars", "Sparse-view Gaussian splatting with depth priors"]
PROTEIN = ["Protein folding with diffusion priors", "Protein structure prediction from sequence alone",
           "Antibody design by protein language models", "Protein-ligand docking with equivariant networks",
           "Enzyme function from protein structure", "Protein backbone generation with flow matching",
           "Protein dynamics from cryo-EM maps", "Membrane protein folding benchmarks"]


def item(n: int, title: str) -> FeedItem:
    topic = "Gaussian splatting, 3D scenes and novel view rendering" if "plat" in title else \
        "protein folding, amino acid sequences and molecular biology"
    return FeedItem(f"2602.{n:05d}", title=title, abstract=f"We study {topic}. {title} improves on prior work.",
                    authors=["A. Author"], categories=["cs.CV"])


def day1() -> list[FeedItem]:  # arXiv order shows three of each
    return [item(100 + n, t) for n, t in enumerate(t for pair in zip(SPLAT[:3], PROTEIN[:3]) for t in pair)]


def day2() -> list[FeedItem]:  # arXiv order puts every protein paper first
    return [item(200 + n, t) for n, t in enumerate(PROTEIN[3:] + SPLAT[3:])]


def picked(engine: Engine, date: dt.date, channel: ChannelRef) -> list[str]:
    papers = engine.store.get_papers(engine.store.get_digest(date.isoformat(), str(channel))["picked"])
    return [papers[pid].title for pid in engine.store.get_digest(date.isoformat(), str(channel))["picked"]]


def slack_config(write_config, slack, **ranking):
    path = write_config(digest={"max_papers": 5})
    text = path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n' \
        f'\n[[channels]]\nplatform = "slack"\nid = "C0123"\npost_at = "{minutes_ago()}"\ntimezone = "UTC"\n'
    if ranking:
        text += "\n[ranking]\n" + "".join(f"{k} = {str(v).lower()}\n" for k, v in ranking.items())
    path.write_text(text)
    return load_config(path)


async def morning(config, slack, condition) -> None:
    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_slack], stop))
    try:
        await slack.wait_until(condition, timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)


@pytest.mark.parametrize("learn", [True, False])
async def test_slack_votes_up_and_down_change_the_next_days_pick(learn, arxiv_fake, llm_fake, write_config, slack):
    config = slack_config(write_config, slack, learn=learn)
    arxiv_fake.add_day("cs.CV", DAY1, day1())
    await morning(config, slack, lambda: len(slack.messages("C0123")) >= 6)
    parent, *replies = slack.messages("C0123")
    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_slack], stop))
    try:
        await slack.wait_until(lambda: slack.socket_connections, timeout=10)
        for n, reply in enumerate(replies):
            splat = "plat" in str(reply["blocks"])
            for user in ("U1", "U2") if splat else ("U1",):
                envelope = await slack.send_envelope("events_api", event_payload(
                    reaction_event(user, "+1" if splat else "-1", "C0123", reply["ts"]), event_id=f"Ev{n}{user}"))
                await slack.wait_ack(envelope)
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)

    arxiv_fake.add_day("cs.CV", DAY2, day2())
    await morning(config, slack, lambda: len(slack.messages("C0123")) >= 12)

    async with Engine(config) as engine:
        rows = engine.store.taste_rows(ChannelRef("slack", "C0123"), unvoted_after_days=3)
        titles = picked(engine, DAY2, ChannelRef("slack", "C0123"))
        reasons = [r["reason"] for r in engine.store.picked(DAY2.isoformat(), "slack:C0123")]
    assert sorted(r["kind"] for r in rows) == ["down"] * 2 + ["vote"] * 3  # day 1 showed 3 + 2 of 6
    if learn:  # what the channel liked first, and the line says why
        assert all("plat" in t for t in titles[:4]), titles
        assert any(r.startswith("close to 2602.001") and "which 2 of you voted for" in r for r in reasons), reasons
    else:  # arXiv order, exactly as without a taste
        assert titles == [i.title for i in day2()[:5]]


async def test_discord_reactions_teach_the_taste_too(arxiv_fake, llm_fake, write_config):
    arxiv_fake.add_day("cs.CV", DAY1, day1())
    async with FakeDiscord() as fake:
        config = discord_config(write_config, fake, channels=[(CHANNEL_ID, "09:00")])
        async with Engine(config) as engine:
            desk = Desk(engine, VoteBook(engine.store, emoji=("star", "+1"), threshold=2, down_emoji=("-1",)))
            async with started_client(fake, PaperBot(desk, config)) as client:
                from bot.chat.morning import MorningPost
                from bot.chat.outbox import Outbox
                from adapters.discord.conversation import DiscordConversation

                ref = ChannelRef("discord", CHANNEL_ID)
                digest = await engine.build_digest(config.profile(ref))
                await MorningPost(Outbox(DiscordConversation(client), engine.store), ("+1",)).post_digest(ref, digest)
                [parent] = fake.messages(CHANNEL_ID)
                for message in fake.messages(parent["id"]):
                    splat = "plat" in message["embeds"][0]["title"]
                    await fake.reaction("1200000000000000001", parent["id"], message["id"], "👍" if splat else "👎")
                await fake.wait_until(lambda: len(list(engine.store.db.query("select * from votes"))) == 3)
            arxiv_fake.add_day("cs.CV", DAY2, day2())
            digest = await engine.build_digest(config.profile(ref))
    assert all("plat" in e.paper.title for e in digest.entries[:3]), [e.paper.title for e in digest.entries]


async def test_a_paper_request_is_a_positive_and_a_paper_posted_before_is_never_picked_again(
        arxiv_fake, llm_fake, write_config, slack):
    config = slack_config(write_config, slack)
    arxiv_fake.add_day("cs.CV", DAY1, day1())
    await morning(config, slack, lambda: len(slack.messages("C0123")) >= 6)
    ref = ChannelRef("slack", "C0123")
    # Day 2 cross-lists two papers of day 1 again, among others.
    again = [day1()[0], day1()[1]]
    arxiv_fake.add_day("cs.CV", DAY2, again + day2())
    async with Engine(config) as engine:
        from testkit.samples import smart_responder  # noqa: F401 - the fake model answers /paper

        class Quiet:
            platform = "slack"

            def render(self, doc):
                return [doc]

            async def send(self, to, message, *, thread, key):
                return f"m-{key}"

            async def open_thread(self, to, parent, name):
                return parent

            async def tell(self, to, user, text):
                raise AssertionError(text)

        desk = Desk(engine, VoteBook(engine.store, emoji=("+1",), threshold=2))
        await desk.paper(PaperRequest(ref, "U1", "2602.00205", request_id="r1"), Quiet())
        rows = engine.store.taste_rows(ref, unvoted_after_days=3)
        digest = await engine.build_digest(config.profile(ref))
    assert {r["paper_id"]: r["kind"] for r in rows}["2602.00205"] == "request"
    ids = [e.paper.id for e in digest.entries]
    assert "2602.00100" not in ids and "2602.00101" not in ids and "2602.00205" not in ids
    assert len(ids) == 5


async def test_learn_false_is_the_interests_ranking_exactly(arxiv_fake, llm_fake, write_config):
    path = write_config(digest={"max_papers": 4, "interests": "protein folding", "exclude": ["antibody"]})
    path.write_text(path.read_text() + '\n[[channels]]\nplatform = "slack"\nid = "C0123"\n'
                    "\n[ranking]\nlearn = false\n")
    config = load_config(path)
    arxiv_fake.add_day("cs.CV", DAY2, day2() + day1())
    ref = ChannelRef("slack", "C0123")
    async with Engine(config) as engine:
        engine.store.save_papers([])
        engine.store.add_likes(ref, ["2602.00100"])  # a liked paper: ignored with learn = false
        digest = await engine.build_digest(config.profile(ref))
        listed = engine.store.announcement(DAY2.isoformat(), ["cs.CV"])
    expected = rank([i.paper for i in listed], config.profile(ref))[:4]
    assert [(e.paper.id, e.score, e.reason) for e in digest.entries] == [(r.paper.id, r.score, r.reason)
                                                                        for r in expected]
    # [digest] exclude pushes a paper down: the antibody paper matches "protein" but sits below the rest.
    ids = [r.paper.id for r in rank([i.paper for i in listed], config.profile(ref))]
    antibody = next(i.paper.id for i in listed if "Antibody" in i.paper.title)
    assert ids.index(antibody) > max(ids.index(i.paper.id) for i in listed
                                     if "rotein" in i.paper.title and "Antibody" not in i.paper.title)


def test_import_a_zotero_export_with_odd_entries(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    for pid, title in [("1706.03762", "Attention Is All You Need"), ("2003.08934", "NeRF"),
                       ("2010.11929", "An Image is Worth 16x16 Words"), ("2304.02643", "Segment Anything"),
                       ("hep-th/9901001", "Some string theory")]:
        arxiv_fake.add_paper(ApiPaper(pid, title=title, abstract=f"{title}: we propose it."))
    path = write_config()
    path.write_text(path.read_text() + '\n[[channels]]\nplatform = "slack"\nid = "C0123"\n')
    bib = Path(__file__).parent / "data" / "zotero_export.bib"

    code, out, err = run(capsys, "taste", "--config", path, "--channel", "slack:C0123", "import", bib)

    assert code == 0, err
    assert "paperbot: zotero_export.bib line 17: entry kerbl_3d_2023 names no arXiv id" in err
    assert "paperbot: zotero_export.bib line 54: this BibTeX entry cannot be read" in err
    assert "imported 5 papers into slack:C0123's taste (5 new); 2 entries could not be read" in err
    assert len(arxiv_fake.requests_to("/api/query")) == 1  # 5 ids, one paced request
    code, out, err = run(capsys, "taste", "--config", path, "--channel", "slack:C0123", "show")
    assert code == 0 and "positives: 5 (votes 0, /paper requests 0, imported or added 5)" in out
    code, _, err = run(capsys, "taste", "--config", path, "--channel", "slack:C0123", "remove", "1706.03762")
    assert code == 0 and "positives: 4" in run(capsys, "taste", "--config", path, "--channel", "slack:C0123",
                                                 "show")[1]
    assert run(capsys, "taste", "--config", path, "--channel", "slack:C0123", "reset")[0] == 0
    assert "positives: 0" in run(capsys, "taste", "--config", path, "--channel", "slack:C0123", "show")[1]
    code, _, err = run(capsys, "taste", "--config", path, "--channel", "slack:C9", "show")
    assert code == 2 and "channel slack:C9 is not configured" in err
