"""The day's list of new papers, from arXiv's RSS feed of the announcement.

The feed is the announcement itself (the API's submittedDate search misses
papers held in moderation), so it decides both which papers are new and which
day the digest is for.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

import feedparser
import requests

from ..errors import ArxivUnavailable, FeedMalformed
from ..models import Announcement, Listed, Paper
from .ids import split_versioned

log = logging.getLogger(__name__)

_ABSTRACT_RE = re.compile(r"^.*?\bAbstract:\s*", re.DOTALL)
REPLACEMENT_TYPES = ("replace", "replace-cross")


@dataclass(frozen=True)
class Feed:
    """One category's feed as read: its announcement day (None if it names none) and its items."""

    category: str
    day: str | None
    items: tuple[Listed, ...]


def combine(feeds: list[Feed], announce_types: tuple[str, ...]) -> Announcement:
    """The categories' feeds as one announcement, keeping the wanted announce types (not deduped:
    see Announcement), and the replacements apart."""
    listed: list[Listed] = []
    replaced: list[Listed] = []
    days: dict[str, str] = {}
    empty_day: str | None = None  # arXiv keeps the channel's pubDate on days without papers
    other_types = 0
    for feed in feeds:
        empty_day = empty_day or feed.day
        if feed.day and feed.items:
            days[feed.category] = feed.day
        kept = [item for item in feed.items if item.announce_type in announce_types]
        other_types += len(feed.items) - len(kept)
        listed += kept
        replaced += [item for item in feed.items if item.announce_type in REPLACEMENT_TYPES]
    if len(set(days.values())) > 1:
        # Feeds are rebuilt one by one at announcement time: mixing two days would
        # publish yesterday's papers as today's.
        shown = ", ".join(f"{c} is on {d}" for c, d in days.items())
        raise ArxivUnavailable(f"arXiv's feeds are on different days ({shown}); try again in a few minutes")
    day = next(iter(days.values()), None) or empty_day or _today()
    return Announcement(date=day, categories=tuple(f.category for f in feeds), listed=tuple(listed),
                        other_types=other_types, replaced=tuple(replaced))


def read_feed(session: requests.Session, rss_url: str, category: str) -> Feed:
    url = f"{rss_url.rstrip('/')}/{category}"
    try:
        response = session.get(url)
    except requests.RequestException as exc:
        raise ArxivUnavailable(f"arXiv's RSS feed for {category} could not be reached ({type(exc).__name__}); check [arxiv] rss_url or try again later") from exc
    if response.status_code != 200:
        raise ArxivUnavailable(f"arXiv's RSS feed for {category} answered HTTP {response.status_code}; check [arxiv] rss_url or try again later")
    # Abstracts are text, not HTML: feedparser's sanitiser would cut "$p<q$" short.
    parsed = feedparser.parse(response.content, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        # A truncated document can still yield some entries: a partial list would
        # publish a digest that silently misses papers, so refuse it whole.
        raise FeedMalformed(f"arXiv's RSS feed for {category} is malformed ({parsed.bozo_exception}); try again later")
    items = tuple(item for entry in parsed.entries if (item := _listed(entry, category)))
    return Feed(category, _channel_date(parsed), items)


def _listed(entry, category: str) -> Listed | None:
    guid = entry.get("id") or entry.get("link", "").rsplit("/", 1)[-1]
    try:
        pid = split_versioned(guid)
    except Exception:
        log.warning("skipping a feed item with an unreadable id %r", guid)
        return None
    authors = tuple(a.strip() for a in entry.get("author", "").split(",") if a.strip())
    paper = Paper(
        id=pid.base,
        version=pid.version or 1,
        title=" ".join(entry.get("title", "").split()),
        abstract=" ".join(_ABSTRACT_RE.sub("", entry.get("summary", ""), count=1).split()),
        authors=authors,
        categories=tuple(t["term"] for t in entry.get("tags", []) if t.get("term")),
    )
    return Listed(paper, category, entry.get("arxiv_announce_type", "new"))


def _channel_date(parsed) -> str | None:
    raw = parsed.feed.get("published") or parsed.feed.get("updated")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError):
        log.warning("unreadable feed date %r", raw)
        return None


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False
