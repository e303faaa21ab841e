"""`paperbot taste --channel X show`: what the channel's picks learn from, in words a person checks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from bot.engine import Engine
from bot.learning import signals, taste_of
from bot.models import ChannelRef
from bot.taste import learned_weight

KINDS = {"vote": "votes", "request": "/paper requests", "import": "imported or added",
         "down": "not for us", "unvoted": "shown and left alone"}


async def show(engine: Engine, channel: ChannelRef) -> str:
    cfg, profile = engine.config.ranking, engine.config.profile(channel)
    found, _ = signals(engine.store, channel, cfg)
    counts = Counter(s.kind for s in found)
    positives = sum(counts[k] for k in ("vote", "request", "import"))
    lines = [f"Taste of {channel} (learning {'on' if cfg.learn else 'off: [ranking] learn = false'})",
             f"- positives: {positives} ({_counts(counts, ('vote', 'request', 'import'))})",
             f"- negatives: {counts['down'] + counts['unvoted']} ({_counts(counts, ('down', 'unvoted'))})"]
    latest = engine.store.latest_digest(channel)
    day = latest["date"] if latest else datetime.now(timezone.utc).date().isoformat()
    picks = list(engine.store.get_papers(latest["picked"]).values()) if latest else []
    taste = await taste_of(engine.store, profile, cfg, day, picks)
    if taste.model is None:
        lines.append("- nothing learned yet: the picks follow the stated interests"
                     + ("" if profile.interests else " (none are set: arXiv order)")
                     + "; votes, /paper requests and `taste import` teach it")
        return "\n".join(lines) + "\n"
    weight = learned_weight(taste.model.n_positive, bool(" ".join([profile.interests, *profile.include]).strip()),
                            checked=taste.model.blend_weight)
    lines.append(f"- the learned part weighs {weight:.0%} of a pick (the stated interests the rest)")
    lines.append(f"- it leans on: {', '.join(taste.model.top_terms(12)) or '—'}")
    if picks:
        lines.append(f"- the latest picks ({day}) and the liked papers most like them:")
        titles = engine.store.get_papers([pid for p in picks for pid, _ in taste.model.closest_liked(p, 1)])
        for n, paper in enumerate(picks, 1):
            close = taste.model.closest_liked(paper, 1)
            near = f"close to {close[0][0]} ({titles[close[0][0]].title[:60]}, similarity {close[0][1]:.2f})" \
                if close and close[0][0] in titles else "close to no liked paper"
            lines.append(f"  {n}. {paper.title[:70]}: {near}")
    return "\n".join(lines) + "\n"


def _counts(counts: Counter, kinds: tuple[str, ...]) -> str:
    return ", ".join(f"{KINDS[k]} {counts[k]}" for k in kinds)
