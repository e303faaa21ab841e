"""How well each ranker picks 10 a day for simulated teams over real arXiv days.

A time-ordered simulation on the real days in ../shared/data/arxiv_days (44 days of
March–April 2026): each morning the ranker picks 10 of the day's papers for a team, the
team reacts to what it was shown, and the learned rankers retrain before the next day.

Each team's hidden preference is a real human-made label: the papers its authors
cross-listed to one arXiv category (cs.RO for a robotics group, cs.IR for a search team,
...). That label is removed from the papers the ranker sees (categories are a feature).
Each team states interests the way a team writes them in a config, not the category's
name. The team has 4 members; each upvotes a shown paper that matches with probability
0.35 (so ~18% of matches get no vote), upvotes a non-match with 0.02 (noise) and 👎 a
non-match with 0.08; a shown paper nobody reacted to becomes a weak negative 3 days later;
on 30% of days someone asks `/paper` for a matching paper the bot did not show.

Rankers: arXiv order; stated interests only (bot.ranking.rank, today's ranking);
learned from votes only (no interests); learned + interests; and cold starts with 50
imported likes from before the evaluated days and no interests, alone and with votes.
Reported: precision@10 and nDCG@10 (binary relevance; nDCG over days with any match)
of what the team was shown on the last 15 days, per team and mean, and the ratio to
interests-only; then the time to train and rank one large day.

    python -m bench.ranking_bench [--data DIR] [--seeds 3] [--split all|dev|test] [--days 44]
        [--eval-days 15] [--explore N] [--procs N] [--no-timing] [--timing-only]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.models import Paper
from bot.taste import DEFAULT_BLEND, DEFAULT_PARAMS, BlendParams, Signal, TasteParams, rank_with_taste, train, vote_signal

# ../shared beside the checkout (a worktree sits deeper): the first parent that has it
DEFAULT_DATA = next((d / "shared" / "data" / "arxiv_days" for d in Path(__file__).resolve().parents
                     if (d / "shared" / "data" / "arxiv_days").is_dir()), Path("shared/data/arxiv_days"))
PICKS, MEMBERS, UNVOTED_AFTER = 10, 4, 3
P_UP, P_NOISE, P_DOWN, P_REQUEST = 0.35, 0.02, 0.08, 0.3
IMPORTS = 50


@dataclass(frozen=True)
class Team:
    name: str
    label: str  # the hidden cross-list category
    interests: str
    dev: bool  # parameters were chosen on the dev teams only (and on the first 29 days)


TEAMS = [
    Team("robotics", "cs.RO", "robot learning, manipulation and grasping, vision-language-action models, "
         "embodied agents, navigation, sim-to-real", True),
    Team("search", "cs.IR", "retrieval-augmented generation, search and ranking, recommender systems, "
         "dense retrieval, query understanding", True),
    Team("hci", "cs.HC", "human-AI interaction, user studies, interfaces for LLMs, accessibility, "
         "how people use and trust AI tools", True),
    Team("society", "cs.CY", "AI ethics and policy, fairness and bias, education, misinformation, "
         "societal impact of language models", False),
    Team("agents", "cs.MA", "multi-agent LLM systems, agent collaboration and communication, "
         "tool-using agents, planning, game theory", False),
    Team("security", "cs.CR", "LLM security, jailbreaks and prompt injection, adversarial attacks, "
         "privacy, watermarking, backdoors", False),
]


@dataclass(frozen=True)
class Profile:
    interests: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranker:
    name: str
    interests: bool
    learn: bool
    votes: bool = True
    imports: bool = False


RANKERS = [
    Ranker("arXiv order", interests=False, learn=False),
    Ranker("interests only", interests=True, learn=False),
    Ranker("votes only", interests=False, learn=True),
    Ranker("votes + interests", interests=True, learn=True),
    Ranker("50 imports only", interests=False, learn=True, votes=False, imports=True),
    Ranker("imports + votes", interests=False, learn=True, imports=True),
]


def load_days(folder: Path, limit: int) -> list[list[dict]]:
    files = sorted(folder.glob("*.json.gz"))[:limit]
    return [json.load(gzip.open(f, "rt")) for f in files]


def as_seen(record: dict, hidden: str) -> Paper:
    """The paper as the ranker sees it: the team's label category removed."""
    cats = tuple(c for c in record["categories"] if c != hidden)
    return Paper(id=record["id"], version=1, title=record["title"], abstract=record["summary"],
                 authors=tuple(record["authors"]), categories=cats, primary_category=cats[0] if cats else None,
                 comment=record.get("comment"))


def chance(seed: int, *key) -> float:
    """A reproducible uniform number per (seed, key): every ranker meets the same team."""
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Run:
    p10: list[float]
    ndcg: list[float]
    positives: int = 0


