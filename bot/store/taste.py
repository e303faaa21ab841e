"""What each channel told us about papers, for its taste: votes up and down, /paper requests, imported
and added likes, and papers it was shown and left alone.

Nothing here is a copy: votes, requests and morning posts are read from their own tables (`votes`,
`posts`); only what has no other home is kept in `likes` (imports, additions, and the tombstones of
papers taken out of the taste again). `taste reset` records a moment: what the channel said before it
no longer counts. Rows come out oldest first, so a bounded training set keeps the most recent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..models import ChannelRef
from .database import StoreBase


class TasteStore(StoreBase):
    def taste_rows(self, channel: ChannelRef, *, unvoted_after_days: float) -> list[dict]:
        """One row per (paper, kind): kind is vote, down, request, import or unvoted; `count` is how many
        people (votes) or times (requests); `at` is the latest. A tombstoned paper gives none; what was
        said before a reset neither (a reset empties `likes`, so likes need no time check)."""
        c = str(channel)
        since = self._reset_at(c)
        shown_before = (self.clock() - timedelta(days=unvoted_after_days)).isoformat(timespec="seconds")
        rows = list(self.db.query(
            """select paper_id, case kind when 'down' then 'down' else 'vote' end as kind,
                      count(distinct user) as count, max(voted_at) as at
                 from votes where channel = :c and voted_at > :since group by paper_id, kind
               union all
               select paper_id, 'request', count(*), max(posted_at) from posts
                 where channel = :c and item like 'request:%' and item not like 'request:%:%'
                   and paper_id is not null and posted_at > :since group by paper_id
               union all
               select paper_id, 'import', 1, at from likes where channel = :c and source != 'removed'
               union all
               select paper_id, 'unvoted', 1, min(posted_at) from posts p
                 where channel = :c and item like 'paper:%' and item not like 'paper:%:%' and posted_at > :since
                   and posted_at <= :shown_before
                   and not exists (select 1 from votes v where v.channel = p.channel and v.paper_id = p.paper_id)
                   and not exists (select 1 from posts r where r.channel = p.channel and r.paper_id = p.paper_id
                                   and r.item like 'request:%')
                 group by paper_id""",
            {"c": c, "since": since, "shown_before": shown_before}))
        removed = {r["paper_id"] for r in self.db.query(
            "select paper_id from likes where channel = ? and source = 'removed'", [c])}
        return sorted((r for r in rows if r["paper_id"] not in removed), key=lambda r: (r["at"] or "", r["paper_id"]))

    def add_likes(self, channel: ChannelRef, paper_ids: list[str], source: str = "import") -> int:
        """Papers the channel likes (imported or added by hand); returns how many were new to its taste."""
        with self.write() as db:
            before = db.execute("select count(*) from likes where channel = ? and source != 'removed'",
                                [str(channel)]).fetchone()[0]
            db["likes"].upsert_all([{"channel": str(channel), "paper_id": pid, "source": source, "at": self.now()}
                                    for pid in paper_ids], pk=("channel", "paper_id"))
            after = db.execute("select count(*) from likes where channel = ? and source != 'removed'",
                               [str(channel)]).fetchone()[0]
        return after - before

    def remove_likes(self, channel: ChannelRef, paper_ids: list[str]) -> None:
        """Take papers out of the channel's taste, whatever said they were liked (a tombstone; votes stay
        counted for the must-read list)."""
        self.add_likes(channel, paper_ids, source="removed")

    def reset_taste(self, channel: ChannelRef) -> None:
        with self.write() as db:
            db.execute("delete from likes where channel = ?", [str(channel)])
            db["taste_resets"].upsert({"channel": str(channel), "at": self.now()}, pk="channel")

    def _reset_at(self, channel: str) -> str:
        row = next(self.db.query("select at from taste_resets where channel = ?", [channel]), None)
        return row["at"] if row else datetime.min.isoformat()

    def posted_papers(self, channel: ChannelRef, *, besides: str) -> set[str]:
        """Every paper this channel got, in a morning post or a /paper answer, besides the morning post of
        `besides` (the day being picked): never picked for it again."""
        return {r["paper_id"] for r in self.db.query(
            "select distinct paper_id from posts where channel = ? and paper_id is not null"
            " and (item like 'request:%' or (item like 'paper:%' and date != ?))", [str(channel), besides])}

    def recent_papers(self, categories: list[str], before: str, *, days: int, limit: int) -> list[str]:
        """Ids of papers announced in these categories on the `days` announcement days before `before`,
        newest first, at most `limit`: the background a channel's taste is learned against."""
        marks = ",".join("?" * len(categories))
        dates = [r["date"] for r in self.db.query(
            f"select distinct date from announcements where category in ({marks}) and date < ?"
            " order by date desc limit ?", [*categories, before, days])]
        if not dates:
            return []
        return [r["paper_id"] for r in self.db.query(
            f"select paper_id from announcements where category in ({marks}) and date in ({','.join('?' * len(dates))})"
            " group by paper_id order by max(date) desc, min(position) limit ?", [*categories, *dates, limit])]

    def latest_digest(self, channel: ChannelRef) -> dict | None:
        """The channel's most recent digest (see PapersStore.get_digest), None before its first."""
        row = next(self.db.query("select max(date) as date from digests where channel = ?", [str(channel)]), None)
        return self.get_digest(row["date"], str(channel)) if row and row["date"] else None
