"""Which passages of a paper an answer to a question is written from, within the input budget.

    selection = select(fulltext, abstract, question, history, max_tokens=6000)
    selection.text      # the passages, in the paper's order, grouped under "[§4.2] 4.2 Ablation study"
    selection.tokens    # everything sent, estimated: overhead + question + history + abstract + text
    selection.labels    # every label that exists in the paper (what a citation is checked against)

The passages are ranked by BM25 against the question, with earlier turns of the
conversation at a lower weight (a follow-up such as "and on the second
dataset?" needs the question before it). Labels the question names ("what does
Table 3 show?") come first. A strong hit brings its neighbours (the passages
either side, the caption of a table it discusses), because a table's numbers
often sit apart from the sentence that explains them. A question that matches
nothing (another language, "summarise it") gets the opening of each section.
Choices and their measured effect: bench/ask_bench.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from .citations import labels_named
from .document import FullText, estimate_tokens
from .lexical import SCORERS, related_terms, terms
from .passages import MAX_PASSAGE_TOKENS, Passage, labels_of, split

log = logging.getLogger(__name__)

PROMPT_OVERHEAD_TOKENS = 600  # the instructions and framing of the ask prompt, until the caller measures its own
HISTORY_WEIGHT = 0.2  # the turn before the question (each older one halves): 0.2-1.0 measured, 0.2 best
RELATED_WEIGHT = 0.3  # see lexical.related_terms
HEADING_WEIGHT = 2  # a heading's words count as if written this many times in each passage under it
STRONG_HITS = 3  # the best hits whose neighbours are sent with them
MIN_RELATIVE_SCORE = 0.0  # passages scoring below this fraction of the best are not sent
ABSTRACT_MAX_TOKENS = 800  # arXiv caps abstracts at 1,920 characters; this bounds a hostile one
_GAP = "[…]"
# A line of the paper that looks like one of our group headers ("[§4.2] ...") is shown as "(§4.2) ...",
# so the paper's text cannot pass itself off as another section.
_HEADER_LOOKALIKE_RE = re.compile(r"^\[((?:§|Appendix|Table|Figure|untitled section)[^\]\n]{0,80})\]", re.MULTILINE)


@dataclass(frozen=True)
class Group:
    label: str
    heading: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Selection:
    passages: tuple[Passage, ...]  # what is sent, in the paper's order
    text: str  # the passages rendered for the prompt
    abstract: str  # the abstract as sent (cut at a sentence if it was hostile-long)
    tokens: int  # estimated input: overhead + question + history + abstract + text
    passage_tokens: int  # of which the passages
    labels: tuple[str, ...]  # every label in the paper, in its order: what citations are checked against
    budget: int

    @property
    def groups(self) -> tuple[Group, ...]:
        return _groups(self.passages)

    @property
    def sent_labels(self) -> tuple[str, ...]:
        return labels_of(list(self.passages))

    @property
    def from_abstract_only(self) -> bool:
        """No full text to send: the answer must say that it comes from the abstract."""
        return not self.passages


def select(fulltext: FullText | None, abstract: str, question: str, history: list[str] | tuple[str, ...] = (),
           max_tokens: int = 6000, *, overhead: int = PROMPT_OVERHEAD_TOKENS, passages: list[Passage] | None = None,
           **ranking) -> Selection:
    """The passages to answer `question` from, within `max_tokens` for the whole input.

    `history`: the earlier turns of the conversation, oldest first, as sent to the
    model (they count against the budget). `overhead`: the tokens of the prompt
    rendered with an empty question, history, abstract and passages. `passages`:
    `split(fulltext)` if the caller keeps it between questions. `ranking`: the
    keywords of `rank` (the defaults are the measured choice).
    """
    abstract = _bounded_abstract(abstract)
    fixed = overhead + estimate_tokens(question) + sum(estimate_tokens(turn) for turn in history)
    fixed += estimate_tokens(abstract)
    all_passages = passages if passages is not None else (split(fulltext) if fulltext else [])
    room = max_tokens - fixed
    chosen: list[Passage] = []
    if all_passages and room > 0:
        order = rank(all_passages, question, history, **ranking)
        chosen = _fill(all_passages, order, room)
    text = render(chosen)
    tokens = fixed + estimate_tokens(text)
    log.debug("ask: %d of %d passages, ~%d input tokens of %d", len(chosen), len(all_passages), tokens, max_tokens)
    return Selection(tuple(chosen), text, abstract, tokens, estimate_tokens(text), labels_of(all_passages),
                     max_tokens)


def query_weights(question: str, history: list[str], history_weight: float = HISTORY_WEIGHT,
                  related_weight: float = RELATED_WEIGHT) -> dict[str, float]:
    """{term: weight}: the question's terms at 1, the last turn's at `history_weight`, older ones halving;
    words papers use for a question's words ("code" -> "github") at `related_weight`."""
    weights: dict[str, float] = {}
    turns = [(question, 1.0)] + [(turn, history_weight / 2 ** k) for k, turn in enumerate(reversed(history))]
    for text, weight in turns:
        for term in set(terms(text)):
            weights[term] = max(weights.get(term, 0.0), weight)
            for other in related_terms(term):
                weights[other] = max(weights.get(other, 0.0), weight * related_weight)
    return weights


