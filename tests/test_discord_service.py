"""`paperbot run` and `paperbot post` on Discord, end to end: catch-up post, gateway reconnect (op 7),
restart without a double post, start-up errors, and Slack and Discord side by side in one process."""

import asyncio
import os
import signal
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from paperbot.commands.run import serve
from adapters.discord.service import run_discord
from bot.config import load_config
from bot.errors import ConfigError
from testkit.samples import DAY, filler_items, seed_items
from testkit.discord_fake import CHANNEL_ID, FakeDiscord, point_discord_at
from testkit.slack_fake import FakeSlack
from tests.test_digest import run
from tests.test_discord_bot import discord_config


def minutes_ago(minutes=5) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes)).strftime("%H:%M")


@pytest.fixture
async def discord_fake(monkeypatch):
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake.token)
        with point_discord_at(fake):  # and back afterwards: run_discord sets discord.py's endpoints
            yield fake
        assert fake.errors == []


def posted(fake, channel=CHANNEL_ID) -> list[dict]:
    return [m for m in fake.messages(channel) if not m["ephemeral"]]


def thread_of(fake, channel=CHANNEL_ID) -> list[dict]:
    parents = posted(fake, channel)
    return fake.messages(parents[0]["id"]) if parents else []


async def test_catch_up_post_survives_a_reconnect_and_a_restart_posts_nothing(arxiv_fake, llm_fake, write_config,
                                                                             discord_fake):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    config = discord_config(write_config, discord_fake, channels=[(CHANNEL_ID, minutes_ago())])

    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_discord], stop))
    try:
        await discord_fake.wait_until(lambda: discord_fake.messages(CHANNEL_ID), timeout=10)  # the parent is out
        await discord_fake.send_reconnect()  # op 7 in the middle of the morning post
        await discord_fake.wait_until(lambda: len(thread_of(discord_fake)) >= 3, timeout=10)
        await discord_fake.wait_until(lambda: discord_fake.resumes == 1 and discord_fake.connected, timeout=10)
        interaction = await discord_fake.interaction("paper", {"id": "banana"})  # still answering after it
        [answer] = await discord_fake.wait_until(lambda: discord_fake.callbacks(interaction))
        assert answer.ephemeral and "is not an arXiv id" in answer.data["content"]
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)
    assert discord_fake.identifies == 1 and len(thread_of(discord_fake)) == 3

    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_discord], stop))  # a restart within the catch-up window
    try:
        await discord_fake.wait_until(lambda: len(arxiv_fake.requests_to("/rss/")) >= 2, timeout=10)
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)
    assert len(posted(discord_fake)) == 1 and len(thread_of(discord_fake)) == 3  # nothing twice


async def test_a_rejected_token_is_one_sentence(arxiv_fake, llm_fake, write_config, discord_fake, monkeypatch):
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "not-the-token")
    with pytest.raises(ConfigError, match="Discord rejected DISCORD_BOT_TOKEN; copy the token"):
        await serve(discord_config(write_config, discord_fake), [run_discord], asyncio.Event())


async def test_a_missing_token_is_one_sentence(arxiv_fake, llm_fake, write_config, discord_fake, monkeypatch):
    monkeypatch.delenv("DISCORD_BOT_TOKEN")
    with pytest.raises(ConfigError, match="set DISCORD_BOT_TOKEN"):
        await serve(discord_config(write_config, discord_fake), [run_discord], asyncio.Event())


async def test_a_channel_the_bot_cannot_see_is_reported_at_start(arxiv_fake, llm_fake, write_config, discord_fake):
    discord_fake.add_channel("1100000000000000012", name="secret", access=False)
    discord_fake.add_channel("1100000000000000013", name="read-only", send=False)
    for channel, problem in (("1100000000000000099", "Discord refused channel 1100000000000000099 .*check the channel id"),
                             ("1100000000000000012", "paperbot cannot see Discord channel 1100000000000000012; let its role"),
                             ("1100000000000000013", "paperbot lacks send messages, .* in Discord channel "
                                                     "1100000000000000013; give its role")):
        config = discord_config(write_config, discord_fake, channels=[(channel, "09:00")])
        with pytest.raises(ConfigError, match=problem):
            await asyncio.wait_for(serve(config, [run_discord], asyncio.Event()), 10)


def test_post_command_posts_once(arxiv_fake, llm_fake, write_config, capsys, monkeypatch):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    with FakeDiscord() as fake, point_discord_at(fake):
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake.token)
        config = discord_config(write_config, fake, channels=[(CHANNEL_ID, "09:00")])
        for expected in ("posted 4 messages", "posted 0 messages"):
            code, _, err = run(capsys, "post", "--config", config.base_dir / "paperbot.toml",
                               "--channel", f"discord:{CHANNEL_ID}")
            assert code == 0 and expected in err, err
        assert len(posted(fake)) == 1 and len(thread_of(fake)) == 3
        assert fake.calls_to("GET /gateway/bot") == [] and fake.identifies == 0  # REST only, no gateway


