"""A channel's learned taste: a class-balanced linear model over the papers' features.

Positives are what the channel voted for, asked for or imported; negatives its down-votes
and unvoted posts, plus recent papers of its days as unlabelled negatives of small weight
(as arxiv-sanity-lite does: most of any day is not for a given team). Training is bounded
(the most recent `max_signals` labelled papers, `max_background` background papers), so
time and memory stay flat as a channel's history grows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..models import Paper
from . import features
from .calibrate import choose_weight
from .scores import zscore
from .signals import DEFAULT_WEIGHTS, Labelled, Signal, merge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TasteParams:
    title_repeat: int = 2
    category_weight: float = 0.3  # the category block's norm next to the text's 1.0
    author_weight: float = 0.0
    C: float = 10.0
    background_weight: float = 0.1  # one background paper against one down-vote's 1.0
    max_signals: int = 1000
    max_background: int = 2000
    min_df: int = 2  # terms seen in fewer training papers carry nothing
    adaptive: bool = True  # check the blend on the channel's newest signals (see calibrate)
    adaptive_shrink: float = 4.0  # positives' worth of trust in the default blend
    dense_weight: float = 0.5  # wordllama's embedding block; 0 leaves wordllama unloaded
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


DEFAULT_PARAMS = TasteParams()


@dataclass
class _Space:
    """How papers become vectors for one trained model (idf from its training set)."""

    idf: np.ndarray  # rare terms zeroed: what the model learns from
    idf_all: np.ndarray  # every term: what a stated interest may match
    params: TasteParams

    def text(self, papers: list[Paper], every_term: bool = False) -> sp.csr_matrix:
        return self._weigh(features.counts(papers, self.params.title_repeat), every_term)

    def query(self, text: str) -> sp.csr_matrix:
        return self._weigh(features.query(text), every_term=True)

    def _weigh(self, x: sp.csr_matrix, every_term: bool) -> sp.csr_matrix:
        x = x.astype(np.float32)
        x.data = 1.0 + np.log(x.data)  # sublinear tf
        return _l2(x @ sp.diags(self.idf_all if every_term else self.idf))

    def full(self, papers: list[Paper], text: sp.csr_matrix | None = None) -> sp.csr_matrix:
        p = self.params
        blocks = [self.text(papers) if text is None else text]
        blocks.append(_l2(features.meta(papers, "cat")) * p.category_weight)
        blocks.append(_l2(features.meta(papers, "author")) * p.author_weight)
        if p.dense_weight:
            blocks.append(features.dense(papers) * p.dense_weight)
        return sp.hstack(blocks, format="csr")


class TasteModel:
    """Scores papers for one channel; knows which liked papers a pick is close to."""

    def __init__(self, space: _Space, coef: np.ndarray, intercept: float, liked: list[Labelled],
                 liked_text: sp.csr_matrix, n_negative: int):
        self.space, self.coef, self.intercept = space, coef, intercept
        self.liked, self.liked_text = liked, liked_text
        self.n_positive, self.n_negative = len(liked), n_negative
        self._kinds = {item.paper.id: item.kind for item in liked}
        self.blend_weight: float | None = None  # set by train when the channel's signals could check it

    def score(self, papers: list[Paper]) -> list[float]:
        if not papers:
            return []
        return [float(v) for v in self.space.full(papers) @ self.coef + self.intercept]

    def similarities(self, papers: list[Paper]) -> np.ndarray:
        """Cosine of each paper's text to each liked paper's, shape (papers, liked)."""
        return (self.space.text(papers) @ self.liked_text.T).toarray()

    def closest_liked(self, paper: Paper, k: int = 1) -> list[tuple[str, float]]:
        sims = self.similarities([paper])[0]
        order = np.argsort(-sims, kind="stable")[:k]
        return [(self.liked[i].paper.id, float(sims[i])) for i in order if self.liked[i].paper.id != paper.id]

    def match(self, papers: list[Paper], text: str) -> tuple[np.ndarray, "TermFinder"]:
        """Cosine of each paper to a free text (interests, exclude keywords) in this model's space."""
        if not text.strip() or not papers:
            return np.zeros(len(papers)), TermFinder(None, None, {})
        docs, q = self.space.text(papers, every_term=True), self.space.query(text)
        return (docs @ q.T).toarray().ravel(), TermFinder(docs, q, features.text_terms([text]))

    def interest(self, papers: list[Paper], stated: str) -> tuple[np.ndarray, "TermFinder"]:
        """How well each paper fits the stated interests, by their words and by their meaning
        (standardised), and the terms it shares with them (the reason shown)."""
        words, terms = self.match(papers, stated)
        return zscore(zscore(words) + zscore(self.meaning(papers, stated))), terms

    def meaning(self, papers: list[Paper], text: str) -> np.ndarray:
        """Cosine of each paper's embedding to the text's: what it means beside the words it shares
        (zeros when the model has no embedding block)."""
        if not text.strip() or not papers or not self.space.params.dense_weight:
            return np.zeros(len(papers))
        return (features.dense(papers) @ features.embed_text(text).T).toarray().ravel()

    def liked_kind(self, paper_id: str) -> str | None:
        return self._kinds.get(paper_id)

    def liked_near(self, papers: list[Paper], k: int = 5) -> list[tuple[str, str, float]]:
        """The liked papers closest to any of `papers` (today's picks, for `taste show`):
        (liked id, its kind, best cosine), closest first."""
        if not papers or not self.n_positive:
            return []
        best = self.similarities(papers).max(axis=0)
        order = np.argsort(-best, kind="stable")[:k]
        return [(self.liked[i].paper.id, self.liked[i].kind, float(best[i])) for i in order]

    def top_terms(self, n: int = 10) -> list[str]:
        """The text terms that push a paper up most, named from the liked papers' own words."""
        names = features.text_terms([features.text_of(i.paper, 1) for i in self.liked])
        text_coef = self.coef[: features.N_TEXT]
        ranked = sorted(names, key=lambda col: -text_coef[col])
        return [names[col] for col in ranked[:n] if text_coef[col] > 0]

    def paper_terms(self, paper: Paper, n: int = 3) -> list[str]:
        """The terms of one paper that raised its score most."""
        row = self.space.text([paper])
        contrib = row.multiply(self.coef[: features.N_TEXT]).tocoo()
        names = features.text_terms([features.text_of(paper, 1)])
        best = sorted(zip(contrib.data, contrib.col), reverse=True)
        return [names[c] for v, c in best if v > 0 and c in names][:n]


