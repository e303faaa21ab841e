"""The channel's taste on a small synthetic corpus where the right answer is obvious."""

from __future__ import annotations

import pytest

from bot.config import DigestConfig
from bot.models import Paper
from bot.ranking import rank
from bot.taste import Signal, TasteParams, rank_with_taste, train, vote_signal
from bot.taste.signals import merge

TOPICS = {
    "protein": ["protein folding", "amino acid chains", "structure prediction", "molecular dynamics", "binding sites"],
    "robot": ["robot grasping", "dexterous manipulation", "parallel gripper", "tactile sensing", "pick and place"],
    "speech": ["speech synthesis", "neural vocoder", "prosody control", "text to speech", "speaker similarity"],
    "segmentation": ["image segmentation", "instance masks", "pixel labels", "semantic segmentation", "boundary refinement"],
    "graph": ["graph coloring", "chromatic number", "planar graphs", "vertex ordering", "combinatorial bounds"],
    "quantum": ["quantum error correction", "surface code", "logical qubits", "syndrome decoding", "noise thresholds"],
}
ORDER = ["graph", "quantum", "speech", "segmentation", "protein", "robot"]  # arXiv order: topic by topic


def day(n: int, per_topic: int = 3) -> list[Paper]:
    """One day's papers: `per_topic` papers of each topic, worded differently each time."""
    papers = []
    for t, topic in enumerate(ORDER):
        words = TOPICS[topic]
        for k in range(per_topic):
            a, b, c = words[(n + k) % 5], words[(n + k + 1) % 5], words[(n + k + 3) % 5]
            papers.append(Paper(
                id=f"2601.{n:02d}{t}{k:02d}", version=1, title=f"On {a} and {b}",
                abstract=f"We study {a}. Our method improves {b} and {c}. Experiments show {a} results.",
                authors=(f"Author {topic} {k}",), categories=("cs.LG",)))
    return papers


def of(papers: list[Paper], topic: str) -> list[Paper]:
    return [p for p in papers if p.id[7] == str(ORDER.index(topic))]


def topic_of(paper: Paper) -> str:
    return ORDER[int(paper.id[7])]


def history(days: range) -> list[Paper]:
    return [p for n in days for p in day(n)]


def test_no_model_is_todays_ranking_exactly():
    papers = day(9)
    for profile in [DigestConfig(), DigestConfig(interests="speech synthesis prosody"),
                    DigestConfig(interests="graphs", include=("qubits",), exclude=("coloring",))]:
        assert rank_with_taste(papers, profile, None, explore=1) == rank(papers, profile)


def test_only_negatives_make_no_model():
    past = history(range(1, 3))
    assert train([Signal(p, "down") for p in of(past, "graph")], past) is None
    assert train([], past) is None


def test_exclude_keywords_push_a_paper_down_without_a_model():
    papers = day(9)
    interests = "graph coloring chromatic number planar graphs"
    plain = rank(papers, DigestConfig(interests=interests))
    excluded = rank(papers, DigestConfig(interests=interests, exclude=("planar",)))
    planar = {p.id for p in of(papers, "graph") if "planar" in p.title + p.abstract}

    position = lambda ranked, pid: [r.paper.id for r in ranked].index(pid)  # noqa: E731
    assert planar and plain[0].paper.id in planar  # the interests alone like a planar paper best
    assert excluded[0].paper.id not in planar and topic_of(excluded[0].paper) == "graph"
    assert all(position(excluded, pid) >= position(plain, pid) for pid in planar)
    score = lambda ranked, pid: next(r.score for r in ranked if r.paper.id == pid)  # noqa: E731
    assert all(score(excluded, pid) < score(plain, pid) for pid in planar)
    assert all("excluded planar" in r.reason for r in excluded if r.paper.id in planar)


def test_exclude_keywords_push_a_paper_down_even_when_the_votes_like_it():
    past = history(range(1, 4))
    model = train([vote_signal(p, 2) for p in of(past, "robot")], past)
    papers = day(9)
    liked = rank_with_taste(papers, DigestConfig(), model)
    excluded = rank_with_taste(papers, DigestConfig(exclude=("tactile sensing",)), model)

    tactile = {p.id for p in papers if "tactile" in p.title + p.abstract}
    robots = len(of(papers, "robot"))
    assert tactile and {r.paper.id for r in liked[:robots]} >= tactile  # the votes put it among the robots
    assert all(topic_of(r.paper) == "robot" and r.paper.id not in tactile for r in excluded[:robots - len(tactile)])
    assert all(r.paper.id not in tactile for r in excluded[:robots])
    assert all("excluded tactile" in r.reason for r in excluded if r.paper.id in tactile)