def render(passages: list[Passage] | tuple[Passage, ...]) -> str:
    """Groups under "[label] heading", passages as lines, "[…]" where the paper has text between them."""
    blocks = []
    for group in _groups(passages):
        lines = [f"[{group.label or 'untitled section'}] {group.heading}".rstrip()]
        previous = None
        for passage in group.passages:
            if previous is not None and passage.index != previous + 1:
                lines.append(_GAP)
            lines.append(_HEADER_LOOKALIKE_RE.sub(r"(\1)", passage.text))
            previous = passage.index
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _groups(passages) -> tuple[Group, ...]:
    groups: list[Group] = []
    for passage in passages:
        key = (passage.label, passage.heading)
        if groups and (groups[-1].label, groups[-1].heading) == key:
            groups[-1] = Group(passage.label, passage.heading, groups[-1].passages + (passage,))
        else:
            groups.append(Group(passage.label, passage.heading, (passage,)))
    return tuple(groups)


def rank(passages: list[Passage], question: str, history: list[str] | tuple[str, ...] = (), *,
         scorer: str = "bm25", neighbours: bool = True, history_weight: float = HISTORY_WEIGHT,
         min_relative_score: float = MIN_RELATIVE_SCORE, related_weight: float = RELATED_WEIGHT) -> list[int]:
    """Passage indices, best first: named labels, then hits (with their neighbours), or section openings."""
    named = _named(passages, question)
    # A passage is found by the words of its headings too ("Real-World Experiments > Hardware Setup").
    index = SCORERS[scorer]([_passage_terms(p) for p in passages])
    scores = index.scores(query_weights(question, list(history), history_weight, related_weight))
    best = float(scores.max()) if len(scores) else 0.0
    floor = max(best * min_relative_score, 1e-9)
    hits = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] >= floor]
    order: list[int] = named + hits[:STRONG_HITS]
    if neighbours:  # after the best hits, before the rest: context for them, not ahead of them
        order += [j for i in hits[:STRONG_HITS] for j in _neighbours(passages, i)]
    order += hits[STRONG_HITS:]
    if not hits:
        order += _openings(passages)  # nothing matched (another language, "summarise it"): an overview
    return list(dict.fromkeys(order))


def _passage_terms(passage: Passage) -> list[str]:
    """Its words and, HEADING_WEIGHT times, its headings': a question about "limitations" finds that section."""
    return terms(f"{passage.section_title}\n{passage.heading}") * HEADING_WEIGHT + terms(passage.text)


def _named(passages: list[Passage], question: str) -> list[int]:
    """Passages of the sections, tables and figures the question itself names ("§4.2", "Table 3")."""
    wanted = set(labels_named(question, labels_of(passages)))
    if not wanted:
        return []
    holders = [p.index for p in passages if p.label in wanted or wanted & set(p.holds)]
    return holders + [p.index for p in passages if wanted & set(p.mentions)]


def _neighbours(passages: list[Passage], i: int) -> list[int]:
    hit = passages[i]
    out = [j for j in (i - 1, i + 1) if 0 <= j < len(passages) and passages[j].section == hit.section]
    for name in hit.mentions:  # the table or figure it discusses, wherever its caption sits
        out += [p.index for p in passages if name in p.holds][:2]
    return out


def _openings(passages: list[Passage]) -> list[int]:
    """The first passage of each heading, then the second, ...: a fair overview when nothing matches."""
    by_heading: dict[tuple[int, str], list[int]] = {}
    for p in passages:
        by_heading.setdefault((p.section, p.heading), []).append(p.index)
    rounds = max((len(v) for v in by_heading.values()), default=0)
    return [ids[k] for k in range(min(rounds, 3)) for ids in by_heading.values() if k < len(ids)]


def _fill(passages: list[Passage], order: list[int], room: int) -> list[Passage]:
    """Passages in rank order while the rendering fits `room`; returned in the paper's order."""
    chosen: set[int] = set()
    headed: set[tuple[str, str]] = set()
    estimate = 0
    for i in order:
        p = passages[i]
        key = (p.label, p.heading)
        cost = p.tokens + 3 + (0 if key in headed else estimate_tokens(f"[{p.label}] {p.heading}") + 2)
        if estimate + cost > room:
            continue
        chosen.add(i)
        headed.add(key)
        estimate += cost
    picked = [passages[i] for i in sorted(chosen)]
    while picked and estimate_tokens(render(picked)) > room:  # the estimate is generous; this is the guarantee
        worst = max(picked, key=lambda p: order.index(p.index))
        picked.remove(worst)
    return picked


def _bounded_abstract(abstract: str) -> str:
    abstract = " ".join((abstract or "").split())
    if estimate_tokens(abstract) <= ABSTRACT_MAX_TOKENS:
        return abstract
    cut = abstract.encode("utf-8")[: int(ABSTRACT_MAX_TOKENS * 3.5)].decode("utf-8", "ignore")
    return cut[: cut.rfind(". ") + 1] if ". " in cut else cut


__all__ = ["ABSTRACT_MAX_TOKENS", "MAX_PASSAGE_TOKENS", "PROMPT_OVERHEAD_TOKENS", "Group", "Selection",
           "query_weights", "rank", "render", "select"]
