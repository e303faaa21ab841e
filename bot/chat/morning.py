"""The morning post: the day's summary to the channel, one reply per paper in its thread.

Exactly once and resumable (see outbox): a process that died after the parent
and four of ten replies posts the other six on its next start, and nothing
twice. `chat.jobs` runs it for each channel each morning.
"""

from __future__ import annotations

import logging

from ..digest import Digest
from ..document.chat import digest_head, note, paper_post, thread_name
from ..models import ChannelRef
from .outbox import Outbox

log = logging.getLogger(__name__)


class MorningPost:
    def __init__(self, outbox: Outbox, vote_emoji: tuple[str, ...], down_emoji: tuple[str, ...] = ()):
        self.outbox = outbox
        self.vote_emoji = vote_emoji
        self.down_emoji = down_emoji

    async def post_digest(self, to: ChannelRef, digest: Digest) -> int:
        """Post what is not posted yet; returns how many messages were sent now."""
        name = thread_name(digest)
        head = await self.outbox.post(to, digest_head(digest), date=digest.date, item="parent", rest_in_thread=name)
        sent = sum(s.new for s in head)
        for entry in digest.entries:
            if self.outbox.stopping or not head:
                break
            paper = await self.outbox.post(to, paper_post(entry, digest.language, self.vote_emoji, self.down_emoji),
                                           date=digest.date, item=f"paper:{entry.paper.id}",
                                           under=(head[0].message, name), paper_id=entry.paper.id)
            sent += sum(s.new for s in paper)
        log.info("posted %s to %s: %d messages now", digest.date, to, sent)
        return sent

    async def post_note(self, to: ChannelRef, day: str, text: str) -> bool:
        """A note for a day, once: False when that day's post (a digest or a note) is there already."""
        if "parent" in self.outbox.store.posted(to, day):  # a /paper answer that day is not the day's post
            return False
        return bool(await self.outbox.post(to, note(text), date=day, item="parent"))
