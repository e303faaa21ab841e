"""`paperbot post --channel slack:C0123`: one digest to a configured Slack channel, once."""

import pytest

from testkit.samples import DAY, filler_items, seed_items
from testkit.slack_fake import FakeSlack
from tests.test_digest import run


@pytest.fixture
def slack(monkeypatch):
    with FakeSlack() as fake:
        fake.add_channel("C0123", name="vision")
        fake.add_channel("COUT", name="outside", member=False)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        yield fake


def config_with_channels(write_config, slack, **channel):
    path = write_config()
    text = path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n'
    for cid in ("C0123", "COUT"):
        text += f'\n[[channels]]\nplatform = "slack"\nid = "{cid}"\n' + "".join(
            f"{k} = {v!r}\n".replace("'", '"') for k, v in channel.items())
    path.write_text(text)
    return path


def test_post_then_post_again_posts_nothing_twice(arxiv_fake, llm_fake, write_config, slack, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    config = config_with_channels(write_config, slack, max_papers=3, language="zh")

    code, out, err = run(capsys, "post", "--config", config, "--channel", "slack:C0123")
    assert code == 0, err
    assert "2026-02-09: posted 4 messages to slack:C0123" in err
    parent, *replies = slack.messages("C0123")
    assert len(replies) == 3 and all(r["thread_ts"] == parent["ts"] for r in replies)
    # A zh channel gets the seed's Chinese words, in the head and in every paper's analysis.
    assert "从 30 篇论文中为本频道精选 3 篇" in str(parent["blocks"]) and "主要趋势与主题" in str(parent["blocks"])
    assert all("1. 论文的主要贡献（2-3句话）" in str(r["blocks"]) for r in replies)

    code, out, err = run(capsys, "post", "--config", config, "--channel", "slack:C0123")
    assert code == 0 and "posted 0 messages" in err and "(4 were posted before)" in err
    assert len(slack.messages("C0123")) == 4


def test_a_channel_the_bot_cannot_post_to_is_one_sentence(arxiv_fake, llm_fake, write_config, slack, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    code, out, err = run(capsys, "post", "--config", config_with_channels(write_config, slack),
                         "--channel", "slack:COUT")
    assert code == 1
    assert "Slack refused to post to COUT (not_in_channel); invite the bot to the channel" in err
    assert "xoxb-test" not in err and "Traceback" not in err


def test_unknown_channel_and_missing_token(arxiv_fake, llm_fake, write_config, slack, capsys, monkeypatch):
    config = config_with_channels(write_config, slack)
    code, out, err = run(capsys, "post", "--config", config, "--channel", "slack:C9")
    assert code == 2 and "channel slack:C9 is not configured (configured: slack:C0123, slack:COUT)" in err
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    code, out, err = run(capsys, "post", "--config", config, "--channel", "slack:C0123")
    assert code == 2 and "set SLACK_BOT_TOKEN" in err
    assert slack.messages() == []
