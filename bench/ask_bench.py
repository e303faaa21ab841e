"""Benchmark the retrieval of "ask the paper": do the passages sent hold the answer, and at what cost?

    python -m bench.ask_bench [--budget 6000] [--overhead 600] [--sizes 120,160,240] [--budgets 3000,4000,6000]

On the three long synthetic papers of `testkit.qa_papers` (28-38 pages, facts
planted in known sections, tables and the appendix; filler full of words the
questions use), rendered as arXiv's HTML and as a two-column PDF and extracted
by the project's own extractors, it asks the 30 questions (six are follow-ups
that carry the earlier turns of their thread) and reports, per ranking variant:

- fact recall: questions whose sent text holds the answer's words (the needle),
- label recall: questions whose sent passages carry the label of the section,
  table or figure holding the answer (what the answer should cite),
- follow-up and appendix recall (fact recall over those questions alone),
- input tokens per answer, mean and max, counting the prompt overhead
  (--overhead, ~600), the question, the earlier turns and the abstract,
- milliseconds per selection (split + index + rank + fill), mean.

Two baselines show what the ranking buys: "first tokens" (the paper from the
top until the budget is spent, as chat-with-PDF tools do) and "deep budget"
(bot/fulltext/budget.fit, the deep analysis's fit by section roles). A sweep
prints recall and tokens of the default variant for other passage sizes and
budgets. The goal (fact recall >= 0.9 within the budget) is printed as
PASS/MISS for information; the script always exits 0.

Then (bench/ask_latency.py) the ack/defer latency of a question on both
platforms at once, with `select` on one of these papers inside the answer path:
Slack's Socket Mode envelope to its ack, Discord's INTERACTION_CREATE to the
type-5 deferral, and the time until the answer is posted (--latency-only runs
that part alone; --no-latency skips it).

--overhead defaults to the ask prompt's own tokens, measured by rendering
prompts/ask_paper.toml with the paper's title and empty fields (as the bot does).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

from bot.analysis.answers import prompt_tokens
from bot.fulltext.budget import fit
from bot.fulltext.document import FullText, estimate_tokens
from bot.fulltext.html import extract_html
from bot.fulltext.passages import MAX_PASSAGE_TOKENS, Passage, split
from bot.fulltext.pdf import extract_pdf
from bot.fulltext.retrieval import rank, render, select
from testkit.paper_docs import latexml_html, two_column_pdf
from testkit.qa_papers import Question, qa_papers, squash

VARIANTS = {  # name -> select() / rank() keywords
    "bm25 + neighbours (default)": {},
    "bm25": {"neighbours": False},
    "tfidf + neighbours": {"scorer": "tfidf"},
    "tfidf": {"scorer": "tfidf", "neighbours": False},
    "default, history ignored": {"history_weight": 0.0},
    "default, history at 0.5": {"history_weight": 0.5},
    "default, no related terms": {"related_weight": 0.0},
    "default, cut below 0.3 of best": {"min_relative_score": 0.3},
}
HELD_OUT = {"default": {}, "default, no related terms": {"related_weight": 0.0}}


@dataclass
class Case:
    source: str  # "html" | "pdf"
    fulltext: FullText
    abstract: str
    question: Question
    title: str
    passages: dict[int, list[Passage]]  # by passage size, split once


@dataclass
class Outcome:
    fact: bool
    label: bool
    tokens: int
    ms: float
    to_answer: int | None = None  # passage tokens ranked before the answer, itself included


def cases(held_out: bool = False) -> list[Case]:
    out = []
    for paper in qa_papers():
        doc = paper.doc
        texts = {"html": extract_html(latexml_html(doc), doc.arxiv_id),
                 "pdf": extract_pdf(two_column_pdf(doc), doc.arxiv_id)}
        questions = paper.paraphrases if held_out else paper.questions
        out += [Case(source, ft, doc.abstract, q, doc.title, {}) for source, ft in texts.items() for q in questions]
    return out


def passages_of(case: Case, size: int) -> list[Passage]:
    if size not in case.passages:
        case.passages[size] = split(case.fulltext, size)
    return case.passages[size]


def ask_overhead(case: Case) -> int:
    """The ask prompt's own tokens for this paper: what the bot passes to `select` as `overhead`."""
    empty = {"paper_id": case.fulltext.paper_id, "title": case.title, "abstract": "", "passages": "", "history": "",
             "question": "", "source": "the passages of its full text most relevant to the question"}
    return prompt_tokens("ask_paper", empty, "en")


