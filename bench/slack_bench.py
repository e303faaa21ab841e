"""Benchmark the Slack app in HTTP mode: `/paper` ack latency and reaction votes per second.

    python -m bench.slack_bench [--commands 200] [--uncached 20] [--latency 0.5] [--events 1000] [--concurrency 10]

Bolt's own aiohttp web app (adapters.slack.app.build_app) runs on 127.0.0.1 on its own event loop
in a thread, as paperbot's HTTP mode serves it; the main thread sends it signed requests as Slack
would. Everything else is a loopback fake: arXiv (min_interval_s = 0, no pacing), the LLM, Slack's
Web API and response_url. Prints figures only; exit 0 unless the app fails (a non-200 answer, an
analysis never posted, a vote never recorded).
"""

import argparse
import asyncio
import collections
import json
import math
import os
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
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
from testkit.arxiv_fake import ApiPaper, FakeArxiv
from testkit.llm_fake import CHAT_PATH, FakeLLM
from testkit.paper_docs import latexml_html, sample_doc
from testkit.samples import make_digest, smart_responder
from testkit.slack_fake import FakeSlack, event_body, reaction_event, sign, slash_command_body

SECRET, CACHED, VOTES = "bench-signing-secret", "2602.12281", "C0VOTES"
UNCACHED_FROM = (20001, 20101)  # each mode's uncached papers: 2602.20001..., 2602.20101...
PAPER_ID_RE = re.compile(r'<paper id="([^"]+)v\d+">')


def write_config(tmp: Path, arxiv: FakeArxiv, llm: FakeLLM, **extra: dict) -> Path:
    """The keys tests/conftest.py's write_config writes (arXiv unpaced), and any `extra` sections."""
    a, path = arxiv.url, tmp / "paperbot.toml"
    sections = {"arxiv": dict(categories=["cs.CV"], rss_url=f"{a}/rss", api_url=f"{a}/api/query", html_url=f"{a}/html",
                              pdf_url=f"{a}/pdf", min_interval_s=0, retry_backoff_s=0),
                "digest": dict(max_papers=10), "storage": dict(path="paperbot.db"),
                "llm": dict(base_url=llm.base_url, model="fake-model", retry_backoff_s=0, language="en"), **extra}
    path.write_text("\n".join(f"[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
                              for name, values in sections.items()), encoding="utf-8")
    return path


