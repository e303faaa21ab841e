"""The archive site built from a store filled through the real flows: its pages, feeds, links, escaping,
incremental rebuilds, the `paperbot site` command and the refresh after a morning post."""

from __future__ import annotations

import asyncio
import posixpath
import sqlite3
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import feedparser
from bs4 import BeautifulSoup

from bot.chat.votes import Reaction, VoteBook
from bot.config import load_config
from bot.document.model import Document, Paragraph, Span, link, text
from bot.site.html import HTML, safe_url
from bot.site.refresh import build_from_config
from bot.store import Store
from paperbot.cli import main
from testkit.samples import DAY, seed_items
from tests.site_world import (QUESTION, DAY2, DEEP_ID, HOSTILE_ABSTRACT, HOSTILE_ID, HOSTILE_TITLE, JANUARY_ID,  # noqa: F401
                               world)

SLACK_DIR, DISCORD_DIR = "channel/slack-C0123ABCD", "channel/discord-1100000000000000010"
SEED = seed_items()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def words(html: str) -> str:
    return " ".join(soup(html).get_text(" ").split())


# -- the renderer --------------------------------------------------------------------------------
def test_the_renderer_escapes_every_text_and_links_only_to_the_web_or_the_site():
    doc = Document(title="<b>T</b>", url="javascript:alert(1)", blocks=(Paragraph(text(
        "<script>alert(1)</script>", link("https://arxiv.org/abs/2602.12281v1", '"><img src=x onerror=alert(2)>'),
        link("../../paper/2602.12281/index.html", "here"), link("java\nscript:alert(3)", "tab"),
        link("//evil.example/x", "proto"), link("data:text/html,<script>", "data"), Span(mention="U1<>"),
        Span(emoji="star"))),))
    html = str(HTML.render(doc))
    page = soup(html)
    assert not page.find_all(["script", "img", "b"])
    assert [a["href"] for a in page.find_all("a")] == ["https://arxiv.org/abs/2602.12281v1",
                                                       "../../paper/2602.12281/index.html"]
    assert page.get_text() == ('<b>T</b>\n<script>alert(1)</script>"><img src=x onerror=alert(2)>heretabprotodata'
                               "@U1<>⭐")
    assert [safe_url(u) for u in ("https://a.b/c", "http://a.b", "#p-1", "x/index.html", "/abs", "ftp://a.b",
                                  " javascript:x", "https:/nohost")] == \
        ["https://a.b/c", "http://a.b", "#p-1", "x/index.html", None, None, None, None]


# -- the pages --------------------------------------------------------------------------------------
def test_every_day_paper_and_list_of_the_store_has_its_page(world):
    files = {str(p.relative_to(world.out)) for p in world.out.rglob("*") if p.is_file()}
    for channel in (SLACK_DIR, DISCORD_DIR):
        assert {f"{channel}/index.html", f"{channel}/must-read/index.html", f"{channel}/digests.atom",
                f"{channel}/must-read.atom", f"{channel}/{DAY}/index.html", f"{channel}/{DAY2}/index.html"} <= files
    picked = [HOSTILE_ID, *(p.id for p in SEED[:3]), JANUARY_ID, *(p.id for p in SEED[5:8])]  # 4 a day, arXiv's order
    assert sorted(f for f in files if f.startswith("paper/")) == sorted(f"paper/{pid}/index.html" for pid in picked)
    assert {"index.html", "search/index.html", "style.css", "search.js", "pagefind/2026-02/pagefind-ui.js",
            "pagefind/2026-01/pagefind.js"} <= files  # one search index a month
    home = soup(world.page("index.html"))
    assert [h.get_text() for h in home.select("section.channel h2")] == ["Discord 1100000000000000010",
                                                                          "Slack C0123ABCD"]
    rows = [" ".join(tr.get_text(" ").split()) for tr in home.select("section.channel")[1].select("tbody tr")]
    assert rows == [f"{DAY2} cs.CV 4 of 14", f"{DAY} cs.CV 4 of 14 6"]  # newest first, with counts and votes