def run_select(case: Case, budget: int, overhead: int | None, size: int, **keywords) -> Outcome:
    q, passages = case.question, passages_of(case, size)
    overhead = ask_overhead(case) if overhead is None else overhead
    started = time.perf_counter()
    selection = select(case.fulltext, case.abstract, q.text, list(q.history), budget, overhead=overhead,
                       passages=passages, **keywords)
    ms = (time.perf_counter() - started) * 1000
    fact = squash(q.needle) in squash(selection.text)
    label = any(q.label == p.label or q.label in p.holds for p in selection.passages)
    order = rank(passages, q.text, q.history, **keywords)
    needle = squash(q.needle)
    at = next((k for k, i in enumerate(order) if needle in squash(passages[i].text)), None)
    to_answer = sum(passages[i].tokens for i in order[: at + 1]) if at is not None else None
    return Outcome(fact, label, selection.tokens, ms, to_answer)


BASELINES = ("first tokens", "deep budget")


def run_baseline(case: Case, budget: int, overhead: int | None, kind: str) -> Outcome:
    q = case.question
    overhead = ask_overhead(case) if overhead is None else overhead
    fixed = overhead + estimate_tokens(q.text) + sum(map(estimate_tokens, q.history)) + estimate_tokens(case.abstract)
    started = time.perf_counter()
    if kind == "first tokens":
        taken, used = [], 0
        for passage in passages_of(case, MAX_PASSAGE_TOKENS):
            if used + passage.tokens + 2 > budget - fixed:
                break
            taken.append(passage)
            used += passage.tokens + 2
        text = render(taken)
    else:
        text = fit(case.fulltext, budget - fixed).text
    ms = (time.perf_counter() - started) * 1000
    return Outcome(squash(q.needle) in squash(text), False, fixed + estimate_tokens(text), ms)


