"""The fakes themselves, driven by the real client libraries over loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import socket
import threading
import time
from io import BytesIO

import feedparser
import openai
import pytest
import requests
from bs4 import BeautifulSoup
from pypdf import PdfReader

from bot.arxiv.metadata import fetch_metadata
from testkit.arxiv_fake import ApiPaper, FakeArxiv, FeedItem
from testkit.llm_fake import FakeLLM, Reply
from testkit.paper_docs import HEADER, INJECTION, latexml_html, long_doc, markers_in, render_pdf, sample_doc

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


def test_api_as_the_metadata_client_reads_it(fx_arxiv):
    # paperbot reads the API with requests + feedparser (bot.arxiv.metadata), as it reads the feeds.
    fx_arxiv.add_paper(ApiPaper(
        "2602.06959", version=3, title="A & B", abstract="Abs <tract>.",
        authors=["Ann One", "Bo Two"], categories=["cs.LG", "cs.CV"], primary_category="cs.CV",
        published=dt.datetime(2026, 2, 6, 18, 30), updated=dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        comment="12 pages, 4 figures",
    ))
    fx_arxiv.add_day("cs.CV", MONDAY, [FeedItem("2602.07000", title="Fresh", authors=["C"])])

    ids = ["2602.06959v2", "2602.07000", "2609.99999", "2602.07000v4"]  # unknown / absent version
    found = fetch_metadata(requests.Session(), f"{fx_arxiv.url}/api/query", ids)

    assert sorted(found) == ["2602.06959", "2602.07000"]
    paper = found["2602.06959"]
    assert paper.version == 2 and paper.pdf_url == "http://arxiv.org/pdf/2602.06959v2"
    assert (paper.title, paper.abstract) == ("A & B", "Abs <tract>.")
    assert paper.authors == ("Ann One", "Bo Two") and paper.categories == ("cs.LG", "cs.CV")
    assert paper.primary_category == "cs.CV" and paper.comment == "12 pages, 4 figures"
    assert (paper.published, paper.updated) == ("2026-02-06", "2026-03-01")
    fresh = found["2602.07000"]
    assert fresh.comment is None and fresh.primary_category == "cs.CV" and fresh.version == 1
    assert fresh.published == "2026-02-08"  # add_day's default: the day before the announcement
    (req,) = fx_arxiv.requests
    assert req.path == "/api/query" and req.query["id_list"] == [",".join(ids)]
    answer = requests.get(f"{fx_arxiv.url}/api/query", params={"id_list": ",".join(ids)}, timeout=5)
    assert feedparser.parse(answer.content).feed["opensearch_totalresults"] == "2"  # only the entries found


def test_api_answers_id_lists_only(fx_arxiv):
    # What paperbot never asks (a search, a second page) is refused, so no test relies on it.
    for query in ("search_query=cat:cs.CV", "id_list=2602.00001&start=2", ""):
        assert requests.get(f"{fx_arxiv.url}/api/query?{query}", timeout=5).status_code == 400


def test_fail_next_scripts_errors(fx_arxiv):
    fx_arxiv.add_paper(ApiPaper("2602.00001"))
    fx_arxiv.fail_next("/api/", 503, count=1)
    assert requests.get(f"{fx_arxiv.url}/api/query?id_list=2602.00001", timeout=5).status_code == 503
    assert requests.get(f"{fx_arxiv.url}/api/query?id_list=2602.00001", timeout=5).status_code == 200

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
        assert requests.post(f"http://{host}:{port}/v1/chat/completions", json={"messages": []},
                             timeout=5).status_code == 200


# -- arXiv full texts (HTML and PDF) -----------------------------------------------------


def get(fx: FakeArxiv, path: str) -> requests.Response:
    return requests.get(f"{fx.url}{path}", timeout=5)


def test_full_text_routes_by_base_versioned_and_old_style_id(arxiv_fake):
    html = latexml_html(sample_doc())
    arxiv_fake.set_html("2602.12281", html)
    arxiv_fake.set_html("2602.12281v2", "<p>v2</p>")
    base = get(arxiv_fake, "/html/2602.12281")
    assert base.status_code == 200 and base.headers["content-type"] == "text/html; charset=utf-8"
    assert base.text == html  # a base request takes the base entry before any version
    assert get(arxiv_fake, "/html/2602.12281v2").text == "<p>v2</p>"
    assert get(arxiv_fake, "/html/2602.12281v1").text == html  # no v1 entry: the base one

    arxiv_fake.set_pdf("2602.11111v1", b"%PDF-one")
    arxiv_fake.set_pdf("2602.11111v3", b"%PDF-three")
    latest = get(arxiv_fake, "/pdf/2602.11111")
    assert (latest.status_code, latest.content) == (200, b"%PDF-three")  # the highest version set
    assert latest.headers["content-type"] == "application/pdf"
    assert get(arxiv_fake, "/pdf/2602.11111v1.pdf").content == b"%PDF-one"
    assert get(arxiv_fake, "/pdf/2602.11111v2").status_code == 404  # neither v2 nor a base entry

    arxiv_fake.set_pdf("hep-th/9901001v1", b"%PDF-old")
    for path in ("/pdf/hep-th/9901001v1", "/pdf/hep-th/9901001", "/pdf/hep-th%2F9901001v1"):
        assert get(arxiv_fake, path).content == b"%PDF-old", path
    assert get(arxiv_fake, "/html/hep-th/9901001v1").status_code == 404
    assert len(arxiv_fake.requests_to("/pdf/")) == 6 and len(arxiv_fake.requests_to("/html/")) == 4


def test_full_text_404s_withdrawn_and_scripted_failures(arxiv_fake):
    unknown = get(arxiv_fake, "/html/2609.99999")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    assert "No HTML for '2609.99999'" in unknown.text
    assert "Article identifier '2609.99999v2' not recognized" in get(arxiv_fake, "/pdf/2609.99999v2").text

    arxiv_fake.set_html("2602.12281", "<p>x</p>")
    arxiv_fake.set_pdf("2602.12281", b"%PDF-x")
    arxiv_fake.withdraw("2602.12281")
    for path in ("/html/2602.12281", "/pdf/2602.12281v1", "/pdf/2602.12281"):
        gone = get(arxiv_fake, path)
        assert gone.status_code == 404 and "withdrawn" in gone.text, path

    arxiv_fake.set_pdf("2602.22222v1", b"%PDF-1")
    arxiv_fake.set_pdf("2602.22222v2", b"%PDF-2")
    arxiv_fake.withdraw("2602.22222v2")  # one version only
    assert get(arxiv_fake, "/pdf/2602.22222v2").status_code == 404
    assert get(arxiv_fake, "/pdf/2602.22222").status_code == 404  # the latest is the withdrawn one
    assert get(arxiv_fake, "/pdf/2602.22222v1").content == b"%PDF-1"

    arxiv_fake.fail_next("/pdf/2602.22222", 500)  # fail_next scripts one paper's text by path
    assert get(arxiv_fake, "/pdf/2602.22222v1").status_code == 500
    assert get(arxiv_fake, "/pdf/2602.22222v1").status_code == 200


def test_latexml_html_shape_markers_and_injection():
    doc = sample_doc(injection=True)
    soup = BeautifulSoup(latexml_html(doc), "html.parser")
    assert soup.select("header.desktop_header") and soup.select("nav.ltx_page_navbar a")
    assert soup.select("footer.ltx_page_footer") and soup.find("script") and soup.find("style")
    article = soup.find("article", class_="ltx_document")
    assert article.find("h1", class_="ltx_title_document").get_text() == doc.title
    assert "mkabs" in article.select_one("div.ltx_abstract p.ltx_p").get_text()
    titles = [h.get_text() for h in article.select("h2.ltx_title, h3.ltx_title")]
    assert titles == ["1 Introduction", "2 Related Work", "3 Method", "3.1 Boundary-Guided Encoder",
                      "3.2 Training Objective", "4 Experiments", "5 Conclusion", "Acknowledgements",
                      "References", "Appendix A Proofs"]
    assert article.select_one("#S3 > #S3\\.SS1 > div.ltx_para > p.ltx_p") is not None  # subsections nest
    formula = article.find("math", alttext=r"L=\|x-y\|^{2}")
    assert formula.find("annotation", encoding="application/x-tex").get_text() == r"L=\|x-y\|^{2}"
    assert article.select_one("figure.ltx_figure figcaption").get_text().startswith("Figure 1: ")
    table = article.select_one("#S4 figure.ltx_table")
    assert [td.get_text() for td in table.select("tr")[-1].find_all("td")] == ["BAF (ours)", "MiT-B2", "47.3", "28.9"]
    assert "github.com" in article.select_one("#S1 span.ltx_note.ltx_role_footnote").get_text()
    assert len(article.select("section.ltx_bibliography li.ltx_bibitem")) == len(doc.references) >= 15
    assert article.select_one("section.ltx_appendix#A1") is not None
    # Every section's marker is in its first paragraph; markers appear once each, in order.
    assert markers_in(article.get_text(" ")) == list(doc.markers().values())
    assert doc.marker("Method") == doc.marker("3 Method") == "mkmethod"
    assert markers_in(article.select_one("#S3\\.SS2 > div.ltx_para").get_text()) == ["mkloss"]
    assert INJECTION in article.select_one("#S3").get_text()
    assert "PWNED" not in latexml_html(sample_doc())


@pytest.fixture(scope="module")
def sample_render():
    return render_pdf(sample_doc())


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def test_sample_pdf_as_pypdf_reads_it(sample_render):
    pages = pdf_pages(sample_render.data)
    assert 5 <= len(pages) == sample_render.pages <= 8
    for number, text in enumerate(pages, 1):
        lines = text.splitlines()
        assert lines[0] == HEADER
        assert str(number) in lines[-2:]  # page 1 ends with arXiv's stamp after its number
    whole = "\n".join(pages)
    assert "\nReferences\n" in whole and "\n[18] " in whole and "\n3.1 Boundary-Guided Encoder\n" in whole
    head, tail = sample_render.hyphenated[0]
    assert f"{head}\n{tail}" in whole  # a word hyphenated across a line break
    assert "L = ||x - y||^2" in whole and "\nBAF (ours) MiT-B2 47.3 28.9\n" in whole
    # The left column comes out before the right one, and the markers in document order.
    page = next(i for i, (left, right) in enumerate(sample_render.columns) if left and right and i > 0)
    left, right = sample_render.columns[page]
    assert pages[page].index(left[-1]) < pages[page].index(right[0])
    assert markers_in(re.sub(r"-\n", "", whole)) == list(sample_doc().markers().values())


def test_long_doc_is_long_varied_and_deterministic():
    doc = long_doc()
    assert 15_000 <= doc.word_count() <= 18_000  # ~550 words for each of 30 pages
    assert len(doc.full_text().encode()) / 3.5 > 2 * 12_000  # far over a 12,000-token budget
    assert len(doc.references) == 60 and len(doc.appendix) >= 3
    sentences = re.split(r"(?<=\.) ", " ".join(p for _, s, _ in doc.outline() for p in s.paragraphs))
    assert len(set(sentences)) > 0.5 * len(sentences) > 400
    markers = list(doc.markers().values())
    assert len(set(markers)) == len(markers) and not any(a in b for a in markers for b in markers if a != b)
    assert long_doc() == doc

    render = render_pdf(doc)
    pages = pdf_pages(render.data)
    assert 28 <= len(pages) <= 34
    assert all(text.splitlines()[0] == HEADER for text in pages)
    words = sum(len(text.split()) for text in pages)
    assert 0.97 * doc.word_count() < words < 1.06 * doc.word_count()  # + headers, page numbers, split words
    assert render_pdf(doc).data == render.data
