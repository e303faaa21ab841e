"""Edge cases of re-running: stored days, changed configs, new versions, partial answers."""

import datetime as dt

import pytest

from bot.config import DigestConfig
from bot.models import Paper
from bot.ranking import rank
from testkit.samples import DAY, filler_items, seed_items, smart_responder
from testkit.arxiv_fake import ApiPaper, FeedItem
from testkit.llm_fake import Reply
from tests.test_digest import run


def test_api_that_counts_missing_ids_still_completes_the_rest(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:3])
    arxiv_fake.set_feed("cs.CV", DAY, seed_items()[:3] + [FeedItem("2602.00404", title="Held back", abstract="We propose.")])
    arxiv_fake.count_missing_ids = True
    config = write_config()

    first = run(capsys, "digest", "--config", config)
    second = run(capsys, "digest", "--config", config)

    assert first[0] == 0, first[2]
    assert "Held back" in first[1] and first[1].count("**Published:** 2026-02-08") == 3
    assert second[1] == first[1]
    api = len(arxiv_fake.requests_to("/api/query"))
    assert api == 1  # one id list (an inflated count asks for no other page); never again on the rebuild


def test_a_crashed_run_with_other_interests_does_not_leak_its_ranking(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, filler_items(12) + seed_items())
    toc = lambda out: out.split("## Table of Contents")[1].split("## Papers")[0]  # noqa: E731
    gaussian = {"max_papers": 1, "interests": "gaussian splatting"}

    first = run(capsys, "digest", "--config", write_config(digest=gaussian), "--no-llm")
    arxiv_fake.fail_next("/api/query", 503, count=10)
    crashed = run(capsys, "digest", "--config", write_config(digest={"max_papers": 1, "interests": "protein folding"},
                                                             arxiv={"max_retries": 0}), "--no-llm")
    again = run(capsys, "digest", "--config", write_config(digest=gaussian), "--no-llm")

    assert crashed[0] == 1
    assert "GaussianPOP" in toc(first[1]) and toc(again[1]) == toc(first[1])


def test_date_of_a_day_stored_for_other_categories_is_refused(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    assert run(capsys, "digest", "--config", write_config(), "--no-llm")[0] == 0
    arxiv_fake.add_day("cs.CV", DAY + dt.timedelta(days=1), seed_items()[2:4])
    arxiv_fake.add_day("cs.RO", DAY + dt.timedelta(days=1), filler_items(2))

    code, out, err = run(capsys, "digest", "--config", write_config(arxiv={"categories": ["cs.CV", "cs.RO"]}),
                         "--date", "2026-02-09", "--no-llm")

    assert code == 2 and out == ""
    assert "2026-02-09 is neither arXiv's current announcement (2026-02-10) nor a stored day for cs.CV, cs.RO" in err


def test_feeds_on_different_days_are_not_mixed(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    arxiv_fake.add_day("cs.RO", DAY - dt.timedelta(days=3), filler_items(2))

    code, out, err = run(capsys, "digest", "--config", write_config(arxiv={"categories": ["cs.CV", "cs.RO"]}))

    assert code == 1 and out == ""
    assert "arXiv's feeds are on different days (cs.CV is on 2026-02-09, cs.RO is on 2026-02-06)" in err


def test_a_stored_empty_day_says_so_again(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.set_feed("cs.CV", dt.date(2026, 2, 14), [])
    config = write_config()
    assert run(capsys, "digest", "--config", config)[0] == 0

    code, out, err = run(capsys, "digest", "--config", config, "--date", "2026-02-14")

    assert code == 0 and "no arXiv announcement for 2026-02-14" in err
    assert len(arxiv_fake.requests_to("/rss")) == 1


def test_only_replacements_is_not_called_a_holiday(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, [FeedItem("2601.00001", version=2, title="R", abstract="A", announce_type="replace")])

    code, out, err = run(capsys, "digest", "--config", write_config())

    assert code == 0 and "has 1 papers, none of the types new, cross" in err


def test_a_new_version_gets_a_new_analysis(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    config = write_config()
    assert run(capsys, "digest", "--config", config)[0] == 0
    calls = len(llm_fake.calls)
    arxiv_fake.add_paper(ApiPaper("2602.06959", version=2, title="CineScene v2", abstract="We propose a better one."))

    code, out, err = run(capsys, "paper", "--config", config, "2602.06959v2")

    assert code == 0, err
    assert "CineScene v2" in out and "Paper 2602.06959v2 proposes a new method." in out
    assert len(llm_fake.calls) == calls + 1


def test_a_version_that_does_not_exist(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    config = write_config()
    assert run(capsys, "digest", "--config", config, "--no-llm")[0] == 0

    code, out, err = run(capsys, "paper", "--config", config, "2602.06959v9")

    assert code == 1 and "arXiv has no paper 2602.06959v9" in err


def test_a_failed_analysis_is_not_paid_for_again_on_rebuild(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    llm_fake.responder = lambda r: "PWNED" if '"main_contribution"' in r["messages"][0]["content"] else smart_responder(r)
    config = write_config()

    first = run(capsys, "digest", "--config", config)
    calls = len(llm_fake.calls)
    second = run(capsys, "digest", "--config", config, "--date", "2026-02-09")

    assert first[1].count("_Analysis unavailable") == 2 and second[1] == first[1]
    assert calls == 5 and len(llm_fake.calls) == calls


def test_retry_after_is_honoured(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    llm_fake.script(Reply(status=429, headers={"retry-after-ms": "300"},
                          error={"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}))

    code, out, err = run(capsys, "digest", "--config", write_config(llm={"concurrency": 1}))

    assert code == 0, err
    times = [r.time for r in llm_fake.requests_to("/v1/chat/completions")]
    assert times[1] - times[0] >= 0.3  # the wait the server asked for (backoff is 0 in tests)


def test_our_own_timeout_applies(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    llm_fake.latency_s = 1.0

    code, out, err = run(capsys, "digest", "--config", write_config(llm={"timeout_s": 0.1, "max_retries": 0}))

    assert code == 3, err  # no analysis could be written
    assert "_Analysis unavailable: the LLM API did not answer in time._" in out


def test_a_bug_or_a_leak_is_not_turned_into_a_note(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    config = write_config(llm={"base_url": "https://api.example.com/v1"})

    with pytest.raises(RuntimeError, match="test tried to reach api.example.com"):
        main_run(config)


def main_run(config):
    from paperbot.cli import main
    return main(["digest", "--config", str(config)])


def test_ties_and_an_empty_profile_keep_arxiv_order():
    papers = [Paper(id=f"2602.0000{n}", version=1, title=f"Paper {n}", abstract="Same words here.") for n in range(5)]
    assert [r.paper.id for r in rank(papers, DigestConfig())] == [p.id for p in papers]
    tied = rank(papers, DigestConfig(interests="same words"))
    assert [r.paper.id for r in tied] == [p.id for p in papers]
    assert len({r.score for r in tied}) == 1 and tied[0].score > 0
