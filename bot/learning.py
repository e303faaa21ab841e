"""A channel's taste, from the store: its signals as `bot.taste.Signal`s, the recent papers it is
learned against, and the model trained on both (off the event loop: scikit-learn is CPU work).

Everything is read afresh for each pick, so a vote cast after yesterday's post shapes today's; the
training set is bounded (the most recent signals, a few days of background), so a channel's growing
history costs no more memory or time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .config import Profile, RankingConfig
from .models import ChannelRef, Paper
from .store import Store
from .taste import Signal, TasteModel, train, vote_signal


@dataclass(frozen=True)
class Taste:
    signals: tuple[Signal, ...]
    votes_by_paper: dict[str, int]  # the papers voted for, and by how many: the "why picked" line names them
    model: TasteModel | None

    @property
    def state(self) -> list:
        """What the model was trained from, for the fingerprint of a stored ranking."""
        return [[s.paper.id, s.kind, s.weight] for s in self.signals]


def signals(store: Store, channel: ChannelRef, cfg: RankingConfig) -> tuple[list[Signal], dict[str, int]]:
    rows = store.taste_rows(channel, unvoted_after_days=cfg.unvoted_after_days)
    papers = store.get_papers(r["paper_id"] for r in rows)
    out, votes = [], {}
    for row in rows:
        paper = papers.get(row["paper_id"])
        if paper is None:
            continue
        if row["kind"] == "vote":
            votes[paper.id] = row["count"]
            out.append(vote_signal(paper, row["count"]))
        else:
            out.append(Signal(paper, row["kind"]))
    return out, votes


async def taste_of(store: Store, profile: Profile, cfg: RankingConfig, date: str, today: list[Paper]) -> Taste:
    """The channel's taste as of the day it is picking for (`today`: that day's papers)."""
    found, votes = signals(store, profile.ref, cfg)
    if not any(s.positive for s in found):
        return Taste(tuple(found), votes, None)
    recent = store.recent_papers(list(profile.categories), date, days=cfg.background_days, limit=cfg.background_papers)
    stored = store.get_papers(recent)
    background = [*(stored[i] for i in reversed(recent) if i in stored), *today]  # oldest first, like the signals
    stated = " ".join([profile.interests, *profile.include])
    model = await asyncio.to_thread(train, found, background, interests=stated)
    return Taste(tuple(found), votes, model)
