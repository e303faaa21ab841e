"""The digest as Discord embeds: the same content as Slack, within Discord's limits, inert."""

import re
from dataclasses import replace

from adapters.discord.reactions import VoteEmoji
from adapters.discord.render import (MAX_DESCRIPTION, MAX_EMBED_CHARS, MAX_EMBEDS, MAX_TITLE, DiscordMarkdown,
                                     embed_size, render)
from bot.analysis.replies import DeepAnalysis, DeepResult, QuickAnalysis
from bot.document.chat import digest_head, paper_post, request_analysis
from testkit.samples import deep_reply, make_digest, quick_reply

EVIL = ("@everyone @here <@123456789012345678> <@&223456789012345678> [arxiv.org](https://evil.example) "
        "# heading ||spoiler|| <t:1700000000> *bold*")
VOTE = ("star", "+1")
MARKDOWN = DiscordMarkdown(VoteEmoji(VOTE))


def paper_messages(entry, vote, language):
    return render(paper_post(entry, language, vote), MARKDOWN)


def parent_messages(digest):
    return render(digest_head(digest), MARKDOWN)


def analysis_messages(entry, vote, language):
    return render(request_analysis(entry, language, vote), MARKDOWN)


def within_limits(messages) -> bool:
    return all(len(m.embeds) <= MAX_EMBEDS and sum(embed_size(e) for e in m.embeds) <= MAX_EMBED_CHARS
               and all(len(e.get("title", "")) <= MAX_TITLE and len(e.get("description", "")) <= MAX_DESCRIPTION
                       for e in m.embeds) for m in messages)


def text_of(messages) -> str:
    return "\n".join(e.get("title", "") + "\n" + e.get("description", "") for m in messages for e in m.embeds)


def test_a_paper_message_has_what_the_slack_reply_has():
    entry = make_digest(3).entries[0]
    messages = paper_messages(entry, VOTE, "en")
    text = text_of(messages)
    assert len(messages) == 1 and within_limits(messages)
    assert messages[0].embeds[0]["url"] == entry.paper.abs_url and messages[0].embeds[0]["title"].startswith("1. Paper")
    for part in ("et al. (12 authors)", "cs.CV", "picked because", "Key Findings", "We propose X.",
                 "1. Main contribution", "[PDF](https://arxiv.org/pdf/2602.12281v1)",
                 "[HTML](https://arxiv.org/html/2602.12281v1)", "⭐ or 👍"):
        assert part in text


def test_the_parent_has_the_counts_the_summary_and_the_linked_list_in_the_channel_language():
    digest = make_digest(3)
    [message] = parent_messages(digest)
    text = text_of([message])
    assert "arXiv cs.CV — 2026-02-09" in text and "3 of 142 papers picked for this channel" in text
    assert "Main themes and trends" in text and "3. [Paper number 3: a study](https://arxiv.org/abs/2602.12283v1)" in text
    [zh] = parent_messages(replace(digest, language="zh"))
    assert "主要趋势与主题" in text_of([zh])


def test_a_long_analysis_is_split_over_embeds_and_messages_never_cut():
    long = QuickAnalysis(**{**quick_reply("x"), "key_innovations": ["word " * 700] * 8})
    entry = make_digest(1, analysis=long).entries[0]
    messages = paper_messages(entry, VOTE, "en")
    assert len(messages) > 1 and within_limits(messages)
    assert text_of(messages).count("word") == 5600
    assert "title" in messages[0].embeds[0] and all("title" not in e for m in messages[1:] for e in m.embeds)


def test_untrusted_text_cannot_mention_link_or_format():
    evil = QuickAnalysis(**{**quick_reply("x"), "main_contribution": EVIL, "limitations": [EVIL]})
    digest = make_digest(2, title=EVIL, analysis=evil)
    digest = replace(digest, entries=tuple(
        replace(e, reason=EVIL, findings=(EVIL,), paper=replace(e.paper, authors=(EVIL,), abstract=EVIL))
        for e in digest.entries))
    text = text_of(parent_messages(digest)) + text_of(paper_messages(digest.entries[0], VOTE, "en"))
    assert "@everyone" not in text and "@here" not in text and "<@1" not in text and "<@&2" not in text
    assert "@\u200beveryone" in text  # shown, broken
    assert "[arxiv.org](https://evil" not in text and "\\[arxiv.org\\](https://evil.example)" in text
    assert "||spoiler" not in text and "\\|\\|spoiler" in text and "\n# heading" not in text
    assert not re.search(r"(?<!\\)<t:", text) and "\\<t:1700000000\\>" in text  # shown as text, not a timestamp


def test_a_deep_analysis_has_the_seven_parts_in_the_language_and_its_coverage():
    coverage = {"source": "html", "pages": None, "prompt_tokens": 9000, "budget": 12000, "shortened": [], "dropped": []}
    entry = replace(make_digest(1).entries[0], deep=DeepResult(DeepAnalysis(**deep_reply("x", zh=True)), coverage))
    zh, en = analysis_messages(entry, VOTE, "zh"), analysis_messages(entry, VOTE, "en")
    assert within_limits(zh) and "7. 总结" in text_of(zh) and "速记版pipeline" in text_of(zh)
    assert "7. Summary" in text_of(en) and "about 9,000 of 12,000 input tokens" in text_of(en)


def test_without_full_text_the_quick_analysis_is_labelled():
    entry = replace(make_digest(1).entries[0], deep_note="arXiv has no usable full text for 2602.12281")
    text = text_of(analysis_messages(entry, VOTE, "en"))
    assert "No deep analysis: arXiv has no usable full text" in text and "1. Main contribution" in text


def test_vote_emoji_names_match_what_discord_sends():
    votes = VoteEmoji(("star", "+1", "heart", "team_pick"))
    assert votes.shown == ("⭐", "👍", "❤️", "team_pick")
    assert [votes.name_of(e) for e in ("⭐", "👍🏽", "❤", "team_pick", "🔥")] == ["star", "+1", "heart", "team_pick", None]


def test_the_readme_invite_url_asks_for_exactly_the_permissions_the_bot_needs():
    from pathlib import Path

    from adapters.discord.conversation import PERMISSIONS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"scope=bot+applications.commands&permissions={PERMISSIONS.value}" in readme