def test_run_posts_to_slack_and_discord_side_by_side_and_stops_on_sigterm(arxiv_fake, llm_fake, write_config,
                                                                        capsys, monkeypatch):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    with FakeDiscord() as discord_fake, point_discord_at(discord_fake), FakeSlack() as slack:
        slack.add_channel("C0123", name="vision")
        for name, value in (("DISCORD_BOT_TOKEN", discord_fake.token), ("SLACK_BOT_TOKEN", "xoxb-test"),
                            ("SLACK_APP_TOKEN", "xapp-test")):
            monkeypatch.setenv(name, value)
        config = discord_config(write_config, discord_fake, channels=[(CHANNEL_ID, minutes_ago())])
        path = config.base_dir / "paperbot.toml"
        path.write_text(path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n\n[[channels]]\n'
                        f'platform = "slack"\nid = "C0123"\npost_at = "{minutes_ago()}"\ntimezone = "UTC"\n')
        finished = threading.Event()

        def stop_when_both_posted():
            try:
                discord_fake.wait_until_sync(lambda: len(thread_of(discord_fake)) >= 3, timeout=20)
                slack.wait_until_sync(lambda: len(slack.messages("C0123")) >= 4, timeout=20)
            finally:
                if not finished.is_set():
                    os.kill(os.getpid(), signal.SIGTERM)  # what systemd sends: handled, not fatal

        threading.Thread(target=stop_when_both_posted, daemon=True).start()
        try:
            code, _, err = run(capsys, "run", "--config", path)
        finally:
            finished.set()
        assert code == 0, err
        assert len(thread_of(discord_fake)) == 3 and len(slack.messages("C0123")) == 4


async def test_discord_unreachable_is_one_sentence(arxiv_fake, llm_fake, write_config, discord_fake):
    from bot.errors import PaperbotError

    config = discord_config(write_config, discord_fake)
    config = config.model_copy(update={"discord": config.discord.model_copy(
        update={"api_base": "http://127.0.0.1:9/api/v10"})})  # the discard port: nothing listens
    with pytest.raises(PaperbotError, match="Discord could not be reached at http://127.0.0.1:9/api/v10"):
        await asyncio.wait_for(serve(config, [run_discord], asyncio.Event()), 10)


async def test_a_stop_during_start_up_posts_nothing(arxiv_fake, llm_fake, write_config, discord_fake):
    # SIGTERM while connecting, or Slack failing to start in the same `paperbot run`: the stop is set.
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(serve(discord_config(write_config, discord_fake, channels=[(CHANNEL_ID, minutes_ago())]),
                                 [run_discord], stop), 10)
    assert discord_fake.messages() == [] and discord_fake.threads == {}


async def test_a_paper_asked_on_slack_discord_and_the_cli_at_once_is_analysed_and_downloaded_once(
        arxiv_fake, llm_fake, write_config, discord_fake, monkeypatch):
    # One engine serves both platforms (one in-flight table); the CLI is another process (a claim in SQLite).
    from adapters.slack.service import run_slack
    from testkit.arxiv_fake import ApiPaper
    from testkit.paper_docs import latexml_html, sample_doc
    from testkit.samples import smart_responder
    from testkit.slack_fake import slash_command_payload
    from tests.test_discord_bot import PID, deep_calls

    doc = sample_doc(PID)
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    release = threading.Event()

    def held(request):  # the first writer waits until every asker has asked
        if '"abstract_translation"' in request["messages"][0]["content"]:
            release.wait(20)
        return smart_responder(request)

    llm_fake.responder = held
    async with FakeSlack() as slack:
        slack.add_channel("C0123", name="vision")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        config = discord_config(write_config, discord_fake)
        path = config.base_dir / "paperbot.toml"
        path.write_text(path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n')
        config = load_config(path)
        stop = asyncio.Event()
        service = asyncio.create_task(serve(config, [run_slack, run_discord], stop))
        cli = None
        try:
            await discord_fake.wait_until(lambda: discord_fake.connected and slack.socket_connections, timeout=10)
            cli = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "paperbot.cli", "paper", PID, "--deep", "--config", str(path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            await llm_fake.wait_until(lambda: deep_calls(llm_fake), timeout=20)  # the CLI is writing it
            envelope = await slack.send_envelope("slash_commands", slash_command_payload(
                text=PID, channel_id="C0123", response_url=slack.new_response_url()))
            await slack.wait_ack(envelope)
            interaction = await discord_fake.interaction("paper", {"id": PID})
            await discord_fake.wait_until(lambda: discord_fake.callbacks(interaction), timeout=10)
            release.set()
            out, err = await asyncio.wait_for(cli.communicate(), 30)
            await discord_fake.wait_until(lambda: len(discord_fake.followups(interaction)) >= 1, timeout=10)
            await slack.wait_until(lambda: len(slack.messages("C0123")) >= 2, timeout=10)
        finally:
            release.set()
            stop.set()
            await asyncio.wait_for(service, 10)
    assert cli.returncode == 0, err.decode()
    assert "7. Summary" in out.decode()
    assert len(deep_calls(llm_fake)) == 1 and len(arxiv_fake.requests_to("/html/")) == 1
