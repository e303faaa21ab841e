"""A fake arXiv: the RSS announcement feed, the Atom query API and papers' full texts, on 127.0.0.1.

    with FakeArxiv() as fx:
        fx.add_day("cs.CV", date(2026, 2, 9), [FeedItem("2602.06959", title="T", ...)])
        feed = feedparser.parse(requests.get(f"{fx.url}/rss/cs.CV").content)
        found = fetch_metadata(requests.Session(), f"{fx.url}/api/query", ["2602.06959"])  # bot.arxiv.metadata

What feedparser 6.0.14 exposes for this RSS (observed with the real library,
see tests/test_fakes.py::test_rss_feed_as_feedparser_sees_it):

    feed.feed["title"]               "cs.CV updates on arXiv.org"
    feed.feed["published"]           channel <pubDate>, "Mon, 09 Feb 2026 00:00:00 -0500"
    feed.feed["published_parsed"]    time.struct_time in UTC (2026-02-09 05:00:00)
    feed.feed["updated"]             channel <lastBuildDate> (also "updated_parsed")
    entry["title"]                   <title>
    entry["link"]                    "https://arxiv.org/abs/2602.06959" (no version)
    entry["id"]                      guid "oai:arXiv.org:2602.06959v1"
                                     (entry["guidislink"] is False)
    entry["summary"]                 <description>, "arXiv:2602.06959v1 Announce Type:
                                     new \nAbstract: ..." (also entry["description"])
    entry["arxiv_announce_type"]     "new" | "cross" | "replace" | "replace-cross"
    entry["author"]                  dc:creator as ONE string "A, B, C"; also
                                     entry["authors"] == [{"name": "A, B, C"}]: the
                                     list is not split, split on ", " yourself
    entry["tags"]                    [{"term": "cs.CV", "scheme": None, "label": None}, ...]
                                     one per <category>, in document order
    entry["rights"]                  dc:rights
    entry["published"]               item <pubDate> (same as the channel's)
    feed.bozo                        False for a good feed (also an empty channel);
                                     1 with bozo_exception (SAXParseException) for
                                     set_malformed(); entries parsed before the cut
                                     are still returned, so check bozo, not length
    feed.feed["author"]              is the channel's managingEditor (rss-help@arxiv.org)
    no "published" in feed.feed      for an unknown category or set_feed(cat, None, ...)

Careful: by default feedparser treats <description> as HTML, so an abstract
containing "<" ("$p<q$ and ...") comes back mangled and <script>-like text
dropped. feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
returns the text verbatim (as xml.etree does).

Full texts (see testkit/paper_docs.py for documents to serve):

    fx.set_html("2602.12281", latexml_html(doc))    # GET /html/2602.12281[v1]
    fx.set_pdf("2602.12281v2", two_column_pdf(doc))  # GET /pdf/2602.12281v2 (also .../2602.12281v2.pdf)

An id may be base or versioned, old-style ones included (hep-th/9901001v1).
A versioned request gets its own version's entry, else the base entry; a base
request gets the base entry, else the highest version set. Anything else is a
404 with a small HTML page, as is everything of a `withdraw()`n paper. To make
one paper's text fail, script it by path: fx.fail_next("/pdf/2602.12281", 500, count=9).

The API entries follow export.arxiv.org's classic Atom layout (paperbot reads them with
feedparser). It answers id_list lookups only, as paperbot asks: a search_query or a second page
(start > 0) is a 400. Well-formed ids the fake does not know are absent from the answer, and
totalResults counts only the entries found (the real API has at times counted the missing ids
too; `count_missing_ids = True` does that).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field, replace
from email.utils import format_datetime
from urllib.parse import unquote
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from .server import FakeServer, Recorded, Response

__all__ = ["ApiPaper", "FakeArxiv", "FeedItem"]

EASTERN = ZoneInfo("America/New_York")  # arXiv dates its announcements in US Eastern
UTC = dt.timezone.utc
DEFAULT_RIGHTS = "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
_ID_RE = re.compile(r"^(?P<base>.+?)(?:v(?P<version>\d+))?$")


@dataclass
class FeedItem:
    """One item of a day's RSS announcement. `id` is the base id, no version."""

    id: str
    version: int = 1
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # empty: the feed's category
    announce_type: str = "new"  # new | cross | replace | replace-cross


