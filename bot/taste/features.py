"""Papers as sparse vectors: hashed tf-idf of the text, plus categories and authors.

Hashing (no vocabulary to fit) keeps a retrain cheap: a 1–2-gram vocabulary over a few
thousand abstracts takes seconds to build on a small machine, hashing the same text a
fraction of that. Raw counts are cached per paper (bounded LRU), so a channel's daily
retrain only tokenises the papers it has not seen; idf is refitted on each training set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp

from ..models import Paper

N_TEXT = 2**18
N_META = 2**16
_CACHE_SIZE = 30_000  # rows of ~1–2 KB (4 per paper: a week of a few channels' days); bounded


class _RowCache:
    """A thread-safe LRU of one sparse row (column indices, values) per (paper, feature block)."""

    def __init__(self, size: int):
        self.size, self.rows, self.lock = size, OrderedDict(), threading.Lock()

    def get_many(self, keys: list, compute, width: int) -> sp.csr_matrix:
        with self.lock:
            found = {k: self.rows[k] for k in keys if k in self.rows}
            for k in found:
                self.rows.move_to_end(k)
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            fresh = compute(missing).tocsr()
            fresh.sort_indices()
            with self.lock:
                for n, k in enumerate(missing):
                    start, end = fresh.indptr[n], fresh.indptr[n + 1]
                    found[k] = self.rows[k] = (fresh.indices[start:end].copy(), fresh.data[start:end].copy())
                while len(self.rows) > self.size:
                    self.rows.popitem(last=False)
        rows = [found[k] for k in keys]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
        indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int32)
        data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


_cache = _RowCache(_CACHE_SIZE)
_vectorizers: dict[str, object] = {}


def _hashing(kind: str):
    # Imported here: scikit-learn takes a moment to load and only ranking needs it.
    from sklearn.feature_extraction.text import HashingVectorizer

    if kind not in _vectorizers:
        if kind == "text":
            _vectorizers[kind] = HashingVectorizer(stop_words="english", ngram_range=(1, 2), n_features=N_TEXT,
                                                   alternate_sign=False, norm=None, dtype=np.float32)
        else:
            _vectorizers[kind] = HashingVectorizer(analyzer=lambda tokens: tokens, n_features=N_META,
                                                   alternate_sign=False, norm=None, dtype=np.float32)
    return _vectorizers[kind]


def text_of(paper: Paper, title_repeat: int) -> str:
    return " ".join([paper.title] * title_repeat + [paper.abstract])


def meta_tokens(paper: Paper, block: str) -> list[str]:
    if block == "cat":
        return [f"cat:{c}" for c in paper.categories]
    return [f"au:{' '.join(a.lower().split())}" for a in paper.authors]


def counts(papers: list[Paper], title_repeat: int) -> sp.csr_matrix:
    """Hashed 1–2-gram counts of title (repeated) and abstract, one row per paper."""
    keys = [("text", title_repeat, p.id, p.version, hash(p.title), hash(p.abstract)) for p in papers]
    by_key = {k: p for k, p in zip(keys, papers)}
    return _cache.get_many(keys, lambda ks: _hashing("text").transform(
        [text_of(by_key[k], title_repeat) for k in ks]), N_TEXT)


def meta(papers: list[Paper], block: str) -> sp.csr_matrix:
    """Hashed category ("cat") or author ("author") indicators, one row per paper."""
    keys = [(block, p.id, p.categories if block == "cat" else p.authors) for p in papers]
    by_key = {k: p for k, p in zip(keys, papers)}
    return _cache.get_many(keys, lambda ks: _hashing("meta").transform(
        [meta_tokens(by_key[k], block) for k in ks]), N_META)


def query(text: str) -> sp.csr_matrix:
    """Hashed 1–2-gram counts of a free text (the stated interests), one row."""
    return _hashing("text").transform([text]).tocsr()


def text_terms(texts: list[str]) -> dict[int, str]:
    """Column -> one term that hashes there, to name a model's heaviest columns."""
    from sklearn.utils import murmurhash3_32

    analyze = _hashing("text").build_analyzer()
    names: dict[int, str] = {}
    for text in texts:
        for term in analyze(text):
            # HashingVectorizer's own column: abs of the signed 32-bit murmur hash, modulo
            names.setdefault(abs(murmurhash3_32(term, seed=0)) % N_TEXT, term)
    return names


_wordllama = None
_wordllama_lock = threading.Lock()
DENSE_DIM = 256


def load_dense():
    """wordllama's bundled weights and tokenizer, never a download.

    0.4.0.post1's default `load()` looks for the bundled tokenizer in the wrong folder and
    then tries the network: pointing `cache_dir` at the package itself finds both files.
    """
    global _wordllama
    with _wordllama_lock:
        if _wordllama is None:
            from pathlib import Path

            import wordllama

            model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
            model.tokenizer.no_padding()  # we pool ourselves, without padding to the longest text
            _wordllama = model
    return _wordllama


def _embed(texts: list[str]) -> sp.csr_matrix:
    """Mean of the texts' token embeddings, L2-normalised: what `WordLlama.embed(norm=True)` gives.

    Pooled as one sparse (texts x vocabulary) count matrix times the embedding table, which
    is several times faster than wordllama's padded batches; tokenising is most of the time.
    """
    model = load_dense()
    table = model.embedding
    encoded = model.tokenizer.encode_batch(texts, add_special_tokens=False)
    lengths = np.array([len(e.ids) for e in encoded])
    ids = np.clip(np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encoded] or [np.zeros(0, np.int64)]),
                  0, table.shape[0] - 1)
    rows = np.repeat(np.arange(len(texts)), lengths)
    tokens = sp.csr_matrix((np.ones(len(ids), np.float32), (rows, ids)), shape=(len(texts), table.shape[0]))
    pooled = np.asarray(tokens @ table) / np.maximum(lengths, 1)[:, None]
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return sp.csr_matrix((pooled / np.where(norms > 0, norms, 1.0)).astype(np.float32))


def embed_text(text: str) -> sp.csr_matrix:
    """One free text's embedding (the stated interests), as `dense` embeds a paper."""
    return _embed([text])


def dense(papers: list[Paper]) -> sp.csr_matrix:
    """wordllama embeddings of title + abstract, one row per paper (cached like the counts)."""
    keys = [("dense", p.id, p.version, hash(p.title), hash(p.abstract)) for p in papers]
    by_key = {k: p for k, p in zip(keys, papers)}
    return _cache.get_many(keys, lambda ks: _embed([f"{by_key[k].title}. {by_key[k].abstract}" for k in ks]),
                           DENSE_DIM)
