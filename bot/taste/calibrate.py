"""How much of the ranking a channel's learned taste should decide, measured on the channel.

A fixed blend cannot suit every team: where the stated interests already find what the
team votes for, the learned part should add to them; where the interests are off, it
should replace them. So the model checks on its own channel, forward in time: fitted on
the older signals, it ranks the newest ones (and the newest background papers) alone, by
the interests alone and by blends of the two; the blend that ranked the team's newest
positives highest wins, pulled toward the default while the check rests on few positives.
"""

from __future__ import annotations

import logging
import math
from typing import Callable

import numpy as np

from .scores import zscore

log = logging.getLogger(__name__)

GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def choose_weight(y: np.ndarray, n_labelled: int, interest: np.ndarray, fit: Callable, default: float, *,
                  held_out: float = 0.3, min_positives: int = 4, shrink: float = 4.0) -> float | None:
    """The learned part's weight at full ramp, or None when the channel has too little to check.

    Rows are the labelled papers (oldest first) and then the background (oldest first).
    `fit(train_rows) -> scores of all rows` trains on the given rows only.
    """
    cut_l = n_labelled - math.ceil(held_out * n_labelled)
    n_back = len(y) - n_labelled
    cut_b = n_labelled + n_back - math.ceil(held_out * n_back)
    test = np.r_[cut_l:n_labelled, cut_b:len(y)]
    train = np.r_[0:cut_l, n_labelled:cut_b]
    if y[test].sum() < min_positives or y[train].sum() < min_positives or not interest.any():
        return None
    learned = fit(train)[test]
    ap = {w: _average_precision(y[test], w * zscore(learned) + (1 - w) * zscore(interest[test])) for w in GRID}
    best = max(GRID, key=lambda w: (round(ap[w], 6), -abs(w - default)))
    n = float(y[test].sum())
    weight = (n * best + shrink * default) / (n + shrink)
    log.debug("blend check on %d newest positives: %s -> %.2f", int(n), ap, weight)
    return weight



def _average_precision(y: np.ndarray, score: np.ndarray) -> float:
    order = np.argsort(-score, kind="stable")
    hits = y[order].astype(float)
    if not hits.sum():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / hits.sum())
