"""What the archive site reads: every stored day, every analysis, the votes, marks and posts per paper.

Each query reads a whole table's worth of one kind at once (a year of a busy
channel is a few thousand rows of each): the site is built from one snapshot,
not from thousands of small queries. Reads only; no new tables.
"""

from __future__ import annotations

import json

from .database import StoreBase

ANALYSIS_KINDS = ("quick_analysis", "deep_analysis", "executive_summary")


class ArchiveStore(StoreBase):
    def archive_days(self, channels: list[str] | None = None) -> list[dict]:
        """Every stored digest (all channels, or these), newest first per channel; JSON columns decoded."""
        where, args = _channel_filter("channel", channels)
        rows = self.db.query(f"select * from digests {where} order by channel, date desc", args)
        return [r | {"categories": json.loads(r["categories"]), "picked": json.loads(r["picked"])} for r in rows]

    def archive_channels(self) -> list[str]:
        """Every channel the store has a digest, a post or a vote of."""
        return [r["channel"] for r in self.db.query(
            "select channel from digests union select channel from posts union select channel from votes"
            " order by channel")]

    def archive_picks(self, channels: list[str] | None = None) -> list[dict]:
        """The ranked picks (why each paper was picked) of every stored day: date, channel, paper_id, rank, ..."""
        where, args = _channel_filter("channel", channels, prefix="and")
        return list(self.db.query(
            f"select date, channel, paper_id, score, reason, rank from scores where rank is not null {where}", args))

    def archive_analyses(self) -> list[dict]:
        """Every analysis that is published or failed (quick, deep, summaries), oldest first; content decoded."""
        marks = ",".join("?" * len(ANALYSIS_KINDS))
        rows = self.db.query(
            f"select paper_id, kind, language, prompt_version, model, paper_version, status, content, error,"
            f" context, created_at from analyses where kind in ({marks}) order by created_at, rowid",
            list(ANALYSIS_KINDS))
        return [r | {"content": json.loads(r["content"]) if r["content"] else None,
                     "context": json.loads(r["context"]) if r["context"] else None} for r in rows]

    def archive_votes(self, channels: list[str] | None = None) -> list[dict]:
        """Per channel and paper: reactions counted, distinct voters, the emoji and the latest vote's time."""
        where, args = _channel_filter("channel", channels)
        return list(self.db.query(
            f"""select channel, paper_id, count(*) as votes, count(distinct user) as voters,
                       group_concat(distinct emoji) as emoji, max(voted_at) as last_voted_at
                from votes {where} group by channel, paper_id""", args))

    def archive_read_marks(self, channels: list[str] | None = None) -> list[dict]:
        """Papers taken off a channel's must-read list (`/mustread done`)."""
        where, args = _channel_filter("channel", channels)
        return list(self.db.query(f"select channel, paper_id, marked_at from read_marks {where}", args))

    def archive_questions(self, channels: list[str] | None = None) -> list[dict]:
        """Every answered question about a paper ("Ask the paper"), in the order asked."""
        where, args = _channel_filter("channel", channels, prefix="and")
        return list(self.db.query(
            f"""select channel, paper_id, question, answer, created_at from asks
                where paper_id is not null and status in ('answered', 'not_in_paper') and answer is not null
                {where} order by id""", args))

    def archive_posts(self, channels: list[str] | None = None) -> list[dict]:
        """The first message posted for each paper in each channel (its reply, or a /paper answer's head)."""
        where, args = _channel_filter("channel", channels, prefix="and")
        first: dict[tuple[str, str], dict] = {}
        for row in self.db.query(f"select channel, paper_id, date, item, message, thread, posted_at from posts"
                                 f" where paper_id is not null {where} order by posted_at, rowid", args):
            first.setdefault((row["channel"], row["paper_id"]), row)
        return list(first.values())

def _channel_filter(column: str, channels: list[str] | None, *, prefix: str = "where") -> tuple[str, list]:
    if channels is None:
        return "", []
    return f"{prefix} {column} in ({','.join('?' * len(channels))})", list(channels)
