"""Untrusted text in the Markdown output renders as text: no links, HTML or headings of its own."""

import re

from paperbot.cli import main
from bot.document.markdown import md
from testkit.samples import DAY, smart_responder
from testkit.arxiv_fake import FeedItem


def test_md_escapes_link_html_and_emphasis():
    assert md("[click](https://evil.example)") == r"\[click\](https://evil.example)"
    assert md("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert(1)\>"
    assert md("# Heading") == r"\# Heading"
    assert md("a_b *c*") == r"a\_b \*c\*"
    assert md("line\nbreak") == "line break"


def test_injected_title_abstract_and_llm_output_stay_inert(arxiv_fake, llm_fake, write_config, capsys):
    evil_title = "Nice paper](https://evil.example) <script>alert(1)</script>"
    arxiv_fake.add_day("cs.CV", DAY, [FeedItem("2602.00001", title=evil_title,
                                               abstract="We propose [a link](https://evil.example). <!channel> @here",
                                               authors=["<@U123>", "Eve"])])

    def evil_model(request):
        import json
        reply = json.loads(smart_responder(request))
        if "main_contribution" in reply:
            reply["main_contribution"] = "See ![img](https://evil.example/x.png) and <a href='https://evil'>this</a>."
        return json.dumps(reply)

    llm_fake.responder = evil_model
    assert main(["digest", "--config", str(write_config())]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"(?<!\\)\]\(https://evil", out), "an unescaped link target reached the output"
    assert not re.search(r"(?<!\\)<(script|a href|img|!channel|@U)", out), "raw HTML or a mention reached the output"
    assert r"Nice paper\](https://evil.example) \<script\>" in out
    assert r"\!\[img\]" in out or r"!\[img\]" in out
    assert r"\<@U123\>" in out and r"\<!channel\>" in out


def test_fences_and_numbered_lists_cannot_start_in_untrusted_text():
    assert md("~~~ everything after is code") == r"\~\~\~ everything after is code"
    assert md("1) not a list") == r"\1) not a list"
