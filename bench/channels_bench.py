"""Benchmark many channels posting at once: 12 channels, one process, one engine.

    python -m bench.channels_bench [--interval 3] [--latency 1] [--concurrency 8] [--day YYYY-MM-DD] [--generated]
                                   [--log]   (from the repository root)

`paperbot.commands.run.serve(config, [run_slack, run_discord], stop)`, the real `paperbot run`, with
FakeSlack (Socket Mode), FakeDiscord (gateway and REST), FakeArxiv (paced at --interval, arXiv's 3 s
by default) and FakeLLM (--latency s a call). 6 Slack and 6 Discord channels: 3 category sets (cs.CV;
cs.CL; cs.CV+cs.RO, which shares the cs.CV feed) x 2 languages (en, zh), each with its set's
interests and 10 picks. Every channel's post_at is a few minutes ago, so all of them are caught up
the moment their platform connects. The day is a real one from shared/data/arxiv_days (the largest,
or --day), else generated papers.

Prints the LLM calls made against the minimum (distinct (paper, language) analyses, plus one summary
per distinct (categories, interests, language), read from the stored digests), the arXiv requests
against the minimum (distinct feeds, plus the metadata batches of the distinct picked papers), and
the wall time against the critical path (see `critical_path`). Goals (calls = minimum; wall within
1.3x of the critical path) are PASS/MISS for information: exit 0 unless the run itself fails.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime as dt
import gzip
import itertools
import json
import logging
import math
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from adapters.discord.service import run_discord
from adapters.slack.service import run_slack
from bench.digest_bench import make_papers
from bot.arxiv.metadata import BATCH
from bot.config import load_config
from bot.models import ChannelRef
from paperbot.commands.run import serve
from testkit.arxiv_fake import FakeArxiv, FeedItem
from testkit.discord_fake import GUILD_ID, FakeDiscord, point_discord_at
from testkit.llm_fake import CHAT_PATH, FakeLLM
from testkit.samples import DAY, smart_responder
from testkit.slack_fake import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
DAYS = next((d / "shared" / "data" / "arxiv_days" for d in ROOT.parents
             if (d / "shared" / "data" / "arxiv_days").is_dir()), None)
SETS = ((("cs.CV",), "video diffusion models, 3D Gaussian splatting, open-vocabulary segmentation"),
        (("cs.CL",), "large language model reasoning, retrieval-augmented generation, machine translation"),
        (("cs.CV", "cs.RO"), "robot manipulation, embodied agents, vision-language-action models, autonomous driving"))
LANGUAGES = ("en", "zh")
PICKS = 10


@dataclasses.dataclass(frozen=True)
class Channel:
    ref: ChannelRef
    categories: tuple[str, ...]
    interests: str
    language: str


def channels() -> list[Channel]:
    """Each (set, language) once on Slack and once on Discord."""
    out = []
    for n, ((cats, interests), language) in enumerate(itertools.product(SETS, LANGUAGES)):
        out.append(Channel(ChannelRef("slack", f"C0BENCH{n:02d}"), cats, interests, language))
        out.append(Channel(ChannelRef("discord", str(1100000000000005000 + n)), cats, interests, language))
    return out


# -- the day ----------------------------------------------------------------------------------------
def real_day(day: str | None) -> tuple[str, list[dict]] | None:
    """(date, papers) of a stored real day: `day`, else the one with the most papers."""
    files = sorted(DAYS.glob("*.json.gz")) if DAYS else []
    if day:
        files = [f for f in files if f.name.startswith(day)]
    if not files:
        return None
    loaded = [(f.name.split(".")[0], json.loads(gzip.open(f).read())) for f in files]
    return max(loaded, key=lambda d: len(d[1]))


def feeds(args) -> tuple[str, dict[str, list[FeedItem]], str]:
    """(announcement date, feed items per category, where they came from). A paper is "new" in its
    primary category's feed and "cross" in the others, as arXiv lists it."""
    cats = sorted({c for s, _ in SETS for c in s})
    found = None if args.generated else real_day(args.day)
    if found is None:
        sizes = {"cs.CV": 300, "cs.CL": 200, "cs.RO": 80}
        out, start = {}, 0
        for cat in cats:  # digest_bench's generated papers, renumbered per category
            out[cat] = [dataclasses.replace(p, id=f"2602.{20000 + start + k:05d}", categories=[cat])
                        for k, p in enumerate(make_papers(sizes[cat], seed=start))]
            start += sizes[cat]
        return DAY.isoformat(), out, "generated papers (no shared/data/arxiv_days day)"
    date, papers = found
    out = {}
    for cat in cats:
        out[cat] = [FeedItem(p["id"], title=p["title"], abstract=p["summary"], authors=list(p["authors"]),
                             categories=list(p["categories"]),
                             announce_type="new" if p["categories"][0] == cat else "cross")
                    for p in papers if cat in p["categories"]]
    return date, out, f"real papers of {date} ({len(papers)} in the day's file)"