def test_a_day_is_the_digest_as_it_was_posted_with_the_votes_as_they_stand(world):
    day = words(world.page(f"{SLACK_DIR}/{DAY}/index.html"))
    for expected in ("4 of 14 papers picked for this channel", "Main themes and trends:", "Recommended full reads:",
                     f"1. {HOSTILE_TITLE}", "picked because: arXiv order", "Key Findings",
                     "1. Main contribution", f"Paper {HOSTILE_ID}v1 proposes a new method.",
                     "Votes: 3 from 3 voters · on the must-read list", "Votes: 1 from 1 voter"):
        assert expected in day, expected
    assert "React with" not in day  # the chat's vote hint is not for the site
    page = soup(world.page(f"{SLACK_DIR}/{DAY}/index.html"))
    assert page.select_one(f'a[href="../../../paper/{DEEP_ID}/index.html"]')
    assert page.select_one('a[href="https://arxiv.org/pdf/2602.12999v1"]')
    assert words(world.page(f"{DISCORD_DIR}/{DAY}/index.html")).count("主要趋势与主题") == 1  # the channel's language
    assert soup(world.page(f"{DISCORD_DIR}/{DAY}/index.html")).html["lang"] == "zh"


def test_a_paper_has_every_analysis_its_votes_its_days_and_links_to_its_chat_threads(world):
    html = world.page(f"paper/{DEEP_ID}/index.html")
    page, text_ = soup(html), words(html)
    headings = [h.get_text() for h in page.find_all("h2")]
    assert {"Quick analysis · English", "快速分析 · Simplified Chinese (简体中文)", "Deep analysis · English",
            "深度分析 · Simplified Chinese (简体中文)", "Abstract", "Picked in", "In the chat"} <= set(headings)
    assert "7. Summary" in text_ and "7. 总结" in text_ and f"Discord 1100000000000000010, {DAY}" in text_
    reply = next(m for m in world.chats["slack"].sent if SEED[1].title[:30] in m["text"] and m["thread"])
    ts, thread = reply["id"].replace(".", ""), reply["thread"]
    hrefs = [a["href"] for a in page.find_all("a")]
    assert f"https://team.slack.com/archives/C0123ABCD/p{ts}?thread_ts={thread}&cid=C0123ABCD" in hrefs
    discord = next(m for m in world.chats["discord"].sent if SEED[1].title[:30] in m["text"] and m["thread"])
    assert f"https://discord.com/channels/1100000000000000001/{discord['thread']}/{discord['id']}" in hrefs
    assert {"https://arxiv.org/abs/2602.06949v1", "https://arxiv.org/pdf/2602.06949v1",
            "https://arxiv.org/html/2602.06949v1"} <= set(hrefs)
    filters = {(s["data-pagefind-filter"], s.get_text()) for s in page.select("[data-pagefind-filter]")}
    assert {("type", "paper"), ("channel", "Slack C0123ABCD"), ("channel", "Discord 1100000000000000010"),
            ("category", "cs.CV"), ("month", "2026-02")} <= filters
    votes = words(world.page(f"paper/{HOSTILE_ID}/index.html"))
    assert "Slack C0123ABCD 3 3 on the list" in votes and "Discord 1100000000000000010 1 1" in votes
    # The question answered in its /paper thread, with its answer.
    assert "Questions asked in its thread" in headings
    asked = page.find("h2", string="Questions asked in its thread").find_all_next("p")
    assert asked[0].get_text() == QUESTION and asked[1].get_text() and asked[1].get_text() != QUESTION


def test_a_hostile_title_and_abstract_are_text_everywhere(world):
    for path in (f"paper/{HOSTILE_ID}/index.html", f"{SLACK_DIR}/{DAY}/index.html", "channel/slack-C0123ABCD/must-read/index.html"):
        page = soup(world.page(path))
        assert not page.find_all(["script", "img", "b", "i"]), path
        assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)], path
        assert HOSTILE_TITLE in page.get_text(), path
    assert "<script>alert(1)</script>" in soup(world.page(f"paper/{HOSTILE_ID}/index.html")).get_text()
    assert HOSTILE_ABSTRACT.split(" It renders")[0] in words(world.page(f"paper/{HOSTILE_ID}/index.html"))
    feed = feedparser.parse(world.page(f"{SLACK_DIR}/must-read.atom"))
    assert feed.entries[0].title == HOSTILE_TITLE  # the feed carries it as text, not markup


