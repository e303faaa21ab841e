"""Everything the site shows, read from the store at once: days, picks, papers, analyses, votes, posts.

A snapshot is read in a handful of queries and then only looked up in memory,
so a year of digests costs a few reads, not one query per page. Channels are
named by their store text ("slack:C0123", or "markdown" for `paperbot digest`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from ..findings import key_findings
from ..models import Paper
from ..store import Store


@dataclass(frozen=True)
class Day:
    channel: str
    date: str
    categories: tuple[str, ...]
    announced: int
    picked: tuple[str, ...]  # base ids in rank order
    language: str
    updated_at: str

    @property
    def month(self) -> str:
        return self.date[:7]


@dataclass
class Snapshot:
    days: dict[str, list[Day]]  # per channel, newest first
    picks: dict[tuple[str, str, str], dict]  # (channel, date, paper id) -> score, reason, rank
    papers: dict[str, Paper]  # every paper with a page
    analyses: dict[str, list[dict]]  # base id (or "summary:<date>") -> rows, oldest first
    votes: dict[str, dict[str, dict]]  # paper id -> channel -> votes, voters, emoji, last_voted_at
    marks: dict[tuple[str, str], dict]  # (channel, paper id) -> marked_at
    posts: dict[str, dict[str, dict]]  # paper id -> channel -> its first message
    threshold: int
    questions: dict[str, list[dict]] = field(default_factory=dict)  # paper id -> its answered questions
    _findings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, *, channels: list[str] | None, threshold: int) -> Snapshot:
        days: dict[str, list[Day]] = defaultdict(list)
        for r in store.archive_days(channels):
            days[r["channel"]].append(Day(r["channel"], r["date"], tuple(r["categories"]), r["announced"],
                                          tuple(r["picked"]), r["language"], r["updated_at"] or r["created_at"]))
        picks = {(r["channel"], r["date"], r["paper_id"]): r for r in store.archive_picks(channels)}
        votes: dict[str, dict[str, dict]] = defaultdict(dict)
        for r in store.archive_votes(channels):
            votes[r["paper_id"]][r["channel"]] = r
        posts: dict[str, dict[str, dict]] = defaultdict(dict)
        for r in store.archive_posts(channels):
            posts[r["paper_id"]][r["channel"]] = r
        marks = {(r["channel"], r["paper_id"]): r for r in store.archive_read_marks(channels)}
        analyses: dict[str, list[dict]] = defaultdict(list)
        for r in store.archive_analyses():
            analyses[_subject(r)].append(r)
        wanted = {pid for ds in days.values() for d in ds for pid in d.picked} | set(votes) | set(posts)
        if channels is None:  # the whole archive: also papers analysed outside a channel (`paperbot paper`)
            wanted |= {k for k, rows in analyses.items()
                       if not k.startswith("summary:") and any(r["status"] == "ok" for r in rows)}
        questions: dict[str, list[dict]] = defaultdict(list)
        for r in store.archive_questions(channels):
            questions[r["paper_id"]].append(r)
        papers = store.get_papers(sorted(wanted))
        return cls(dict(days), picks, papers, dict(analyses), dict(votes), marks, dict(posts), threshold,
                   dict(questions))

    # -- lookups ------------------------------------------------------------------------
    @cached_property
    def channels(self) -> list[str]:
        """Every channel with something to show, in a stable order."""
        seen = set(self.days) | {c for per in self.votes.values() for c in per}
        seen |= {c for per in self.posts.values() for c in per}
        return sorted(seen)

    @cached_property
    def days_of_paper(self) -> dict[str, list[Day]]:
        """The days each paper was picked on, oldest first."""
        found: dict[str, list[Day]] = defaultdict(list)
        for ds in self.days.values():
            for d in reversed(ds):
                for pid in d.picked:
                    found[pid].append(d)
        return found

    def findings(self, paper: Paper) -> tuple[str, ...]:
        """Key findings, computed once per paper (by rules; the slowest part of a page's data)."""
        if paper.versioned_id not in self._findings:
            self._findings[paper.versioned_id] = tuple(key_findings(paper.abstract))
        return self._findings[paper.versioned_id]

    def best(self, subject: str, kind: str, language: str, *, version: str | None = None) -> dict | None:
        """The newest published analysis of a kind (of one version, when named); else the newest failure."""
        rows = [r for r in self.analyses.get(subject, ()) if r["kind"] == kind and r["language"] == language
                and (version is None or r["paper_id"] == version)]
        ok = [r for r in rows if r["status"] == "ok"]
        return (ok or rows or [None])[-1]

    def languages(self, paper_id: str, kind: str) -> list[str]:
        return sorted({r["language"] for r in self.analyses.get(paper_id, ()) if r["kind"] == kind
                       and r["status"] == "ok"})

    def on_must_read(self, channel: str, paper_id: str) -> bool:
        row = self.votes.get(paper_id, {}).get(channel)
        return bool(row) and row["voters"] >= self.threshold

    def must_read(self, channel: str) -> list[tuple[Paper, dict, dict | None, dict | None]]:
        """(paper, votes, read mark, first post) of every paper with enough voters, done ones included;
        most voters first, as /mustread orders them."""
        rows = [(pid, per[channel]) for pid, per in self.votes.items()
                if channel in per and per[channel]["voters"] >= self.threshold and pid in self.papers]
        rows.sort(key=lambda r: (-r[1]["voters"], self.posted_at(channel, r[0]) or "~", r[0]))
        return [(self.papers[pid], v, self.marks.get((channel, pid)), self.posts.get(pid, {}).get(channel))
                for pid, v in rows]

    def posted_at(self, channel: str, paper_id: str) -> str | None:
        post = self.posts.get(paper_id, {}).get(channel)
        return post["posted_at"] if post else None


def _subject(row: dict) -> str:
    """What an analysis row is about: a paper's base id, or the day of an executive summary."""
    if row["kind"] == "executive_summary":
        return "summary:" + row["paper_id"].split(":", 1)[0]
    return base_id(row["paper_id"])


def base_id(versioned: str) -> str:
    head, sep, tail = versioned.rpartition("v")
    return head if sep and tail.isdigit() else versioned
