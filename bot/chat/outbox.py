"""Sending a document exactly once, whatever restarts happen: the posts ledger.

Each platform message is recorded in `posts` right after the platform accepted
it, under (channel, date, item); sending the same item again skips what is
recorded and sends the rest, into the same thread. Messages go one at a time,
so a rate limit (which the platform's client waits out) keeps the order. A
stop (SIGTERM) lets the message being sent finish and sends no more.
"""

from __future__ import annotations

import asyncio
import logging

from ..document.model import Document
from ..models import ChannelRef
from ..store import Store
from .seam import Conversation, Sent

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, conversation: Conversation, store: Store, *, stop: asyncio.Event | None = None):
        self.conversation = conversation
        self.store = store
        self.stop = stop
        self._threads: dict[tuple[ChannelRef, str], str] = {}

    @property
    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    async def post(self, to: ChannelRef, doc: Document, *, date: str, item: str, thread: str | None = None,
                   under: tuple[str, str] | None = None, rest_in_thread: str | None = None,
                   paper_id: str | None = None) -> list[Sent]:
        """Send what of `doc` is not recorded yet; returns every message of it (sent now or before).

        Where it goes: into `thread`; or into the thread `under` = (parent message, thread name), opened
        only when something is sent; else to the channel, where a document longer than one message
        continues in a thread named `rest_in_thread` under its first message.
        """
        done = self.store.posted_item(to, date, item)
        sent: list[Sent] = []
        for n, message in enumerate(self.conversation.render(doc)):
            name = item if n == 0 else f"{item}:{n}"
            if name in done:
                sent.append(Sent(to, done[name]["message"], done[name]["thread"]))
                continue
            if self.stopping:
                log.info("stopping: %s of %s in %s is sent on the next start", name, date, to)
                break
            where = thread
            if where is None and under:
                where = await self.thread(to, *under)
            elif where is None and n and rest_in_thread:
                where = await self.thread(to, sent[0].message, rest_in_thread)
            message_id = await self.conversation.send(to, message, thread=where, key=f"{to}/{date}/{name}")
            self.store.save_post(to, date, name, message=message_id, thread=where, paper_id=paper_id)
            sent.append(Sent(to, message_id, where, new=True))
        return sent

    async def thread(self, to: ChannelRef, parent: str, name: str) -> str:
        """The thread under `parent` (opened once per process; the platform finds an existing one)."""
        if (to, parent) not in self._threads:
            self._threads[(to, parent)] = await self.conversation.open_thread(to, parent, name)
        return self._threads[(to, parent)]
