"""Benchmark the archive site on a year of a busy channel.

    python -m bench.site_bench [--days 250] [--announced 150] [--picks 10] [--channels 1]

Writes a store as a year of morning posts leaves it, through the store's own
methods: `--days` announcement days of `--announced` papers each (every paper
seen is in `papers`, with the day's scores), `--picks` picked per day with a
quick analysis, an executive summary, the posted messages, a deep analysis of
one paper a day, votes on a few papers a day and some taken off the must-read
list. Then it times, in-process:

- a build from scratch (pages, feeds and the Pagefind index),
- an incremental build with nothing changed,
- the morning refresh: one more day posted and voted on, then an incremental build,

and prints the files written, the site's size on disk and the search index's
share. Goals (scratch under 60 s, the morning refresh under 10 s) are printed as
PASS/MISS for information; the script exits 0 unless a build fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bot.models import Paper
from bot.site import SiteOptions, build_site
from bot.site.links import ChatLinks
from bot.store import AnalysisKey, Store
from testkit.samples import SEED, deep_reply, quick_reply, summary_reply

WORDS = ("video diffusion gaussian splatting segmentation depth transformer robot grasping reconstruction "
         "tracking detection benchmark dataset contrastive distillation token latent camera motion scene").split()


def paper(n: int, day: dt.date, rng: random.Random, picked: bool) -> Paper:
    if picked:  # real abstracts, so key findings and analyses have the seed's size
        seed = SEED[n % len(SEED)]
        title, abstract = f"{seed['title']} ({n})", seed["abstract"]
    else:
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        abstract = " ".join(rng.choice(WORDS) for _ in range(160)) + "."
    return Paper(id=f"{day:%y%m}.{n:05d}", version=1, title=title, abstract=abstract,
                 authors=tuple(f"Author {a}" for a in range(rng.randint(2, 9))), categories=("cs.CV",),
                 primary_category="cs.CV", published=(day - dt.timedelta(days=1)).isoformat(), has_metadata=True)


def post_day(store: Store, channel, day: dt.date, n0: int, args, rng: random.Random) -> int:
    """One announcement day as the bot leaves it in the store; returns the next paper number."""
    papers = [paper(n0 + i, day, rng, picked=i < args.picks) for i in range(args.announced)]
    store.save_papers(papers)
    date = day.isoformat()
    ch = str(channel)
    store.save_scores(date, ch, "bench", [
        {"paper_id": p.id, "score": 1.0 - i / len(papers), "reason": f"matches '{rng.choice(WORDS)}'",
         "rank": i + 1 if i < args.picks else None} for i, p in enumerate(papers)])
    picks = papers[:args.picks]
    store.save_digest(date, ch, categories=["cs.CV"], announced=len(papers), picked=[p.id for p in picks],
                      language="en")
    for p in picks:
        store.save_analysis(AnalysisKey(p.versioned_id, "quick_analysis", "en", "1", "bench"), 1,
                            content=quick_reply(p.versioned_id))
    store.save_analysis(AnalysisKey(date + ":" + ",".join(p.versioned_id for p in picks), "executive_summary",
                                    "en", "1", "bench"), 0, content=summary_reply([1, len(picks)]))
    store.save_analysis(AnalysisKey(picks[0].versioned_id, "deep_analysis", "en", "1", "bench"), 1,
                        content=deep_reply(picks[0].versioned_id),
                        context={"source": "html", "prompt_tokens": 9000, "budget": 12000})
    ts = int(dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone.utc).timestamp())
    store.save_post(channel, date, "parent", message=f"{ts}.000100", thread=None)
    for i, p in enumerate(picks, 1):
        store.save_post(channel, date, f"paper:{p.id}", message=f"{ts}.{i:04d}00", thread=f"{ts}.000100",
                        paper_id=p.id)
    for p in rng.sample(picks, 3):
        for user in rng.sample(["U1", "U2", "U3", "U4", "U5"], rng.randint(1, 4)):
            store.set_vote(channel, user, p.id, "star", True, message="m")
        if rng.random() < 0.3:
            store.mark_read(channel, p.id, "U1")
    return n0 + args.announced


def size(folder: Path) -> tuple[int, int]:
    files = [f for f in folder.rglob("*") if f.is_file()]
    return len(files), sum(f.stat().st_size for f in files)


def timed(label: str, store: Store, out: Path, options: SiteOptions):
    started = time.perf_counter()
    report = build_site(store, out, options)
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:6.2f} s   {len(report.written):5d} files written, "
          f"{len(report.removed)} removed, search index "
          f"{f'rebuilt in {report.search_seconds:.2f} s' if report.indexed else 'kept'}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--announced", type=int, default=150)
    parser.add_argument("--picks", type=int, default=10)
    parser.add_argument("--channels", type=int, default=1)
    args = parser.parse_args()
    from bot.models import ChannelRef

    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "year.db")
        channels = [ChannelRef("slack", f"C{n:08d}") for n in range(args.channels)]
        started, n, day = time.perf_counter(), 0, dt.date(2025, 3, 3)
        days = 0
        while days < args.days:
            if day.weekday() < 5:
                for channel in channels:
                    n = post_day(store, channel, day, n, args, rng)
                days += 1
            day += dt.timedelta(days=1)
        print(f"store: {days} days x {len(channels)} channel(s), {n} papers seen, {args.picks} picked a day, "
              f"written in {time.perf_counter() - started:.1f} s "
              f"({(Path(tmp) / 'year.db').stat().st_size / 1e6:.0f} MB)")
        options = SiteOptions(chat=ChatLinks("https://team.slack.com"))
        out = Path(tmp) / "site"
        scratch = timed("from scratch", store, out, options)
        timed("again, nothing changed", store, out, options)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        for channel in channels:
            post_day(store, channel, day, n, args, rng)
        morning = timed("next morning (one more day)", store, out, options)
        files, total = size(out)
        _, index = size(out / "pagefind")
        print(f"site: {files} files, {total / 1e6:.1f} MB ({index / 1e6:.1f} MB of it the search index)")
        print(f"goal: from scratch < 60 s: {'PASS' if scratch < 60 else 'MISS'}; "
              f"morning refresh < 10 s: {'PASS' if morning < 10 else 'MISS'}")
        store.close()


if __name__ == "__main__":
    main()