@dataclass
class ApiPaper:
    """One paper as the API knows it. Naive datetimes are taken as UTC."""

    id: str
    version: int = 1
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=lambda: ["cs.CV"])
    primary_category: str | None = None  # None: the first category
    published: dt.datetime = dt.datetime(2026, 2, 6, 18, 0, tzinfo=UTC)
    updated: dt.datetime | None = None  # None: same as published
    comment: str | None = None


@dataclass
class _Feed:
    date: dt.date | None
    items: list[FeedItem]
    malformed: bool = False


def split_id(raw: str) -> tuple[str, int | None]:
    """'2602.06959v2' -> ('2602.06959', 2); '2602.06959' -> ('2602.06959', None)."""
    m = _ID_RE.match(raw.strip())
    assert m is not None
    version = m.group("version")
    return m.group("base"), int(version) if version else None


def _rfc822(day: dt.date) -> str:
    return format_datetime(dt.datetime(day.year, day.month, day.day, tzinfo=EASTERN))


def _not_found(kind: str, raw: str, *, withdrawn: bool) -> Response:
    """A 404 page shaped like arXiv's (a small HTML document)."""
    if withdrawn:
        message = f"Article {raw} has been withdrawn"
    elif kind == "html":
        message = f"No HTML for '{raw}'"
    else:
        message = f"Article identifier '{raw}' not recognized"
    page = (f"<!DOCTYPE html>\n<html><head><title>{escape(message)}</title></head>\n<body><h1>{escape(message)}"
            f"</h1>\n<p>Return to the <a href=\"https://arxiv.org/\">arXiv homepage</a>.</p></body></html>\n")
    return Response(404, page.encode(), content_type="text/html; charset=utf-8")


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tag(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


class FakeArxiv(FakeServer):
    """RSS at /rss/<cat>[+<cat>...], the API at /api/query, full texts at /html/<id> and /pdf/<id>."""

    def __init__(self) -> None:
        super().__init__()
        self.count_missing_ids = False  # True: totalResults counts ids it has no entry for
        self._data_lock = threading.Lock()
        self._feeds: dict[str, _Feed] = {}
        self._papers: dict[str, ApiPaper] = {}
        # "html" | "pdf" -> (base id, version or None) -> the document
        self._texts: dict[str, dict[tuple[str, int | None], bytes]] = {"html": {}, "pdf": {}}
        self._withdrawn: set[tuple[str, int | None]] = set()

    # -- test data -----------------------------------------------------------
    def set_feed(self, category: str, date: dt.date | None, items: list[FeedItem]) -> None:
        """Set what /rss/<category> serves. `date` None: a channel without pubDate."""
        items = [
            item if item.categories else replace(item, categories=[category]) for item in items
        ]
        with self._data_lock:
            malformed = category in self._feeds and self._feeds[category].malformed
            self._feeds[category] = _Feed(date, items, malformed)

    def set_malformed(self, category: str, malformed: bool = True) -> None:
        """Serve a truncated XML document (still status 200) for this category."""
        with self._data_lock:
            feed = self._feeds.setdefault(category, _Feed(None, []))
            feed.malformed = malformed

    def add_paper(self, paper: ApiPaper) -> None:
        """Register (or replace) a paper for the API, keyed by its base id."""
        with self._data_lock:
            self._papers[split_id(paper.id)[0]] = paper

    def add_day(
        self, category: str, date: dt.date, items: list[FeedItem], api: bool = True
    ) -> None:
        """set_feed() and, with api=True, add_paper() for every item.

        Papers get plausible dates: submitted the day before the announcement
        at 18:00 UTC; a version > 1 was first published 30 days earlier.
        """
        self.set_feed(category, date, items)
        if not api:
            return
        submitted = dt.datetime.combine(date - dt.timedelta(days=1), dt.time(18), tzinfo=UTC)
        for item in items:
            first = submitted if item.version == 1 else submitted - dt.timedelta(days=30)
            self.add_paper(
                ApiPaper(
                    id=item.id,
                    version=item.version,
                    title=item.title,
                    abstract=item.abstract,
                    authors=list(item.authors),
                    categories=list(item.categories or [category]),
                    published=first,
                    updated=submitted,
                )
            )

    def set_html(self, arxiv_id: str, html: str | bytes) -> None:
        """Serve `html` at /html/<arxiv_id> (base or versioned id, see the module docstring)."""
        self._set_text("html", arxiv_id, html.encode() if isinstance(html, str) else html)

    def set_pdf(self, arxiv_id: str, pdf: bytes) -> None:
        """Serve `pdf` at /pdf/<arxiv_id> (base or versioned id, see the module docstring)."""
        self._set_text("pdf", arxiv_id, pdf)

    def withdraw(self, arxiv_id: str) -> None:
        """404 for this paper's HTML and PDF, whatever was set: every version for a base id, else that version."""
        with self._data_lock:
            self._withdrawn.add(split_id(arxiv_id))

    def _set_text(self, kind: str, arxiv_id: str, data: bytes) -> None:
        with self._data_lock:
            self._texts[kind][split_id(arxiv_id)] = data

    # -- HTTP ------------------------------------------------------------------
    def route(self, req: Recorded) -> Response:
        if req.method == "GET" and req.path.startswith("/rss/"):
            return self._rss(unquote(req.path[len("/rss/"):]))
        if req.method == "GET" and req.path == "/api/query":
            return self._api(req.query)
        kind, _, raw = req.path.lstrip("/").partition("/")
        if req.method in ("GET", "HEAD") and kind in self._texts and raw:
            return self._full_text(kind, unquote(raw))
        return Response(404, b"Not Found")

    # -- full texts ----------------------------------------------------------------
    def _full_text(self, kind: str, raw: str) -> Response:
        raw = raw.rstrip("/").removesuffix(".pdf") if kind == "pdf" else raw.rstrip("/")
        data, withdrawn = self._lookup(kind, raw)
        if data is None or withdrawn:
            return _not_found(kind, raw, withdrawn=withdrawn)
        ctype = "text/html; charset=utf-8" if kind == "html" else "application/pdf"
        return Response(200, data, content_type=ctype)

    def _lookup(self, kind: str, raw: str) -> tuple[bytes | None, bool]:
        """(the document set for `raw` or None, whether that paper or version is withdrawn)."""
        base, version = split_id(raw)
        with self._data_lock:
            entries, withdrawn = dict(self._texts[kind]), set(self._withdrawn)
        if version is not None:
            key = (base, version) if (base, version) in entries else (base, None)
        else:
            versions = [v for b, v in entries if b == base and v is not None]
            key = (base, None) if (base, None) in entries or not versions else (base, max(versions))
        gone = (base, None) in withdrawn or (base, version or key[1]) in withdrawn
        return entries.get(key), gone

    # -- RSS ---------------------------------------------------------------------
    def _rss(self, spec: str) -> Response:
        cats = [c for c in spec.split("+") if c]
        with self._data_lock:
            feeds = [self._feeds.get(c) for c in cats]
        date = feeds[0].date if feeds and feeds[0] else None
        items: list[FeedItem] = []
        seen: set[str] = set()
        for feed in feeds:  # union across categories, first occurrence wins
            for item in feed.items if feed else []:
                if item.id not in seen:
                    seen.add(item.id)
                    items.append(item)
        doc = self._rss_document(spec, date, items)
        if any(f is not None and f.malformed for f in feeds):
            doc = doc[: len(doc) // 2]  # cut mid-document, like a dropped connection
        return Response(200, doc.encode(), content_type="application/rss+xml; charset=utf-8")

    def _rss_document(self, spec: str, date: dt.date | None, items: list[FeedItem]) -> str:
        link = f"http://rss.arxiv.org/rss/{spec}"
        built = dt.datetime.now(UTC)
        if date is not None:
            built = dt.datetime.combine(date, dt.time(0), tzinfo=EASTERN).astimezone(UTC)
            built += dt.timedelta(seconds=2)
        head = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">',
            "  <channel>",
            f"    {_tag('title', f'{spec} updates on arXiv.org')}",
            f"    {_tag('link', link)}",
            f"    {_tag('description', f'{spec} updates on the arXiv.org e-print archive.')}",
            f'    <atom:link href={quoteattr(link)} rel="self" type="application/rss+xml"/>',
            "    <docs>http://www.rssboard.org/rss-specification</docs>",
            "    <language>en-us</language>",
            f"    {_tag('lastBuildDate', format_datetime(built))}",
            "    <managingEditor>rss-help@arxiv.org</managingEditor>",
        ]
        if date is not None:
            head.append(f"    {_tag('pubDate', _rfc822(date))}")
        head.append("    <skipDays>\n      <day>Sunday</day>\n      <day>Saturday</day>\n"
                    "    </skipDays>")
        body = [self._rss_item(item, date) for item in items]
        return "\n".join(head + body + ["  </channel>", "</rss>", ""])

    @staticmethod
    def _rss_item(item: FeedItem, date: dt.date | None) -> str:
        vid = f"{item.id}v{item.version}"
        description = f"arXiv:{vid} Announce Type: {item.announce_type} \nAbstract: {item.abstract}"
        lines = [
            "    <item>",
            f"      {_tag('title', item.title)}",
            f"      {_tag('link', f'https://arxiv.org/abs/{item.id}')}",
            f"      {_tag('description', description)}",
            f'      <guid isPermaLink="false">{escape(f"oai:arXiv.org:{vid}")}</guid>',
            *(f"      {_tag('category', c)}" for c in item.categories),
        ]
        if date is not None:
            lines.append(f"      {_tag('pubDate', _rfc822(date))}")
        lines += [
            f"      {_tag('arxiv:announce_type', item.announce_type)}",
            f"      {_tag('dc:rights', DEFAULT_RIGHTS)}",
            f"      {_tag('dc:creator', ', '.join(item.authors))}",
            "    </item>",
        ]
        return "\n".join(lines)

    # -- API ---------------------------------------------------------------------
    def _api(self, query: dict[str, list[str]]) -> Response:
        def arg(name: str, default: str = "") -> str:
            return (query.get(name) or [default])[0]

        id_list = arg("id_list")
        if not id_list or arg("search_query") or arg("start", "0") != "0":
            # paperbot looks papers up by id, at most 100 a call: anything else (a search, a second
            # page) is refused, so no test can rely on semantics the fake lacks.
            return Response(400, b"fake arXiv answers id_list lookups only (no search_query, no start)")
        try:
            max_results = int(arg("max_results", "10"))
        except ValueError as exc:
            return Response(400, str(exc).encode())
        matches = self._select(id_list)
        total = len(matches)
        if self.count_missing_ids:
            total = len([i for i in id_list.split(",") if i.strip()])  # as the real API at times does
        entries = [self._api_entry(p, v) for p, v in matches[:max_results]]
        title = "ArXiv Query: " + "&".join(f"{k}={v[0]}" for k, v in query.items())
        doc = "\n".join([
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">',
            '  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>',
            f"  {_tag('title', title)}\n  <id>http://arxiv.org/api/fake</id>",
            f"  {_tag('updated', _iso(dt.datetime.now(UTC)))}",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            "  <opensearch:startIndex>0</opensearch:startIndex>",
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
            *entries, "</feed>", "",
        ])
        return Response(200, doc.encode(), content_type="application/atom+xml; charset=utf-8")

    def _select(self, id_list: str) -> list[tuple[ApiPaper, int]]:
        """(paper, version to show) in id_list order; unknown ids and versions are absent."""
        with self._data_lock:
            papers = dict(self._papers)
        found = []
        for raw in (x for x in id_list.split(",") if x.strip()):
            base, version = split_id(raw)
            paper = papers.get(base)
            # A version the paper never had is as absent as an unknown id.
            if paper is not None and (version or paper.version) <= paper.version:
                found.append((paper, version or paper.version))
        return found

    @staticmethod
    def _api_entry(paper: ApiPaper, version: int) -> str:
        vid = f"{split_id(paper.id)[0]}v{version}"
        cats = paper.categories or ["cs.CV"]
        lines = [
            "  <entry>",
            f"    {_tag('id', f'http://arxiv.org/abs/{vid}')}",
            f"    {_tag('updated', _iso(paper.updated or paper.published))}",
            f"    {_tag('published', _iso(paper.published))}",
            f"    {_tag('title', paper.title)}",
            f"    {_tag('summary', paper.abstract)}",
            *(f"    <author>\n      {_tag('name', a)}\n    </author>" for a in paper.authors),
        ]
        if paper.comment is not None:
            lines.append(f"    {_tag('arxiv:comment', paper.comment)}")
        abs_url, pdf_url = f"http://arxiv.org/abs/{vid}", f"http://arxiv.org/pdf/{vid}"
        lines += [
            f'    <link href={quoteattr(abs_url)} rel="alternate" type="text/html"/>',
            f'    <link title="pdf" href={quoteattr(pdf_url)} rel="related" type="application/pdf"/>',
            f"    <arxiv:primary_category term={quoteattr(paper.primary_category or cats[0])}"
            ' scheme="http://arxiv.org/schemas/atom"/>',
            *(f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
              for c in cats),
            "  </entry>",
        ]
        return "\n".join(lines)