def summary(rows: list[tuple[Case, Outcome]]) -> dict:
    def recall(selected):
        selected = list(selected)
        return f"{sum(o.fact for _, o in selected)}/{len(selected)}" if selected else "-"
    reached = sorted(o.to_answer if o.to_answer is not None else 10**9 for _, o in rows)
    return {
        "fact": sum(o.fact for _, o in rows) / len(rows), "label": sum(o.label for _, o in rows) / len(rows),
        "follow": recall((c, o) for c, o in rows if c.question.history),
        "appendix": recall((c, o) for c, o in rows if c.question.in_appendix),
        "mean": statistics.mean(o.tokens for _, o in rows), "max": max(o.tokens for _, o in rows),
        "ms": statistics.mean(o.ms for _, o in rows),
        "to_answer": (reached[len(reached) // 2], reached[len(reached) * 9 // 10]) if reached[0] < 10**9 else None,
        "missed": [f"{c.question.paper_id[-1]}:{c.question.label}:{c.question.text[:40]}" for c, o in rows
                   if not o.fact],
    }


def table(title: str, results: dict[tuple[str, str], dict]) -> None:
    print(f"\n{title}")
    print("| variant | source | fact recall | label recall | follow-ups | appendix | tokens mean / max "
          "| tokens to answer p50 / p90 | ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (name, source), s in results.items():
        baseline = name in BASELINES
        label = "-" if baseline else f"{s['label']:.2f}"
        reach = "-" if baseline or s["to_answer"] is None else " / ".join(
            "never" if t >= 10**9 else str(t) for t in s["to_answer"])
        print(f"| {name} | {source} | {s['fact']:.2f} | {label} | {s['follow']} | {s['appendix']} | "
              f"{s['mean']:.0f} / {s['max']} | {reach} | {s['ms']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=6000)
    parser.add_argument("--overhead", type=int, default=None, help="prompt tokens (default: measured)")
    parser.add_argument("--sizes", default="120,160,240")
    parser.add_argument("--budgets", default="3000,4000,6000")
    parser.add_argument("--missed", action="store_true", help="list the questions each variant missed")
    parser.add_argument("--no-sweep", action="store_true", help="skip the passage size x budget sweep")
    parser.add_argument("--no-latency", action="store_true", help="skip the ack/defer latency")
    parser.add_argument("--latency-only", action="store_true", help="only the ack/defer latency")
    parser.add_argument("--questions", type=int, default=40, help="questions per platform (latency)")
    parser.add_argument("--concurrency", type=int, default=8, help="questions in flight (latency)")
    parser.add_argument("--llm-latency", type=float, default=0.5, help="fake LLM seconds per call (latency)")
    args = parser.parse_args()
    if not args.latency_only:
        retrieval(args)
    if not args.no_latency:
        from bench.ask_latency import measure, report

        report(asyncio.run(measure(args.questions, args.concurrency, args.llm_latency)), args.concurrency,
               args.llm_latency)


def retrieval(args) -> None:
    all_cases, held_out = cases(), cases(held_out=True)
    overhead = args.overhead if args.overhead is not None else \
        f"measured, {min(map(ask_overhead, all_cases))}-{max(map(ask_overhead, all_cases))}"
    print(f"{len(all_cases) // 2} questions ({len(held_out) // 2} held-out paraphrases) on 3 papers, budget "
          f"{args.budget} tokens (overhead {overhead}), passages of <= {MAX_PASSAGE_TOKENS} tokens")
    results: dict[tuple[str, str], dict] = {}
    for source in ("html", "pdf"):
        chosen = [c for c in all_cases if c.source == source]
        whole = {id(c): squash(" ".join(p.text for p in passages_of(c, MAX_PASSAGE_TOKENS))) for c in chosen}
        reachable = sum(squash(c.question.needle) in whole[id(c)] for c in chosen)
        print(f"{source}: the answer's words survive extraction for {reachable}/{len(chosen)} questions")
        for name, keywords in VARIANTS.items():
            rows = [(c, run_select(c, args.budget, args.overhead, MAX_PASSAGE_TOKENS, **keywords)) for c in chosen]
            results[(name, source)] = summary(rows)
        for kind in BASELINES:
            results[(kind, source)] = summary([(c, run_baseline(c, args.budget, args.overhead, kind)) for c in chosen])
    table(f"Variants at {args.budget} tokens, 30 questions", results)
    held = {(name, source): summary([(c, run_select(c, args.budget, args.overhead, MAX_PASSAGE_TOKENS, **kw))
                                     for c in held_out if c.source == source])
            for name, kw in HELD_OUT.items() for source in ("html", "pdf")}
    table("Held-out paraphrases (15, not tuned on)", held)
    sweep = {}
    for size in ([] if args.no_sweep else [int(s) for s in args.sizes.split(",")]):
        for budget in (int(b) for b in args.budgets.split(",")):
            for source in ("html", "pdf"):
                rows = [(c, run_select(c, budget, args.overhead, size)) for c in all_cases if c.source == source]
                sweep[(f"passages <= {size}, budget {budget}", source)] = summary(rows)
    if sweep:
        table("Default variant: passage size x budget", sweep)
    if args.missed:
        for (name, source), s in {**results, **held}.items():
            print(f"missed by {name} ({source}): {s['missed']}")
    default = results[("bm25 + neighbours (default)", "html")]
    ok = default["fact"] >= 0.9 and default["max"] <= args.budget
    print(f"\ngoal: fact recall >= 0.9 within {args.budget} tokens (html, default): "
          f"{'PASS' if ok else 'MISS'} ({default['fact']:.2f}, max {default['max']} tokens)")


if __name__ == "__main__":
    main()
