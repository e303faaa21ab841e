"""What the chats got and said: the posts ledger, reaction votes, read marks, redelivered events.

Every chat row names its channel by its ChannelRef text ("slack:C0123").
"""

from __future__ import annotations

from ..models import ChannelRef
from .database import StoreBase


class ChatStore(StoreBase):
    # -- the posts ledger ------------------------------------------------------------------
    def posted(self, channel: ChannelRef, date: str) -> dict[str, dict]:
        """What of a day is already posted to `channel`, by item ("parent", "paper:<id>", "request:<id>")."""
        return {r["item"]: r for r in self.db.query(
            "select * from posts where channel = ? and date = ?", [str(channel), date])}

    def posted_item(self, channel: ChannelRef, date: str, item: str) -> dict[str, dict]:
        """What of one item (and its continuations "item:1", "item:2") is posted, by item: what sending it
        again needs, without reading every other post of the day."""
        return {r["item"]: r for r in self.db.query(
            "select * from posts where channel = ? and date = ? and (item = ? or substr(item, 1, ?) = ?)",
            [str(channel), date, item, len(item) + 1, f"{item}:"])}

    def save_post(self, channel: ChannelRef, date: str, item: str, *, message: str, thread: str | None,
                  paper_id: str | None = None) -> None:
        with self.write() as db:
            # The paper's version as stored now is the one the message is about (a paper is stored, newest
            # version first, before it is posted): the channel hears of each newer version once.
            row = db.execute("select version from papers where id = ?", [paper_id]).fetchone() if paper_id else None
            db["posts"].insert({"channel": str(channel), "date": date, "item": item, "message": message,
                                "thread": thread, "paper_id": paper_id, "posted_at": self.now(),
                                "paper_version": row[0] if row else None},
                               pk=("channel", "date", "item"), ignore=True)

    def post_by_message(self, channel: ChannelRef, message: str) -> dict | None:
        """The post behind a message seen in `channel`, which may also be a thread of the post's channel:
        Discord reports a reaction in a thread with the thread as its channel (the thread's id)."""
        return next(self.db.query(
            """select * from posts where message = :message
                 and (channel = :channel or (thread = :id and channel like :platform || ':%'))
               order by channel = :channel desc limit 1""",
            {"message": message, "channel": str(channel), "id": channel.id, "platform": channel.platform}), None)

    # -- votes -------------------------------------------------------------------------
    def first_sighting(self, event_id: str) -> bool:
        """True the first time an event id is seen; a redelivery is False."""
        with self.write() as db:
            before = db.execute("select count(*) from events_seen where event_id = ?", [event_id]).fetchone()[0]
            if not before:
                db["events_seen"].insert({"event_id": event_id, "seen_at": self.now()})
            return not before

    def set_vote(self, channel: ChannelRef, user: str, paper_id: str, emoji: str, added: bool,
                 message: str = "", kind: str = "up") -> None:
        """A reaction added or taken back; `kind` "up" is a vote, "down" is "not for us"."""
        with self.write() as db:
            if added:
                db["votes"].insert({"channel": str(channel), "user": user, "paper_id": paper_id, "emoji": emoji,
                                    "message": message, "voted_at": self.now(), "kind": kind},
                                   pk=("channel", "user", "paper_id", "emoji", "message"), ignore=True)
            else:
                db.execute("delete from votes where channel = ? and user = ? and paper_id = ? and emoji = ?"
                           " and message = ?", [str(channel), user, paper_id, emoji, message])

    def vote_tally(self, channel: ChannelRef, min_voters: int) -> list[dict]:
        """Papers with at least `min_voters` distinct voters and no read mark, most votes first."""
        return list(self.db.query(
            """select v.paper_id, count(distinct v.user) as votes, group_concat(distinct v.user) as voters,
                      min(p.posted_at) as posted_at
               from votes v left join posts p on p.channel = v.channel and p.paper_id = v.paper_id
               where v.channel = :channel and v.kind = 'up'
                 and v.paper_id not in (select paper_id from read_marks where channel = :channel)
               group by v.paper_id having count(distinct v.user) >= :min
               order by votes desc, posted_at, v.paper_id""", {"channel": str(channel), "min": min_voters}))

    def mark_read(self, channel: ChannelRef, paper_id: str, user: str) -> None:
        with self.write() as db:
            db["read_marks"].upsert({"channel": str(channel), "paper_id": paper_id, "user": user,
                                     "marked_at": self.now()}, pk=("channel", "paper_id"))