class TermFinder:
    """The query terms each paper matched most (one sparse product for the whole day)."""

    def __init__(self, docs, q, names: dict[int, str]):
        self.product = docs.multiply(q).tocsr() if docs is not None else None
        self.names = names

    def terms(self, row: int, limit: int = 3) -> tuple[str, ...]:
        if self.product is None:
            return ()
        start, end = self.product.indptr[row], self.product.indptr[row + 1]
        pairs = zip(self.product.data[start:end], self.product.indices[start:end])
        best = sorted(((v, c) for v, c in pairs if v > 0 and c in self.names), key=lambda x: (-x[0], self.names[x[1]]))
        return tuple(self.names[c] for v, c in best[:limit])


def prepare(papers: list[Paper], params: TasteParams = DEFAULT_PARAMS) -> None:
    """Compute and cache the papers' features now (e.g. right after a day is fetched, in a
    worker thread), so the morning's train and rank only read them."""
    features.counts(papers, params.title_repeat)
    features.meta(papers, "cat")
    features.meta(papers, "author")
    if params.dense_weight:
        features.dense(papers)


def train(signals: list[Signal], background: list[Paper], params: TasteParams = DEFAULT_PARAMS, *,
          interests: str = "", default_weight: float = 0.75) -> TasteModel | None:
    """A model from the channel's signals and recent papers (both oldest first); None with no positive.

    `interests` (the profile's interests and include keywords) lets the model check on the
    channel's newest signals how much it should weigh against them (`TasteModel.blend_weight`).
    """
    labelled = merge(signals, params.weights)[-params.max_signals:]
    liked = [item for item in labelled if item.positive]
    if not liked:
        return None
    seen = {item.paper.id for item in labelled}
    unlabelled = list({p.id: p for p in background if p.id not in seen}.values())[-params.max_background:]
    papers = [item.paper for item in labelled] + unlabelled
    y = np.array([item.positive for item in labelled] + [False] * len(unlabelled))
    w = np.array([item.weight for item in labelled] + [params.background_weight] * len(unlabelled), dtype=float)
    w = _balanced(y, w)

    idf, idf_all = _idf(features.counts(papers, params.title_repeat), params.min_df)
    space = _Space(idf, idf_all, params)
    text = space.text(papers)
    x = space.full(papers, text)
    coef, intercept = _fit(x, y, w, params.C)
    liked_rows = [n for n, item in enumerate(labelled) if item.positive]
    model = TasteModel(space, coef, intercept, liked, text[liked_rows], n_negative=int((~y).sum()))
    if params.adaptive and interests.strip():
        # checked against the interests' words alone: checking against `model.interest` (words and
        # meaning, as the blend ranks) measured worse on the benchmark, 1.07x against 1.17x
        interest = (space.text(papers, every_term=True) @ space.query(interests).T).toarray().ravel()

        def fit(rows):
            c, b = _fit(x[rows], y[rows], _balanced(y[rows], w[rows]), params.C)
            return x @ c + b

        model.blend_weight = choose_weight(y, len(labelled), interest, fit, default_weight,
                                          shrink=params.adaptive_shrink)
    return model


def _fit(x, y, w, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if y.all():  # only positives and no background: nothing to tell them from; lean on similarity alone
        return np.zeros(x.shape[1]), 0.0
    # the dual solver: with far fewer papers than hashed columns it is ~10x faster than the primal
    model = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=1000)
    model.fit(x, y, sample_weight=w)
    return model.coef_[0], float(model.intercept_[0])


def _balanced(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scale so both classes weigh the same in total, and the mean weight is 1."""
    pos, neg = w[y].sum(), w[~y].sum()
    if pos == 0 or neg == 0:
        return w / w.mean()
    total = pos + neg
    return np.where(y, w * total / (2 * pos), w * total / (2 * neg)) * len(w) / total


def _idf(x: sp.csr_matrix, min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed idf as scikit-learn's, and a copy with the terms under `min_df` zeroed."""
    df = np.bincount(x.indices, minlength=x.shape[1])
    idf_all = (np.log((1 + x.shape[0]) / (1 + df)) + 1.0).astype(np.float32)
    idf = idf_all.copy()
    idf[df < min_df] = 0.0
    return idf, idf_all


def _l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ x
