"""A fake Slack (Web API, Socket Mode, response_url) on 127.0.0.1, for the real slack_sdk / slack_bolt.

Why one aiohttp server and not the ``FakeServer`` base the other fakes use: Socket Mode is a
WebSocket, which ``http.server`` cannot speak, and a Socket Mode app needs both halves (the Web
API hands out the WebSocket URL). So this fake runs its own aiohttp app on its own event loop in a
background thread; tests talk to it from sync code or from their own event loop alike.

    with FakeSlack() as fake:                      # or: async with FakeSlack() as fake
        fake.add_channel("C0123", name="vision")
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        await client.chat_postMessage(channel="C0123", text="hi")
        assert fake.messages("C0123")[0]["text"] == "hi"

What it enforces, so code under test cannot cheat: tokens (bot/user tokens for the Web API, an
``xapp-`` token for ``apps.connections.open``), known channels and membership, and Slack's message
limits (50 blocks, 3000-char section text, 150-char header, 40,000-char text).

Web API methods: the ones paperbot calls (auth.test, apps.connections.open, chat.postMessage,
chat.postEphemeral, conversations.info); any other answers unknown_method.

Ordering without clocks: every recorded call, ack and response_url post gets a ``seq``
from one shared counter, so "the ack came before the post" is ``ack.seq < message["seq"]``.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Self
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from testkit.threaded_app import ThreadedApp

__all__ = [
    "Ack", "Call", "FakeSlack", "ResponsePost", "SlackError",
    "blocks_errors", "check_message", "event_body", "event_payload", "mention_event", "reaction_event", "sign",
    "slash_command_body", "slash_command_payload",
]

TEAM_ID, TEAM_NAME, APP_ID = "T1", "Fake", "A1"
BOT_USER_ID, BOT_ID = "UBOT", "BBOT"
WORKSPACE_URL = "https://fake.slack.com/"  # only ever a string in answers, never fetched

MAX_BLOCKS, MAX_TEXT = 50, 40_000
MAX_SECTION_TEXT, MAX_FIELD_TEXT, MAX_FIELDS = 3000, 2000, 10
MAX_HEADER_TEXT, MAX_CONTEXT_ELEMENTS = 150, 10
BLOCK_TYPES = {"actions", "context", "divider", "file", "header", "image", "markdown",
               "rich_text", "section", "table", "video"}
RESPONSE_URL_USES = 5  # Slack: a response_url takes 5 posts (within 30 minutes)
WS_CLOSE_TIMEOUT_S = 0.5  # how long stop() waits for a client to answer a close frame


# -- records --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One Web API call as the fake answered it (header names lower-cased, no token in params)."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    seq: int
    token: str | None = None
    status: int = 200  # HTTP status of the answer (429 when rate limited)
    error: str | None = None  # the answer's "error": None when ok


@dataclass(frozen=True)
class Ack:
    """A frame the app sent back over Socket Mode that names an envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    seq: int
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResponsePost:
    """One post to a response_url."""

    url_id: str
    body: dict[str, Any]
    seq: int
    status: int