def test_up_votes_change_the_next_pick():
    past, today = history(range(1, 4)), day(9)
    before = rank_with_taste(today, DigestConfig(), train([], past))
    votes = [vote_signal(p, 1) for p in of(past, "protein")[:3]]
    after = rank_with_taste(today, DigestConfig(), train(votes, past))

    assert topic_of(before[0].paper) == "graph"  # arXiv order
    assert [topic_of(r.paper) for r in after[:3]] == ["protein"] * 3


def test_down_votes_change_the_next_pick():
    past, today = history(range(1, 8)), day(9)
    interests = DigestConfig(interests="speech synthesis and image segmentation")
    speech, segmentation = of(past, "speech"), of(past, "segmentation")
    likes = [vote_signal(p, 1) for p in speech[:10] + segmentation[:10]]
    before = rank_with_taste(today, interests, train(likes, past))
    downs = [Signal(p, "down") for p in speech[10:]]  # the team liked some speech papers, most not
    after = rank_with_taste(today, interests, train(likes + downs, past))

    assert sorted(topic_of(r.paper) for r in before[:2]) == ["segmentation", "speech"]  # liked alike: interleaved
    assert [topic_of(r.paper) for r in after[:2]] == ["segmentation", "segmentation"]
    first_speech = lambda ranked: min(n for n, r in enumerate(ranked) if topic_of(r.paper) == "speech")  # noqa: E731
    assert first_speech(after) > first_speech(before)


def test_why_picked_names_the_liked_paper_and_its_voters():
    past, today = history(range(1, 4)), day(9)
    liked = of(past, "quantum")[0]
    model = train([vote_signal(liked, 3)], past)
    picked = rank_with_taste(today, DigestConfig(), model, votes_by_paper={liked.id: 3})[0]

    assert topic_of(picked.paper) == "quantum"
    assert f"close to {liked.id}, which 3 of you voted for" in picked.reason


def test_why_picked_says_what_was_imported_or_asked_for():
    past, today = history(range(1, 4)), day(9)
    imported, asked = of(past, "speech")[0], of(past, "robot")[0]
    model = train([Signal(imported, "import"), Signal(asked, "request")], past)
    reasons = {topic_of(r.paper): r.reason for r in rank_with_taste(today, DigestConfig(), model)[:6]}

    assert f"close to {imported.id}, which you imported" in reasons["speech"]
    assert f"close to {asked.id}, which you asked for" in reasons["robot"]


def test_interests_still_name_their_terms_next_to_the_liked_paper():
    past, today = history(range(1, 4)), day(9)
    model = train([vote_signal(p, 1) for p in of(past, "graph")[:2]], past)
    top = rank_with_taste(today, DigestConfig(interests="chromatic number"), model, positives=1)[0]

    assert topic_of(top.paper) == "graph"
    assert "matches chromatic number" in top.reason and "close to 2601." in top.reason


def test_an_exploring_slot_shows_something_unlike_the_likes():
    past, today = history(range(1, 4)), day(9)
    model = train([vote_signal(p, 1) for p in of(past, "protein") + of(past, "robot")], past)
    picked = rank_with_taste(today, DigestConfig(), model, explore=1, picks=5)[:5]

    assert [topic_of(r.paper) for r in picked[:4]].count("protein") + [
        topic_of(r.paper) for r in picked[:4]].count("robot") == 4
    assert picked[4].reason.startswith("exploring") and topic_of(picked[4].paper) not in {"protein", "robot"}


def test_top_terms_are_what_the_channel_liked():
    past = history(range(1, 4))
    model = train([vote_signal(p, 1) for p in of(past, "speech")] + [Signal(p, "down") for p in of(past, "graph")],
                  past)
    words = " ".join(model.top_terms(5))
    assert any(w in words for w in ("speech", "vocoder", "prosody", "speaker"))
    assert "graph" not in words and "coloring" not in words


def test_only_the_most_recent_signals_are_kept():
    past = history(range(1, 4))
    old = [vote_signal(p, 1) for p in of(past, "quantum")]
    recent = [vote_signal(p, 1) for p in of(past, "speech")]
    model = train(old + recent, past, TasteParams(max_signals=len(recent)))

    assert model.n_positive == len(recent)
    assert topic_of(rank_with_taste(day(9), DigestConfig(), model)[0].paper) == "speech"


def test_signals_on_one_paper_net_out():
    paper = day(1)[0]
    merged = merge([vote_signal(paper, 1), Signal(paper, "down"), Signal(paper, "unvoted")])
    assert len(merged) == 1 and not merged[0].positive and merged[0].kind == "down"
    assert merge([Signal(paper, "vote"), Signal(paper, "down")]) == []


def test_an_unknown_signal_kind_is_refused():
    with pytest.raises(ValueError, match="unknown signal kind"):
        Signal(day(1)[0], "like")
