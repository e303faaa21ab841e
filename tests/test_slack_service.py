"""`paperbot run` on Slack, end to end in Socket Mode: catch-up post, /paper, votes, clean stop, no double post."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from paperbot.commands.run import serve
from adapters.slack.service import run_slack
from bot.config import load_config
from bot.errors import ConfigError
from testkit.samples import DAY, filler_items, seed_items
from testkit.slack_fake import FakeSlack, event_payload, reaction_event, slash_command_payload


@pytest.fixture
async def slack(monkeypatch):
    async with FakeSlack() as fake:
        fake.add_channel("C0123", name="vision")
        fake.add_channel("COUT", name="outside", member=False)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        yield fake


def service_config(write_config, slack, channel="C0123", minutes_ago=5):
    post_at = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).strftime("%H:%M")
    path = write_config(digest={"max_papers": 3})
    path.write_text(path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n'
                    f'\n[[channels]]\nplatform = "slack"\nid = "{channel}"\npost_at = "{post_at}"\ntimezone = "UTC"\n')
    return load_config(path)


async def run_until(config, slack, condition):
    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_slack], stop))
    try:
        return await slack.wait_until(condition, timeout=10)
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)


async def test_catch_up_post_command_vote_and_a_restart_that_posts_nothing(arxiv_fake, llm_fake, write_config, slack):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    config = service_config(write_config, slack)

    await run_until(config, slack, lambda: len(slack.messages("C0123")) >= 4)  # missed 5 min ago: caught up
    parent, *replies = slack.messages("C0123")
    assert len(replies) == 3 and all(r["thread_ts"] == parent["ts"] for r in replies)

    stop = asyncio.Event()
    service = asyncio.create_task(serve(config, [run_slack], stop))  # a restart within the catch-up window
    try:
        await slack.wait_until(lambda: slack.socket_connections >= 1, timeout=10)
        envelope = await slack.send_envelope("slash_commands", slash_command_payload(
            text="banana", channel_id="C0123", response_url=slack.new_response_url()))
        ack = await slack.wait_ack(envelope)
        assert "is not an arXiv id" in str(ack.payload)
        vote = await slack.send_envelope("events_api", event_payload(
            reaction_event("U1", "star", "C0123", replies[0]["ts"]), event_id="EvV"))
        await slack.wait_ack(vote)
        # The restart's catch-up job reads the feed again; the stop below waits for it to finish.
        await slack.wait_until(lambda: len(arxiv_fake.requests_to("/rss/")) >= 2, timeout=10)
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)
    assert len(slack.messages("C0123")) == 4  # nothing twice


async def test_a_channel_the_bot_is_not_in_is_reported_at_start(arxiv_fake, llm_fake, write_config, slack):
    config = service_config(write_config, slack, channel="COUT")
    with pytest.raises(ConfigError, match="paperbot is not in Slack channel COUT; invite it"):
        await serve(config, [run_slack], asyncio.Event())


async def test_missing_app_token_is_one_sentence(arxiv_fake, llm_fake, write_config, slack, monkeypatch):
    monkeypatch.delenv("SLACK_APP_TOKEN")
    with pytest.raises(ConfigError, match="set SLACK_APP_TOKEN"):
        await serve(service_config(write_config, slack), [run_slack], asyncio.Event())


def test_the_manifest_declares_what_the_app_uses():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "adapters" / "slack" / "manifest.yml").read_text()
    for needed in ("command: /paper", "command: /mustread", "reaction_added", "reaction_removed",
                   "chat:write", "commands", "reactions:read", "socket_mode_enabled: true"):
        assert needed in text


@pytest.mark.parametrize("post_empty_days", [False, True])
async def test_a_day_without_announcement(post_empty_days, arxiv_fake, llm_fake, write_config, slack, caplog):
    arxiv_fake.set_feed("cs.CV", DAY, [])
    config = service_config(write_config, slack)
    config = config.model_copy(update={"digest": config.digest.model_copy(update={"post_empty_days": post_empty_days})})
    caplog.set_level("INFO", logger="bot.chat.jobs")

    for run in range(2):  # a restart must not repeat the note
        stop = asyncio.Event()
        service = asyncio.create_task(serve(config, [run_slack], stop))
        # The job is done once it has said so and (with notes on) the note of this run could be out.
        await slack.wait_until(lambda: sum("no arXiv announcement" in r.message for r in caplog.records) > run
                               and len(slack.messages("C0123")) >= int(post_empty_days and run == 0), timeout=10)
        stop.set()
        await asyncio.wait_for(service, 10)

    messages = slack.messages("C0123")
    if post_empty_days:
        assert len(messages) == 1 and "no arXiv announcement" in messages[0]["text"]
    else:
        assert messages == []


async def test_http_mode_listens_on_the_configured_host_and_port(arxiv_fake, llm_fake, write_config, slack,
                                                                  monkeypatch):
    import socket

    import aiohttp

    from testkit.slack_fake import sign, slash_command_body

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-secret")
    path = write_config()
    path.write_text(path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\nmode = "http"\n'
                    f'host = "127.0.0.1"\nport = {port}\n')
    stop = asyncio.Event()
    service = asyncio.create_task(serve(load_config(path), [run_slack], stop))
    try:
        body = slash_command_body(command="/paper", text="banana", channel_id="C0123",
                                  response_url=slack.new_response_url())
        headers = {**sign(body, "test-secret"), "Content-Type": "application/x-www-form-urlencoded"}
        async with aiohttp.ClientSession() as http:
            async def answered():
                try:
                    async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as r:
                        return r.status, await r.text()
                except aiohttp.ClientConnectorError:
                    return None
            status, text = None, ""
            for _ in range(200):  # until Bolt listens
                if (answer := await answered()) is not None:
                    status, text = answer
                    break
                await asyncio.sleep(0.02)
        assert status == 200 and "is not an arXiv id" in text
    finally:
        stop.set()
        await asyncio.wait_for(service, 10)
