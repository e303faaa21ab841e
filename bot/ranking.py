"""Which of the day's papers this team sees first.

Each paper's title and abstract is compared with the team's profile by tf-idf
cosine similarity (fitted on the day's papers, so words every paper uses weigh
little): similarity to the interests and include keywords, minus similarity to
the exclude keywords. A stable sort keeps arXiv's order for ties and for an
empty profile. The reason stored with each score names the terms that matched.
`bot.taste` blends this with what the channel's votes taught it; `rank` is the
ranking with no votes (and with `[ranking] learn = false`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .models import Paper

NO_INTERESTS = "arXiv order (no interests configured)"


class Profile(Protocol):
    """What ranking reads of a channel's profile (bot.config.DigestConfig has it)."""

    interests: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Ranked:
    paper: Paper
    score: float
    reason: str


@dataclass(frozen=True)
class Match:
    """One paper against the profile: cosine to what is wanted, to what is not, and the terms."""

    wanted: float
    unwanted: float
    wanted_terms: tuple[str, ...]
    unwanted_terms: tuple[str, ...]


def rank(papers: list[Paper], profile: Profile) -> list[Ranked]:
    matches = match_profile(papers, profile)
    if matches is None:
        return [Ranked(p, 0.0, NO_INTERESTS) for p in papers]
    ranked = [Ranked(paper, round(m.wanted - m.unwanted, 4), interest_reason(m)) for paper, m in zip(papers, matches)]
    return sorted(ranked, key=lambda r: -r.score)  # sorted() is stable: ties keep arXiv order


def match_profile(papers: list[Paper], profile: Profile) -> list[Match] | None:
    """Each paper's match with the profile, in the papers' order; None when there is nothing to match."""
    wanted = " ".join([profile.interests, *profile.include]).strip()
    unwanted = " ".join(profile.exclude).strip()
    if not papers or not (wanted or unwanted):
        return None

    # Imported here: scikit-learn takes a moment to load and only ranking needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True)
    docs = vectorizer.fit_transform(f"{p.title} {p.title} {p.abstract}" for p in papers)  # the title counts twice
    terms = vectorizer.get_feature_names_out()
    plus = vectorizer.transform([wanted]) if wanted else None
    minus = vectorizer.transform([unwanted]) if unwanted else None

    matches = []
    for row in range(len(papers)):
        doc = docs[row]
        # rows are L2-normalised: the sum of the product is the cosine
        up = float(doc.multiply(plus).sum()) if plus is not None else 0.0
        down = float(doc.multiply(minus).sum()) if minus is not None else 0.0
        matches.append(Match(up, down, tuple(_top_terms(doc, plus, terms)) if plus is not None else (),
                             tuple(_top_terms(doc, minus, terms)) if down else ()))
    return matches


def interest_reason(match: Match) -> str:
    reasons = [f"matches {t}" for t in match.wanted_terms] + [f"excluded {t}" for t in match.unwanted_terms]
    return ", ".join(reasons) or "no match with the interests"


def _top_terms(doc, query, terms, limit: int = 3) -> list[str]:
    product = doc.multiply(query).tocoo()
    best = sorted(zip(product.data, product.col), reverse=True)[:limit]
    return [str(terms[col]) for weight, col in best if weight > 0]
