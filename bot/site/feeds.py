"""Atom feeds per channel (feedgen): its daily digests, and its must-read list.

A feed's links are absolute when `[site] base_url` says where the site is
published; otherwise they are relative to the feed's own address, which feed
readers resolve against where they fetched it. Nothing in a feed depends on
the time of the build, so an unchanged channel's feeds are not rewritten.
"""

from __future__ import annotations

import uuid
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from . import links as L
from .digests import stored_digest
from .documents import day_summary, day_title
from .html import HTML
from .options import SiteOptions, channel_label
from .snapshot import Snapshot

FEED_DAYS = 50  # the newest digests a feed carries (the site has them all)
EPOCH = "1970-01-01T00:00:00+00:00"


class Feeds:
    def __init__(self, snap: Snapshot, options: SiteOptions):
        self.snap, self.options = snap, options

    def link(self, feed_path: str, target: str) -> str:
        if self.options.base_url:
            return urljoin(self.options.base_url.rstrip("/") + "/", target)
        return L.relative(feed_path, target)

    def _feed(self, channel: str, path: str, what: str, home: str) -> FeedGenerator:
        fg = FeedGenerator()
        fg.id(self.link(path, path) if self.options.base_url else _urn(f"{channel}/{what}"))
        fg.title(f"{self.options.title}: {channel_label(channel)}, {what}")
        fg.link(href=self.link(path, home), rel="alternate", type="text/html")
        fg.link(href=self.link(path, path), rel="self", type="application/atom+xml")
        fg.author(name="paperbot")
        return fg

    def digests(self, channel: str) -> bytes:
        path = L.digests_feed_path(channel)
        fg = self._feed(channel, path, "digests", L.channel_path(channel))
        days = self.snap.days.get(channel, [])[:FEED_DAYS]
        fg.updated(days[0].updated_at if days else EPOCH)
        for day in days:
            digest = stored_digest(self.snap, day, findings=False)
            entry = fg.add_entry(order="append")
            entry.id(_urn(f"{channel}/{day.date}"))
            entry.title(f"{day_title(digest)}: {digest.picked} of {digest.announced} papers")
            entry.link(href=self.link(path, L.day_path(channel, day.date)), rel="alternate", type="text/html")
            entry.updated(day.updated_at)
            entry.published(f"{day.date}T00:00:00+00:00")
            blocks = day_summary(digest, lambda pid: self.link(path, L.paper_path(pid)))
            entry.content(str(HTML.blocks(blocks)), type="html")
        return fg.atom_str(pretty=True)

    def must_read(self, channel: str) -> bytes:
        path = L.must_read_feed_path(channel)
        fg = self._feed(channel, path, "must read", L.must_read_path(channel))
        listed = [(p, v, post) for p, v, mark, post in self.snap.must_read(channel) if not mark]
        fg.updated(max((v["last_voted_at"] for _, v, _ in listed), default=EPOCH))
        for paper, votes, post in listed:
            entry = fg.add_entry(order="append")
            entry.id(_urn(f"{channel}/must-read/{paper.id}"))
            entry.title(paper.title)
            entry.link(href=self.link(path, L.paper_path(paper.id)), rel="alternate", type="text/html")
            entry.updated(votes["last_voted_at"])
            posted = f", posted {post['posted_at'][:10]}" if post else ""
            entry.summary(f"{votes['voters']} voters, {votes['votes']} votes{posted}. {paper.abstract}")
        return fg.atom_str(pretty=True)


def _urn(name: str) -> str:
    """A stable id for a feed or an entry that has no published address (no [site] base_url)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"paperbot:{name}").urn
