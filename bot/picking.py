"""A profile's day: which announcement, and which of its papers the channel sees, in what order.

The day comes from the feed (or the store, for a day already read); the pick is
ranked once per (day, channel) and stored with a fingerprint of what it was
ranked from, so rebuilding an unchanged day reuses it and a changed profile
(or a changed listing) ranks afresh.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib
import json
import logging

from .arxiv.client import ArxivClient
from .config import Profile, RankingConfig
from .errors import DayNotAvailable, NoAnnouncement
from .models import Listed, Paper
from .progress import Progress
from .learning import Taste, taste_of
from .ranking import Ranked, rank
from .store import Store
from .taste import load_dense, rank_with_taste

log = logging.getLogger(__name__)

_RANKINGS_KEPT = 32


class DayPicker:
    def __init__(self, store: Store, arxiv: ArxivClient, announce_types: tuple[str, ...], ranking: RankingConfig):
        self.store = store
        self.arxiv = arxiv
        self.announce_types = announce_types
        self.ranking = ranking
        self._rankings: dict[str, asyncio.Future] = {}  # by fingerprint: recent rankings, shared
        self._listings: dict[tuple, asyncio.Future] = {}  # (categories, date asked for) -> listing in flight
        self._warming: asyncio.Task | None = None

    async def pick(self, profile: Profile, date: str | None, progress: Progress) -> tuple[str, list[Listed], list[Ranked]]:
        """(the day, its listed papers, the picked ones in rank order); NoAnnouncement on an empty day."""
        cats = profile.categories
        if date and self.store.has_day(date, cats):
            log.info("%s is stored: rebuilding it without reading the feed", date)
            listed = self.store.announcement(date, cats)
        else:
            date, listed = await self._listed_today(cats, date, progress)
        if not listed:
            raise NoAnnouncement(f"no arXiv announcement for {date} in {', '.join(cats)} "
                                 "(weekend, holiday or empty feed); nothing to digest")
        return date, listed, await self._ranked(date, profile, listed)

    async def _listed_today(self, cats: tuple[str, ...], wanted: str | None,
                            progress: Progress) -> tuple[str, list[Listed]]:
        """The day's listing, read and stored once for all the channels on these categories that ask at once."""
        key = (cats, wanted)
        if key not in self._listings:
            self._listings[key] = asyncio.ensure_future(self._list_today(cats, wanted, progress))
            self._listings[key].add_done_callback(lambda _: self._listings.pop(key, None))
        return await asyncio.shield(self._listings[key])

    async def _list_today(self, cats: tuple[str, ...], wanted: str | None, progress: Progress) -> tuple[str, list[Listed]]:
        progress.note("reading the arXiv feed")
        self.warm_up()
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

    async def _ranked(self, date: str, profile: Profile, listed: list[Listed]) -> list[Ranked]:
        """Rank the day for the profile's channel, or reuse the stored ranking: always once the day's post
        has started there (what was posted stays what was picked, whatever votes came since), else when
        nothing it depends on has changed."""
        by_id = {item.paper.id: item.paper for item in listed}
        if profile.ref and "parent" in self.store.posted(profile.ref, date):
            stored = self.store.picked(date, profile.key)
            if stored and all(r["paper_id"] in by_id for r in stored):
                return [Ranked(by_id[r["paper_id"]], r["score"], r["reason"]) for r in stored]
        candidates = list(by_id.values())
        if profile.ref:  # never twice: what this channel already got (a cross-list, a new version) is left out
            seen = self.store.posted_papers(profile.ref, besides=date)
            candidates = [p for p in candidates if p.id not in seen]
        taste = await taste_of(self.store, profile, self.ranking, date, candidates) \
            if profile.ref and self.ranking.learn else None
        fingerprint = _fingerprint(profile, listed, candidates, taste)
        stored = self.store.picked(date, profile.key, fingerprint)
        if stored:
            return [Ranked(by_id[r["paper_id"]], r["score"], r["reason"]) for r in stored]
        ranked = await self._rank(fingerprint, candidates, profile, taste)
        picked = ranked[: profile.max_papers]
        self.store.save_scores(date, profile.key, fingerprint, [
            {"paper_id": r.paper.id, "score": r.score, "reason": r.reason, "rank": n if n <= len(picked) else None}
            for n, r in enumerate(ranked, 1)])
        return picked


    def warm_up(self) -> asyncio.Future:
        """scikit-learn and openai take a second or two to import: started early (while the bot connects,
        or while the feeds are read) so that neither the ranking nor the first LLM call waits for them
        (an import on the event loop stalls every channel). Once per process."""
        if self._warming is None:
            self._warming = asyncio.ensure_future(asyncio.to_thread(_import_slow_modules))
        return self._warming

    async def _rank(self, fingerprint: str, candidates: list[Paper], profile: Profile,
                    taste: Taste | None) -> list[Ranked]:
        """The ranking, in a worker thread (it is CPU work), once per fingerprint: channels with the same
        wishes, day and taste (several platforms' channels on the same categories) share it."""
        if fingerprint in self._rankings:
            return await asyncio.shield(self._rankings[fingerprint])
        if taste is not None and taste.model is not None:
            work = functools.partial(rank_with_taste, candidates, profile, taste.model, explore=self.ranking.explore,
                                     picks=profile.max_papers, votes_by_paper=taste.votes_by_paper)
        else:
            work = functools.partial(rank, candidates, profile)
        future = asyncio.ensure_future(asyncio.to_thread(work))
        future.add_done_callback(lambda f: f.cancelled() or f.exception() and self._rankings.pop(fingerprint, None))
        self._rankings[fingerprint] = future
        while len(self._rankings) > _RANKINGS_KEPT:  # the oldest first (dicts keep their order)
            del self._rankings[next(iter(self._rankings))]
        return await asyncio.shield(future)


def _import_slow_modules() -> None:
    for name in ("sklearn.feature_extraction.text", "openai"):
        importlib.import_module(name)
    load_dense()  # the taste's embeddings: read from the installed wheel, once


def _fingerprint(profile: Profile, listed: list[Listed], candidates: list[Paper], taste: Taste | None) -> str:
    """Everything the ranking depends on: the profile's wishes, the day's papers, what the channel already
    got, and what its taste was learned from."""
    inputs = [profile.interests, profile.include, profile.exclude, profile.max_papers,
              [item.paper.id for item in listed]]
    if len(candidates) != len(listed) or taste is not None:  # as before for a day with neither
        inputs += [[p.id for p in candidates], taste.state if taste else None]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]