class SlackError(Exception):
    """Raised by a Web API method: becomes {"ok": false, "error": code, ...extra}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code, self.extra = code, extra


@dataclass
class _Rule:
    kind: str  # "pass" | "ratelimit" | "fail"
    error: str = ""
    retry_after: int = 0


# -- helpers for inbound requests to a Bolt app ---------------------------------------------------
def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack signs a request with: v0= HMAC-SHA256 of "v0:{ts}:{body}"."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_command_payload(command: str = "/paper", text: str = "2602.12281", user_id: str = "U1",
                          channel_id: str = "C0123", response_url: str | None = None,
                          trigger_id: str | None = None, *, channel_name: str = "vision",
                          user_name: str = "ada", team_id: str = TEAM_ID) -> dict[str, str]:
    """Every field Slack sends with a slash command (as a dict: Socket Mode's payload).

    The default response_url is Slack's real host on purpose: a handler that answers it in a test
    that did not pass ``fake.new_response_url()`` trips the network guard loudly.
    """
    return {
        "token": "verification-token", "team_id": team_id, "team_domain": "fake",
        "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
        "user_name": user_name, "command": command, "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url or f"https://hooks.slack.com/commands/{team_id}/1/fake",
        "trigger_id": trigger_id or f"1.{uuid.uuid4().hex[:12]}",
    }


def slash_command_body(command: str = "/paper", text: str = "2602.12281", user_id: str = "U1",
                       channel_id: str = "C0123", response_url: str | None = None,
                       trigger_id: str | None = None, **more: str) -> bytes:
    """The form-encoded body Slack POSTs for a slash command in HTTP mode."""
    payload = slash_command_payload(command, text, user_id, channel_id, response_url, trigger_id, **more)
    return urlencode(payload).encode()


def event_payload(event: dict[str, Any], event_id: str = "Ev1", team_id: str = TEAM_ID) -> dict[str, Any]:
    """An ``event_callback`` envelope (HTTP body, or Socket Mode events_api payload)."""
    return {
        "token": "verification-token", "team_id": team_id, "api_app_id": APP_ID,
        "event": event, "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "event_context": f"4-{event_id}",
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def event_body(event: dict[str, Any], event_id: str = "Ev1", team_id: str = TEAM_ID) -> bytes:
    return json.dumps(event_payload(event, event_id, team_id)).encode()


def reaction_event(user: str, reaction: str, channel: str, ts: str, added: bool = True,
                   item_user: str = BOT_USER_ID) -> dict[str, Any]:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user, "reaction": reaction, "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": f"{int(time.time())}.000001",
    }


def mention_event(user: str, text: str, channel: str, ts: str | None = None, thread_ts: str | None = None,
                  bot_id: str | None = None) -> dict[str, Any]:
    """An ``app_mention`` event as Slack sends it: `text` holds the mention (``<@UBOT> which datasets?``);
    `thread_ts` when the message is a reply in a thread; `bot_id` when a bot wrote it."""
    ts = ts or f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"
    event: dict[str, Any] = {
        "type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts,
        "team": TEAM_ID, "client_msg_id": str(uuid.uuid4()),
        "blocks": [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": []}],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER_ID
    if bot_id:
        event["bot_id"] = bot_id
    return event


# -- Slack's message rules ------------------------------------------------------------------------
def _text_errors(obj: Any, where: str, limit: int, plain_only: bool = False) -> list[str]:
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"must be a {' or '.join(kinds)} text object [json-pointer:{where}]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []


def _section_errors(block: dict[str, Any], where: str) -> list[str]:
    fields = block.get("fields")
    if "text" not in block and not fields:
        return [f"must provide text or fields [json-pointer:{where}]"]
    errors = _text_errors(block["text"], f"{where}/text", MAX_SECTION_TEXT) if "text" in block else []
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
            errors.append(f"must be an array of at most {MAX_FIELDS} items [json-pointer:{where}/fields]")
        else:
            for i, f in enumerate(fields):
                errors += _text_errors(f, f"{where}/fields/{i}", MAX_FIELD_TEXT)
    return errors


def _block_errors(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        return [f"unsupported or missing block type [json-pointer:{where}/type]"]
    kind = block["type"]
    if kind == "section":
        return _section_errors(block, where)
    if kind == "header":
        return _text_errors(block.get("text"), f"{where}/text", MAX_HEADER_TEXT, plain_only=True)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            return [f"must have 1 to {MAX_CONTEXT_ELEMENTS} elements [json-pointer:{where}/elements]"]
    return []


def blocks_errors(blocks: Any) -> list[str]:
    """Why Slack would answer ``invalid_blocks`` (empty list: the blocks are fine)."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors = [f"must be less than {MAX_BLOCKS + 1} items [json-pointer:/blocks]"] if len(blocks) > MAX_BLOCKS else []
    for i, block in enumerate(blocks):
        errors += _block_errors(block, f"/blocks/{i}")
    return errors


def _decode_blocks(params: dict[str, Any]) -> list[Any] | None:
    """Blocks come as a list (JSON bodies) or a JSON string (form bodies)."""
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            raise SlackError("invalid_blocks_format") from None
    return blocks


def check_message(params: dict[str, Any]) -> tuple[str, list[Any] | None]:
    """(text, blocks) of a message, or SlackError as chat.postMessage would answer."""
    text, blocks = params.get("text") or "", _decode_blocks(params)
    if blocks is not None:
        errors = blocks_errors(blocks)
        if errors:
            raise SlackError("invalid_blocks", errors=errors)
    if not text and not blocks and not params.get("attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, blocks


def _as_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


# -- the fake -------------------------------------------------------------------------------------
class FakeSlack(ThreadedApp):
    """Slack's Web API under /api/, Socket Mode at /link, response_urls under /response/."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._seq = itertools.count(1)
        self._ts = itertools.count(1)
        self._calls: list[Call] = []
        self._messages: list[dict[str, Any]] = []
        self._ephemerals: list[dict[str, Any]] = []  # chat.postEphemeral, one user each
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._rules: dict[str, collections.deque[_Rule]] = collections.defaultdict(collections.deque)
        self._response_urls: dict[str, list[ResponsePost]] = {}
        self._acks: list[Ack] = []
        self.add_user(BOT_USER_ID, name="paperbot", is_bot=True)

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """slack_sdk's ``base_url`` (with the trailing slash it wants)."""
        return f"{self.url}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{url_id}", self._handle_response_url)
        app.router.add_get("/link", self._handle_link)

    # -- set-up ------------------------------------------------------------------------------------
    def add_channel(self, channel_id: str, name: str | None = None, member: bool = True) -> None:
        """A channel the bot can see; member=False makes posts fail with not_in_channel."""
        with self._lock:
            self._channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(),
                                          "is_member": member}

    def add_user(self, user_id: str, name: str | None = None, tz: str = "UTC", is_bot: bool = False) -> None:
        with self._lock:
            self._users[user_id] = {"id": user_id, "name": name or user_id.lower(), "tz": tz,
                                    "is_bot": is_bot}

    def rate_limit_next(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` get HTTP 429, Retry-After, error "ratelimited"."""
        self._add_rules(method, times, _Rule("ratelimit", "ratelimited", retry_after))

    def fail_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """The next `times` calls of `method` get HTTP 200 {"ok": false, "error": error}."""
        self._add_rules(method, times, _Rule("fail", error))

    def after(self, method: str, calls: int) -> Self:
        """Let the next `calls` calls of `method` through before the rules added next:
        `fake.after("chat.postMessage", 5).fail_next(...)` fails the sixth post."""
        self._add_rules(method, calls, _Rule("pass"))
        return self

    def _add_rules(self, method: str, times: int, rule: _Rule) -> None:
        with self._lock:
            self._rules[method].extend([rule] * times)  # rules are never mutated: sharing is fine

    def new_response_url(self) -> str:
        """A fresh URL to pass as a slash command's response_url."""
        url_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._response_urls[url_id] = []
        return f"{self.url}/response/{url_id}"

    # -- what happened -----------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted (top level and replies), in order; each with ts, thread_ts, text,
        blocks, unfurl_links, unfurl_media, seq (copies: edit freely)."""
        with self._lock:
            return [dict(m) for m in self._messages if channel in (None, m["channel"])]

    def thread(self, channel: str, parent_ts: str) -> list[dict[str, Any]]:
        """The replies under `parent_ts` (the parent itself not included), in order."""
        return [m for m in self.messages(channel) if m["thread_ts"] == parent_ts and m["ts"] != parent_ts]

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        """What chat.postEphemeral showed to one user each (the asker told why not), in order."""
        with self._lock:
            return [dict(m) for m in self._ephemerals if channel in (None, m["channel"])]

    @property
    def response_urls(self) -> dict[str, list[ResponsePost]]:
        """Every URL new_response_url() gave out, with the posts it received."""
        with self._lock:
            return {f"{self.url}/response/{url_id}": list(posts) for url_id, posts in self._response_urls.items()}

    def responses(self, url_or_id: str) -> list[ResponsePost]:
        """Posts to one response_url (pass the URL or its last path segment)."""
        with self._lock:
            return list(self._response_urls.get(url_or_id.rstrip("/").rsplit("/", 1)[-1], []))

    @property
    def acks(self) -> list[Ack]:
        with self._lock:
            return list(self._acks)

    @property
    def socket_connections(self) -> int:
        """Open Socket Mode connections."""
        with self._lock:
            return sum(1 for ws in self._sockets if not ws.closed)

    def _ack_for(self, envelope_id: str) -> Ack | None:
        return next((a for a in self.acks if a.envelope_id == envelope_id), None)

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        return await self.wait_until(lambda: self._ack_for(envelope_id), timeout)

    # -- Socket Mode: pushing to the app -----------------------------------------------------------
    async def send_envelope(self, type: str, payload: dict[str, Any], envelope_id: str | None = None,
                            accepts_response_payload: bool = True, timeout: float = 2.0, **extra: Any) -> str:
        """Push an envelope (slash_commands, events_api, interactive) to the connected app; returns
        its envelope_id. Waits up to `timeout` for a connection. `extra`: e.g. retry_attempt=1."""
        frame = self._envelope_frame(type, payload, envelope_id, accepts_response_payload, extra)
        fut = asyncio.run_coroutine_threadsafe(self._push(frame, timeout), self._loop)
        await asyncio.wrap_future(fut)
        return frame["envelope_id"]

    @staticmethod
    def _envelope_frame(type: str, payload: dict[str, Any], envelope_id: str | None,
                        accepts_response_payload: bool, extra: dict[str, Any]) -> dict[str, Any]:
        return {"envelope_id": envelope_id or str(uuid.uuid4()), "type": type, "payload": payload,
                "accepts_response_payload": accepts_response_payload, **extra}

    async def _push(self, frame: dict[str, Any], timeout: float) -> None:
        """On the fake's loop: send a frame on the newest open connection."""
        deadline = time.monotonic() + timeout
        while not (ws := next((w for w in reversed(self._sockets) if not w.closed), None)):
            if time.monotonic() > deadline:
                raise TimeoutError("FakeSlack: no Socket Mode connection to push to")
            await asyncio.sleep(0.005)
        await ws.send_str(json.dumps(frame))

    # -- HTTP: Socket Mode endpoint ----------------------------------------------------------------
    async def _handle_link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=WS_CLOSE_TIMEOUT_S)
        await ws.prepare(request)
        await ws.send_str(json.dumps({
            "type": "hello", "num_connections": len(self._sockets) + 1,
            "connection_info": {"app_id": APP_ID},
            "debug_info": {"host": "fake-link", "build_number": 1, "approximate_connection_time": 3600},
        }))
        with self._lock:
            self._sockets.append(ws)  # after hello: an envelope never overtakes it
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_socket_text(msg.data)
        finally:
            with self._lock:
                self._sockets.remove(ws)
        return ws

    def _on_socket_text(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError as exc:
            self.errors.append(exc)
            return
        if isinstance(frame, dict) and "envelope_id" in frame:
            with self._lock:
                self._acks.append(Ack(frame["envelope_id"], frame.get("payload"), next(self._seq), frame))

    # -- HTTP: response_url ------------------------------------------------------------------------
    async def _handle_response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["url_id"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        with self._lock:
            posts = self._response_urls.get(url_id)
            status, text = self._response_url_answer(posts, body)
            if posts is not None and isinstance(body, dict):
                posts.append(ResponsePost(url_id, body, next(self._seq), status))
        return web.Response(status=status, text=text)

    @staticmethod
    def _response_url_answer(posts: list[ResponsePost] | None, body: Any) -> tuple[int, str]:
        if posts is None:
            return 404, "expired_url"
        if sum(1 for p in posts if p.status == 200) >= RESPONSE_URL_USES:
            return 404, "used_url"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        try:
            if not body.get("delete_original"):
                check_message(body)
        except SlackError as exc:
            return 400, exc.code
        return 200, "ok"

    # -- HTTP: Web API -----------------------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params: dict[str, Any] | None = await _read_params(request)
        except ValueError:
            params = None  # answered invalid_json
        form_token = params.pop("token", None) if params else None
        token = _bearer(request.headers.get("Authorization")) or form_token
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:  # one critical section per call: seq order == processing order
            seq = next(self._seq)
            rule = self._rules[method].popleft() if self._rules.get(method) else None
            rule = None if rule is not None and rule.kind == "pass" else rule
            status, body, extra_headers = self._answer(method, params, token, seq, rule)
            error = None if body.get("ok") else body.get("error")
            self._calls.append(Call(method, params or {}, headers, seq, token, status, error))
        return web.json_response(body, status=status, headers=extra_headers)

    def _answer(self, method: str, params: dict[str, Any] | None, token: str | None, seq: int,
                rule: _Rule | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        if rule is not None and rule.kind == "ratelimit":
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(rule.retry_after)}
        if rule is not None and rule.kind == "fail":
            return 200, {"ok": False, "error": rule.error}, {}
        if params is None:
            return 200, {"ok": False, "error": "invalid_json"}, {}
        try:
            return 200, {"ok": True, **self._call_method(method, params, token, seq)}, {}
        except SlackError as exc:
            return 200, {"ok": False, "error": exc.code, **exc.extra}, {}
        except Exception as exc:  # a bug in the fake: show it, and answer like Slack would
            self.errors.append(exc)
            return 200, {"ok": False, "error": "fatal_error"}, {}

    def _call_method(self, method: str, params: dict[str, Any], token: str | None, seq: int) -> dict[str, Any]:
        handler = self._METHODS.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        _check_token(method, token)
        return handler(self, params, seq)

    # -- Web API methods (called under self._lock; return the answer minus "ok") -----------------
    def _auth_test(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        return {"url": WORKSPACE_URL, "team": TEAM_NAME, "user": "paperbot", "team_id": TEAM_ID,
                "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _apps_connections_open(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        return {"url": self.socket_url}

    def _chat_post_message(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        channel = self._writable_channel(p.get("channel"))
        text, blocks = check_message(p)
        message = {
            "type": "message", "channel": channel, "ts": self._next_ts(), "text": text, "blocks": blocks,
            "thread_ts": p.get("thread_ts"), "unfurl_links": _as_bool(p.get("unfurl_links")),
            "unfurl_media": _as_bool(p.get("unfurl_media")), "user": BOT_USER_ID, "bot_id": BOT_ID,
            "team": TEAM_ID, "seq": seq,
        }
        self._messages.append(message)
        return {"channel": channel, "ts": message["ts"], "message": _public(message)}

    def _chat_post_ephemeral(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        channel = self._writable_channel(p.get("channel"))
        if p.get("user") not in self._users:
            raise SlackError("user_not_found")
        text, blocks = check_message(p)
        ts = self._next_ts()
        self._ephemerals.append({"channel": channel, "user": p["user"], "ts": ts, "text": text,
                                 "blocks": blocks, "thread_ts": p.get("thread_ts"), "seq": seq})
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        message = self._message(self._channel(p.get("channel"))["id"], p.get("message_ts"))
        link = f"{WORKSPACE_URL}archives/{message['channel']}/p{message['ts'].replace('.', '')}"
        if message["thread_ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={message['channel']}"
        return {"channel": message["channel"], "permalink": link}

    def _conversations_info(self, p: dict[str, Any], seq: int) -> dict[str, Any]:
        return {"channel": _channel_view(self._channel(p.get("channel")))}

    _METHODS: dict[str, Callable[["FakeSlack", dict[str, Any], int], dict[str, Any]]] = {
        "auth.test": _auth_test,
        "apps.connections.open": _apps_connections_open,
        "chat.postMessage": _chat_post_message,
        "chat.postEphemeral": _chat_post_ephemeral,
        "chat.getPermalink": _chat_get_permalink,  # the weekly recap links each paper's message
        "conversations.info": _conversations_info,
    }

    # -- lookups -------------------------------------------------------------------------------------
    def _channel(self, ref: Any) -> dict[str, Any]:
        """A known channel by id, name or #name, else channel_not_found."""
        ref = str(ref or "").lstrip("#")
        found = self._channels.get(ref) or next((c for c in self._channels.values() if c["name"] == ref), None)
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def _writable_channel(self, ref: Any) -> str:
        channel = self._channel(ref)
        if not channel["is_member"]:
            raise SlackError("not_in_channel")
        return channel["id"]

    def _message(self, channel: str, ts: Any) -> dict[str, Any]:
        found = next((m for m in self._messages if m["channel"] == channel and m["ts"] == ts), None)
        if found is None:
            raise SlackError("message_not_found")
        return found

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Slack shows it in answers (no channel, no seq, no empty fields)."""
    hidden = {"channel", "seq", "unfurl_links", "unfurl_media"}
    return {k: v for k, v in message.items() if k not in hidden and v not in (None, [])}


def _channel_view(channel: dict[str, Any]) -> dict[str, Any]:
    return {**channel, "is_channel": True, "is_private": False, "is_archived": False}


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _check_token(method: str, token: str | None) -> None:
    if not token:
        raise SlackError("not_authed")
    app_level = token.startswith("xapp-")
    if (method == "apps.connections.open") != app_level:
        raise SlackError("not_allowed_token_type")
    if not app_level and not token.startswith(("xoxb-", "xoxp-")):
        raise SlackError("invalid_auth")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a form or JSON body, as Slack accepts all three (slack_sdk sends many
    methods' arguments in the query string of a POST, chat.* as JSON)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise ValueError("JSON body is not an object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params.update((k, v) for k, v in (await request.post()).items() if isinstance(v, str))
    return params
