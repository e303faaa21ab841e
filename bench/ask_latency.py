"""The ack/defer latency of a question, and how long until its answer is posted, on both platforms at once.

Run by bench/ask_bench.py (`--latency-only` to run this part alone). `paperbot run`'s own `serve` runs
Slack (Socket Mode) and Discord on one engine, against loopback fakes: FakeSlack, FakeDiscord, FakeArxiv
serving one of the long papers of testkit.qa_papers (so splitting and ranking its 34 pages happens inside
each answer) and FakeLLM with a fixed latency. After one /paper on each platform, questions are asked in
its thread, `concurrency` at a time, half of them repeats of earlier ones:

- Slack: from the events_api envelope going out to its ack coming back (stamped inside the fake, on its
  own thread, with one clock),
- Discord: from INTERACTION_CREATE going out to the first callback (the type-5 deferral) coming in,
- both: from the question to its answer recorded in the posts ledger (polled every 5 ms).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from paperbot.commands.run import serve
from adapters.discord.service import run_discord
from adapters.slack.service import run_slack
from bot.config import load_config
from testkit.arxiv_fake import ApiPaper, FakeArxiv
from testkit.discord_fake import GUILD_ID, ROUTE_CALLBACK, FakeDiscord
from testkit.llm_fake import FakeLLM
from testkit.paper_docs import latexml_html
from testkit.qa_papers import qa_papers
from testkit.samples import smart_responder
from testkit.slack_fake import BOT_USER_ID, FakeSlack, event_payload, mention_event, slash_command_payload

SLACK_CHANNEL = "C0ASK"
DISCORD_CHANNEL = "1100000000000000010"  # the fake's default channel


class TimedSlack(FakeSlack):
    """Stamps each envelope as it goes out and each ack as it comes in (time.perf_counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: dict[str, float] = {}
        self.acked_at: dict[str, float] = {}

    async def _push(self, frame, timeout):
        if "envelope_id" in frame:
            self.sent_at[frame["envelope_id"]] = time.perf_counter()
        return await super()._push(frame, timeout)

    def _on_socket_text(self, data: str) -> None:
        received = time.perf_counter()
        frame = json.loads(data)
        if isinstance(frame, dict) and "envelope_id" in frame:
            self.acked_at.setdefault(frame["envelope_id"], received)
        super()._on_socket_text(data)


class TimedDiscord(FakeDiscord):
    """Stamps each INTERACTION_CREATE as it goes out and each interaction's first callback as it comes in."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}

    async def _send_locked(self, t, d):
        if t == "INTERACTION_CREATE":
            self.sent_at[d["id"]] = time.perf_counter()
        return await super()._send_locked(t, d)

    def _answer(self, route, handler, params, *rest):
        if route == ROUTE_CALLBACK:
            self.answered_at.setdefault(params["interaction_id"], time.perf_counter())
        return super()._answer(route, handler, params, *rest)


def _config(tmp: Path, arxiv: FakeArxiv, llm: FakeLLM, slack: FakeSlack, discord: FakeDiscord) -> Path:
    a = arxiv.url
    text = f"""
[arxiv]
categories = ["cs.CV"]
rss_url = "{a}/rss"
api_url = "{a}/api/query"
html_url = "{a}/html"
pdf_url = "{a}/pdf"
min_interval_s = 0
retry_backoff_s = 0
[llm]
base_url = "{llm.base_url}"
model = "fake-model"
retry_backoff_s = 0
[storage]
path = "paperbot.db"
[slack]
api_url = "{slack.api_url}"
[discord]
api_base = "{discord.api_base}"
gateway_url = "{discord.gateway_url}"
guild_ids = [{GUILD_ID}]
guild_ready_timeout_s = 0.05
[ask]
max_per_hour = 100000
max_per_hour_per_user = 100000
"""
    path = tmp / "paperbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _questions(n: int) -> list[str]:
    """n questions about the paper: the first half new (each paid), the second half their repeats."""
    base = [q.text for q in qa_papers()[0].questions if not q.history]
    fresh = [f"{base[k % len(base)]} ({k})" if k >= len(base) else base[k] for k in range((n + 1) // 2)]
    return fresh + fresh[: n // 2]


async def _until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"FAIL: {what} within {timeout} s")
        await asyncio.sleep(0.005)


class _Run:
    def __init__(self, slack: TimedSlack, discord: TimedDiscord, db: Path):
        self.slack, self.discord = slack, discord
        self.db = db

    def posted(self, item: str) -> bool:
        import sqlite3

        with sqlite3.connect(self.db) as conn:
            return conn.execute("select 1 from posts where item = ?", [item]).fetchone() is not None

    async def slack_thread(self, paper_id: str) -> str:
        await self.slack.send_envelope("slash_commands", slash_command_payload(
            text=paper_id, channel_id=SLACK_CHANNEL, response_url=self.slack.new_response_url()))
        await _until(lambda: len(self.slack.messages(SLACK_CHANNEL)) >= 2, "the Slack /paper answer")
        return self.slack.messages(SLACK_CHANNEL)[0]["ts"]

    async def discord_thread(self, paper_id: str) -> str:
        interaction = await self.discord.interaction("paper", {"id": paper_id})
        await _until(lambda: self.discord.followups(interaction), "the Discord /paper answer")
        head = self.discord.followups(interaction)[0]["message_id"]
        await _until(lambda: self.discord.messages(head), "the Discord /paper analysis")
        return head

    async def slack_question(self, thread: str, text: str, n: int) -> tuple[float, float]:
        ts = f"1800000000.{n:06d}"
        event = mention_event("U1", f"<@{BOT_USER_ID}> {text}", SLACK_CHANNEL, ts=ts, thread_ts=thread)
        started = time.perf_counter()
        envelope = await self.slack.send_envelope("events_api", event_payload(event, event_id=f"EvAsk{n}"))
        await _until(lambda: self.posted(f"ask:{ts}"), f"the answer to Slack question {n}")
        answered = time.perf_counter() - started
        await _until(lambda: envelope in self.slack.acked_at, f"the ack of Slack question {n}")
        return (self.slack.acked_at[envelope] - self.slack.sent_at[envelope]) * 1000, answered

    async def discord_question(self, thread: str, text: str, n: int) -> tuple[float, float]:
        started = time.perf_counter()
        interaction = await self.discord.interaction("ask", {"question": text}, channel_id=thread)
        await _until(lambda: self.posted(f"ask:{interaction.id}"), f"the answer to Discord question {n}")
        answered = time.perf_counter() - started
        deferred = self.discord.callbacks(interaction)[0]
        if deferred.type != 5:
            raise SystemExit(f"FAIL: Discord question {n} was first answered with type {deferred.type}")
        return (self.discord.answered_at[interaction.id] - self.discord.sent_at[interaction.id]) * 1000, answered


async def _drive(jobs, concurrency: int):
    gate = asyncio.Semaphore(concurrency)

    async def one(job):
        async with gate:
            return await job()
    return await asyncio.gather(*(one(job) for job in jobs))


async def measure(questions: int, concurrency: int, llm_latency: float) -> dict:
    paper = qa_papers()[0].doc
    with tempfile.TemporaryDirectory() as tmp, FakeArxiv() as arxiv, FakeLLM() as llm:
        arxiv.add_paper(ApiPaper(paper.arxiv_id, title=paper.title, abstract=paper.abstract, authors=["A. Author"]))
        arxiv.set_html(f"{paper.arxiv_id}v1", latexml_html(paper))
        llm.responder, llm.latency_s = smart_responder, llm_latency
        async with TimedSlack() as slack, TimedDiscord() as discord:
            slack.add_channel(SLACK_CHANNEL, name="papers")
            slack.add_user("U1")
            os.environ.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_APP_TOKEN="xapp-bench",
                              DISCORD_BOT_TOKEN=discord.token, OPENAI_API_KEY="sk-bench")
            config = load_config(_config(Path(tmp), arxiv, llm, slack, discord))
            run, stop = _Run(slack, discord, config.db_path), asyncio.Event()
            service = asyncio.create_task(serve(config, [run_slack, run_discord], stop))
            try:
                await _until(lambda: slack.socket_connections and discord.connected
                             and discord.guild_commands(GUILD_ID), "both platforms connected")
                threads = await run.slack_thread(paper.arxiv_id), await run.discord_thread(paper.arxiv_id)
                texts, started = _questions(questions), time.perf_counter()
                jobs = [lambda t=t, n=n: run.slack_question(threads[0], t, n) for n, t in enumerate(texts)]
                jobs += [lambda t=t, n=n: run.discord_question(threads[1], t, n) for n, t in enumerate(texts)]
                results = await _drive(jobs, concurrency)
                wall = time.perf_counter() - started
            finally:
                stop.set()
                await asyncio.wait_for(service, 30)
        return {"slack": results[:len(texts)], "discord": results[len(texts):], "wall": wall,
                "llm_calls": len(llm.calls), "questions": len(texts)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(figures: dict, concurrency: int, llm_latency: float) -> None:
    n = figures["questions"]
    print(f"\nAck/defer latency: {n} questions per platform ({(n + 1) // 2} new, {n // 2} repeated), "
          f"{concurrency} in flight across both, fake LLM latency {llm_latency} s, Slack Socket Mode + Discord "
          f"on one engine")
    print("| platform | first response | p50 ms | p99 ms | max ms | answer posted p50 s | p99 s |")
    print("|---|---|---|---|---|---|---|")
    for platform, what in (("slack", "envelope -> ack"), ("discord", "INTERACTION_CREATE -> type 5")):
        acks, answers = [r[0] for r in figures[platform]], [r[1] for r in figures[platform]]
        print(f"| {platform} | {what} | {pct(acks, .5):.1f} | {pct(acks, .99):.1f} | {max(acks):.1f} | "
              f"{statistics.median(answers):.2f} | {pct(answers, .99):.2f} |")
    print(f"LLM calls: {figures['llm_calls']}, of which 2 are the /paper deep analyses. A question carries the "
          f"earlier turns of its thread, so a repeat asked later in a busy thread is a new answer; a repeat right "
          f"after the same question is served from the cache. {figures['wall']:.1f} s for all questions.")