def test_must_read_lists_votes_voters_posted_and_done(world):
    rows = [[td.get_text() for td in tr.find_all("td")]
            for tr in soup(world.page(f"{SLACK_DIR}/must-read/index.html")).select("tbody tr")]
    assert [r[0] for r in rows] == [HOSTILE_TITLE, SEED[0].title]  # most voters first; one voter is not enough
    assert rows[0][1:3] == ["3", "3"] and rows[0][4] == "not yet" and rows[1][4].startswith("done 20")
    assert len(rows[0][3]) == 10  # the day it was posted
    assert "Nothing on the must-read list yet" in words(world.page(f"{DISCORD_DIR}/must-read/index.html"))


def test_the_feeds_parse_and_link_to_pages_that_exist(world):
    for channel, entries in ((SLACK_DIR, 2), (DISCORD_DIR, 2)):
        feed_path = f"{channel}/digests.atom"
        feed = feedparser.parse(world.page(feed_path))
        assert not feed.bozo and feed.feed.title.endswith("digests") and len(feed.entries) == entries
        assert [e.title.split(": ")[0] for e in feed.entries] == [f"arXiv cs.CV — {DAY2}", f"arXiv cs.CV — {DAY}"]
        for entry in feed.entries:
            assert (world.out / resolve(feed_path, entry.link)).is_file()
            for href in {a["href"] for a in soup(entry.content[0].value).find_all("a")}:
                assert (world.out / resolve(feed_path, href)).is_file(), href
    must = feedparser.parse(world.page(f"{SLACK_DIR}/must-read.atom"))
    assert [e.link for e in must.entries] == [f"../../paper/{HOSTILE_ID}/index.html"]  # done ones are off it
    alternates = soup(world.page(f"{SLACK_DIR}/{DAY}/index.html")).select('link[rel="alternate"]')
    assert [(a["type"], a["href"]) for a in alternates] == [("application/atom+xml", "../digests.atom"),
                                                             ("application/atom+xml", "../must-read.atom")]


def resolve(from_path: str, href: str) -> str:
    target = urldefrag(href).url
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_path), target)) if target else from_path


def test_no_link_in_the_site_is_broken_and_every_page_is_reachable(world):
    seen, queue, external, anchors = set(), ["index.html"], set(), []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        if not path.endswith(".html"):
            continue
        page = soup(world.page(path))
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("form", "action")):
            for node in page.find_all(tag):
                href = node[attr]
                if href.startswith(("https://", "data:")):
                    external.add(urlsplit(href).netloc)
                    continue
                assert not href.startswith(("/", "http:")) and not href.endswith("/"), (path, href)
                target = resolve(path, href)
                assert (world.out / target).is_file(), (path, href)
                if urldefrag(href).fragment:
                    anchors.append((target, urldefrag(href).fragment))
                queue.append(target)
    for target, anchor in anchors:  # an in-page link lands on its heading
        assert soup(world.page(target)).find(id=anchor), (target, anchor)
    html_pages = {str(p.relative_to(world.out)) for p in world.out.rglob("*.html")}
    assert {p for p in html_pages if not p.startswith("pagefind/")} <= seen
    assert anchors and external <= {"arxiv.org", "team.slack.com", "discord.com", ""}