# -- set-up ---------------------------------------------------------------------------------------
def write_config(tmp: Path, fakes, args, chans: list[Channel]) -> Path:
    arxiv, llm, slack, discord_fake = fakes
    a = arxiv.url
    sections = {
        "arxiv": dict(rss_url=f"{a}/rss", api_url=f"{a}/api/query", html_url=f"{a}/html", pdf_url=f"{a}/pdf",
                      min_interval_s=args.interval, retry_backoff_s=0),
        "digest": dict(max_papers=PICKS), "storage": dict(path="paperbot.db"),
        "llm": dict(base_url=llm.base_url, model="fake-model", retry_backoff_s=0, concurrency=args.concurrency),
        "slack": dict(api_url=slack.api_url),
        "discord": dict(api_base=discord_fake.api_base, gateway_url=discord_fake.gateway_url,
                        guild_ids=[int(GUILD_ID)], guild_ready_timeout_s=0.05),
    }
    text = "\n".join(f"[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
                     for name, values in sections.items())
    post_at = time.strftime("%H:%M", time.gmtime(time.time() - 300))  # five minutes ago: caught up at start
    for c in chans:
        text += (f'\n\n[[channels]]\nplatform = "{c.ref.platform}"\nid = "{c.ref.id}"\npost_at = "{post_at}"\n'
                 f'timezone = "UTC"\ncategories = {json.dumps(list(c.categories))}\n'
                 f'interests = {json.dumps(c.interests)}\nlanguage = "{c.language}"')
    path = tmp / "paperbot.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


class Recorder(logging.Handler):
    """The bot's log lines with their monotonic time, for the timeline."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[float, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.lines.append((time.monotonic(), record.name, message))

    def problems(self) -> list[str]:
        return [f"{name}: {message}" for _, name, message in self.lines if "fail" in message.lower()]


async def loop_lag(samples: list[float], stop: asyncio.Event, tick: float = 0.01) -> None:
    """How late a 10 ms sleep wakes up: the time the event loop was busy with something else."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(tick)
        samples.append(time.monotonic() - before - tick)


