"""Questions asked in the chats and their answers: hourly limits, a thread's history, what was asked.

A question is recorded when it arrives (status "asked"), before anything is paid
for, so the limits count questions being answered right now too; its answer,
status and cache key are filled in once it is written. Rows are named by
(channel, request id): a platform's redelivery finds its row and counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..models import ChannelRef
from .database import StoreBase

ANSWERED = ("answered", "not_in_paper")  # what a follow-up may build on (not off-topic, not failed)


@dataclass(frozen=True)
class Admission:
    ask_id: int | None  # the question's row; None when a limit refused it
    limit: str | None = None  # "channel" | "user" when refused
    again: bool = False  # this request was recorded before (a redelivery)


class AsksStore(StoreBase):
    def admit_ask(self, channel: ChannelRef, thread: str | None, user: str, question: str, request_id: str, *,
                  per_channel: int, per_user: int, now: datetime | None = None) -> Admission:
        """Record a question unless the channel or the user asked their hourly limit already (in one
        write, so two at once cannot both slip under it)."""
        now = (now or self.clock()).astimezone(timezone.utc)  # the store clock: recaps count asks by it
        since = (now - timedelta(hours=1)).isoformat(timespec="seconds")
        with self.write() as db:
            row = db.execute("select id from asks where channel = ? and request_id = ?",
                             [str(channel), request_id]).fetchone()
            if row:
                return Admission(row[0], again=True)
            in_channel = db.execute("select count(*) from asks where channel = ? and created_at >= ?",
                                    [str(channel), since]).fetchone()[0]
            if in_channel >= per_channel:
                return Admission(None, "channel")
            by_user = db.execute("select count(*) from asks where user = ? and channel like ? and created_at >= ?",
                                 [user, f"{channel.platform}:%", since]).fetchone()[0]
            if by_user >= per_user:
                return Admission(None, "user")
            cursor = db.execute(
                "insert into asks (channel, thread, user, request_id, question, status, created_at)"
                " values (?, ?, ?, ?, ?, 'asked', ?)",
                [str(channel), thread, user, request_id, question, now.isoformat(timespec="seconds")])
            return Admission(cursor.lastrowid)

    def finish_ask(self, ask_id: int, *, status: str, paper_id: str | None = None, answer: str | None = None,
                   key: str | None = None) -> None:
        with self.write() as db:
            db["asks"].update(ask_id, {"status": status, "paper_id": paper_id, "answer": answer, "key": key})

    def thread_turns(self, channel: ChannelRef, thread: str, limit: int, *, before: int | None = None) -> list[dict]:
        """The last `limit` answered questions of a thread, oldest first (those before row `before`)."""
        if limit <= 0:
            return []
        rows = self.db.query(
            f"""select * from asks where channel = ? and thread = ? and status in {ANSWERED!r}
                  and answer is not null and id < ? order by id desc limit ?""",
            [str(channel), thread, before if before is not None else 2**62, limit])
        return list(reversed(list(rows)))

    def thread_asks(self, channel: ChannelRef, thread: str) -> list[dict]:
        """Every answered question of a thread, in order (for the archive)."""
        return list(self.db.query(
            f"select * from asks where channel = ? and thread = ? and status in {ANSWERED!r} order by id",
            [str(channel), thread]))

    def asks_between(self, channel: ChannelRef, start: str, end: str) -> list[dict]:
        """The answered questions of a channel asked in [start, end) (ISO times; for the weekly recap)."""
        return list(self.db.query(
            f"""select * from asks where channel = ? and status in {ANSWERED!r}
                  and created_at >= ? and created_at < ? order by id""", [str(channel), start, end]))

    def thread_posts(self, channel: ChannelRef, thread: str) -> list[dict]:
        """What we posted in a thread or as its first message: the posts that say what the thread is about."""
        return list(self.db.query(
            "select * from posts where channel = ? and (thread = ? or (message = ? and thread is null))"
            " order by posted_at, rowid", [str(channel), thread, thread]))
