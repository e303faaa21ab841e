"""The archive in a real browser: the system's Chromium driven by Playwright, opened from disk and over
`paperbot site --serve`; search typed into the page; hostile text that must never run.

Screenshots go to tests/output/site/ (git-ignored; a CI artifact can pick them up). Without a `chromium`
on the PATH these tests are skipped locally and fail in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.samples import DAY, seed_items
from tests.site_world import HOSTILE_ID, HOSTILE_TITLE, JANUARY_ID, JANUARY_TITLE, world  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("no chromium on the PATH (apt-get install chromium); the archive's browser tests need it",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

# As root Chromium needs --no-sandbox; the other flags keep it from calling Google's services, which a
# closed network refuses (and which a test must not reach anyway).
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-default-apps", "--disable-extensions"]
expect.set_options(timeout=20_000)  # a busy 2-core machine: a page or the search index may take a while
OUTPUT = Path(__file__).parent / "output" / "site"
TITLE = seed_items()[1].title  # "DreamDojo: A Generalist Robot World Model from Large-Scale Human Videos"


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "CI must have chromium: .ci/run installs it with apt-get"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every dialog (alert, confirm) and every script error or console error."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    tab.dialogs, tab.errors = [], []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def served(world):
    """`paperbot site --serve --port 0` as a user runs it: the URL it prints, then stopped with Ctrl-C."""
    child = subprocess.Popen([sys.executable, "-m", "paperbot.cli", "site", "--config", str(world.config_path),
                              "--out", str(world.out), "--serve", "--port", "0"],
                             stderr=subprocess.PIPE, text=True)
    try:
        for line in child.stderr:
            if found := re.search(r"serving .* at (http://127\.0\.0\.1:\d+/)index\.html", line):
                break
        else:
            pytest.fail(f"paperbot site --serve printed no address (exit {child.wait()})")
        yield found.group(1)
    finally:
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 0


def browse(page, home: str, shots: bool = False) -> None:
    """Home -> a day -> a paper on it -> back home -> a channel's must-read list."""
    page.goto(home)
    expect(page.locator("h1")).to_have_text("paperbot archive")
    if shots:
        page.screenshot(path=OUTPUT / "home.png", full_page=True)
    page.locator("section.channel", has_text="Slack C0123ABCD").get_by_role("link", name=str(DAY)).click()
    expect(page.locator("h1")).to_have_text(f"arXiv cs.CV — {DAY}")
    expect(page.locator("main")).to_contain_text("Main themes and trends")
    if shots:
        page.screenshot(path=OUTPUT / "day.png")
    page.locator("section.pick h2 a", has_text=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("Deep analysis · English")
    if shots:
        page.screenshot(path=OUTPUT / "paper.png")
    page.locator("header .brand").click()
    page.locator("section.channel", has_text="Slack C0123ABCD").get_by_role("link", name="must read").click()
    expect(page.locator("h1")).to_have_text("Must read · Slack C0123ABCD")
    expect(page.locator("table.must-read tbody tr")).to_have_count(2)
    assert page.dialogs == [] and page.errors == []


def test_browsing_the_site_opened_from_disk(world, page):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browse(page, (world.out / "index.html").as_uri(), shots=True)
    assert page.url.startswith("file://") and page.url.endswith("/must-read/index.html")


def test_browsing_the_site_served_by_paperbot_site_serve(served, page):
    browse(page, served + "index.html")
    assert page.url == served + "channel/slack-C0123ABCD/must-read/index.html"


def test_searching_title_words_reaches_the_paper(served, page):
    page.goto(served + "index.html")
    page.locator("form.find input").fill("generalist robot world model")
    page.locator("form.find button").click()
    result = page.locator(".pagefind-ui__result-link", has_text=TITLE).first
    expect(result).to_be_visible()
    expect(page.locator(".pagefind-ui__filter-name")).to_have_count(5)  # shown as the index loads them
    filters = page.locator(".pagefind-ui__filter-name").all_text_contents()
    assert {f.strip().lower() for f in filters} == {"channel", "category", "month", "must read", "type"}
    result.click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert page.url.endswith("/index.html") and "/paper/" in page.url
    assert page.dialogs == [] and page.errors == []


def test_search_finds_papers_of_every_month(served, page):
    page.goto(served + "search/index.html?q=dormant+tulip+bulbs")  # January's index, merged into the box
    result = page.locator(".pagefind-ui__result-link", has_text=JANUARY_TITLE).first
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("h1")).to_have_text(JANUARY_TITLE)
    assert page.url == f"{served}paper/{JANUARY_ID}/index.html" and page.errors == []


def test_the_search_page_says_it_needs_a_server_when_opened_from_disk(world, page):
    page.goto((world.out / "search" / "index.html").as_uri())
    expect(page.locator("main")).to_contain_text("paperbot site --serve")


def test_hostile_markup_in_a_paper_shows_as_text_and_runs_nothing(world, served, page):
    paper = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", HOSTILE_TITLE, "Eve <evil@x>"]
    for where, shown in (((world.out / "paper" / HOSTILE_ID / "index.html").as_uri(), paper),
                         (f"{served}paper/{HOSTILE_ID}/index.html", paper),
                         (f"{served}channel/slack-C0123ABCD/{DAY}/index.html", [HOSTILE_TITLE, "Eve <evil@x>"])):
        page.goto(where)
        for text in shown:
            expect(page.locator("main")).to_contain_text(text)
        page.locator("h1, h2", has_text="Splatting").first.hover()  # where an onmouseover would fire
        assert page.locator("main img, main script, main b, main i").count() == 0
        page.wait_for_timeout(300)
        assert page.dialogs == [], where
    page.goto(served + "index.html")
    page.locator("form.find input").fill("splatting")
    page.locator("form.find button").click()
    expect(page.locator(".pagefind-ui__result-link", has_text="Splatting").first).to_be_visible()
    assert page.locator("#search img").count() == 0 and page.dialogs == []


def test_phone_and_dark_mode_screenshots(world, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=2)
    try:
        tab = context.new_page()
        tab.goto((world.out / "paper" / seed_items()[1].id / "index.html").as_uri())
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 23, 26)"  # the dark palette
        OUTPUT.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=OUTPUT / "paper-phone-dark.png")
    finally:
        context.close()
