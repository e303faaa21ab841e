"""`paperbot paper ID`: the quick analysis of one paper, stored or fetched by id."""

import datetime as dt

from testkit.samples import DAY, seed_items
from testkit.arxiv_fake import ApiPaper
from tests.test_digest import run


def test_a_paper_not_stored_is_fetched_by_id(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_paper(ApiPaper("2602.12281", version=2, title="Fetched paper", abstract="We propose a fetch.",
                                  authors=["A. Author"], published=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)))
    config = write_config()

    code, out, err = run(capsys, "paper", "--config", config, "https://arxiv.org/abs/2602.12281")

    assert code == 0, err
    assert "## [Fetched paper](https://arxiv.org/abs/2602.12281v2)" in out
    assert "**Published:** 2026-02-01" in out and "Paper 2602.12281v2 proposes a new method." in out
    assert arxiv_fake.requests_to("/api/query")[0].query["id_list"] == ["2602.12281"]

    again = run(capsys, "paper", "--config", config, "arXiv:2602.12281")
    assert again[1] == out
    assert len(arxiv_fake.requests_to("/api/query")) == 1 and len(llm_fake.calls) == 1


def test_a_paper_of_a_digest_reuses_its_analysis(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    config = write_config()
    assert run(capsys, "digest", "--config", config)[0] == 0
    calls, api = len(llm_fake.calls), len(arxiv_fake.requests_to("/api/query"))

    code, out, err = run(capsys, "paper", "--config", config, "2602.06959")

    assert code == 0, err
    assert "CineScene" in out and "Paper 2602.06959v1 proposes a new method." in out
    assert len(llm_fake.calls) == calls and len(arxiv_fake.requests_to("/api/query")) == api


def test_invalid_id(arxiv_fake, llm_fake, write_config, capsys):
    code, out, err = run(capsys, "paper", "--config", write_config(), "not-an-id")

    assert code == 2 and out == ""
    assert err.strip() == ("paperbot: error: 'not-an-id' is not an arXiv id; use a form like 2602.12281, "
                           "2602.12281v2, arXiv:2602.12281, an arxiv.org/abs or /pdf URL, or hep-th/9901001.")
    assert arxiv_fake.requests == []


def test_unknown_paper(arxiv_fake, llm_fake, write_config, capsys):
    code, out, err = run(capsys, "paper", "--config", write_config(), "2602.99999")

    assert code == 1 and out == ""
    assert "arXiv has no paper 2602.99999" in err and "Traceback" not in err


def test_without_a_key_the_paper_is_shown_without_analysis(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_paper(ApiPaper("2602.12281", title="Fetched paper", abstract="We propose a fetch."))

    code, out, err = run(capsys, "paper", "--config", write_config(key=False), "2602.12281")

    assert code == 0, err
    assert "Fetched paper" in out and "Analyses are off" in out and llm_fake.calls == []
