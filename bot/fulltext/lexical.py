"""Lexical relevance of passages to a question: BM25 (the default) and tf-idf, measured in bench/ask_bench.py.

A query is a bag of weighted terms (the question at weight 1, earlier turns of
the conversation lower), so both scorers take `{term: weight}`. Terms are
lower-cased words with a light suffix stripping ("datasets", "trained" ->
"dataset", "train"); a hyphenated word counts whole and by its parts, so
"Mip-NeRF" matches "mip nerf"; decimals stay whole ("27.94").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np

_TOKEN_RE = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+(?:-[a-z0-9]+)*")
_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing done down during each either else few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours paper papers author authors article work study one ones it's they're whose
get got give tell say said show shown much many
""".split())
_KEEPS_S_RE = re.compile(r"(ss|[^p]us|is)$|^.us$")  # "class", "focus", "analysis" ("gpus" is a plural)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, with repeats."""
    out = []
    for word in _TOKEN_RE.findall(text.lower()):
        parts = word.split("-") if "-" in word else []
        for w in [word, *parts]:
            if w not in _STOPWORDS and len(w) > 1:
                out.append(stem(w))
    return out


@lru_cache(maxsize=1 << 16)  # a paper has a few thousand distinct words and repeats them
def stem(word: str) -> str:
    if not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not _KEEPS_S_RE.search(word):
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word[:-2] if len(word) > 6 and word.endswith("at") else word  # "evaluate", "evaluation" -> "evalu"


# Words a question uses for what papers say in other words; each side is stemmed when used.
# Kept small and generic to paper questions (code, data, limits, compute, hyper-parameters).
_RELATED = {
    "code": "github repository release open-source publicly available",
    "available": "github release publicly",
    "release": "github publicly available",
    "limitation": "fail failure weakness struggle drawback degrade",
    "weakness": "limitation fail failure",
    "dataset": "benchmark",
    "benchmark": "dataset",
    "baseline": "compare",
    "compare": "baseline outperform",
    "closest": "strongest best",
    "hyperparameter": "learning rate batch epoch optimizer",
    "size": "parameter",
    "compute": "gpu hour day",
    "long": "hour minute day",
    "gpu": "hour",
    "robot": "real-world hardware physical",
    "pay": "compensation wage",
    "paid": "compensation wage",
    "train": "fine-tune optimise",
}


def related_terms(term: str) -> list[str]:
    """Stemmed terms papers use for what a question's (stemmed) term asks about."""
    return _RELATED_STEMMED.get(term, [])


class BM25:
    """Okapi BM25 over tokenised passages; a few lines of numpy rather than a dependency."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=float)
        self.norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0)) if docs else lengths
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        rows: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = rows.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        for term, (ids, tfs) in rows.items():
            self.postings[term] = (np.array(ids), np.array(tfs, dtype=float))

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0]) if term in self.postings else 0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.size)
        for term, weight in query.items():
            if term not in self.postings:
                continue
            ids, tfs = self.postings[term]
            out[ids] += weight * self.idf(term) * tfs * (self.k1 + 1) / (tfs + self.norm[ids])
        return out


class TfIdf:
    """Cosine similarity of sublinear tf-idf vectors, with scikit-learn's smoothed idf."""

    def __init__(self, docs: list[list[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # only the tf-idf variant pays its import

        self.size = len(docs)
        self.vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(docs) if any(docs) else None

    def scores(self, query: dict[str, float]) -> np.ndarray:
        if self.matrix is None:
            return np.zeros(self.size)
        vocabulary, idf = self.vectorizer.vocabulary_, self.vectorizer.idf_
        q = np.zeros(len(vocabulary))
        for term, weight in query.items():
            if term in vocabulary:
                q[vocabulary[term]] += weight * idf[vocabulary[term]]
        norm = np.linalg.norm(q)
        return np.asarray(self.matrix @ (q / norm)).ravel() if norm else np.zeros(self.size)


SCORERS = {"bm25": BM25, "tfidf": TfIdf}
_RELATED_STEMMED = {stem(k): [t for t in terms(v)] for k, v in _RELATED.items()}