async def run(args, fakes, chans: list[Channel], config_path: Path, log: Recorder) -> dict:
    arxiv, llm, slack, discord_fake = fakes
    db = config_path.parent / "paperbot.db"
    stop, lag, lag_stop = asyncio.Event(), [], asyncio.Event()
    done: dict[str, float] = {}
    started = time.monotonic()
    with point_discord_at(discord_fake):  # and back afterwards: run_discord sets discord.py's endpoints
        service = asyncio.create_task(serve(load_config(config_path), [run_slack, run_discord], stop))
        lagger = asyncio.create_task(loop_lag(lag, lag_stop))
        try:
            while len(done) < len(chans):
                if service.done():
                    service.result()
                    sys.exit("FAIL: paperbot run stopped before every channel had posted")
                if time.monotonic() - started > args.timeout:
                    missing = ", ".join(str(c.ref) for c in chans if str(c.ref) not in done)
                    sys.exit(f"FAIL: {len(done)} of {len(chans)} channels posted within {args.timeout:.0f} s "
                             f"(not: {missing})\n" + "\n".join(log.problems()))
                # Read in a thread, every 20 ms: the bot shares this loop, and the poll must not hold it up.
                for ref, (papers, picked) in (await asyncio.to_thread(posted_counts, db)).items():
                    if picked is not None and papers >= picked and ref not in done:
                        done[ref] = time.monotonic()
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            lag_stop.set()
            await asyncio.wait_for(service, 30)
            await lagger
    return {"started": started, "done": done, "lag": lag, "db": db}


def posted_counts(db: Path) -> dict[str, tuple[int, int | None]]:
    """channel -> (paper replies posted, papers picked or None while its digest is not built)."""
    if not db.exists():
        return {}
    with sqlite3.connect(db) as con:
        try:
            rows = con.execute("select channel, count(*) from posts where item like 'paper:%' group by channel").fetchall()
            picked = dict(con.execute("select channel, json_array_length(picked) from digests").fetchall())
        except sqlite3.OperationalError:  # not migrated yet
            return {}
    return {ch: (n, picked.get(ch)) for ch, n in rows}


# -- the minimum and the critical path --------------------------------------------------------------
def minimum(db: Path, chans: list[Channel]) -> dict:
    """What no implementation can do with less, from what was actually picked."""
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        digests = {r["channel"]: r for r in con.execute("select * from digests")}
    picked = {str(c.ref): json.loads(digests[str(c.ref)]["picked"]) for c in chans}
    analyses = {(p, c.language) for c in chans for p in picked[str(c.ref)]}
    summaries = {(c.categories, c.interests, c.language) for c in chans}
    feeds = {cat for c in chans for cat in c.categories}
    papers = {p for ps in picked.values() for p in ps}
    return {"picked": picked, "analyses": analyses, "summaries": summaries, "feeds": feeds,
            "batches": math.ceil(len(papers) / BATCH), "papers": papers,
            "date": next(iter(digests.values()))["date"]}


def critical_path(m: dict, chans: list[Channel], interval: float, latency: float, concurrency: int) -> dict:
    """The shortest time the external waits allow, overlapping everything that can overlap.

    arXiv: every request is serial, `interval` apart: the distinct feeds, then (after the picks are
    known) the metadata batches; the last one ends the arXiv chain at (requests - 1) x interval.
    LLM: calls run `concurrency` at a time, `latency` each; a call can start once the listing it
    is made from is read (its set's feeds: an analysis needs one set that picked the paper, a summary
    needs its set) and needs no metadata, so analyses overlap the arXiv chain. Posting waits for both.
    Minimised over the order of the feeds; earliest-release-first is optimal for equal-length calls.
    """
    feeds = sorted(m["feeds"])
    arxiv_chain = (len(feeds) + m["batches"] - 1) * interval
    sets = {(c.categories, c.interests) for c in chans}
    best = None
    for order in itertools.permutations(feeds):
        ready = {s: interval * max(order.index(cat) for cat in s[0]) for s in sets}
        release = collections.defaultdict(lambda: math.inf)
        for c in chans:
            s = (c.categories, c.interests)
            release[("summary", s, c.language)] = ready[s]
            for p in m["picked"][str(c.ref)]:
                release[(p, c.language)] = min(release[(p, c.language)], ready[s])
        slots = [0.0] * concurrency
        for t in sorted(release.values()):
            slot = min(range(concurrency), key=slots.__getitem__)
            slots[slot] = max(slots[slot], t) + latency
        llm_end = max(slots)
        total = max(arxiv_chain, llm_end)
        if best is None or total < best["total"]:
            best = {"total": total, "llm_end": llm_end, "order": order}
    calls = len(m["analyses"]) + len(m["summaries"])
    return {**best, "arxiv_chain": arxiv_chain, "llm_rounds": math.ceil(calls / concurrency) * latency}


