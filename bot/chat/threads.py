"""What a chat thread is about, read from the posts ledger, and which paper a question names.

Every message we post is recorded with its item and paper: a thread whose first
message is a morning post ("parent", its papers "paper:<id>") is about that
day's picks; a thread of a /paper answer ("request:<id>", "request:<id>:analysis")
is about that paper. In a day's thread a question may name one paper by its
number in the day's list ("#3"), its arXiv id, or words of its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import ChannelRef, Paper
from ..store import Store


@dataclass(frozen=True)
class About:
    papers: tuple[Paper, ...]  # a day: its picks in rank order; else the papers asked for with /paper, in order
    date: str | None = None  # the morning post's day: a question that names no paper is about all its picks
    requested: tuple[Paper, ...] = ()  # in a day's thread: papers asked for there with /paper (nameable too)

    @property
    def is_day(self) -> bool:
        return self.date is not None


def thread_about(store: Store, channel: ChannelRef, thread: str) -> About | None:
    """What the thread `thread` of `channel` is about; None for a thread we did not start or post in."""
    posts = store.thread_posts(channel, thread)
    root = next((p for p in posts if p["message"] == thread and p["thread"] is None), None)
    requested = list(dict.fromkeys(p["paper_id"] for p in posts if p["item"].startswith("request:") and p["paper_id"]))
    day = root["date"] if root and root["item"] == "parent" else None
    day = day or next((p["date"] for p in posts if p["item"].startswith("paper:")), None)
    digest = store.get_digest(day, str(channel)) if day else None
    picked = list(digest["picked"]) if digest else []
    found = store.get_papers(picked + requested)
    if picked:
        return About(tuple(found[i] for i in picked if i in found), day,
                     tuple(found[i] for i in requested if i in found and i not in picked))
    if requested:
        return About(tuple(found[i] for i in requested if i in found))
    return None


_RANK_RE = re.compile(r"(?<![\w&])#\s?(\d{1,3})\b|第\s*(\d{1,3})\s*篇")
_ID_RE = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_STOPWORDS = frozenset("""a an and are as at by for from in into is it its of on or the their they this to via
with without towards toward using based learning model models method methods paper approach new""".split())
# A question that names no paper but speaks of the day's set ("which papers today ...") is about all of them.
DAY_WIDE_RE = re.compile(r"\b(?:papers|today'?s?|these|which (?:one|paper)s?)\b|今天|今日|这些|哪篇|哪些|每篇|所有",
                         re.IGNORECASE)


def named_paper(question: str, ranked: tuple[Paper, ...], others: tuple[Paper, ...] = ()) -> Paper | None:
    """The one paper the question names: "#3" (in `ranked`), an arXiv id, or its title's words; else None."""
    if m := _RANK_RE.search(question):
        n = int(m.group(1) or m.group(2))
        return ranked[n - 1] if 1 <= n <= len(ranked) else None
    every = ranked + others
    for pid in _ID_RE.findall(question):
        if found := next((p for p in every if p.id == pid), None):
            return found
    if ranked and DAY_WIDE_RE.search(question):
        return None  # "which of today's papers ..." is about all of them, whatever title words it shares
    return _by_title(question, every)


def _by_title(question: str, papers: tuple[Paper, ...]) -> Paper | None:
    """A paper whose short name ("FlashVGGT" of "FlashVGGT: ...") or most of whose title words the question has."""
    words = {w.casefold() for w in _WORD_RE.findall(question)}
    scored = []
    for paper in papers:
        head = paper.title.split(":", 1)[0].strip()
        head_words = {w.casefold() for w in _WORD_RE.findall(head)}
        if ":" in paper.title and 1 <= len(head.split()) <= 3 and head_words <= words:
            scored.append((2.0, paper))
            continue
        content = {w.casefold() for w in _WORD_RE.findall(paper.title)} - _STOPWORDS
        content = {w for w in content if len(w) >= 4}
        hits = len(content & words)
        if content and (hits >= 3 or (hits >= 2 and hits / len(content) >= 0.5)):
            scored.append((hits / len(content), paper))
    scored.sort(key=lambda s: -s[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None  # none, or two equally named: the question is not about one of them
    return scored[0][1]
