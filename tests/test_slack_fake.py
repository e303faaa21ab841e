"""FakeSlack driven by the real slack_sdk and slack_bolt: Web API, HTTP mode and Socket Mode."""

from __future__ import annotations

import asyncio
import json
import types
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from testkit.slack_fake import (
    FakeSlack,
    event_body,
    event_payload,
    reaction_event,
    sign,
    slash_command_body,
    slash_command_payload,
)

SECRET = "s"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        fake.add_channel("C0123", name="vision")
        yield fake


@pytest.fixture
def client(slack):
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def slack_error(coro) -> str:
    with pytest.raises(SlackApiError) as info:
        await coro
    return info.value.response["error"]


# -- Web API ---------------------------------------------------------------------------------------
async def test_auth_test_and_a_thread_in_order(slack, client):
    me = await client.auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"], me["team"]) == ("UBOT", "BBOT", "T1", "Fake")

    parent = await client.chat_postMessage(channel="C0123", text="digest", blocks=[section("*Papers*")],
                                           unfurl_links=False, unfurl_media=False)
    first = await client.chat_postMessage(channel="C0123", text="one", thread_ts=parent["ts"])
    second = await client.chat_postMessage(channel="#vision", text="two", thread_ts=parent["ts"])

    assert parent["channel"] == "C0123" and parent["message"]["text"] == "digest"
    assert parent["ts"] < first["ts"] < second["ts"]
    posted = slack.messages("C0123")
    assert [m["text"] for m in posted] == ["digest", "one", "two"]
    assert [m["thread_ts"] for m in posted] == [None, parent["ts"], parent["ts"]]
    assert posted[0]["blocks"] == [section("*Papers*")]
    assert posted[0]["unfurl_links"] is False and posted[0]["unfurl_media"] is False
    assert [m["text"] for m in slack.thread("C0123", parent["ts"])] == ["one", "two"]
    assert [c.method for c in slack.calls] == ["auth.test"] + ["chat.postMessage"] * 3
    assert slack.calls[0].token == "xoxb-test"


@pytest.mark.parametrize("kwargs, error", [
    ({"text": "x", "blocks": [section("x")] * 51}, "invalid_blocks"),
    ({"text": "x", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
    ({"text": "x", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
     "invalid_blocks"),
    ({"text": "x", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "*x*"}}]}, "invalid_blocks"),
    ({"text": "x" * 40_001}, "msg_too_long"),
    pytest.param({"text": ""}, "no_text", marks=pytest.mark.filterwarnings("ignore:The top-level `text`")),
])
async def test_message_limits_are_enforced(slack, client, kwargs, error):
    assert await slack_error(client.chat_postMessage(channel="C0123", **kwargs)) == error
    assert slack.messages() == []


async def test_messages_at_the_limits_are_accepted(slack, client):
    await client.chat_postMessage(channel="C0123", text="x" * 40_000, blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        *[section("s" * 3000)] * 49,
    ])
    assert len(slack.messages("C0123")[0]["blocks"]) == 50


async def test_invalid_blocks_says_where(client):
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C0123", text="x", blocks=[section("x" * 3001)])
    assert info.value.response["errors"] == ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]


async def test_channels_and_membership(slack, client):
    slack.add_channel("C0999", name="robotics", member=False)
    assert await slack_error(client.chat_postMessage(channel="CNOPE", text="x")) == "channel_not_found"
    assert await slack_error(client.chat_postMessage(channel="C0999", text="x")) == "not_in_channel"
    assert await slack_error(client.conversations_info(channel="CNOPE")) == "channel_not_found"
    info = await client.conversations_info(channel="C0999")
    assert info["channel"]["name"] == "robotics" and info["channel"]["is_member"] is False


async def test_tokens_and_unknown_methods(slack, client):
    assert await slack_error(AsyncWebClient(token="xapp-1", base_url=slack.api_url).auth_test()) \
        == "not_allowed_token_type"
    assert await slack_error(client.apps_connections_open(app_token="xoxb-test")) == "not_allowed_token_type"
    assert await slack_error(AsyncWebClient(base_url=slack.api_url).auth_test()) == "not_authed"
    assert await slack_error(AsyncWebClient(token="nope", base_url=slack.api_url).auth_test()) == "invalid_auth"
    assert await slack_error(client.api_call("chat.fly")) == "unknown_method"
    opened = await client.apps_connections_open(app_token="xapp-test")
    assert opened["url"] == f"ws://127.0.0.1:{slack.port}/link"