# -- the report -----------------------------------------------------------------------------------
def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(args, source: str, sizes: dict, fakes, chans, result: dict, log: Recorder) -> None:
    arxiv, llm, slack, discord_fake = fakes
    m = minimum(result["db"], chans)
    cp = critical_path(m, chans, args.interval, args.latency, args.concurrency)
    calls = llm.requests_to(CHAT_PATH)
    reqs = arxiv.requests
    kinds = collections.Counter("quick" if '"main_contribution"' in json.loads(r.body)["messages"][0]["content"]
                                else "summary" for r in calls)
    t0 = reqs[0].time if reqs else result["started"]
    end = max(result["done"].values())
    wall, work = end - result["started"], end - t0
    min_calls, min_reqs = len(m["analyses"]) + len(m["summaries"]), len(m["feeds"]) + m["batches"]
    rss = collections.Counter(r.path.removeprefix("/rss/") for r in reqs if r.path.startswith("/rss/"))
    api = [r for r in reqs if r.path == "/api/query"]
    api_ids = [len(r.query["id_list"][0].split(",")) for r in api]
    lag = sorted(result["lag"])
    print(f"12 channels (6 Slack, 6 Discord; 3 category sets x {len(LANGUAGES)} languages), {PICKS} picks each, "
          f"one `paperbot run` process\nday: {source}; feeds: " + ", ".join(f"{c} {n}" for c, n in sizes.items())
          + f"\narXiv interval {args.interval} s, LLM {args.latency} s a call, concurrency {args.concurrency}\n")
    rows = [
        ("LLM calls", f"{len(calls)}  ({kinds['quick']} quick, {kinds['summary']} summaries; max "
                      f"{llm.max_concurrent} in flight)"),
        ("  minimum", f"{min_calls}  = {len(m['analyses'])} distinct (paper, language) + {len(m['summaries'])} "
                      f"distinct (categories, interests, language); {len(m['papers'])} distinct papers picked"),
        ("arXiv requests", f"{len(reqs)}  = RSS " + ", ".join(f"{c} x{n}" for c, n in sorted(rss.items()))
                           + f"; API x{len(api)} ({', '.join(map(str, api_ids))} ids)"),
        ("  minimum", f"{min_reqs}  = {len(m['feeds'])} feeds + {m['batches']} metadata batch(es) of <= {BATCH}"),
        ("  request starts", ", ".join(f"{r.time - t0:.1f}" for r in reqs) + " s after the first"),
        ("wall time", f"{wall:.2f} s  (start-up to the first arXiv request {t0 - result['started']:.2f} s, then "
                      f"{work:.2f} s to the last post)"),
        ("  critical path", f"{cp['total']:.2f} s  = max(arXiv chain {cp['arxiv_chain']:.1f} s, LLM done at "
                            f"{cp['llm_end']:.1f} s with feeds read in the order {' '.join(cp['order'])})"),
        ("  for reference", f"LLM rounds alone {cp['llm_rounds']:.1f} s = ceil({min_calls} / {args.concurrency}) x "
                            f"{args.latency} s"),
        ("  LLM calls ran", f"{calls[0].time - t0:.1f} .. {calls[-1].time - t0 + args.latency:.1f} s" if calls else "-"),
        ("  channels done", " ".join(f"{t - t0:.1f}" for t in sorted(result["done"].values())) + " s"),
        ("  event loop lag", f"max {lag[-1] * 1000:.0f} ms, p99 {lag[int(.99 * len(lag))] * 1000:.0f} ms, "
                             f"{sum(x for x in lag if x > 0.05):.2f} s in stalls > 50 ms" if lag else "-"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("\n  The critical path overlaps the serial arXiv chain with the LLM calls: a set's calls start once its\n"
          "  feeds are read (they need no metadata), the metadata request waits for the picks; posting is not\n"
          "  counted. Event loop lag: how late a 10 ms sleep on the bot's loop woke (work that held the loop).")
    print("\nGoals (informational)")
    print(f"  LLM calls = minimum                      {len(calls)} vs {min_calls}  {mark(len(calls) == min_calls)}")
    print(f"  wall (from the first arXiv request) <= 1.3x critical path   {work:.2f} s vs {1.3 * cp['total']:.2f} s"
          f"  {mark(work <= 1.3 * cp['total'])}")
    print(f"  wall (from start-up) <= 1.3x critical path                   {wall:.2f} s vs {1.3 * cp['total']:.2f} s"
          f"  {mark(wall <= 1.3 * cp['total'])}")
    print(f"  (arXiv requests = minimum                {len(reqs)} vs {min_reqs}  {mark(len(reqs) == min_reqs)})")
    if args.log:
        print("\nTimeline (s after the first arXiv request)")
        events = [(r.time, f"arXiv {r.path}{' (' + str(len(r.query['id_list'][0].split(','))) + ' ids)' if r.path == '/api/query' else ''}")
                  for r in reqs]
        events += [(t, f"{name}: {msg}") for t, name, msg in log.lines]
        for t, what in sorted(events):
            print(f"  {t - t0:7.2f}  {what[:160]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interval", type=float, default=3.0, help="arXiv min_interval_s (default 3, arXiv's rule)")
    ap.add_argument("--latency", type=float, default=1.0, help="fake LLM latency per call, s (default 1)")
    ap.add_argument("--concurrency", type=int, default=8, help="[llm] concurrency (default 8)")
    ap.add_argument("--day", help="a day of shared/data/arxiv_days (default: the one with the most papers)")
    ap.add_argument("--generated", action="store_true", help="generated papers even if real days are there")
    ap.add_argument("--timeout", type=float, default=180, help="fail if not every channel posted by then (s)")
    ap.add_argument("--log", action="store_true", help="print the timeline: arXiv requests and the bot's log")
    args = ap.parse_args()
    date, day_feeds, source = feeds(args)
    chans = channels()
    log = Recorder()
    for name in ("bot", "adapters", "paperbot"):
        logging.getLogger(name).addHandler(log)
        logging.getLogger(name).setLevel(logging.INFO)
    for name in ("OPENAI_BASE_URL", "PAPERBOT_CONFIG"):
        os.environ.pop(name, None)
    with FakeArxiv() as arxiv, FakeLLM() as llm, FakeSlack() as slack, FakeDiscord() as discord_fake, \
            tempfile.TemporaryDirectory(prefix="paperbot-channels-bench-") as tmpdir:
        for cat, items in day_feeds.items():
            arxiv.add_day(cat, dt.date.fromisoformat(date), items)
        llm.responder, llm.latency_s = smart_responder, args.latency
        for c in chans:
            if c.ref.platform == "slack":
                slack.add_channel(c.ref.id, name=c.ref.id.lower())
            else:
                discord_fake.add_channel(c.ref.id, GUILD_ID)
        os.environ |= {"OPENAI_API_KEY": "sk-bench-not-a-real-key", "NO_PROXY": "127.0.0.1,localhost",
                       "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_APP_TOKEN": "xapp-bench",
                       "DISCORD_BOT_TOKEN": discord_fake.token}
        fakes = (arxiv, llm, slack, discord_fake)
        config = write_config(Path(tmpdir), fakes, args, chans)
        result = asyncio.run(run(args, fakes, chans, config, log))
        if discord_fake.errors or slack.errors:
            sys.exit(f"FAIL: a fake failed: {discord_fake.errors + slack.errors!r}")
        report(args, source, {c: len(v) for c, v in day_feeds.items()}, fakes, chans, result, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
