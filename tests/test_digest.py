"""`paperbot digest` end to end: the real arxiv/openai/feedparser clients against the fakes."""

from __future__ import annotations

import datetime as dt


from paperbot.cli import main
from bot.store import Store
from testkit.samples import DAY, filler_items, seed_items
from testkit.arxiv_fake import FeedItem


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def test_normal_day_builds_the_seed_shaped_digest(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    config = write_config()

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0, err
    assert out.startswith("time: 20260209\n\n# Arxiv Computer Vision Papers - 2026-02-09")
    for label in ("## Executive Summary", "## Table of Contents", "## Papers", "**Authors:**", "**Published:**",
                  "**Categories:**", "**Abstract:**", "**Analysis:**", "**Key Findings:**", "**Links:**"):
        assert label in out
    assert "30 papers announced in cs.CV; 10 picked for this digest." in out
    assert out.count("<a id='") == 10
    assert "**Published:** 2026-02-08" in out  # from the API, not the feed
    assert "Paper 2602.06959v1 proposes a new method." in out
    # One quick analysis per picked paper plus one summary; one metadata call for the ten.
    assert len(llm_fake.calls) == 11
    api_calls = arxiv_fake.requests_to("/api/query")
    assert len(api_calls) == 1 and len(api_calls[0].query["id_list"][0].split(",")) == 10
    assert "30 papers announced, 10 picked, 11 LLM calls" in err


def test_second_run_makes_no_llm_or_metadata_call(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    config = write_config()
    first = run(capsys, "digest", "--config", config)
    calls, api = len(llm_fake.calls), len(arxiv_fake.requests_to("/api/query"))

    second = run(capsys, "digest", "--config", config)
    third = run(capsys, "digest", "--config", config, "--date", "2026-02-09")

    assert first[1] == second[1] == third[1]
    assert len(llm_fake.calls) == calls
    assert len(arxiv_fake.requests_to("/api/query")) == api
    assert "0 LLM calls" in second[2]
    assert len(arxiv_fake.requests_to("/rss")) == 2  # --date of a stored day does not read the feed


def test_cross_listed_paper_in_two_feeds_appears_once(arxiv_fake, llm_fake, write_config, capsys):
    shared = FeedItem("2602.00001", title="Robot vision", abstract="We propose a robot.", categories=["cs.CV", "cs.RO"])
    arxiv_fake.add_day("cs.CV", DAY, [shared, *filler_items(2)])
    arxiv_fake.add_day("cs.RO", DAY, [FeedItem("2602.00001", title="Robot vision", abstract="We propose a robot.",
                                                categories=["cs.CV", "cs.RO"], announce_type="cross"),
                                       *filler_items(2, start=5000)])
    config = write_config(arxiv={"categories": ["cs.CV", "cs.RO"]})

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0, err
    assert out.count("<a id='2602.00001v1'>") == 1
    assert "5 papers announced in cs.CV, cs.RO" in out
    assert "# Arxiv Computer Vision & Robotics Papers" in out


def test_replaced_papers_are_left_out_and_versions_dedupe(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, [
        FeedItem("2602.00010", title="Fresh paper", abstract="We propose X."),
        FeedItem("2601.00020", version=3, title="Old paper, new version", abstract="We propose Y.", announce_type="replace"),
    ])
    config = write_config()

    code, out, err = run(capsys, "digest", "--config", config, "--no-llm")

    assert code == 0, err
    assert "Fresh paper" in out and "Old paper" not in out
    assert "1 papers announced" in out


def test_empty_feed_is_reported_as_no_announcement(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.set_feed("cs.CV", dt.date(2026, 2, 14), [])
    config = write_config()

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0
    assert out == ""
    assert "no arXiv announcement for 2026-02-14" in err
    assert llm_fake.calls == []


def test_malformed_feed_is_a_clear_error_and_keeps_the_store(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:3])
    config = write_config()
    assert run(capsys, "digest", "--config", config)[0] == 0

    arxiv_fake.set_malformed("cs.CV")
    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 1 and out == ""
    assert "malformed" in err and "Traceback" not in err
    assert len(Store(tmp_path / "paperbot.db").announcement("2026-02-09", ["cs.CV"])) == 3


def test_api_503_then_success(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    arxiv_fake.fail_next("/api/query", 503, count=1)
    config = write_config()

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0, err
    assert len(arxiv_fake.requests_to("/api/query")) == 2
    assert "**Published:** 2026-02-08" in out


def test_arxiv_outage_is_one_sentence_and_non_zero(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    arxiv_fake.fail_next("/rss", 503, count=10)
    config = write_config(arxiv={"max_retries": 2})

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1].startswith("paperbot: error: arXiv's RSS feed for cs.CV answered HTTP 503")
    assert len(arxiv_fake.requests_to("/rss")) == 3  # one try and two retries, then it stops


def test_without_a_key_the_digest_builds_without_analyses(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    config = write_config(key=False)

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0, err
    assert "Analyses are off" in out and out.count("Analyses are off") == 1
    assert "**Analysis:**" not in out and "**Key Findings:**" in out and "**Abstract:**" in out
    assert llm_fake.calls == []


def test_date_that_is_neither_current_nor_stored(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    config = write_config()

    code, out, err = run(capsys, "digest", "--config", config, "--date", "2026-01-05")

    assert code == 2 and out == ""
    assert "2026-01-05 is neither arXiv's current announcement (2026-02-09) nor a stored day" in err
    assert llm_fake.calls == []


def test_chinese_output_keeps_the_seed_labels(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:3])
    config = write_config(llm={"language": "zh"})

    code, out, err = run(capsys, "digest", "--config", config)

    assert code == 0, err
    assert "**1. 论文的主要贡献（2-3句话）**" in out and "论文 2602.06959v1 提出了一种新方法" in out
    assert "**主要趋势与主题:**" in out and "本期 cs.CV 共公布 3 篇论文，精选 3 篇。" in out
    assert "**Key Findings:**" in out and "**Authors:**" in out
    assert all("Simplified Chinese" in call["messages"][0]["content"] for call in llm_fake.calls)


def test_out_writes_a_file(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    target = tmp_path / "out" / "digest.md"

    code, out, err = run(capsys, "digest", "--config", write_config(), "--out", target)

    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("time: 20260209")


def test_scores_are_stored_and_interests_pick_the_matching_papers(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, filler_items(12) + seed_items())
    config = write_config(digest={"max_papers": 3, "interests": "3D Gaussian splatting scene representation",
                                  "exclude": ["protein"]})

    code, out, err = run(capsys, "digest", "--config", config, "--no-llm")

    assert code == 0, err
    toc = out.split("## Table of Contents")[1].split("## Papers")[0]
    assert "GaussianPOP" in toc and "CineScene" in toc
    rows = list(Store(tmp_path / "paperbot.db").db.query("select * from scores order by rank"))
    assert len(rows) == 22 and [r["rank"] for r in rows[-3:]] == [1, 2, 3]
    assert any("matches" in r["reason"] for r in rows if r["rank"])


def test_changed_interests_rank_again_and_same_ones_reuse_the_ranking(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, filler_items(12) + seed_items())
    toc = lambda out: out.split("## Table of Contents")[1].split("## Papers")[0]  # noqa: E731

    first = run(capsys, "digest", "--config", write_config(digest={"max_papers": 1, "interests": "gaussian splatting"}), "--no-llm")
    again = run(capsys, "digest", "--config", write_config(digest={"max_papers": 1, "interests": "gaussian splatting"}), "--no-llm")
    other = run(capsys, "digest", "--config", write_config(digest={"max_papers": 1, "interests": "protein folding"}), "--no-llm")

    assert "GaussianPOP" in toc(first[1]) and toc(again[1]) == toc(first[1])
    assert "protein folding" in toc(other[1])