async def test_form_encoded_body_with_token_field(slack):
    form = {"token": "xoxb-form", "channel": "C0123", "text": "hi",
            "blocks": json.dumps([section("hi")]), "unfurl_links": "false"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{slack.api_url}chat.postMessage", data=form) as resp:
            assert (await resp.json())["ok"] is True
    [message] = slack.messages("C0123")
    assert message["blocks"] == [section("hi")] and message["unfurl_links"] is False
    assert slack.calls[-1].token == "xoxb-form" and "token" not in slack.calls[-1].params


def test_sync_client_and_sync_context_manager():
    with FakeSlack() as fake:
        fake.add_channel("C0123")
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        posted = client.chat_postMessage(channel="C0123", text="from sync")
        assert posted["ts"] == "1700000000.000100"
        assert fake.messages("C0123")[0]["text"] == "from sync"


async def test_ephemeral_needs_a_known_user(slack, client):
    slack.add_user("U1", name="ada")
    assert (await client.chat_postEphemeral(channel="C0123", user="U1", text="only you"))["message_ts"]
    assert await slack_error(client.chat_postEphemeral(channel="C0123", user="U404", text="x")) == "user_not_found"
    assert slack.messages("C0123") == []  # not a channel message


# -- failures --------------------------------------------------------------------------------------
async def test_429_is_retried_by_the_rate_limit_handler(slack, client, monkeypatch):
    # slack_sdk waits Retry-After + random() seconds: take the jitter out to keep the test fast.
    monkeypatch.setattr(builtin_async_handlers, "random", types.SimpleNamespace(random=lambda: 0.0))
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    slack.rate_limit_next("chat.postMessage", times=1, retry_after=0)

    await client.chat_postMessage(channel="C0123", text="once")

    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in slack.messages("C0123")] == ["once"]


async def test_429_without_a_handler_raises_with_retry_after(slack, client):
    slack.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C0123", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response["error"] == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "7"


async def test_fail_next_then_recover(slack, client):
    slack.fail_next("chat.postMessage", error="fatal_error", times=2)
    for _ in range(2):
        assert await slack_error(client.chat_postMessage(channel="C0123", text="x")) == "fatal_error"
    await client.chat_postMessage(channel="C0123", text="x")
    assert [c.error for c in slack.calls_to("chat.postMessage")] == ["fatal_error", "fatal_error", None]


# -- Bolt, HTTP mode -------------------------------------------------------------------------------
@asynccontextmanager
async def served(app: AsyncApp):
    """Serve a Bolt app's aiohttp web app on 127.0.0.1; yields its events URL."""
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


def bolt_app(slack: FakeSlack) -> AsyncApp:
    # Give the token to the client only: AsyncApp(token=..., client=...) logs that it ignores token.
    return AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=slack.api_url), signing_secret=SECRET)


async def test_http_mode_slash_command_is_acked_and_handled(slack):
    app = bolt_app(slack)
    seen = []

    @app.command("/paper")
    async def paper(ack, command, respond):
        await ack("Reading it…")
        seen.append(command["text"])
        await respond(text="Done", response_type="in_channel")

    response_url = slack.new_response_url()
    body = slash_command_body(text="2602.12281", response_url=response_url)
    async with served(app) as url, aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers={**FORM, **sign(body, SECRET)}) as resp:
            assert resp.status == 200
            assert await resp.text() == "Reading it…"  # ack(text) alone answers text/plain
        [post] = await slack.wait_until(lambda: slack.responses(response_url))
        async with http.post(url, data=body, headers={**FORM, **sign(body, "wrong")}) as resp:
            assert resp.status == 401

    assert seen == ["2602.12281"]
    assert post.body["text"] == "Done" and post.body["response_type"] == "in_channel"
    assert slack.calls[0].method == "auth.test"  # Bolt checks the token on the first request


