"""What a channel told us about a paper, and how much each kind of telling counts.

Positive kinds: a vote (a configured vote emoji), a `/paper` request in the channel,
an imported like. Negative kinds: a down-vote ("not for us") and a paper that was posted
and drew no vote within a few days (weak: nobody may have read it). Several signals on
one paper add up to one net label (see `merge`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Paper

POSITIVE_KINDS = ("vote", "request", "import")
NEGATIVE_KINDS = ("down", "unvoted")

# Tuned on the benchmark's development split (bench/ranking_bench.py); explicit signals
# weigh more than implicit ones, an explicit down-vote more than an unvoted post.
DEFAULT_WEIGHTS = {"vote": 1.0, "request": 0.7, "import": 1.0, "down": 1.0, "unvoted": 0.3}


@dataclass(frozen=True)
class Signal:
    paper: Paper
    kind: str
    weight: float | None = None  # None: the kind's default weight

    def __post_init__(self):
        if self.kind not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown signal kind {self.kind!r} (one of {', '.join(DEFAULT_WEIGHTS)})")
        if self.weight is not None and self.weight < 0:
            raise ValueError("a signal's weight is not negative: use a negative kind instead")

    @property
    def positive(self) -> bool:
        return self.kind in POSITIVE_KINDS

    def resolved_weight(self, weights: dict[str, float] | None = None) -> float:
        if self.weight is not None:
            return self.weight
        return (weights or DEFAULT_WEIGHTS).get(self.kind, DEFAULT_WEIGHTS[self.kind])


def vote_signal(paper: Paper, votes: int, weights: dict[str, float] | None = None) -> Signal:
    """A paper `votes` people voted for: more voters count more, with diminishing returns."""
    base = (weights or DEFAULT_WEIGHTS)["vote"]
    return Signal(paper, "vote", base * (1.0 + 0.5 * max(0, votes - 1)) if votes > 1 else base)


@dataclass(frozen=True)
class Labelled:
    """One paper's net label after merging its signals."""

    paper: Paper
    positive: bool
    weight: float
    kind: str  # the kind that weighed most on the winning side (names the reason)


def merge(signals: list[Signal], weights: dict[str, float] | None = None) -> list[Labelled]:
    """One label per paper: positive weight minus negative weight; a tie says nothing.

    Order follows each paper's last signal, so keeping the tail keeps the most recent.
    """
    net: dict[str, float] = {}
    papers: dict[str, Paper] = {}
    best: dict[str, dict[bool, tuple[float, str]]] = {}
    for s in signals:
        w = s.resolved_weight(weights)
        pid = s.paper.id
        net[pid] = net.get(pid, 0.0) + (w if s.positive else -w)
        papers.pop(pid, None)
        papers[pid] = s.paper  # re-inserted: dict order is now this paper's latest signal
        side = best.setdefault(pid, {})
        if w > side.get(s.positive, (-1.0, ""))[0]:
            side[s.positive] = (w, s.kind)
    out = []
    for pid, paper in papers.items():
        if abs(net[pid]) < 1e-9:
            continue
        positive = net[pid] > 0
        out.append(Labelled(paper, positive, abs(net[pid]), best[pid][positive][1]))
    return out
