"""Scoring and calibration of the Key Findings picker (bot.findings) against
hand-labelled abstracts. Used by bench/findings_bench.py and tests/test_findings.py;
the bot itself never imports it (so numpy here is no runtime dependency).

A labelled paper is a dict with "abstract" and "key_findings" (the sentences of
split_sentences(abstract) that are findings). A pick counts as a hit only when it
is exactly one of them: there is no partial credit. Figures are micro-averaged
(every sentence weighs the same, whatever its paper).
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from bot.findings import (CALIBRATION, CUE_NAMES, NEGATIVE_CUES, Calibration, candidates,
                       cue_sets, key_findings)

Picker = Callable[[str], list[str]]
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
MAX_ITEMS = 5  # key_findings' default, the one the digest uses

# The grid a calibration is chosen from: each cue weight 0..3 (0 drops the cue),
# the threshold 1..3. It is small on purpose: the seed has 24 positive sentences,
# and every extra degree of freedom is one more way to fit a single sentence.
WEIGHT_RANGE = (0, 1, 2, 3)
THRESHOLD_RANGE = (1, 2, 3)


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"P={self.precision:.2f} ({self.tp}/{self.tp + self.fp})  "
                f"R={self.recall:.2f} ({self.tp}/{self.tp + self.fn})  F1={self.f1:.2f}")


# ---------------------------------------------------------------- data sets --
def load_seed() -> list[dict]:
    """The 10 papers of the seed digest and the key findings it lists."""
    return json.loads((DATA / "seed_key_findings.json").read_text(encoding="utf-8"))


def load_heldout(split: str | None = None) -> list[dict]:
    """The hand-labelled real abstracts; split is "dev", "test" or None (both)."""
    papers = json.loads((DATA / "heldout_key_findings.json").read_text(encoding="utf-8"))["papers"]
    return [p for p in papers if split is None or p["split"] == split]


def calibration_set() -> list[dict]:
    """What CALIBRATION is fitted on: the seed, then the dev half of the held-out set.
    The test half is never fitted on."""
    return load_seed() + load_heldout("dev")


# ------------------------------------------------------------------ scoring --
def score_paper(paper: dict, pick: Picker = key_findings) -> Counts:
    pred, gold = set(pick(paper["abstract"])), set(paper["key_findings"])
    return Counts(len(pred & gold), len(pred - gold), len(gold - pred))


def score(papers: Iterable[dict], pick: Picker = key_findings) -> Counts:
    return sum((score_paper(p, pick) for p in papers), Counts())


def picker(calibration: Calibration) -> Picker:
    return lambda abstract: key_findings(abstract, calibration=calibration)


# -------------------------------------------------------------- grid search --
def grid() -> list[Calibration]:
    return [Calibration(dict(zip(CUE_NAMES, w)), t)
            for w in itertools.product(WEIGHT_RANGE, repeat=len(CUE_NAMES))
            for t in THRESHOLD_RANGE]


class GridCounts:
    """tp and picks of every grid point on every paper, worked out once, so that a
    fit on any subset of the papers (each leave-one-out fold) is a sum and an argmax.
    The selection mirrors bot.findings.select (threshold, then the MAX_ITEMS
    strongest, ties to the earlier sentence); a test checks the two agree."""

    def __init__(self, papers: Sequence[dict]):
        self.grid = grid()
        sign = np.array([-1 if c in NEGATIVE_CUES else 1 for c in CUE_NAMES])
        weights = np.array([[g.weights[c] for c in CUE_NAMES] for g in self.grid]) * sign
        thresholds = np.array([g.threshold for g in self.grid])[:, None]
        self.tp = np.zeros((len(self.grid), len(papers)), dtype=np.int32)
        self.picked = np.zeros_like(self.tp)
        self.n_gold = np.array([len(set(p["key_findings"])) for p in papers])
        for j, paper in enumerate(papers):
            sentences = candidates(paper["abstract"])
            if not sentences:
                continue
            cues = np.array([[c in s for c in CUE_NAMES] for s in cue_sets(sentences)])
            gold = np.array([s in set(paper["key_findings"]) for s in sentences])
            chosen = _select(weights @ cues.T, thresholds, cues[:, CUE_NAMES.index("contribution")])
            self.tp[:, j], self.picked[:, j] = (chosen & gold).sum(1), chosen.sum(1)
        # Ties in F1 go to the simplest point: least total weight, then lowest threshold.
        self._simplicity = (np.abs(weights).sum(1) * 10 + thresholds[:, 0])

    def fit(self, papers: Sequence[int], without: Iterable[str] = ()) -> Calibration:
        """The grid point with the best micro F1 on the papers at these indexes;
        ``without`` names cues held at weight 0 (to measure what each one brings)."""
        tp = self.tp[:, papers].sum(1)
        picked, gold = self.picked[:, papers].sum(1), self.n_gold[papers].sum()
        f1 = 2 * tp / np.maximum(picked + gold, 1)
        for cue in without:
            f1 = np.where([g.weights[cue] == 0 for g in self.grid], f1, -1.0)
        best = np.flatnonzero(f1 >= f1.max() - 1e-12)
        return self.grid[best[np.argmin(self._simplicity[best])]]


def _select(scores: np.ndarray, thresholds: np.ndarray, contribution: np.ndarray) -> np.ndarray:
    """bot.findings.select for every grid point at once: scores is (grid, sentences);
    the first kept sentence with a contribution cue outranks the others."""
    kept = scores >= thresholds
    n = scores.shape[1]
    firsts = kept & contribution
    first = firsts & (np.cumsum(firsts, axis=1) == 1)
    scores = scores + first * (np.abs(scores).max() + 1)  # ranks above any score
    earlier = np.tri(n, k=-1, dtype=bool).T  # earlier[j, i]: sentence j comes before i
    s_j, s_i = scores[:, :, None], scores[:, None, :]
    beats = kept[:, :, None] & ((s_j > s_i) | ((s_j == s_i) & earlier))
    return kept & (beats.sum(1) < MAX_ITEMS)


def fit(papers: Sequence[dict], without: Iterable[str] = ()) -> Calibration:
    return GridCounts(papers).fit(list(range(len(papers))), without)


def leave_one_out(papers: Sequence[dict], scored: Iterable[int] | None = None,
                  without: Iterable[str] = ()) -> tuple[Counts, list[Calibration]]:
    """For each paper in ``scored`` (indexes; default all), fit on all the other
    papers and score it with that fit. Returns the summed counts and the fits."""
    counts, without = GridCounts(papers), tuple(without)
    total, fits = Counts(), []
    for i in range(len(papers)) if scored is None else scored:
        cal = counts.fit([j for j in range(len(papers)) if j != i], without)
        fits.append(cal)
        total += score_paper(papers[i], picker(cal))
    return total, fits