async def test_http_mode_reaction_event(slack):
    app = bolt_app(slack)
    got = asyncio.Event()

    @app.event("reaction_added")
    async def on_reaction(event):
        assert event["reaction"] == "+1" and event["item"]["ts"] == "1700000000.000100"
        got.set()

    body = event_body(reaction_event("U1", "+1", "C0123", "1700000000.000100"), event_id="Ev9")
    headers = {"Content-Type": "application/json", **sign(body, SECRET)}
    async with served(app) as url, aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers=headers) as resp:
            assert resp.status == 200
        await asyncio.wait_for(got.wait(), 2)


def test_sign_matches_slack_sdk_verifier():
    body = slash_command_body()
    headers = sign(body, SECRET, timestamp=1_700_000_000)
    verifier = SignatureVerifier(SECRET, clock=types.SimpleNamespace(now=lambda: 1_700_000_010))
    assert verifier.is_valid_request(body, headers)
    assert set(slash_command_payload()) >= {"token", "team_id", "team_domain", "channel_id", "channel_name",
                                            "user_id", "user_name", "command", "text", "api_app_id",
                                            "response_url", "trigger_id"}


async def test_response_url_takes_five_posts(slack):
    url = slack.new_response_url()
    async with aiohttp.ClientSession() as http:
        statuses = []
        for n in range(6):
            async with http.post(url, json={"text": f"update {n}"}) as resp:
                statuses.append(resp.status)
        async with http.post(f"{slack.url}/response/unknown", json={"text": "x"}) as resp:
            assert (resp.status, await resp.text()) == (404, "expired_url")
    assert statuses == [200] * 5 + [404]
    assert [p.body["text"] for p in slack.responses(url)][:5] == [f"update {n}" for n in range(5)]


# -- Bolt, Socket Mode -----------------------------------------------------------------------------
@asynccontextmanager
async def socket_mode(app: AsyncApp):
    # The handler's SocketModeClient uses app.client (already pointed at the fake) for
    # apps.connections.open unless web_client= is passed; build it inside a running loop.
    handler = AsyncSocketModeHandler(app, app_token="xapp-test")
    assert handler.client.web_client is app.client
    await handler.connect_async()
    try:
        yield handler
    finally:
        await handler.close_async()


async def test_socket_mode_slash_command(slack):
    app = bolt_app(slack)
    acked = asyncio.Event()

    @app.command("/paper")
    async def paper(ack, command, say):
        await ack()
        await acked.wait()  # post only after the test saw the ack: makes the order below certain
        await say(f"Reading {command['text']}")

    async with socket_mode(app):
        # The client is connected before the fake has filed the socket: wait for it, do not assume.
        assert await slack.wait_until(lambda: slack.socket_connections == 1)
        envelope_id = await slack.send_envelope(
            "slash_commands", slash_command_payload(response_url=slack.new_response_url()))
        ack = await slack.wait_ack(envelope_id, timeout=2)
        acked.set()
        [message] = await slack.wait_until(lambda: slack.messages("C0123"))

    assert ack.payload is None  # a bare ack()
    assert message["text"] == "Reading 2602.12281"
    assert ack.seq < message["seq"]
    assert slack.calls_to("apps.connections.open")[0].token == "xapp-test"
    await slack.wait_until(lambda: slack.socket_connections == 0)


async def test_socket_mode_ack_with_text_and_an_event(slack):
    app = bolt_app(slack)
    reactions = []

    @app.command("/paper")
    async def paper(ack):
        await ack("Unknown paper id")

    @app.event("reaction_added")
    async def on_reaction(event):
        reactions.append(event["reaction"])

    async with socket_mode(app):
        command_ack = await slack.wait_ack(await slack.send_envelope("slash_commands", slash_command_payload()))
        event_id = await slack.send_envelope(
            "events_api", event_payload(reaction_event("U1", "eyes", "C0123", "1.0")),
            accepts_response_payload=False, retry_attempt=0, retry_reason="")
        await slack.wait_ack(event_id)
        await slack.wait_until(lambda: reactions)

    assert command_ack.payload == {"text": "Unknown paper id"}
    assert reactions == ["eyes"]

