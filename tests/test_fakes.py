"""The fakes themselves, driven by the real client libraries over loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time

import arxiv
import feedparser
import openai
import pytest
import requests

from tests.fakes.arxiv_fake import ApiPaper, FakeArxiv, FeedItem
from tests.fakes.llm_fake import FakeLLM, Reply

UTC = dt.timezone.utc
MONDAY = dt.date(2026, 2, 9)


@pytest.fixture
def fx_arxiv():
    with FakeArxiv() as fx:
        yield fx


@pytest.fixture
def fx_llm():
    with FakeLLM() as fx:
        yield fx


def arxiv_client(fx: FakeArxiv, **kwargs) -> arxiv.Client:
    client = arxiv.Client(delay_seconds=0, num_retries=kwargs.pop("num_retries", 0), **kwargs)
    client.query_url_format = f"{fx.url}/api/query?{{}}"
    return client


def rss(fx: FakeArxiv, cats: str) -> feedparser.FeedParserDict:
    resp = requests.get(f"{fx.url}/rss/{cats}", timeout=5)
    assert resp.status_code == 200
    return feedparser.parse(resp.content)


# -- arXiv RSS -----------------------------------------------------------------


def test_rss_feed_as_feedparser_sees_it(fx_arxiv):
    fx_arxiv.add_day("cs.CV", MONDAY, [
        FeedItem("2602.06959", title="Seeing <in> 3D & more", abstract='x<y & "z"',
                 authors=["Ann One", "Bo Two"], categories=["cs.CV", "cs.RO"]),
        FeedItem("2601.00001", 3, title="Old", abstract="a", authors=["C"],
                 announce_type="replace-cross"),
    ])
    feed = rss(fx_arxiv, "cs.CV")

    assert not feed.bozo
    assert feed.feed["title"] == "cs.CV updates on arXiv.org"
    assert feed.feed["published"] == "Mon, 09 Feb 2026 00:00:00 -0500"
    assert tuple(feed.feed["published_parsed"])[:4] == (2026, 2, 9, 5)  # UTC
    first, second = feed.entries
    assert first["id"] == "oai:arXiv.org:2602.06959v1"
    assert first["link"] == "https://arxiv.org/abs/2602.06959"
    assert first["title"] == "Seeing <in> 3D & more"
    assert first["summary"] == 'arXiv:2602.06959v1 Announce Type: new \nAbstract: x<y & "z"'
    assert first["arxiv_announce_type"] == "new"
    assert first["author"] == "Ann One, Bo Two"
    assert first["authors"] == [{"name": "Ann One, Bo Two"}]
    assert [t["term"] for t in first["tags"]] == ["cs.CV", "cs.RO"]
    assert first["rights"].startswith("http://arxiv.org/licenses/")
    assert first["published"] == feed.feed["published"]
    # An item without categories takes the feed's own category.
    assert second["arxiv_announce_type"] == "replace-cross"
    assert second["id"].endswith("2601.00001v3")
    assert [t["term"] for t in second["tags"]] == ["cs.CV"]


def test_rss_union_empty_day_unknown_and_malformed(fx_arxiv):
    fx_arxiv.set_feed("cs.CV", MONDAY, [FeedItem("2602.1", title="cv"), FeedItem("2602.2")])
    fx_arxiv.set_feed("cs.RO", dt.date(2026, 2, 8), [FeedItem("2602.2", title="ro dup"),
                                                     FeedItem("2602.3", title="ro")])
    both = rss(fx_arxiv, "cs.CV+cs.RO")
    assert [e["id"][-8:] for e in both.entries] == ["2602.1v1", "2602.2v1", "2602.3v1"]
    assert both.feed["published"].startswith("Mon, 09 Feb 2026")  # the first category's date

    fx_arxiv.set_feed("cs.CV", dt.date(2026, 2, 14), [])  # a Saturday: nothing announced
    empty = rss(fx_arxiv, "cs.CV")
    assert not empty.bozo and empty.entries == []
    assert empty.feed["published"].startswith("Sat, 14 Feb 2026")

    unknown = rss(fx_arxiv, "math.XX")
    assert not unknown.bozo and unknown.entries == [] and "published" not in unknown.feed

    fx_arxiv.set_malformed("cs.RO")
    broken = requests.get(f"{fx_arxiv.url}/rss/cs.RO", timeout=5)
    assert broken.status_code == 200
    assert feedparser.parse(broken.content).bozo  # entries may still be partly parsed


def test_feedparser_keeps_abstracts_verbatim_only_when_told(fx_arxiv):
    abstract = "Bounds $p<q$ hold & <b>x</b> <script>y</script> <https://e|arxiv.org> end"
    fx_arxiv.set_feed("cs.CV", MONDAY, [FeedItem("2602.1", abstract=abstract)])
    raw = requests.get(f"{fx_arxiv.url}/rss/cs.CV", timeout=5).content
    default = feedparser.parse(raw).entries[0]["summary"]
    verbatim = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    assert not default.endswith(abstract)  # the HTML sanitizer ate part of it
    assert verbatim.entries[0]["summary"].endswith("\nAbstract: " + abstract)


# -- arXiv API -----------------------------------------------------------------


def test_api_with_the_real_arxiv_client(fx_arxiv):
    fx_arxiv.add_paper(ApiPaper(
        "2602.06959", version=3, title="A & B", abstract="Abs <tract>.",
        authors=["Ann One", "Bo Two"], categories=["cs.LG", "cs.CV"], primary_category="cs.CV",
        published=dt.datetime(2026, 2, 6, 18, 30), updated=dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        comment="12 pages, 4 figures",
    ))
    fx_arxiv.add_day("cs.CV", MONDAY, [FeedItem("2602.07000", title="Fresh", authors=["C"])])

    ids = ["2602.06959v2", "2602.07000", "2609.99999", "2602.07000v4"]  # unknown / absent version
    results = list(arxiv_client(fx_arxiv).results(arxiv.Search(id_list=ids)))

    assert [r.get_short_id() for r in results] == ["2602.06959v2", "2602.07000v1"]
    paper = results[0]
    assert paper.entry_id == "http://arxiv.org/abs/2602.06959v2"
    assert paper.pdf_url == "http://arxiv.org/pdf/2602.06959v2"
    assert (paper.title, paper.summary) == ("A & B", "Abs <tract>.")
    assert [a.name for a in paper.authors] == ["Ann One", "Bo Two"]
    assert paper.primary_category == "cs.CV" and paper.categories == ["cs.LG", "cs.CV"]
    assert paper.comment == "12 pages, 4 figures"
    assert paper.published == dt.datetime(2026, 2, 6, 18, 30, tzinfo=UTC)
    assert paper.updated == dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    fresh = results[1]
    assert fresh.comment is None and fresh.primary_category == "cs.CV"
    assert fresh.published == dt.datetime(2026, 2, 8, 18, 0, tzinfo=UTC)  # add_day's default
    (req,) = fx_arxiv.requests
    assert req.path == "/api/query" and req.query["id_list"] == [",".join(ids)]


def test_api_pages_and_search_query(fx_arxiv):
    for n in range(5):
        fx_arxiv.add_paper(ApiPaper(f"2602.0000{n}", title=f"P{n}",
                                    categories=["cs.RO" if n % 2 else "cs.CV"],
                                    published=dt.datetime(2026, 2, 1 + n, tzinfo=UTC)))
    client = arxiv_client(fx_arxiv, page_size=2)
    ids = [f"2602.0000{n}" for n in range(5)]
    got = [r.title for r in client.results(arxiv.Search(id_list=ids, max_results=None))]
    assert got == ["P0", "P1", "P2", "P3", "P4"]
    assert [r.query["start"] for r in fx_arxiv.requests] == [["0"], ["2"], ["4"]]

    newest_first = client.results(arxiv.Search(query="cat:cs.CV", max_results=None))
    assert [r.title for r in newest_first] == ["P4", "P2", "P0"]
    assert requests.get(f"{fx_arxiv.url}/api/query?search_query=cat:cs.CV OR x",
                        timeout=5).status_code == 400  # unsupported syntax is refused


def test_fail_next_scripts_errors(fx_arxiv):
    fx_arxiv.add_paper(ApiPaper("2602.00001"))
    fx_arxiv.fail_next("/api/", 503, count=1)
    with pytest.raises(arxiv.HTTPError) as err:
        list(arxiv_client(fx_arxiv).results(arxiv.Search(id_list=["2602.00001"])))
    assert err.value.status == 503

    fx_arxiv.fail_next("/api/", 500, count=1)
    retried = list(arxiv_client(fx_arxiv, num_retries=1).results(arxiv.Search(id_list=["2602.00001"])))
    assert len(retried) == 1 and len(fx_arxiv.requests) == 3

    fx_arxiv.fail_next("/rss/", 429, headers={"Retry-After": "7"}, body=b"slow down")
    limited = requests.get(f"{fx_arxiv.url}/rss/cs.CV", timeout=5)
    assert (limited.status_code, limited.headers["retry-after"], limited.content) == (
        429, "7", b"slow down")
    assert requests.get(f"{fx_arxiv.url}/rss/cs.CV", timeout=5).status_code == 200


# -- LLM -----------------------------------------------------------------------


def chat(client: openai.OpenAI, content: str = "hi", **kwargs):
    return client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": content}], **kwargs)


def test_llm_normal_call_is_recorded(fx_llm):
    fx_llm.responder = lambda req: f'{{"echo": "{req["messages"][-1]["content"]}"}}'
    client = openai.OpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=0)
    done = chat(client, "x" * 40, temperature=0)

    assert done.object == "chat.completion" and done.model == "gpt-test"
    assert done.choices[0].message.content == '{"echo": "' + "x" * 40 + '"}'
    assert done.choices[0].finish_reason == "stop"
    # Tokens are estimated as len(text) // 4: 40 chars of prompt, 52 of answer.
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (10, 13)
    assert fx_llm.calls == [{"model": "gpt-test", "temperature": 0,
                             "messages": [{"role": "user", "content": "x" * 40}]}]
    assert fx_llm.requests[0].headers["authorization"] == "Bearer test"


def test_llm_rate_limit_is_retried_then_answers(fx_llm):
    fx_llm.script(Reply.rate_limited(), Reply("second", finish_reason="length"))
    client = openai.OpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=2)
    started = time.monotonic()
    done = chat(client)
    assert time.monotonic() - started < 0.4  # retry-after-ms honoured, no 0.5 s backoff
    assert done.choices[0].message.content == "second"
    assert done.choices[0].finish_reason == "length"
    assert len(fx_llm.calls) == 2
    assert chat(client).choices[0].message.content == "{}"  # script used up: responder


def test_llm_insufficient_quota_surfaces_its_code(fx_llm):
    fx_llm.script(Reply.insufficient_quota())
    client = openai.OpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=0)
    with pytest.raises(openai.RateLimitError) as err:
        chat(client)
    assert err.value.status_code == 429
    assert err.value.code == "insufficient_quota" and err.value.type == "insufficient_quota"
    assert err.value.body["code"] == "insufficient_quota"


def test_llm_fail_next_and_server_errors(fx_llm):
    fx_llm.fail_next("/v1/chat", 503, headers={"retry-after-ms": "1"})
    client = openai.OpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=1)
    assert chat(client).choices[0].message.content == "{}"
    fx_llm.script(Reply.server_error())
    with pytest.raises(openai.InternalServerError):
        chat(client.with_options(max_retries=0))
    assert len(fx_llm.calls) == 3


def test_llm_stream_with_usage(fx_llm):
    fx_llm.responder = lambda req: Reply("streamed text", finish_reason="length")
    client = openai.OpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=0)
    chunks = list(chat(client, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "streamed text"
    assert [c.choices[0].finish_reason for c in chunks if c.choices] == [None, "length"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3


async def test_llm_async_requests_overlap(fx_llm):
    n = 6
    barrier = threading.Barrier(n, timeout=5)

    def responder(req):
        barrier.wait()  # only returns once all n requests are in flight together
        return "ok"

    fx_llm.responder = responder
    fx_llm.latency_s = 0.005
    client = openai.AsyncOpenAI(base_url=fx_llm.base_url, api_key="test", max_retries=0)
    try:
        answers = await asyncio.gather(*(
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "q"}])
            for _ in range(n)))
    finally:
        await client.close()
    assert [a.choices[0].message.content for a in answers] == ["ok"] * n
    assert fx_llm.max_concurrent == n


# -- network guard ---------------------------------------------------------------


async def test_guard_refuses_everything_but_loopback(fx_llm):
    with pytest.raises(RuntimeError, match="test tried to reach example.org"):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(RuntimeError, match="203.0.113.9"):
        socket.create_connection(("203.0.113.9", 80), timeout=0.1)
    with pytest.raises(RuntimeError, match="203.0.113.9"):  # asyncio skips getaddrinfo for IPs
        await asyncio.open_connection("203.0.113.9", 80)
    # The clients let the RuntimeError through unwrapped (it is no OSError).
    with pytest.raises(RuntimeError, match="export.arxiv.org"):
        requests.get("https://export.arxiv.org/api/query", timeout=0.1)
    with pytest.raises(RuntimeError, match="api.openai.com"):
        chat(openai.OpenAI(api_key="x", max_retries=2))
    remote = openai.AsyncOpenAI(api_key="x", max_retries=2)
    with pytest.raises(RuntimeError, match="test tried to reach api.openai.com"):
        await remote.chat.completions.create(model="m", messages=[])
    await remote.close()
    # Loopback by name and by address still works.
    for host in ("localhost", "127.0.0.1"):
        port = fx_llm.url.rsplit(":", 1)[1]
        assert requests.get(f"http://{host}:{port}/v1/models", timeout=5).status_code == 200
