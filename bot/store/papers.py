"""Papers (by base id, newest version), the days' announcements, the rankings and the digests."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..models import Listed, Paper
from .database import StoreBase, now


class PapersStore(StoreBase):
    # -- papers ---------------------------------------------------------------
    def save_papers(self, papers: Iterable[Paper]) -> None:
        """Upsert papers; feed data never erases metadata the API already gave for that version."""
        papers = list(papers)
        existing = self.get_papers([p.id for p in papers])
        rows, superseded = [], []
        for paper in papers:
            old = existing.get(paper.id)
            if old and old.has_metadata and not paper.has_metadata and old.version >= paper.version:
                continue
            if old and old.version < paper.version:
                superseded.append(_paper_row(old))  # kept: a new version is told against the old one
            rows.append(_paper_row(paper))
        if rows:
            with self.write() as db:
                if superseded:
                    db["paper_versions"].upsert_all(superseded, pk=("id", "version"))
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

    # -- announcements ----------------------------------------------------------
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
            db["fetches"].upsert_all([{"date": date, "category": c, "fetched_at": now()} for c in categories],
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

    # -- rankings and digests ----------------------------------------------------
    def save_scores(self, date: str, channel: str, profile: str, rows: list[dict]) -> None:
        with self.write() as db:
            db.execute("delete from scores where date = ? and channel = ?", [date, channel])
            db["scores"].insert_all([{"date": date, "channel": channel, "profile": profile, **row} for row in rows])

    def picked(self, date: str, channel: str, profile: str | None = None) -> list[dict]:
        """The stored picks of a digest, in rank order (empty if none); with `profile`, only if they were
        ranked from that fingerprint."""
        return list(self.db.query(
            "select paper_id, score, reason from scores where date = ? and channel = ? and rank is not null"
            + (" and profile = ?" if profile else "") + " order by rank", [date, channel, *([profile] if profile else [])]))

    def save_digest(self, date: str, channel: str, *, categories: list[str], announced: int,
                    picked: list[str], language: str) -> None:
        old = self.get_digest(date, channel)
        if old and (old["categories"], old["announced"], old["picked"], old["language"]) == (
                categories, announced, picked, language):
            return  # a rebuild of the same digest writes nothing (and so works on a read-only database)
        row = {
            "date": date, "channel": channel, "categories": json.dumps(categories),
            "announced": announced, "picked": json.dumps(picked), "language": language,
            "created_at": old["created_at"] if old else now(), "updated_at": now(),
        }
        with self.write() as db:
            db["digests"].upsert(row, pk=("date", "channel"))

    def get_digest(self, date: str, channel: str) -> dict | None:
        """A digest as built for `channel` ("markdown" for the Markdown one): its categories, counts, and
        picked paper ids in rank order (decoded)."""
        row = next(self.db.query("select * from digests where date = ? and channel = ?", [date, channel]), None)
        if row is None:
            return None
        return row | {"categories": json.loads(row["categories"]), "picked": json.loads(row["picked"])}


def _paper_row(paper: Paper) -> dict:
    row = dict(paper.__dict__)
    row["authors"] = json.dumps(list(paper.authors), ensure_ascii=False)
    row["categories"] = json.dumps(list(paper.categories))
    row["has_metadata"] = int(paper.has_metadata)
    row["stored_at"] = now()
    return row


def _paper_from_row(row: dict) -> Paper:
    fields = {k: v for k, v in row.items() if k != "stored_at"}
    fields["authors"] = tuple(json.loads(row["authors"] or "[]"))
    fields["categories"] = tuple(json.loads(row["categories"] or "[]"))
    fields["has_metadata"] = bool(row["has_metadata"])
    return Paper(**fields)
