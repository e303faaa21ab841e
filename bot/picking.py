"""A profile's day: which announcement, and which of its papers the channel sees, in what order.

The day comes from the feed (or the store, for a day already read); the pick is
ranked once per (day, channel) and stored with a fingerprint of what it was
ranked from, so rebuilding an unchanged day reuses it and a changed profile
(or a changed listing) ranks afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging

from .arxiv.client import ArxivClient
from .config import Profile
from .errors import DayNotAvailable, NoAnnouncement
from .models import Listed, Paper
from .progress import Progress
from .ranking import Ranked, rank
from .store import Store

log = logging.getLogger(__name__)


class DayPicker:
    def __init__(self, store: Store, arxiv: ArxivClient, announce_types: tuple[str, ...]):
        self.store = store
        self.arxiv = arxiv
        self.announce_types = announce_types

    async def pick(self, profile: Profile, date: str | None, progress: Progress) -> tuple[str, list[Listed], list[Ranked]]:
        """(the day, its listed papers, the picked ones in rank order); NoAnnouncement on an empty day."""
        cats = profile.categories
        if date and self.store.has_day(date, cats):
            log.info("%s is stored: rebuilding it without reading the feed", date)
            listed = self.store.announcement(date, cats)
        else:
            date, listed = await self._list_today(cats, date, progress)
        if not listed:
            raise NoAnnouncement(f"no arXiv announcement for {date} in {', '.join(cats)} "
                                 "(weekend, holiday or empty feed); nothing to digest")
        return date, listed, self._ranked(date, profile, listed)

    async def _list_today(self, cats: tuple[str, ...], wanted: str | None, progress: Progress) -> tuple[str, list[Listed]]:
        progress.note("reading the arXiv feed")
        announcement = await self.arxiv.announcement(cats, self.announce_types)
        if wanted and announcement.date != wanted:
            stored = ", ".join(self.store.stored_days(cats)[-5:]) or "none yet"
            raise DayNotAvailable(
                f"{wanted} is neither arXiv's current announcement ({announcement.date}) nor a stored day "
                f"for {', '.join(cats)} (latest stored: {stored}); pick one of those, or omit --date")
        if not announcement.listed and announcement.other_types:
            raise NoAnnouncement(f"arXiv's announcement for {announcement.date} has {announcement.other_types} "
                                 f"papers, none of the types {', '.join(self.announce_types)}; nothing to digest")
        newest: dict[str, Paper] = {}
        for item in announcement.listed:  # a paper listed in two feeds is stored once, newest version
            if item.paper.id not in newest or item.paper.version > newest[item.paper.id].version:
                newest[item.paper.id] = item.paper
        self.store.save_papers(newest.values())
        self.store.save_announcement(announcement.date, cats, announcement.listed)
        self.store.save_replacements(announcement.date, cats, announcement.replaced)  # for chat.versions
        return announcement.date, self.store.announcement(announcement.date, cats)

    def _ranked(self, date: str, profile: Profile, listed: list[Listed]) -> list[Ranked]:
        """Rank the day, or reuse the stored ranking when nothing it depends on has changed."""
        by_id = {item.paper.id: item.paper for item in listed}
        fingerprint = _fingerprint(profile, listed)
        stored = self.store.picked(date, profile.key, fingerprint)
        if stored:
            return [Ranked(by_id[r["paper_id"]], r["score"], r["reason"]) for r in stored]
        ranked = rank(list(by_id.values()), profile)
        picked = ranked[: profile.max_papers]
        self.store.save_scores(date, profile.key, fingerprint, [
            {"paper_id": r.paper.id, "score": r.score, "reason": r.reason, "rank": n if n <= len(picked) else None}
            for n, r in enumerate(ranked, 1)])
        return picked


def _fingerprint(profile: Profile, listed: list[Listed]) -> str:
    """Everything the ranking depends on: the profile's wishes and the day's papers."""
    inputs = [profile.interests, profile.include, profile.exclude, profile.max_papers,
              [item.paper.id for item in listed]]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]
