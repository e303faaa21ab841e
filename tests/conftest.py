"""Shared fixtures: the fakes of the outside world, and a config pointing at them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.arxiv_fake import FakeArxiv
from testkit.llm_fake import FakeLLM
from testkit.network_guard import install_guard
from testkit.slack_fake import FakeSlack
from testkit.samples import DAY, SEED, filler_items, seed_items, smart_responder  # noqa: F401 - for the tests


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    install_guard(monkeypatch)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PAPERBOT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
                 "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def arxiv_fake():
    with FakeArxiv() as fake:
        yield fake


@pytest.fixture
def llm_fake():
    with FakeLLM() as fake:
        fake.responder = smart_responder
        yield fake


@pytest.fixture
def write_config(tmp_path, arxiv_fake, llm_fake, monkeypatch):
    """Write a config file pointing every endpoint at the fakes; returns its path."""

    def write(*, key: bool = True, arxiv: dict | None = None, digest: dict | None = None,
              llm: dict | None = None) -> Path:
        sections = {
            "arxiv": {"categories": ["cs.CV"], "rss_url": f"{arxiv_fake.url}/rss",
                      "api_url": f"{arxiv_fake.url}/api/query", "html_url": f"{arxiv_fake.url}/html",
                      "pdf_url": f"{arxiv_fake.url}/pdf", "min_interval_s": 0,
                      "retry_backoff_s": 0, **(arxiv or {})},
            "digest": {"max_papers": 10, **(digest or {})},
            # Without a key the config is OpenAI's (nothing is sent: analyses are off); a keyless server of
            # one's own gets a placeholder key instead (tests/test_exit_codes.py).
            "llm": {"base_url": llm_fake.base_url if key else "https://api.openai.com/v1", "model": "fake-model",
                    "retry_backoff_s": 0,
                    "language": "en", **(llm or {})},
            "storage": {"path": "paperbot.db"},
        }
        path = tmp_path / "paperbot.toml"
        path.write_text("\n".join(f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in values.items())
                                  for name, values in sections.items()), encoding="utf-8")
        if key:
            monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        return path

    return write


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars and arrays are valid TOML here


@pytest.fixture
async def slack(monkeypatch):
    """A Slack workspace with the channel C0123 the bot is in, and the bot's tokens set."""
    async with FakeSlack() as fake:
        fake.add_channel("C0123", name="vision")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        yield fake
