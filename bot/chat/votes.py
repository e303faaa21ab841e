"""Reactions as votes, and the channel's must-read list. Platform-free: adapters pass neutral events.

A reaction counts when it is one of the configured emoji, by someone other than
the bot, on a message we posted for a paper (a paper's reply or a deep analysis),
and its event id was not seen before (platforms redeliver). Each reaction is kept
(per message and emoji), so taking one back leaves the others; the list counts
distinct voters, so that is still one vote per user per paper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..arxiv.ids import parse_paper_id
from ..models import ChannelRef, Paper
from ..store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reaction:
    channel: ChannelRef  # where the reaction was seen (on Discord, a thread is its own channel)
    message: str  # the platform's message id (Slack ts)
    user: str
    emoji: str
    added: bool
    event_id: str | None = None
    exact: str | None = None  # the reaction itself when several count as `emoji` (👍🏽 and 👍 for "+1")


@dataclass(frozen=True)
class MustRead:
    paper: Paper
    votes: int
    voters: tuple[str, ...]
    posted_at: str | None


class VoteBook:
    def __init__(self, store: Store, *, emoji: tuple[str, ...], threshold: int, down_emoji: tuple[str, ...] = ()):
        self.store = store
        self.emoji = frozenset(emoji)
        self.down_emoji = frozenset(down_emoji)
        self.threshold = threshold

    def react(self, reaction: Reaction, *, bot_user: str | None) -> bool:
        """Record a reaction; True if it changed a vote (up: for the must-read list and the channel's taste;
        down: "not for us", for the taste only)."""
        kind = "up" if reaction.emoji in self.emoji else "down" if reaction.emoji in self.down_emoji else None
        if kind is None or reaction.user == bot_user:
            return False
        if reaction.event_id and not self.store.first_sighting(reaction.event_id):
            log.debug("event %s seen before: not counted again", reaction.event_id)
            return False
        post = self.store.post_by_message(reaction.channel, reaction.message)
        if post is None or not post["paper_id"]:
            return False
        # The post's channel, not the reaction's: on Discord a reaction in a thread names the thread.
        self.store.set_vote(ChannelRef.parse(post["channel"]), reaction.user, post["paper_id"],
                            reaction.exact or reaction.emoji, reaction.added, message=reaction.message, kind=kind)
        log.info("%s %s a %s vote for %s in %s", reaction.user, "added" if reaction.added else "removed", kind,
                 post["paper_id"], post["channel"])
        return True

    def must_read(self, channel: ChannelRef) -> list[MustRead]:
        rows = self.store.vote_tally(channel, self.threshold)
        papers = self.store.get_papers(r["paper_id"] for r in rows)
        return [MustRead(papers[r["paper_id"]], r["votes"], tuple(sorted(r["voters"].split(","))), r["posted_at"])
                for r in rows if r["paper_id"] in papers]

    def done(self, channel: ChannelRef, id_text: str, user: str) -> str:
        """Take a paper off the list (any id form); returns its base id."""
        paper_id = parse_paper_id(id_text).base
        self.store.mark_read(channel, paper_id, user)
        return paper_id
