"""The day's order for a channel: its stated interests blended with its learned taste.

With no model this is `bot.ranking.rank` exactly. Otherwise both scores are standardised
over the day and mixed, the learned part weighing more as positives accumulate (full
weight from `ramp` positives). Exclude keywords push a paper down whatever the model
says. A kept "exploring" slot shows a paper the channel has not shown it likes yet, so
its votes teach the model something new.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Paper
from ..ranking import Profile, Ranked, rank
from .model import TasteModel
from .scores import zscore


@dataclass(frozen=True)
class BlendParams:
    ramp: float = 20.0  # positives at which the learned part reaches `learned_max`
    learned_max: float = 0.75  # with interests, they keep the rest (1.0 lost a team on the benchmark)
    exclude_penalty: float = 3.0  # standard deviations, for the strongest exclude match of the day
    close_enough: float = 0.2  # cosine at which a liked paper is named as the reason
    explore_pool: int = 50  # exploring picks among the top this many


DEFAULT_BLEND = BlendParams()


def learned_weight(positives: int, has_interests: bool, params: BlendParams = DEFAULT_BLEND,
                   checked: float | None = None) -> float:
    """The learned part's share: all of it without interests, else ramping up with the positives
    to `checked` (what the model measured on the channel) or `learned_max`."""
    if not has_interests:
        return 1.0
    top = params.learned_max if checked is None else checked
    return top * min(1.0, positives / params.ramp)


def rank_with_taste(papers: list[Paper], profile: Profile, model: TasteModel | None, *,
                    positives: int | None = None, explore: int = 0, picks: int = 10,
                    votes_by_paper: dict[str, int] | None = None,
                    params: BlendParams = DEFAULT_BLEND) -> list[Ranked]:
    """All of `papers`, best first; with `explore`, that many of the first `picks` are exploring.

    With no model this is `rank(papers, profile)`. With one, the interests are matched in
    the model's own tf-idf space (idf from the recent days it was trained on: the same
    cosine as `rank`'s but with no vocabulary to build, which is most of `rank`'s time) and
    by the cosine of their embedding to the papers'.
    """
    if model is None or not papers:
        return rank(papers, profile)
    stated = " ".join([profile.interests, *profile.include]).strip()
    interest, wanted_terms = model.interest(papers, stated)
    unwanted, unwanted_terms = model.match(papers, " ".join(profile.exclude))
    w = learned_weight(model.n_positive if positives is None else positives, bool(stated), params, model.blend_weight)
    score = w * zscore(np.array(model.score(papers))) + (1 - w) * interest
    top = unwanted.max()
    if top > 0:  # the strongest exclude match of the day sinks by `exclude_penalty` standard deviations
        score -= params.exclude_penalty * unwanted / top
    order = [int(i) for i in np.argsort(-score, kind="stable")]  # stable: ties keep arXiv order
    exploring = _explore(order, model, papers, explore, picks, params)
    if exploring:
        kept = [i for i in order if i not in exploring]
        order = kept[: picks - len(exploring)] + sorted(exploring, key=order.index) + kept[picks - len(exploring):]
    sims = model.similarities([papers[i] for i in order[:picks]]) if model.n_positive else None
    ranked = []
    for n, i in enumerate(order):
        if i in exploring:
            reason = "exploring: unlike what you liked so far"
        elif n < picks:
            liked = _closest(papers[i], model, sims[n], w, params) if sims is not None else None
            reason = _reason(papers[i], wanted_terms.terms(i), unwanted_terms.terms(i) if unwanted[i] else (),
                             model, liked, votes_by_paper or {})
        else:  # past the picks nobody reads the reason: skip the work of naming liked papers
            reason = _reason(papers[i], wanted_terms.terms(i), unwanted_terms.terms(i) if unwanted[i] else (),
                             model, None, {}, name_terms=False)
        ranked.append(Ranked(papers[i], round(float(score[i]), 4), reason))
    return ranked



def _explore(order, model: TasteModel, papers, explore: int, picks: int, params: BlendParams) -> set[int]:
    """Among the top of the pool past the picks, the papers least like anything liked."""
    if explore <= 0 or len(order) <= picks:
        return set()
    pool = order[picks - explore: params.explore_pool]
    nearest = model.similarities([papers[i] for i in pool]).max(axis=1)
    novel = sorted(range(len(pool)), key=lambda k: (nearest[k], k))[:explore]
    return {pool[k] for k in novel}


def _closest(paper: Paper, model: TasteModel, sims, weight: float, params: BlendParams):
    if weight <= 0 or not len(sims):
        return None
    k = int(np.argmax(sims))
    liked = model.liked[k]
    return liked if sims[k] >= params.close_enough and liked.paper.id != paper.id else None


def _reason(paper: Paper, wanted: tuple[str, ...], unwanted: tuple[str, ...], model: TasteModel, liked,
            votes: dict[str, int], name_terms: bool = True) -> str:
    parts = [", ".join(f"matches {t}" for t in wanted)] if wanted else []
    if liked is not None:
        parts.append(f"close to {liked.paper.id}, {_which(liked.paper.id, liked.kind, votes)}")
    elif not parts and name_terms:
        terms = model.paper_terms(paper)
        parts.append(f"like what you liked: {', '.join(terms)}" if terms else "learned from your votes")
    if unwanted:
        parts.append(", ".join(f"excluded {t}" for t in unwanted))
    return "; ".join(parts) or "learned from your votes"


def _which(paper_id: str, kind: str, votes: dict[str, int]) -> str:
    if kind == "import":
        return "which you imported"
    if kind == "request":
        return "which you asked for"
    n = votes.get(paper_id, 0)
    if n <= 0:
        return "which you voted for"
    return "which one of you voted for" if n == 1 else f"which {n} of you voted for"
