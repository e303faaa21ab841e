"""New versions of papers: the days' replacements, older versions of a paper, and which version of a paper
each channel has been told about (the posts ledger's `paper_version`)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import ChannelRef, Listed, Paper
from .database import StoreBase
from .papers import _paper_from_row


class VersionsStore(StoreBase):
    def save_replacements(self, date: str, categories: Iterable[str], replaced: Iterable[Listed]) -> None:
        """Replace the stored replacements of `date` for these categories (as the feed lists them)."""
        categories = list(categories)
        rows = [{"date": date, "category": item.category, "paper_id": item.paper.id, "version": item.paper.version,
                 "announce_type": item.announce_type, "title": item.paper.title, "abstract": item.paper.abstract,
                 "position": position} for position, item in enumerate(replaced)]
        marks = ",".join("?" * len(categories))
        with self.write() as db:
            db.execute(f"delete from replacements where date = ? and category in ({marks})", [date, *categories])
            db["replacements"].insert_all(rows, ignore=True)

    def replacements(self, date: str, categories: Iterable[str]) -> list[Paper]:
        """The day's replaced papers as the feed gave them (no comment), each once at its highest version."""
        categories = list(categories)
        marks = ",".join("?" * len(categories))
        newest: dict[str, Paper] = {}
        for r in self.db.query(f"select * from replacements where date = ? and category in ({marks})"
                               " order by position", [date, *categories]):
            if r["paper_id"] not in newest or r["version"] > newest[r["paper_id"]].version:
                newest[r["paper_id"]] = Paper(id=r["paper_id"], version=r["version"], title=r["title"] or "",
                                              abstract=r["abstract"] or "")
        return list(newest.values())

    def paper_version(self, paper_id: str, version: int) -> Paper | None:
        """One version of a paper: the stored paper if it is that version, else the kept older one."""
        row = next(self.db.query("select * from papers where id = ? and version = ?", [paper_id, version]), None)
        row = row or next(self.db.query("select * from paper_versions where id = ? and version = ?",
                                        [paper_id, version]), None)
        return _paper_from_row(row) if row else None

    def previous_version(self, paper_id: str, below: int) -> Paper | None:
        """The newest stored version of a paper older than `below`."""
        for table in ("papers", "paper_versions"):
            row = next(self.db.query(f"select * from {table} where id = ? and version < ? order by version desc"
                                     " limit 1", [paper_id, below]), None)
            if row:
                return _paper_from_row(row)
        return None

    def version_told(self, channel: ChannelRef, paper_id: str) -> int | None:
        """The newest version of a paper the channel's messages were about (None: none known)."""
        row = self.db.execute("select max(paper_version) from posts where channel = ? and paper_id = ?",
                              [str(channel), paper_id]).fetchone()
        return row[0] if row else None

    def paper_messages(self, channel: ChannelRef, paper_ids: Iterable[str]) -> dict[str, dict]:
        """Each paper's own message in the channel, by paper: its morning post reply (first one), else its
        first /paper answer's analysis; with `message` and `thread` (where follow-ups go)."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.query(
            f"""select * from posts where channel = ? and paper_id in ({marks})
                  and (item = 'paper:' || paper_id or item like 'request:%:analysis')
                order by item like 'paper:%' desc, posted_at, rowid""", [str(channel), *ids])
        found: dict[str, dict] = {}
        for row in rows:
            found.setdefault(row["paper_id"], row)
        return found
