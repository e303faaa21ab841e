"""Which of the day's papers this team sees first.

Each paper's title and abstract is compared with the team's profile by tf-idf
cosine similarity (fitted on the day's papers, so words every paper uses weigh
little): similarity to the interests and include keywords, minus similarity to
the exclude keywords. A stable sort keeps arXiv's order for ties and for an
empty profile. The reason stored with each score names the terms that matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Profile
from .models import Paper


@dataclass(frozen=True)
class Ranked:
    paper: Paper
    score: float
    reason: str


def rank(papers: list[Paper], profile: Profile) -> list[Ranked]:
    wanted = " ".join([profile.interests, *profile.include]).strip()
    unwanted = " ".join(profile.exclude).strip()
    if not papers or not (wanted or unwanted):
        return [Ranked(p, 0.0, "arXiv order (no interests configured)") for p in papers]

    # Imported here: scikit-learn takes a moment to load and only ranking needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True)
    docs = vectorizer.fit_transform(f"{p.title} {p.title} {p.abstract}" for p in papers)  # the title counts twice
    terms = vectorizer.get_feature_names_out()
    plus = vectorizer.transform([wanted]) if wanted else None
    minus = vectorizer.transform([unwanted]) if unwanted else None

    ranked = []
    for row, paper in enumerate(papers):
        doc = docs[row]
        score, reasons = 0.0, []
        if plus is not None:
            score += float(doc.multiply(plus).sum())  # rows are L2-normalised: this is the cosine
            reasons += [f"matches {t}" for t in _top_terms(doc, plus, terms)]
        if minus is not None:
            penalty = float(doc.multiply(minus).sum())
            score -= penalty
            reasons += [f"excluded {t}" for t in _top_terms(doc, minus, terms)] if penalty else []
        ranked.append(Ranked(paper, round(score, 4), ", ".join(reasons) or "no match with the interests"))
    return sorted(ranked, key=lambda r: -r.score)  # sorted() is stable: ties keep arXiv order


def _top_terms(doc, query, terms, limit: int = 3) -> list[str]:
    product = doc.multiply(query).tocoo()
    best = sorted(zip(product.data, product.col), reverse=True)[:limit]
    return [str(terms[col]) for weight, col in best if weight > 0]
