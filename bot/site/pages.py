"""Which pages the site has, what each is made from, and how it is made.

Every page is a `Page`: its path, the data it is made from (`inputs`, whose
fingerprint lets an incremental build skip a page whose data did not change,
without rendering it), and `make()`, which renders it. Day and paper pages are
indexed for search and carry Pagefind filters: channel, category, month, must
read, and whether it is a day or a paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from pydantic import ValidationError

from ..analysis.replies import DeepAnalysis, QuickAnalysis
from ..document.model import Block, Note, text
from . import links as L
from .digests import stored_digest
from .feeds import FEED_DAYS, Feeds
from .documents import day_entry, day_summary, day_title, paper_analyses, paper_head, paper_questions
from .html import HTML, safe_url
from .options import SiteOptions, channel_label
from .render import render
from .search import bundle_of, bundle_path
from .snapshot import Day, Snapshot


@dataclass
class Page:
    path: str
    inputs: object | None  # None: always made (cheap pages that summarise many others)
    make: Callable[[], bytes]
    indexed: bool = False


class SitePages:
    def __init__(self, snap: Snapshot, options: SiteOptions):
        self.snap, self.options = snap, options
        self.feeds_of = Feeds(snap, options)
        self.bundles: list[str] = []
        self.nav = [{"label": channel_label(c), "path": L.channel_path(c)} for c in snap.channels]

    def all(self) -> list[Page]:
        pages = [Page(L.home_path(), None, self.home), Page(L.search_path(), None, self.search)]
        for channel in self.snap.channels:
            days = self.snap.days.get(channel, [])
            pages += [Page(L.channel_path(channel), None, partial(self.channel, channel)),
                      Page(L.must_read_path(channel), None, partial(self.must_read, channel)),
                      Page(L.digests_feed_path(channel), [self._day_inputs(d, ()) for d in days[:FEED_DAYS]],
                           partial(self.feeds_of.digests, channel)),
                      Page(L.must_read_feed_path(channel), None, partial(self.feeds_of.must_read, channel))]
            for n, day in enumerate(days):
                neighbours = (days[n + 1] if n + 1 < len(days) else None, days[n - 1] if n else None)
                pages.append(Page(L.day_path(channel, day.date), self._day_inputs(day, neighbours),
                                  partial(self.day, day, *neighbours), indexed=True))
        for pid in sorted(self.snap.papers):
            pages.append(Page(L.paper_path(pid), self._paper_inputs(pid), partial(self.paper, pid), indexed=True))
        self.bundles = sorted({bundle_of(p.path) for p in pages if p.indexed}, reverse=True)  # newest month first
        return pages

    # -- shared ------------------------------------------------------------------------------
    def page(self, template: str, path: str, *, title: str, channels=(), **context) -> bytes:
        feeds = [feed for c in channels for feed in self.feeds(c)]
        context = {"crumbs": [], "filters": [], "indexed": False, "lang": "en", **context}
        return render(template, path, title=title, site_title=self.options.title, nav=self.nav, feeds=feeds,
                      **context)

    def feeds(self, channel: str) -> list[dict]:
        label = channel_label(channel)
        return [{"title": f"{label}: digests", "path": L.digests_feed_path(channel)},
                {"title": f"{label}: must read", "path": L.must_read_feed_path(channel)}]

    def channel_info(self, channel: str, days: list[Day]) -> dict:
        latest = self.snap.days.get(channel, [])
        categories = sorted({c for d in latest[:30] for c in d.categories})
        return {"label": channel_label(channel), "path": L.channel_path(channel),
                "categories": ", ".join(categories) or "no digests yet", "day_count": len(latest),
                "must_read": L.must_read_path(channel), "feed": L.digests_feed_path(channel),
                "must_read_feed": L.must_read_feed_path(channel),
                "must_read_count": sum(1 for _, _, done, _ in self.snap.must_read(channel) if not done),
                "days": [self.day_row(d) for d in days], "more": len(latest) > len(days)}

    def day_row(self, day: Day) -> dict:
        votes = sum(self.snap.votes.get(pid, {}).get(day.channel, {}).get("votes", 0) for pid in day.picked)
        return {"date": day.date, "path": L.day_path(day.channel, day.date), "categories": ", ".join(day.categories),
                "picked": len(day.picked), "announced": day.announced, "votes": votes}

    # -- the pages -----------------------------------------------------------------------------
    def home(self) -> bytes:
        latest = self.options.home_days
        channels = [self.channel_info(c, self.snap.days.get(c, [])[:latest]) for c in self.snap.channels]
        return self.page("home.html", L.home_path(), title="Home", channels=self.snap.channels, sections=channels)

    def search(self) -> bytes:
        return self.page("search.html", L.search_path(), title="Search", bundles=[bundle_path(b) for b in self.bundles],
                         crumbs=[{"label": "Home", "path": L.home_path()}])

    def channel(self, channel: str) -> bytes:
        months: dict[str, list[Day]] = {}
        for day in self.snap.days.get(channel, []):
            months.setdefault(day.month, []).append(day)
        return self.page("channel.html", L.channel_path(channel), title=channel_label(channel), channels=[channel],
                         channel=self.channel_info(channel, []), crumbs=[{"label": "Home", "path": L.home_path()}],
                         months=[{"name": m, "days": [self.day_row(d) for d in ds]} for m, ds in months.items()])

    def must_read(self, channel: str) -> bytes:
        rows = [{"title": p.title, "path": L.paper_path(p.id), "votes": v["votes"], "voters": v["voters"],
                 "posted": (post["posted_at"] if post else "—")[:10], "done": (mark["marked_at"][:10] if mark else "")}
                for p, v, mark, post in self.snap.must_read(channel)]
        return self.page("must_read.html", L.must_read_path(channel), title=f"Must read · {channel_label(channel)}",
                         channels=[channel], channel=self.channel_info(channel, []), rows=rows,
                         threshold=self.options.threshold,
                         crumbs=[{"label": "Home", "path": L.home_path()},
                                 {"label": channel_label(channel), "path": L.channel_path(channel)}])

    def day(self, day: Day, previous: Day | None, next_: Day | None) -> bytes:
        path = L.day_path(day.channel, day.date)
        digest = stored_digest(self.snap, day)

        def paper_url(pid: str) -> str:
            return L.relative(path, L.paper_path(pid))

        entries = [HTML.blocks(day_entry(e, digest, paper_url, self._votes_line(day, e.paper.id)))
                   for e in digest.entries]
        filters = [("type", ["day"]), ("channel", [channel_label(day.channel)]), ("category", list(day.categories)),
                   ("month", [day.month])]
        return self.page("day.html", path, title=f"{day.date} · {channel_label(day.channel)}", channels=[day.channel],
                         lang=day.language, indexed=True, filters=filters, doc_title=day_title(digest),
                         result_title=f"{day.date} · {channel_label(day.channel)} · arXiv {', '.join(day.categories)}",
                         summary=HTML.blocks(day_summary(digest, lambda pid: f"#p-{pid}")), entries=entries,
                         previous=previous and self.day_row(previous), next=next_ and self.day_row(next_),
                         crumbs=[{"label": "Home", "path": L.home_path()},
                                 {"label": channel_label(day.channel), "path": L.channel_path(day.channel)}])

    def _votes_line(self, day: Day, paper_id: str) -> Block | None:
        row = self.snap.votes.get(paper_id, {}).get(day.channel)
        if not row:
            return None
        listed = " · on the must-read list" if self.snap.on_must_read(day.channel, paper_id) else ""
        return Note(text(f"Votes: {row['votes']} from {row['voters']} voter{'s' * (row['voters'] != 1)}{listed}"))

    def paper(self, pid: str) -> bytes:
        snap, paper = self.snap, self.snap.papers[pid]
        quick = self._analyses(pid, "quick_analysis", QuickAnalysis)
        deep = self._analyses(pid, "deep_analysis", DeepAnalysis)
        channels = sorted({d.channel for d in snap.days_of_paper.get(pid, [])} | set(snap.votes.get(pid, {}))
                          | set(snap.posts.get(pid, {})))
        picked = [{"channel": channel_label(d.channel), "date": d.date, "path": L.day_path(d.channel, d.date),
                   "reason": snap.picks.get((d.channel, d.date, pid), {}).get("reason")}
                  for d in snap.days_of_paper.get(pid, [])]
        votes = [{"channel": channel_label(c), "must_read": L.must_read_path(c), "votes": v["votes"],
                  "voters": v["voters"], "status": self._status(c, pid)}
                 for c, v in sorted(snap.votes.get(pid, {}).items())]
        return self.page("paper.html", L.paper_path(pid), title=paper.title, channels=channels[:1], indexed=True,
                         filters=self._paper_filters(pid, channels), doc_title=paper.title,
                         head=HTML.blocks(paper_head(paper, snap.findings(paper)).blocks),
                         body=HTML.blocks([*paper_analyses(paper, quick, deep).blocks,
                                           *paper_questions(snap.questions.get(pid, []))]),
                         picked_in=picked, votes=votes,
                         chat=self._chat_links(pid), crumbs=[{"label": "Home", "path": L.home_path()}])

    def _chat_links(self, pid: str) -> list[dict]:
        """The paper's first message in each channel, where the platform's link can be made."""
        links = []
        for channel, post in sorted(self.snap.posts.get(pid, {}).items()):
            if (found := self.options.chat.message(channel, post)) and safe_url(found[1]):
                links.append({"label": found[0], "url": found[1], "channel": channel_label(channel),
                              "date": post["date"]})
        return links

    def _paper_filters(self, pid: str, channels: list[str]) -> list[tuple[str, list[str]]]:
        snap, paper = self.snap, self.snap.papers[pid]
        months = ([d.month for d in snap.days_of_paper.get(pid, [])]
                  or [p["date"][:7] for p in snap.posts.get(pid, {}).values()] or [(paper.published or "")[:7]])
        filters = [("type", ["paper"]), ("channel", [channel_label(c) for c in channels]),
                   ("category", list(paper.categories)), ("month", sorted(set(months))),
                   ("must read", sorted({self._status(c, pid) for c in channels} - {""}))]
        return [(name, [v for v in values if v]) for name, values in filters]

    def _status(self, channel: str, pid: str) -> str:
        if not self.snap.on_must_read(channel, pid):
            return ""
        return "done" if (channel, pid) in self.snap.marks else "on the list"

    def _analyses(self, pid: str, kind: str, model) -> dict[str, dict]:
        found = {}
        for language in self.snap.languages(pid, kind):
            row = self.snap.best(pid, kind, language)
            try:
                model.model_validate(row["content"])
            except ValidationError:  # written for an older reply model: not shown
                continue
            found[language] = row
        return found

    # -- fingerprints -----------------------------------------------------------------------
    def _common(self) -> dict:
        return {"options": self.options.fingerprint(), "nav": self.nav}

    def _day_inputs(self, day: Day, neighbours) -> dict:
        snap = self.snap
        return {**self._common(), "day": day.__dict__, "neighbours": [d and d.date for d in neighbours],
                "summaries": snap.analyses.get(f"summary:{day.date}", []),
                "papers": [[snap.papers[p].__dict__ if p in snap.papers else None,
                            [r for r in snap.analyses.get(p, ()) if r["kind"] == "quick_analysis"],
                            snap.picks.get((day.channel, day.date, p)), snap.votes.get(p, {}).get(day.channel)]
                           for p in day.picked]}

    def _paper_inputs(self, pid: str) -> dict:
        snap = self.snap
        return {**self._common(), "paper": snap.papers[pid].__dict__, "analyses": snap.analyses.get(pid, []),
                "days": [[d.channel, d.date, snap.picks.get((d.channel, d.date, pid))]
                         for d in snap.days_of_paper.get(pid, [])],
                "votes": snap.votes.get(pid, {}), "posts": snap.posts.get(pid, {}),
                "marks": [m for m in snap.marks.items() if m[0][1] == pid], "questions": snap.questions.get(pid, [])}