# -- building again ---------------------------------------------------------------------------------
def copy_store(world, folder: Path) -> Path:
    config = load_config(world.config_path)
    target = folder / "paperbot.db"
    with sqlite3.connect(config.db_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    path = folder / "paperbot.toml"
    path.write_text(world.config_path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_an_incremental_build_rewrites_only_what_changed_and_removes_what_is_gone(world, tmp_path):
    config = load_config(copy_store(world, tmp_path))
    out = tmp_path / "site"
    first = build_from_config(config, out)
    assert first.indexed == ["2026-01", "2026-02"] and len(first.written) == first.pages
    (out / "CNAME").write_text("papers.example.org")  # the host's file: never touched
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    again = build_from_config(config, out)
    assert (again.written, again.removed, again.indexed) == ([], [], [])
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.html")} == stamps

    store = Store(config.db_path)
    post = next(p for p in store.archive_posts(["slack:C0123ABCD"]) if p["paper_id"] == SEED[2].id)
    from bot.models import ChannelRef

    assert VoteBook(store, emoji=("star",), threshold=2).react(
        Reaction(ChannelRef("slack", "C0123ABCD"), post["message"], "U8", "star", True, "ev-new"), bot_user="UBOT")
    store.close()
    voted = build_from_config(config, out)
    assert sorted(voted.written) == sorted([
        "index.html", f"{SLACK_DIR}/index.html", f"{SLACK_DIR}/{DAY}/index.html", f"{SLACK_DIR}/must-read/index.html",
        f"{SLACK_DIR}/must-read.atom", f"paper/{SEED[2].id}/index.html"])  # its votes, the list, the day's count
    assert voted.indexed == ["2026-02"] and "Votes: 2 from 2 voters · on the must-read list" in words(
        (out / SLACK_DIR / str(DAY) / "index.html").read_text())

    only = build_from_config(config, out, "discord:1100000000000000010")
    assert not (out / SLACK_DIR).exists() and (out / DISCORD_DIR / str(DAY) / "index.html").is_file()
    assert f"{SLACK_DIR}/{DAY}/index.html" in only.removed and (out / "CNAME").read_text() == "papers.example.org"
    assert "Slack" not in words((out / "index.html").read_text())


# -- the command and the bot --------------------------------------------------------------------------
def test_the_site_command(world, tmp_path, capsys):
    path = copy_store(world, tmp_path)
    assert main(["site", "--config", str(path), "--out", str(tmp_path / "s"), "--channel", "slack:C0123ABCD"]) == 0
    err = capsys.readouterr().err
    assert f"site in {tmp_path / 's'}: " in err and " written, 0 removed, search index of 2 months rebuilt" in err
    assert (tmp_path / "s" / SLACK_DIR / str(DAY) / "index.html").is_file() and not (tmp_path / "s" / DISCORD_DIR).exists()
    for argv, message in ((["--out", str(tmp_path / "t"), "--channel", "slack:CNOPE"], "channel slack:CNOPE has nothing"),
                          (["--out", str(tmp_path / "t"), "--channel", "banana"], "is not a channel"),
                          ([], "say where to write the site")):
        assert main(["site", "--config", str(path), *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


async def test_paperbot_run_refreshes_the_site_after_the_morning_post(arxiv_fake, llm_fake, write_config, monkeypatch,
                                                                      tmp_path, caplog):
    from adapters.slack.service import run_slack
    from paperbot.commands.run import serve
    from testkit.samples import filler_items
    from testkit.slack_fake import FakeSlack
    from tests.test_slack_service import service_config

    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(10))
    caplog.set_level("INFO", logger="bot.site.refresh")
    async with FakeSlack() as slack:
        slack.add_channel("C0123", name="vision")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        config = service_config(write_config, slack)
        config = config.model_copy(update={"site": config.site.model_copy(update={"out_dir": "archive"})})
        day_page = tmp_path / "archive" / "channel" / "slack-C0123" / str(DAY) / "index.html"
        stop = asyncio.Event()
        service = asyncio.create_task(serve(config, [run_slack], stop))
        try:
            await slack.wait_until(lambda: any("site in" in r.message for r in caplog.records), timeout=20)
        finally:
            stop.set()
            await asyncio.wait_for(service, 20)
    assert len(slack.messages("C0123")) == 4 and day_page.is_file()
    assert SEED[0].title in words(day_page.read_text())
    line = next(r.message for r in caplog.records if "site in" in r.message)
    assert line.startswith(f"after slack:C0123's post of {DAY}: site in {tmp_path / 'archive'}: ")
    assert (tmp_path / "archive" / "pagefind" / "2026-02" / "pagefind.js").is_file()