def simulate(days, team: Team, ranker: Ranker, seed: int, eval_days: int, explore: int,
             params: TasteParams = DEFAULT_PARAMS, blend: BlendParams = DEFAULT_BLEND,
             background_days: int = 7) -> Run:
    seen_days = [[as_seen(r, team.label) for r in day] for day in days]
    relevant = [{r["id"] for r in day if team.label in r["categories"]} for day in days]
    first_eval = len(days) - eval_days
    profile = Profile(team.interests if ranker.interests else "")
    signals: list[Signal] = imported(seen_days, relevant, first_eval, team, seed) if ranker.imports else []
    shown: set[str] = set()
    votes_by_paper: dict[str, int] = {}
    unvoted: list[tuple[int, Paper]] = []
    run = Run([], [])
    model = None
    for t, day in enumerate(seen_days):
        papers = [p for p in day if p.id not in shown]  # never twice (the engine filters)
        signals += [Signal(p, "unvoted") for d, p in unvoted if d == t - UNVOTED_AFTER]
        if ranker.learn:
            background = [p for past in seen_days[max(0, t - background_days): t + 1] for p in past]
            model = train(signals, background, params, interests=profile.interests,
                          default_weight=blend.learned_max)
        picked = rank_with_taste(papers, profile, model, explore=explore, picks=PICKS,
                                 votes_by_paper=votes_by_paper, params=blend)[:PICKS]
        shown.update(r.paper.id for r in picked)
        if t >= first_eval:
            score(run, [r.paper.id for r in picked], relevant[t])
        if ranker.votes:
            signals += react(picked, relevant[t], team, seed, t, votes_by_paper, unvoted)
            signals += request(papers, shown, relevant[t], team, seed, t)
    run.positives = sum(1 for s in signals if s.positive)
    return run


def imported(seen_days, relevant, first_eval, team, seed) -> list[Signal]:
    """50 liked papers from before the evaluated days, as a team's BibTeX export would hold."""
    pool = [p for t in range(first_eval) for p in seen_days[t] if p.id in relevant[t]]
    pool.sort(key=lambda p: chance(seed, team.name, "import", p.id))
    return [Signal(p, "import") for p in pool[:IMPORTS]]


def react(picked, relevant, team, seed, t, votes_by_paper, unvoted) -> list[Signal]:
    out = []
    for r in picked:
        pid, match = r.paper.id, r.paper.id in relevant
        ups = sum(chance(seed, team.name, pid, m, "up") < (P_UP if match else P_NOISE) for m in range(MEMBERS))
        downs = 0 if match else sum(chance(seed, team.name, pid, m, "down") < P_DOWN for m in range(MEMBERS))
        if ups:
            votes_by_paper[pid] = ups
            out.append(vote_signal(r.paper, ups))
        if downs:
            out.append(Signal(r.paper, "down"))
        if not ups and not downs:
            unvoted.append((t, r.paper))
    return out


def request(papers, shown, relevant, team, seed, t) -> list[Signal]:
    if chance(seed, team.name, "request", t) >= P_REQUEST:
        return []
    missed = [p for p in papers if p.id in relevant and p.id not in shown]
    if not missed:
        return []
    asked = min(missed, key=lambda p: chance(seed, team.name, "which", p.id))
    shown.add(asked.id)  # answered in the channel: it is not posted again
    return [Signal(asked, "request")]


def score(run: Run, ids: list[str], relevant: set[str]) -> None:
    gains = [1.0 if i in relevant else 0.0 for i in ids[:PICKS]]
    run.p10.append(sum(gains) / PICKS)
    ideal = sum(1 / math.log2(k + 2) for k in range(min(PICKS, len(relevant))))
    if ideal:
        run.ndcg.append(sum(g / math.log2(k + 2) for k, g in enumerate(gains)) / ideal)


def mean(xs) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def _one(job):
    days, team, ranker, seed, eval_days, explore = job
    run = simulate(days, team, ranker, seed, eval_days, explore, DEFAULT_PARAMS, DEFAULT_BLEND)
    return (team.name, ranker.name, seed), (mean(run.p10), mean(run.ndcg))


def evaluate(days, teams, rankers, seeds, eval_days, explore, procs: int = 1):
    """{(team, ranker): (p@10, nDCG@10)} averaged over seeds."""
    jobs = [(days, t, r, s, eval_days, explore) for t in teams for r in rankers
            for s in (seeds if r.learn else seeds[:1])]  # no learning: the seed changes nothing
    if procs > 1:
        from multiprocessing import Pool

        with Pool(procs) as pool:
            results = dict(pool.map(_one, jobs))
    else:
        results = dict(map(_one, jobs))
    table = {}
    for team in teams:
        for ranker in rankers:
            runs = [v for (t, r, _), v in results.items() if t == team.name and r == ranker.name]
            table[team.name, ranker.name] = (mean([v[0] for v in runs]), mean([v[1] for v in runs]))
    return table