def parse_args(doc: str, events_help: str) -> argparse.Namespace:
    """The options slack_bench and discord_bench share; --uncached rounded down to a multiple of 5."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--commands", type=int, default=200, help="/paper commands per mode (default 200)")
    ap.add_argument("--uncached", type=int, default=20, help="of which for uncached papers, 5 per paper (default 20)")
    ap.add_argument("--latency", type=float, default=0.5, help="fake LLM latency per call, s (default 0.5)")
    ap.add_argument("--events", type=int, default=1000, help=f"{events_help} per mode (default 1000)")
    ap.add_argument("--concurrency", type=int, default=10, help="requests in flight when bounded (default 10)")
    args = ap.parse_args()
    args.uncached = max(5, args.uncached - args.uncached % 5)
    return args


def modes(args) -> tuple[tuple[str, int, int], ...]:
    """(name, in flight, first uncached paper number) of each mode: bounded first, then sequential."""
    return (f"{args.concurrency} at a time", args.concurrency, UNCACHED_FROM[0]), ("sequential", 1, UNCACHED_FROM[1])


def prepare_fakes(arxiv: FakeArxiv, llm: FakeLLM, uncached: int) -> None:
    """The cached paper and each mode's uncached ones on the fake arXiv (with full text); a well-behaved
    model; this process's environment keeps the real OpenAI and any paperbot config out."""
    for name in ("OPENAI_BASE_URL", "PAPERBOT_CONFIG"):
        os.environ.pop(name, None)
    os.environ |= {"OPENAI_API_KEY": "sk-bench-not-a-real-key", "NO_PROXY": "127.0.0.1,localhost"}
    for pid in [CACHED] + [f"2602.{b + k}" for b in UNCACHED_FROM for k in range(uncached // 5)]:
        doc = sample_doc(pid)
        arxiv.add_paper(ApiPaper(pid, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
        arxiv.set_html(f"{pid}v1", latexml_html(doc))
    llm.responder = smart_responder


def paper_commands(rng: random.Random, args, base: int) -> list[str]:
    """A mode's /paper ids, shuffled: the cached paper in any id form, and 5 asks of each uncached one."""
    forms = [CACHED, f"arXiv:{CACHED}", f"{CACHED}v1"]
    cmds = [rng.choice(forms) for _ in range(args.commands - args.uncached)]
    cmds += [f"2602.{base + k % (args.uncached // 5)}" for k in range(args.uncached)]
    rng.shuffle(cmds)
    return cmds


def coalescing(calls: list, asks: list[tuple[str, float]], latency: float) -> dict:
    """Deep-analysis calls among the LLM `calls` against the uncached `asks` ((id, monotonic send time)):
    one call per paper?, and how many repeat asks were sent while that paper's call was in flight."""
    deep = [(PAPER_ID_RE.search(json.loads(r.body)["messages"][1]["content"])[1], r.time) for r in calls
            if b"abstract_translation" in r.body]  # (paper, arrival) of each deep-analysis call
    first_call = {pid: min(t for p, t in deep if p == pid) for pid, _ in deep}
    first = {cmd: min(t for c, t in asks if c == cmd) for cmd, _ in asks}
    repeats = [(c, t) for c, t in asks if t > first[c]]
    overlap = sum(c in first_call and t < first_call[c] + latency for c, t in repeats)
    return {"deep": len(deep), "one_each": len(deep) == len(first_call) == len(first), "papers": len(first),
            "repeats": len(repeats), "overlap": overlap}


class AppServer:
    """Engine + Bolt web app on their own loop in a thread; run(coro) executes on that loop."""

    def __init__(self, config: Path, slack: FakeSlack):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(self._start(config, slack))

    def run(self, coro, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self, config: Path, slack: FakeSlack) -> None:
        self.engine = Engine(load_config(config))
        self.votes = VoteBook(self.engine.store, emoji=("star", "+1"), threshold=2)
        self.client = make_client("xoxb-test", slack.api_url)
        app = build_app(Desk(self.engine, self.votes), self.client, signing_secret=SECRET)
        self.runner = web.AppRunner(app.web_app(path="/slack/events"))  # as adapters/slack/service.py does
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/slack/events"

    def stop(self) -> None:
        self.run(self.runner.cleanup())
        self.run(self.engine.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


async def drive(jobs: list, concurrency: int, send) -> tuple[list, float]:
    """send(job) for every job, at most `concurrency` in flight; (results in job order, wall s)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job):
        async with gate:
            return await send(job)
    started = time.perf_counter()
    return await asyncio.gather(*(one(j) for j in jobs)), time.perf_counter() - started


async def post(http: aiohttp.ClientSession, url: str, body: bytes, kind: str) -> tuple[float, float, int, str]:
    """(monotonic send time, seconds to the HTTP response, status, text); signed before the clock starts."""
    headers = {**sign(body, SECRET), "Content-Type": kind}
    sent, started = time.monotonic(), time.perf_counter()
    async with http.post(url, data=body, headers=headers) as r:
        text = await r.text()
    return sent, time.perf_counter() - started, r.status, text


async def wait_for(predicate, what: str, timeout: float = 60) -> float:
    """Poll until predicate() holds and return perf_counter() then; exit 1 (the app failed) on timeout."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            sys.exit(f"FAIL: {what} within {timeout} s")
        await asyncio.sleep(0.002)
    return time.perf_counter()


async def paper_phase(http, server, fakes, channel: str, conc: int, cmds: list[str], latency: float) -> dict:
    arxiv, llm, slack = fakes
    slack.add_channel(channel, name=channel.lower())
    before = len(llm.requests_to(CHAT_PATH)), len(arxiv.requests), len(slack.calls)

    async def send(text):
        body = slash_command_body("/paper", text, channel_id=channel, response_url=slack.new_response_url())
        return await post(http, server.url, body, "application/x-www-form-urlencoded")
    started = time.perf_counter()
    results, wall = await drive(cmds, conc, send)
    for (_, _, status, text), cmd in zip(results, cmds):
        if status != 200 or "Working on" not in text:
            sys.exit(f"FAIL: /paper {cmd} answered {status}: {text[:200]}")
    # Each command is a head message in the channel with its analysis in the head's thread: an analysis is
    # posted when its thread has a first reply.
    posted = await wait_for(lambda: len({m["thread_ts"] for m in slack.messages(channel) if m["thread_ts"]}) >= len(cmds),
                            f"{len(cmds)} analyses posted in {channel}")
    calls = llm.requests_to(CHAT_PATH)[before[0]:]
    # Coalescing: repeat asks of an uncached paper sent before its one LLM call could have answered.
    asks = [(cmd, r[0]) for r, cmd in zip(results, cmds) if CACHED not in cmd]
    ms = {kind: [r[1] * 1000 for r, c in zip(results, cmds) if (CACHED in c) == (kind == "cached")]
          for kind in ("cached", "uncached")}
    return {"ms": ms, "wall": wall, "posted": posted - started, "calls": len(calls), **coalescing(calls, asks, latency),
            "arxiv": len(arxiv.requests) - before[1], "slack": len(slack.calls) - before[2],
            "methods": collections.Counter(c.method for c in slack.calls[before[2]:])}


async def vote_phase(http, server, db: Path, paper_of: dict, tag: str, conc: int, n: int, rng) -> dict:
    events = [(f"U{rng.randint(1, 50)}", rng.choice(("star", "+1")), rng.choice(sorted(paper_of)), rng.random() < 0.7)
              for _ in range(n)]
    bodies = [event_body(reaction_event(user, emoji, VOTES, ts, added=added), event_id=f"Ev{tag}{k:05d}")
              for k, (user, emoji, ts, added) in enumerate(events)]
    con = sqlite3.connect(db)  # a reader of the app's store (WAL): events_seen gets one row per handled event
    seen = lambda: con.execute("select count(*) from events_seen").fetchone()[0]  # noqa: E731
    goal, started = seen() + n, time.perf_counter()
    processed = asyncio.create_task(wait_for(lambda: seen() >= goal, f"{n} vote events recorded"))
    results, wall = await drive(bodies, conc, lambda body: post(http, server.url, body, "application/json"))
    done, rows = await processed, con.execute("select count(*) from votes").fetchone()[0]
    con.close()
    if any(r[2] != 200 for r in results):
        sys.exit(f"FAIL: vote events answered {sorted({r[2] for r in results})}")
    return {"http": wall, "proc": done - started, "ms": [r[1] * 1000 for r in results], "rows": rows}


async def bench(args, server: AppServer, fakes, db: Path) -> None:
    rng = random.Random(7)
    async with aiohttp.ClientSession() as http:
        papers = {}
        for mode, conc, base in modes(args):
            cmds = paper_commands(rng, args, base)
            papers[mode] = await paper_phase(http, server, fakes, f"C0P{conc}", conc, cmds, args.latency)

        async def post_digest() -> dict:
            digest = make_digest(10)
            server.engine.store.save_papers([e.paper for e in digest.entries])
            outbox = Outbox(SlackConversation(server.client), server.engine.store)
            await MorningPost(outbox, ("star", "+1")).post_digest(ChannelRef("slack", VOTES), digest)
            posts = server.engine.store.posted(ChannelRef("slack", VOTES), digest.date).values()
            return {p["message"]: p["paper_id"] for p in posts if p["paper_id"]}
        fakes[2].add_channel(VOTES, name="votes")
        paper_of = server.run(post_digest())
        votes = {mode: await vote_phase(http, server, db, paper_of, mode[0], conc, args.events, rng)
                 for mode, conc, _ in modes(args)}

    async def must_read() -> int:
        return len(server.votes.must_read(ChannelRef("slack", VOTES)))
    report(args, papers, votes, server.run(must_read()))


def report(args, papers: dict, votes: dict, must_read: int) -> None:
    print(f"/paper ack latency (request sent -> HTTP response, which is Bolt's ack), ms\n  {'mode':<13} {'kind':<8} "
          f"{'n':>4} {'p50':>6} {'p99':>6} {'max':>6}   all acked  all posted  LLM calls  arXiv req  Slack calls")
    for mode, p in papers.items():
        for kind, ms in p["ms"].items():
            tail = (f"   {p['wall']:7.2f} s  {p['posted']:8.2f} s  {p['calls']:>9}  {p['arxiv']:>9}  {p['slack']:>11}"
                    if kind == "cached" else f"   ({p['deep']} deep calls for {p['papers']} papers; {p['overlap']} of "
                    f"{p['repeats']} repeat asks sent while that call was in flight)")
            print(f"  {mode:<13} {kind:<8} {len(ms):>4} {pct(ms, .5):6.1f} {pct(ms, .99):6.1f} {max(ms):6.1f}{tail}")
    for mode, p in papers.items():
        print(f"  Slack calls, {mode}: " + ", ".join(f"{n} {m}" for m, n in sorted(p["methods"].items())))
    print(f"\nreaction votes: {args.events} signed events per mode (users U1..U50, :star:/:+1:, 70% added, the "
          f"10 replies of a posted digest)\n  {'mode':<13} {'HTTP s':>7} {'HTTP ev/s':>9} {'ack p50/p99/max ms':>19} "
          f"{'recorded s':>10} {'recorded ev/s':>13}  vote rows")
    for mode, v in votes.items():
        print(f"  {mode:<13} {v['http']:7.2f} {args.events / v['http']:9.0f} {pct(v['ms'], .5):7.1f}/"
              f"{pct(v['ms'], .99):.1f}/{max(v['ms']):.1f} {v['proc']:10.2f} {args.events / v['proc']:13.0f}"
              f"  {v['rows']:>9}")
    (c, s), (vc, vs) = papers.values(), votes.values()
    worst = max(max(ms) for p in papers.values() for ms in p["ms"].values())
    coalesced = "one per paper" if c["one_each"] and s["one_each"] else "NOT one per paper"
    print(f"\nSummary: all {2 * args.commands} /paper acks came back within {worst:.0f} ms (Slack allows 3000), "
          f"with p99 {pct(c['ms']['cached'] + c['ms']['uncached'], .99):.0f} ms at {args.concurrency} in flight and "
          f"{pct(s['ms']['cached'] + s['ms']['uncached'], .99):.0f} ms sequentially, cached or not: the ack goes out "
          f"before the engine runs. Uncached papers cost {c['deep'] + s['deep']} deep-analysis calls for "
          f"{c['papers'] + s['papers']} papers asked 5 times each ({coalesced}),"
          f" and every analysis was posted {c['posted']:.2f} s / {s['posted']:.2f} s after the first command. "
          f"Reaction votes ran at {args.events / vc['http']:.0f} / {args.events / vs['http']:.0f} events/s over HTTP "
          f"({args.concurrency} at a time / sequential) and were recorded at {args.events / vc['proc']:.0f} / "
          f"{args.events / vs['proc']:.0f} events/s; {must_read} of 10 papers reached the must-read list.")


def main() -> int:
    args = parse_args(__doc__, "reaction events")
    with FakeArxiv() as arxiv, FakeLLM() as llm, FakeSlack() as slack, \
            tempfile.TemporaryDirectory(prefix="paperbot-slack-bench-") as tmpdir:
        prepare_fakes(arxiv, llm, args.uncached)
        server = AppServer(write_config(Path(tmpdir), arxiv, llm), slack)
        try:
            server.run(server.engine.paper(CACHED, "en", deep=True))  # the cached paper, analysed before any clock
            llm.latency_s = args.latency
            print(f"Slack HTTP mode: Bolt's web app on 127.0.0.1 (own thread and loop); fakes: arXiv "
                  f"(min_interval_s = 0), LLM ({args.latency} s per call), Slack Web API\n")
            asyncio.run(bench(args, server, (arxiv, llm, slack), Path(tmpdir) / "paperbot.db"))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
