"""Posting a digest to a chat channel exactly once, resumable after a crash. Platform-free.

An adapter supplies an `Outlet`: how a digest looks as its messages, and how to
send one. Everything about *when* and *whether* lives here, once for every
platform: each message is recorded in the store (`posts`) right after the
platform accepted it, and posting again skips what is recorded and continues in
the same thread. A process that died after the parent and four of ten replies
posts the other six on its next start, and nothing twice. Messages go one at a
time, so a rate limit (which the platform's client waits out) keeps the order.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from .config import ChannelConfig, Config
from .digest import Digest, DigestEntry
from .engine import Engine
from .errors import NoAnnouncement
from .store import Store

log = logging.getLogger(__name__)


class Outlet(Protocol):
    """One chat platform as the morning post needs it. Messages are whatever the platform sends."""

    platform: str  # "slack", "discord": the first half of a target ("slack:C0123")

    def parent_messages(self, digest: Digest) -> list[Any]:
        """The executive summary: the first goes to the channel, any others start the thread."""

    def paper_messages(self, entry: DigestEntry, language: str) -> list[Any]:
        """One paper's reply, split into as many messages as the platform's limits need."""

    def note_message(self, text: str) -> Any:
        """A one-line note to the channel (a day without announcement)."""

    async def send(self, channel: str, message: Any, *, thread: str | None, key: str) -> str:
        """Send to the channel, or into `thread`; returns the platform's message id. `key` names the
        message for good (target, date, item): a platform that can drop a resend by it should."""

    async def open_thread(self, channel: str, parent: str, name: str) -> str:
        """The thread under the parent message (created if it is not there yet); returns its id."""


def thread_name(digest: Digest) -> str:
    return f"arXiv {', '.join(digest.categories)} — {digest.date}"


class DigestPoster:
    def __init__(self, outlet: Outlet, store: Store, *, stop: asyncio.Event | None = None):
        self.outlet = outlet
        self.store = store
        self.stop = stop  # set by SIGTERM: the message being sent finishes, the rest waits for the next start

    def target(self, channel: str) -> str:
        return f"{self.outlet.platform}:{channel}"

    async def post_digest(self, channel: str, digest: Digest) -> int:
        """Post what is not posted yet; returns how many messages were sent now."""
        where = self.target(channel)
        done = self.store.posted(where, digest.date)
        parent_pages = self.outlet.parent_messages(digest)
        items = [(f"parent:{n}", None, page) for n, page in enumerate(parent_pages[1:], 1)]
        for entry in digest.entries:
            items += [(f"paper:{entry.paper.id}" + (f":{n}" if n else ""), entry.paper.id, page)
                      for n, page in enumerate(self.outlet.paper_messages(entry, digest.language))]
        sent = 0
        if self._stopping():
            return 0
        if "parent" not in done:
            done["parent"] = {"message": await self._send(where, digest.date, "parent", channel, parent_pages[0])}
            sent += 1
        todo = [item for item in items if item[0] not in done]
        if todo:
            thread = await self.outlet.open_thread(channel, done["parent"]["message"], thread_name(digest))
        for item, paper_id, message in todo:
            if self._stopping():
                log.info("stopping: %s of %s resumes on the next start", item, digest.date)
                break
            await self._send(where, digest.date, item, channel, message, thread, paper_id)
            sent += 1
        log.info("posted %s to %s: %d messages now, %d already there", digest.date, where, sent, len(items) + 1 - sent)
        return sent

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    async def post_note(self, channel: str, day: str, text: str) -> bool:
        """A note for a day, once: False when that day's post (a digest or a note) is there already."""
        where = self.target(channel)
        if "parent" in self.store.posted(where, day):  # a /paper answer that day is not the day's post
            return False
        await self._send(where, day, "parent", channel, self.outlet.note_message(text))
        return True

    async def _send(self, where: str, date: str, item: str, channel: str, message: Any,
                    thread: str | None = None, paper_id: str | None = None) -> str:
        message_id = await self.outlet.send(channel, message, thread=thread, key=f"{where}/{date}/{item}")
        self.store.save_post(where, date, item, message=message_id, thread=thread, paper_id=paper_id)
        return message_id


class ChannelPoster:
    """The scheduler's job for one channel; remembers what is running so a stop can let it finish."""

    def __init__(self, config: Config, outlet: Outlet, stop: asyncio.Event):
        self.config = config
        self.outlet = outlet
        self.stop = stop
        self.running: set[asyncio.Task] = set()

    async def post(self, channel: ChannelConfig) -> None:
        task = asyncio.current_task()
        self.running.add(task)
        try:
            await self._post(channel)
        finally:
            self.running.discard(task)

    async def finish(self) -> None:
        """Wait for the post in flight. APScheduler's shutdown cancels running jobs, and a job cancelled
        between the platform's answer and our record of it would post that message twice."""
        if self.running:
            await asyncio.wait(self.running, timeout=60)

    async def _post(self, channel: ChannelConfig) -> None:
        if self.stop.is_set():  # stopped while the job waited: the next start posts it
            return
        engine = Engine(self.config.for_channel(channel))
        poster = DigestPoster(self.outlet, engine.store, stop=self.stop)
        try:
            digest = await engine.build_digest(None, target=channel.target)
        except NoAnnouncement as exc:
            log.info("%s: %s", channel.target, exc)
            if self.config.digest.post_empty_days:
                await poster.post_note(channel.id, datetime.now(ZoneInfo(channel.timezone)).date().isoformat(),
                                       str(exc))
            return
        finally:
            await engine.close()
        await poster.post_digest(channel.id, digest)
