"""Ordered schema migrations, each recorded once in `_migrations` (after simonw/llm).

Several processes may open a new database at the same moment (three cron jobs,
the bot and a CLI run): all migrations run in one BEGIN IMMEDIATE transaction,
and which ones are done is read inside it, so the first process applies them
while the others wait for its lock and then find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlite_utils import Database

MIGRATIONS: list[Callable[[Database], None]] = []


def migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    MIGRATIONS.append(fn)
    return fn


def migrate(db: Database, write: Callable[[], AbstractContextManager[Database]]) -> None:
    if not _pending(_done(db)):  # the common case: a read, no write lock
        return
    with write():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        for fn in _pending(_done(db)):
            fn(db)
            db["_migrations"].insert({"name": fn.__name__, "applied_at": _now()})


def _done(db: Database) -> set[str]:
    if not db["_migrations"].exists():
        return set()
    return {row["name"] for row in db.query("select name from _migrations")}


def _pending(done: set[str]) -> list[Callable[[Database], None]]:
    return [fn for fn in MIGRATIONS if fn.__name__ not in done]


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@migration
def m001_initial(db: Database) -> None:
    db["papers"].create(
        {
            "id": str, "version": int, "title": str, "abstract": str, "authors": str,
            "categories": str, "primary_category": str, "published": str, "updated": str,
            "comment": str, "pdf_url": str, "has_metadata": int, "stored_at": str,
        },
        pk="id",
        not_null={"version", "title", "abstract"},
    )
    db["announcements"].create(
        {"date": str, "paper_id": str, "category": str, "announce_type": str, "position": int},
        pk=("date", "category", "paper_id"),
    )
    # Which (day, category) feeds were read, empty ones too: a day is "stored" for a
    # config only when every one of its categories was read for that day.
    db["fetches"].create({"date": str, "category": str, "fetched_at": str}, pk=("date", "category"))
    db["scores"].create(
        # profile: a fingerprint of the ranking's inputs, so an unchanged day reuses its ranking.
        {"date": str, "target": str, "paper_id": str, "score": float, "reason": str, "rank": int, "profile": str},
        pk=("date", "target", "paper_id"),
    )
    db["analyses"].create(
        {
            "paper_id": str, "kind": str, "language": str, "prompt_version": str, "model": str,
            "paper_version": int, "status": str, "content": str, "error": str, "created_at": str,
        },
        pk=("paper_id", "kind", "language", "prompt_version", "model"),
    )
    db["llm_calls"].create(
        {
            "id": int, "run_id": str, "purpose": str, "paper_id": str, "model": str,
            "prompt_tokens": int, "completion_tokens": int, "latency_s": float,
            "outcome": str, "created_at": str,
        },
        pk="id",
    )
    db["llm_calls"].create_index(["run_id"])
    db["digests"].create(
        {
            "date": str, "target": str, "categories": str, "announced": int, "picked": str,
            "language": str, "created_at": str, "updated_at": str,
        },
        pk=("date", "target"),
    )



@migration
def m002_fulltext(db: Database) -> None:
    # What a deep analysis was written from (source, pages, sections kept, shortened, dropped).
    db["analyses"].add_column("context", str)
    # Extracted full texts by versioned id: another language or a --refresh re-reads no PDF.
    db["fulltexts"].create(
        {"paper_id": str, "source": str, "pages": int, "words": int, "content": str, "fetched_at": str},
        pk="paper_id",
    )


@migration
def m003_posts(db: Database) -> None:
    # One row per chat message of a digest, written right after the platform accepted it:
    # a restart skips what is here and posts the rest into the same thread.
    db["posts"].create(
        {"target": str, "date": str, "item": str, "message": str, "thread": str, "paper_id": str, "posted_at": str},
        pk=("target", "date", "item"),
    )
    db["posts"].create_index(["target", "message"])


@migration
def m004_votes(db: Database) -> None:
    # A vote per (target, user, paper, emoji); the must-read list counts distinct users.
    db["votes"].create({"target": str, "user": str, "paper_id": str, "emoji": str, "voted_at": str},
                       pk=("target", "user", "paper_id", "emoji"))
    # Platforms redeliver events (Slack retries up to 3 times): each id counts once.
    db["events_seen"].create({"event_id": str, "seen_at": str}, pk="event_id")
    db["read_marks"].create({"target": str, "paper_id": str, "user": str, "marked_at": str}, pk=("target", "paper_id"))


@migration
def m005_posts_by_message(db: Database) -> None:
    # A vote looks its post up by message id, in the post's channel or in one of its threads.
    db["posts"].create_index(["message"])


@migration
def m006_votes_by_message(db: Database) -> None:
    # A vote is a reaction on one message: the same paper can have several (a split post, a /paper
    # answer) and Discord keeps 👍 and 👍🏽 apart, so taking one back must leave the others counted.
    db["votes"].add_column("message", str, not_null_default="")
    db["votes"].transform(pk=("target", "user", "paper_id", "emoji", "message"))


@migration
def m007_channels(db: Database) -> None:
    # A chat channel is a ChannelRef everywhere ("slack:C0123"); the columns say so too.
    for table in ("scores", "digests", "posts", "votes", "read_marks"):
        db[table].transform(rename={"target": "channel"})  # indexes follow the renamed column


@migration
def m008_claims(db: Database) -> None:
    # A lease on a piece of paid work (an analysis, a download), so that two processes never pay for it
    # twice; `expires_at` is Unix time: a holder that dies stops renewing and the claim lapses.
    db["claims"].create({"key": str, "holder": str, "expires_at": float}, pk="key")


@migration
def m009_taste(db: Database) -> None:
    # A reaction is a vote ("up") or "not for us" ("down"); only up votes make the must-read list.
    db["votes"].add_column("kind", str, not_null_default="up")
    # What a channel told us it likes, beyond its reactions: imported and added papers, and tombstones of
    # the ones taken out again (a tombstone also hides the paper's votes and requests from the taste).
    db["likes"].create({"channel": str, "paper_id": str, "source": str, "at": str}, pk=("channel", "paper_id"))
    # `taste reset`: what the channel said before this moment no longer shapes its picks.
    db["taste_resets"].create({"channel": str, "at": str}, pk="channel")


@migration
def m011_versions(db: Database) -> None:
    # A day's replacements (announce type replace / replace-cross), kept apart from its listing: never the
    # day's papers, but a paper a channel already got may be among them, as a newer version.
    db["replacements"].create(
        {"date": str, "category": str, "paper_id": str, "version": int, "announce_type": str, "title": str,
         "abstract": str, "position": int},
        pk=("date", "category", "paper_id"), if_not_exists=True)
    # A paper's older versions, kept when a newer one takes its row in `papers`: what a new version's
    # comment and abstract are compared with.
    db["paper_versions"].create(
        {"id": str, "version": int, "title": str, "abstract": str, "authors": str, "categories": str,
         "primary_category": str, "published": str, "updated": str, "comment": str, "pdf_url": str,
         "has_metadata": int, "stored_at": str},
        pk=("id", "version"), if_not_exists=True)
    # Which version of its paper a message was about; messages already posted were about the stored one.
    db["posts"].add_column("paper_version", int)
    db.execute("update posts set paper_version = (select version from papers where papers.id = posts.paper_id)"
               " where paper_id is not null")


@migration
def m011b_recaps(db: Database) -> None:
    # A recap is a post like any other (item "recap:2026-W23" under the week's Monday); what it counts is
    # read per channel and paper, or by time.
    db["posts"].create_index(["channel", "paper_id"], if_not_exists=True)
    db["votes"].create_index(["channel", "paper_id"], if_not_exists=True)


@migration
def m012_asks(db: Database) -> None:
    # Questions asked in a paper's thread and what was answered: the hourly limits count them, a
    # follow-up reads the thread's last turns, the archive and the weekly recap list them. A question
    # is recorded once per (channel, request): a redelivered event is not counted twice.
    db["asks"].create(
        {"id": int, "channel": str, "thread": str, "user": str, "request_id": str, "question": str,
         "paper_id": str, "answer": str, "status": str, "key": str, "created_at": str},
        pk="id",
    )
    db["asks"].create_index(["channel", "request_id"], unique=True)
    db["asks"].create_index(["channel", "thread"])
    db["asks"].create_index(["channel", "created_at"])
    db["asks"].create_index(["user", "created_at"])
