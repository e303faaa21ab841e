"""What a channel's week was, for its recap: its morning posts and picks, /paper requests, votes and read
marks between two times (UTC ISO strings, as the chat tables keep them: they compare as text)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..models import ChannelRef
from .database import StoreBase


class WeeklyStore(StoreBase):
    def week_mornings(self, channel: ChannelRef, since: str, until: str) -> list[dict]:
        """The digests posted to the channel in [since, until): date, announced, categories, posted_at."""
        rows = self.db.query(
            """select d.date, d.announced, d.categories, p.posted_at from posts p
                 join digests d on d.channel = p.channel and d.date = p.date
               where p.channel = :channel and p.item = 'parent' and p.posted_at >= :since and p.posted_at < :until
               order by p.posted_at""", {"channel": str(channel), "since": since, "until": until})
        return [r | {"categories": json.loads(r["categories"])} for r in rows]

    def week_picks(self, channel: ChannelRef, since: str, until: str) -> list[str]:
        """The papers of the morning posts in [since, until), in the order they were posted, each once."""
        rows = self.db.query(
            """select paper_id from posts where channel = :channel and item = 'paper:' || paper_id
                 and posted_at >= :since and posted_at < :until order by posted_at, rowid""",
            {"channel": str(channel), "since": since, "until": until})
        return list(dict.fromkeys(r["paper_id"] for r in rows))

    def week_asks(self, channel: ChannelRef, since: str, until: str) -> list[dict]:
        """Papers answered for /paper in [since, until): paper_id and asks, most asked first."""
        return list(self.db.query(
            """select paper_id, count(*) as asks, min(posted_at) as first_asked from posts
               where channel = :channel and item like 'request:%:analysis' and paper_id is not null
                 and posted_at >= :since and posted_at < :until
               group by paper_id order by asks desc, first_asked, paper_id""",
            {"channel": str(channel), "since": since, "until": until}))

    def week_questions(self, channel: ChannelRef, since: str, until: str) -> list[dict]:
        """Papers whose threads had answered questions in [since, until): paper_id and questions, most first."""
        return list(self.db.query(
            """select paper_id, count(*) as questions, min(created_at) as first_asked from asks
               where channel = :channel and paper_id is not null and status in ('answered', 'not_in_paper')
                 and created_at >= :since and created_at < :until
               group by paper_id order by questions desc, first_asked, paper_id""",
            {"channel": str(channel), "since": since, "until": until}))

    def week_crossings(self, channel: ChannelRef, threshold: int, since: str, until: str) -> list[dict]:
        """Papers whose `threshold`-th distinct voter first voted in [since, until): paper_id, votes (distinct
        voters before `until`) and crossed_at; most votes first."""
        return list(self.db.query(
            """with firsts as (
                 select paper_id, user, min(voted_at) as at from votes
                 where channel = :channel and voted_at < :until group by paper_id, user),
               ranked as (
                 select paper_id, at, row_number() over (partition by paper_id order by at, user) as n,
                        count(*) over (partition by paper_id) as votes from firsts)
               select paper_id, votes, at as crossed_at from ranked
               where n = :threshold and at >= :since
               order by votes desc, crossed_at, paper_id""",
            {"channel": str(channel), "threshold": threshold, "since": since, "until": until}))

    def week_voted(self, channel: ChannelRef, since: str, until: str) -> int:
        """How many papers got a vote in [since, until)."""
        return self.db.execute(
            "select count(distinct paper_id) from votes where channel = ? and voted_at >= ? and voted_at < ?",
            [str(channel), since, until]).fetchone()[0]

    def week_read(self, channel: ChannelRef, since: str, until: str) -> int:
        """How many papers were marked read (/mustread done) in [since, until)."""
        return self.db.execute(
            "select count(*) from read_marks where channel = ? and marked_at >= ? and marked_at < ?",
            [str(channel), since, until]).fetchone()[0]

    def read_before(self, channel: ChannelRef, paper_ids: Iterable[str], until: str) -> set[str]:
        """Which of these papers were marked read before `until`."""
        ids = list(paper_ids)
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {r["paper_id"] for r in self.db.query(
            f"select paper_id from read_marks where channel = ? and marked_at < ? and paper_id in ({marks})",
            [str(channel), until, *ids])}
