"""SQLite storage: papers, announcements, scores, analyses, LLM calls, digests.

Every write runs in its own BEGIN IMMEDIATE transaction: with WAL this is what
keeps concurrent writers (the bot and a CLI run, say) from failing with
"database is locked". Keys are chosen so that re-running any step overwrites
instead of duplicating.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from .migrations import migrate
from .fulltext.document import FullText
from .models import Listed, Paper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisKey:
    paper_id: str
    kind: str
    language: str
    prompt_version: str
    model: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class StoredAnalysis:
    status: str  # "ok" | "failed"
    content: dict | None
    error: str | None
    paper_version: int
    context: dict | None = None  # what the analysis was written from (a deep analysis: the full text's coverage)


@dataclass(frozen=True)
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: str | Path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = Database(sqlite3.connect(str(path), timeout=30))
        self.db.enable_wal()
        migrate(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self) -> Iterator[Database]:
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        else:
            self.db.conn.execute("COMMIT")

    # -- papers ---------------------------------------------------------------
    def save_papers(self, papers: Iterable[Paper]) -> None:
        """Upsert papers; feed data never erases metadata the API already gave for that version."""
        papers = list(papers)
        existing = self.get_papers([p.id for p in papers])
        rows = []
        for paper in papers:
            old = existing.get(paper.id)
            if old and old.has_metadata and not paper.has_metadata and old.version >= paper.version:
                continue
            rows.append(_paper_row(paper))
        if rows:
            with self.write() as db:
                db["papers"].upsert_all(rows, pk="id")

    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(ids))
        found: dict[str, Paper] = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's variable limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"select * from papers where id in ({marks})", chunk):
                found[row["id"]] = _paper_from_row(row)
        return found

    # -- announcements and scores ----------------------------------------------
    def save_announcement(self, date: str, categories: Iterable[str], listed: Iterable[Listed]) -> None:
        """Replace the stored listing of `date` for these categories (other categories are untouched)."""
        categories = list(categories)
        rows = [
            {"date": date, "paper_id": item.paper.id, "category": item.category,
             "announce_type": item.announce_type, "position": position}
            for position, item in enumerate(listed)
        ]
        marks = ",".join("?" * len(categories))
        with self.write() as db:
            db.execute(f"delete from announcements where date = ? and category in ({marks})", [date, *categories])
            db["announcements"].insert_all(rows, ignore=True)  # a feed listing a paper twice keeps the first
            db["fetches"].upsert_all([{"date": date, "category": c, "fetched_at": _now()} for c in categories],
                                     pk=("date", "category"))

    def has_day(self, date: str, categories: Iterable[str]) -> bool:
        """Was every one of these categories' feeds read for `date`?"""
        categories = set(categories)
        fetched = {r["category"] for r in self.db.query("select category from fetches where date = ?", [date])}
        return categories <= fetched

    def announcement(self, date: str, categories: Iterable[str]) -> list[Listed]:
        """The day's papers in the order of `categories`, then arXiv's; each paper once."""
        categories = list(categories)
        order = {c: i for i, c in enumerate(categories)}
        marks = ",".join("?" * len(categories))
        rows = sorted(
            self.db.query(f"select * from announcements where date = ? and category in ({marks})", [date, *categories]),
            key=lambda r: (order[r["category"]], r["position"]),
        )
        papers = self.get_papers(r["paper_id"] for r in rows)
        listed: dict[str, Listed] = {}
        for r in rows:
            if r["paper_id"] in papers and r["paper_id"] not in listed:
                listed[r["paper_id"]] = Listed(papers[r["paper_id"]], r["category"], r["announce_type"])
        return list(listed.values())

    def stored_days(self, categories: Iterable[str]) -> list[str]:
        categories = list(categories)
        return [r["date"] for r in self.db.query(
            "select date from fetches where category in ({}) group by date having count(*) = ? order by date"
            .format(",".join("?" * len(categories))), [*categories, len(categories)])]

    def save_scores(self, date: str, target: str, profile: str, rows: list[dict]) -> None:
        with self.write() as db:
            db.execute("delete from scores where date = ? and target = ?", [date, target])
            db["scores"].insert_all([{"date": date, "target": target, "profile": profile, **row} for row in rows])

    # -- analyses ----------------------------------------------------------------
    def get_analysis(self, key: AnalysisKey) -> StoredAnalysis | None:
        rows = list(self.db.query(
            "select * from analyses where paper_id = :paper_id and kind = :kind and language = :language"
            " and prompt_version = :prompt_version and model = :model",
            key.as_dict(),
        ))
        if not rows:
            return None
        row = rows[0]
        content = json.loads(row["content"]) if row["content"] else None
        context = json.loads(row["context"]) if row.get("context") else None
        return StoredAnalysis(row["status"], content, row["error"], row["paper_version"], context)

    def save_analysis(self, key: AnalysisKey, paper_version: int, *, content: dict | None, error: str | None = None,
                      context: dict | None = None) -> None:
        row = {
            **key.as_dict(), "paper_version": paper_version,
            "status": "ok" if content is not None else "failed",
            "content": json.dumps(content, ensure_ascii=False) if content is not None else None,
            "error": error, "created_at": _now(),
            "context": json.dumps(context, ensure_ascii=False) if context is not None else None,
        }
        with self.write() as db:
            db["analyses"].upsert(row, pk=("paper_id", "kind", "language", "prompt_version", "model"))

    # -- chat posts ----------------------------------------------------------------------
    def posted(self, target: str, date: str) -> dict[str, dict]:
        """What of a digest is already posted to `target` ("slack:C0123"), by item ("parent", "paper:<id>")."""
        return {r["item"]: r for r in self.db.query(
            "select * from posts where target = ? and date = ?", [target, date])}

    def save_post(self, target: str, date: str, item: str, *, message: str, thread: str | None,
                  paper_id: str | None = None) -> None:
        with self.write() as db:
            db["posts"].insert({"target": target, "date": date, "item": item, "message": message, "thread": thread,
                                "paper_id": paper_id, "posted_at": _now()}, pk=("target", "date", "item"), ignore=True)

    def post_by_message(self, target: str, message: str) -> dict | None:
        """The post behind a message seen in `target`, which may also be a thread of the post's channel:
        Discord reports a reaction in a thread with the thread as its channel (the thread's id)."""
        platform, _, channel = target.partition(":")
        return next(self.db.query(
            """select * from posts where message = :message
                 and (target = :target or (thread = :channel and target like :platform || ':%'))
               order by target = :target desc limit 1""",
            {"message": message, "target": target, "channel": channel, "platform": platform}), None)

    # -- votes -------------------------------------------------------------------------
    def first_sighting(self, event_id: str) -> bool:
        """True the first time an event id is seen; a redelivery is False."""
        with self.write() as db:
            before = db.execute("select count(*) from events_seen where event_id = ?", [event_id]).fetchone()[0]
            if not before:
                db["events_seen"].insert({"event_id": event_id, "seen_at": _now()})
            return not before

    def set_vote(self, target: str, user: str, paper_id: str, emoji: str, added: bool, message: str = "") -> None:
        with self.write() as db:
            if added:
                db["votes"].insert({"target": target, "user": user, "paper_id": paper_id, "emoji": emoji,
                                    "message": message, "voted_at": _now()},
                                   pk=("target", "user", "paper_id", "emoji", "message"), ignore=True)
            else:
                db.execute("delete from votes where target = ? and user = ? and paper_id = ? and emoji = ? and message = ?",
                           [target, user, paper_id, emoji, message])

    def vote_tally(self, target: str, min_voters: int) -> list[dict]:
        """Papers with at least `min_voters` distinct voters and no read mark, most votes first."""
        return list(self.db.query(
            """select v.paper_id, count(distinct v.user) as votes, group_concat(distinct v.user) as voters,
                      min(p.posted_at) as posted_at
               from votes v left join posts p on p.target = v.target and p.paper_id = v.paper_id
               where v.target = :target
                 and v.paper_id not in (select paper_id from read_marks where target = :target)
               group by v.paper_id having count(distinct v.user) >= :min
               order by votes desc, posted_at, v.paper_id""", {"target": target, "min": min_voters}))

    def mark_read(self, target: str, paper_id: str, user: str) -> None:
        with self.write() as db:
            db["read_marks"].upsert({"target": target, "paper_id": paper_id, "user": user, "marked_at": _now()},
                                    pk=("target", "paper_id"))

    # -- full texts -------------------------------------------------------------------
    def get_fulltext(self, versioned_id: str) -> FullText | None:
        row = next(self.db.query("select content from fulltexts where paper_id = ?", [versioned_id]), None)
        return FullText.from_dict(json.loads(row["content"])) if row else None

    def save_fulltext(self, fulltext: FullText) -> None:
        with self.write() as db:
            db["fulltexts"].upsert({
                "paper_id": fulltext.paper_id, "source": fulltext.source, "pages": fulltext.pages,
                "words": fulltext.words, "content": json.dumps(fulltext.as_dict(), ensure_ascii=False),
                "fetched_at": _now(),
            }, pk="paper_id")

    # -- LLM accounting -------------------------------------------------------------
    def log_llm_call(self, *, run_id: str, purpose: str, paper_id: str | None, model: str,
                     prompt_tokens: int, completion_tokens: int, latency_s: float, outcome: str) -> None:
        with self.write() as db:
            db["llm_calls"].insert({
                "run_id": run_id, "purpose": purpose, "paper_id": paper_id, "model": model,
                "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                "latency_s": round(latency_s, 3), "outcome": outcome, "created_at": _now(),
            })

    def usage(self, run_id: str) -> Usage:
        row = next(self.db.query(
            "select count(*) as calls, coalesce(sum(prompt_tokens), 0) as p, coalesce(sum(completion_tokens), 0) as c"
            " from llm_calls where run_id = ?", [run_id],
        ))
        return Usage(row["calls"], row["p"], row["c"])

    # -- digests ----------------------------------------------------------------------
    def picked(self, date: str, target: str, profile: str) -> list[dict]:
        """The stored picks of a digest ranked from `profile`, in rank order (empty if none)."""
        return list(self.db.query(
            "select paper_id, score, reason from scores where date = ? and target = ? and profile = ?"
            " and rank is not null order by rank", [date, target, profile]))

    def save_digest(self, date: str, target: str, *, categories: list[str], announced: int,
                    picked: list[str], language: str) -> None:
        old = self.get_digest(date, target)
        row = {
            "date": date, "target": target, "categories": json.dumps(categories),
            "announced": announced, "picked": json.dumps(picked), "language": language,
            "created_at": old["created_at"] if old else _now(), "updated_at": _now(),
        }
        with self.write() as db:
            db["digests"].upsert(row, pk=("date", "target"))

    def get_digest(self, date: str, target: str) -> dict | None:
        rows = list(self.db.query("select * from digests where date = ? and target = ?", [date, target]))
        return rows[0] if rows else None


def _paper_row(paper: Paper) -> dict:
    row = dict(paper.__dict__)
    row["authors"] = json.dumps(list(paper.authors), ensure_ascii=False)
    row["categories"] = json.dumps(list(paper.categories))
    row["has_metadata"] = int(paper.has_metadata)
    row["stored_at"] = _now()
    return row


def _paper_from_row(row: dict) -> Paper:
    fields = {k: v for k, v in row.items() if k != "stored_at"}
    fields["authors"] = tuple(json.loads(row["authors"] or "[]"))
    fields["categories"] = tuple(json.loads(row["categories"] or "[]"))
    fields["has_metadata"] = bool(row["has_metadata"])
    return Paper(**fields)