def print_table(table, teams, rankers) -> None:
    base = "interests only"
    width = max(len(r.name) for r in rankers)
    groups = [("mean", teams), ("dev", [t for t in teams if t.dev]), ("test", [t for t in teams if not t.dev])]
    groups = [(g, ts) for g, ts in groups if ts and (g == "mean" or len(ts) < len(teams))]
    print(f"{'ranker':<{width}}  " + "  ".join(f"{t.name + ('*' if t.dev else ''):>13}" for t in teams)
          + "".join(f"  {g:>11}  {'ratio':>9}" for g, _ in groups))
    for ranker in rankers:
        line = f"{ranker.name:<{width}}  " + "  ".join(
            f"{table[t.name, ranker.name][0]:.3f}/{table[t.name, ranker.name][1]:.3f}" for t in teams)
        for _, ts in groups:
            got = [mean([table[t.name, ranker.name][k] for t in ts]) for k in (0, 1)]
            ref = [mean([table[t.name, base][k] for t in ts]) for k in (0, 1)]
            line += f"  {got[0]:.3f}/{got[1]:.3f}  " + "/".join(f"{g / r:.2f}" if r else "-" for g, r in zip(got, ref))
        print(line)
    print("cells: p@10/nDCG@10 of what the team was shown; ratio: the same over interests only, of the means;")
    print("* = a development team (parameters were chosen on these, on the first 29 days only)")


def timing(days, team: Team, repeat: int = 5) -> None:
    """A channel's morning: a few hundred signals, a week's background, the day's new papers."""
    from bot.taste import features, prepare

    seen = [[as_seen(r, team.label) for r in day] for day in days]
    relevant = {r["id"] for day in days for r in day if team.label in r["categories"]}
    big = sorted(range(len(seen)), key=lambda t: -len(seen[t]))[:repeat]
    profile = Profile(team.interests)
    for label in ("first day of a process (nothing cached)", "a morning (today's papers new)",
                  "a retrain after a vote (all cached)"):
        figures = []
        for t in big:
            history = [p for day in seen[:t] for p in day]
            signals = [Signal(p, "vote") for p in history if p.id in relevant][-150:]
            signals += [Signal(p, "down") for p in history[::37]][-100:] + [Signal(p, "unvoted") for p in history[::53]][-150:]
            background = [p for d in seen[max(0, t - 6): t + 1] for p in d]
            features._cache.rows.clear()
            if not label.startswith("first"):
                prepare([p for d in seen[max(0, t - 6): t] for p in d] + [s.paper for s in signals])
            if label.startswith("a retrain"):
                prepare(seen[t])
            start = time.perf_counter()
            model = train(signals, background, interests=profile.interests)
            trained = time.perf_counter()
            rank_with_taste(seen[t], profile, model)
            figures.append((trained - start, time.perf_counter() - trained, len(seen[t]), len(signals), len(background)))
        figures.sort(key=lambda f: f[0] + f[1])
        tr, rk, n, ns, nb = figures[len(figures) // 2]  # the median of the largest days
        print(f"timing, {label}: train {1000 * tr:.0f} ms + rank {1000 * rk:.0f} ms = {1000 * (tr + rk):.0f} ms "
              f"({ns} signals, {nb} background, {n} papers; median of the {len(figures)} largest days)")
    features._cache.rows.clear()
    prepare(seen[big[0]][:5])  # loads wordllama once: not the day's cost
    start = time.perf_counter()
    prepare(seen[big[0]])
    print(f"timing, prepare() of a new day at ingest ({len(seen[big[0]])} papers): "
          f"{1000 * (time.perf_counter() - start):.0f} ms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--split", choices=["all", "dev", "test"], default="all")
    ap.add_argument("--days", type=int, default=44, help="use the first N days")
    ap.add_argument("--eval-days", type=int, default=15)
    ap.add_argument("--explore", type=int, default=None, help="exploring slots (default: the ranker's default)")
    ap.add_argument("--procs", type=int, default=1, help="simulate in this many processes")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--timing-only", action="store_true", help="only time one channel's morning")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: no arXiv days at {args.data} (pass --data DIR)")
        return 0
    days = load_days(args.data, args.days)
    teams = [t for t in TEAMS if args.split == "all" or t.dev == (args.split == "dev")]
    if args.timing_only:
        timing(days, teams[0])
        return 0
    explore = DEFAULT_EXPLORE if args.explore is None else args.explore
    print(f"{len(days)} days ({sum(map(len, days))} papers), last {args.eval_days} evaluated, "
          f"{args.seeds} seeds, explore {explore}")
    start = time.perf_counter()
    table = evaluate(days, teams, RANKERS, list(range(args.seeds)), args.eval_days, explore, args.procs)
    print_table(table, teams, RANKERS)
    print(f"simulated in {time.perf_counter() - start:.0f} s")
    if not args.no_timing:
        timing(days, teams[0])
    return 0


DEFAULT_EXPLORE = 0

if __name__ == "__main__":
    sys.exit(main())
