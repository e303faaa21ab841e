"""A fake Discord (REST API v10 and the gateway WebSocket) on 127.0.0.1, for the real discord.py 2.x.

Why one aiohttp server, like FakeSlack: the gateway is a WebSocket, which ``http.server`` cannot
speak, and a ``discord.Client`` needs both halves at once (REST to log in and post, the gateway for
READY, interactions and reactions). The fake runs its own aiohttp app on its own event loop in a
background thread, so tests drive it from sync code or from their own event loop alike.

    async with FakeDiscord() as fake:              # or: with FakeDiscord() as fake
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with started_client(fake, client):   # points discord.py at the fake, waits for on_ready
            channel = client.get_channel(int(CHANNEL_ID))
            await channel.send("hi")
        assert fake.messages(CHANNEL_ID)[0]["content"] == "hi"

What it enforces, so code under test cannot cheat: the bot token (REST and IDENTIFY), privileged
intents, known channels and the bot's access to them, Discord's message limits (``message_errors``),
thread rules (one per message, 1-100 char names), the interaction life cycle (one callback, within
``callback_deadline`` seconds; follow-ups only after it) and slash-command definitions on sync.

Ordering without clocks: every REST call, gateway dispatch and interaction callback gets a ``seq``
from one shared counter, so "deferred before following up" is
``fake.callbacks(i)[0].seq < fake.followups(i)[0]["seq"]``.

Discord behaviours emulated on purpose because they bite real bots:

- The first follow-up after a deferred (type 5) interaction response does not create a message: it
  edits the "thinking" message, and its ephemeral flag is ignored (the defer's flag wins). So
  ``messages(channel)`` shows that follow-up as the ``kind="original"`` message, while
  ``followups(interaction)`` lists it with ``replaced_original=True``.
- discord.py retries 500/502/504/524 on REST routes (any 5xx on webhook routes) after sleeping
  1 s, 3 s, ... for real. ``fail_next`` defaults to 500 as asked; to make a call fail at once use
  ``status=503`` on REST routes, or a 4xx such as ``status=403, code=50013``.
- discord.py gives up after 5 tries of one request, so ``rate_limit_next(times=5)`` surfaces as an
  HTTPException (status 429); ``times`` <= 4 is waited out.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import datetime as dt
import hashlib
import http
import itertools
import json
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Self

from aiohttp import WSMsgType, web

from testkit.threaded_app import ThreadedApp

__all__ = [
    "APP_ID", "BOT_USER_ID", "CHANNEL_ID", "GUILD_ID", "OTHER_CHANNEL_ID", "USER_ID", "USER_ID_2", "DEFAULT_TOKEN",
    "INTENT_GUILD_MEMBERS", "INTENT_GUILD_PRESENCES", "INTENT_MESSAGE_CONTENT",
    "ROUTE_CALLBACK", "ROUTE_FOLLOWUP", "ROUTE_GET_CHANNEL", "ROUTE_GLOBAL_COMMANDS", "ROUTE_GUILD_COMMANDS",
    "ROUTE_SEND", "ROUTE_THREAD",
    "Call", "Callback", "Dispatch", "DiscordError", "FakeDiscord", "FakeInteraction",
    "message_errors", "point_discord_at", "started_client", "thread_name_errors",
]

# -- ids (distinct, realistic snowflake strings) ---------------------------------------------------
# The bot user and the application get different ids on purpose: on old applications they differ,
# and code that mixes them up should fail here rather than in production.
APP_ID = "1200000000000000001"
BOT_USER_ID = "1200000000000000002"
GUILD_ID = "1100000000000000001"
CHANNEL_ID = "1100000000000000010"  # the default guild's "papers" text channel
OTHER_CHANNEL_ID = "1100000000000000011"  # not created by default: for tests that add one
USER_ID = "1300000000000000001"  # a human member (also the guild and application owner)
USER_ID_2 = "1300000000000000002"
DEFAULT_TOKEN = "discord-test-token"
DISCORD_EPOCH_MS = 1_420_070_400_000

# -- the routes tests name most (the templated form used by rules and calls_to) ----------------------
ROUTE_SEND = "POST /channels/{channel_id}/messages"
ROUTE_THREAD = "POST /channels/{channel_id}/messages/{message_id}/threads"
ROUTE_GET_CHANNEL = "GET /channels/{channel_id}"
ROUTE_CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
ROUTE_FOLLOWUP = "POST /webhooks/{application_id}/{interaction_token}"
ROUTE_GLOBAL_COMMANDS = "PUT /applications/{application_id}/commands"
ROUTE_GUILD_COMMANDS = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
_HOOK_MESSAGES = "/webhooks/{application_id}/{interaction_token}/messages"

# -- Discord's limits ------------------------------------------------------------------------------
MAX_CONTENT, MAX_EMBEDS, MAX_EMBED_TOTAL = 2000, 10, 6000
MAX_TITLE, MAX_DESCRIPTION, MAX_FIELDS = 256, 4096, 25
MAX_FIELD_NAME, MAX_FIELD_VALUE, MAX_FOOTER, MAX_AUTHOR = 256, 1024, 2048, 256
MAX_THREAD_NAME = 100
ARCHIVE_DURATIONS = {60, 1440, 4320, 10080}
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
CALLBACK_DEADLINE_S = 3.0  # Discord: the first interaction response within 3 s, else 10062

# -- permissions and intents -----------------------------------------------------------------------
P_ADD_REACTIONS, P_VIEW_CHANNEL, P_SEND_MESSAGES = 1 << 6, 1 << 10, 1 << 11
P_EMBED_LINKS, P_ATTACH_FILES, P_READ_HISTORY = 1 << 14, 1 << 15, 1 << 16
P_USE_EXTERNAL_EMOJIS, P_USE_APP_COMMANDS = 1 << 18, 1 << 31
P_CREATE_PUBLIC_THREADS, P_SEND_IN_THREADS = 1 << 35, 1 << 38
EVERYONE_PERMISSIONS = (P_ADD_REACTIONS | P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES
                        | P_READ_HISTORY | P_USE_EXTERNAL_EMOJIS | P_USE_APP_COMMANDS | P_CREATE_PUBLIC_THREADS
                        | P_SEND_IN_THREADS)
INTENT_GUILD_MEMBERS, INTENT_GUILD_PRESENCES, INTENT_GUILD_MESSAGES = 1 << 1, 1 << 8, 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# message flags
F_SUPPRESS_EMBEDS, F_EPHEMERAL, F_LOADING = 1 << 2, 1 << 6, 1 << 7

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41250  # what Discord sends in HELLO
WS_CLOSE_TIMEOUT_S = 0.5  # how long stop() waits for a client to answer a close frame


# -- records --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One REST call as the fake answered it. ``route`` is the templated form
    ("POST /channels/{channel_id}/messages"), or "METHOD /raw/path" for a route the fake does not know."""

    method: str
    path: str
    route: str
    json: Any
    query: dict[str, str]
    seq: int
    status: int
    code: int | None = None  # Discord's error code in the answer (None when it succeeded)


@dataclass(frozen=True)
class Callback:
    """One POST to /interactions/{id}/{token}/callback (type 4 message, 5 deferred, ...)."""

    interaction_id: str
    type: int | None
    data: dict[str, Any]
    seq: int
    status: int

    @property
    def ephemeral(self) -> bool:
        return bool((self.data.get("flags") or 0) & F_EPHEMERAL)


@dataclass(frozen=True)
class Dispatch:
    """A gateway dispatch (op 0) the fake sent or queued; ``s`` is the gateway sequence number."""

    t: str
    d: dict[str, Any]
    s: int
    seq: int


@dataclass(frozen=True)
class FakeInteraction:
    """What ``fake.interaction(...)`` dispatched: pass it (or its id) to callbacks()/followups()."""

    id: str
    token: str
    channel_id: str
    guild_id: str
    payload: dict[str, Any] = field(repr=False)


class DiscordError(Exception):
    """Raised inside a route handler: becomes ``{"message": ..., "code": ..., "errors"?: ...}``."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, **({"errors": self.errors} if self.errors else {})}


def _unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def _unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def _unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


@dataclass
class _Rule:
    kind: str  # "pass" | "ratelimit" | "fail" | "drop"
    status: int = 0
    code: int = 0
    message: str = ""
    retry_after: float = 0.0


# -- Discord's form validation ----------------------------------------------------------------------
_Problem = tuple[tuple[str, ...], str, str]  # (path, Discord's error code string, message)


def _length_problem(value: Any, path: tuple[str, ...], limit: int, required: bool = False) -> list[_Problem]:
    if value is None:
        return [(path, "BASE_TYPE_REQUIRED", "This field is required")] if required else []
    if not isinstance(value, str):
        return [(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")]
    if required and not value.strip():
        return [(path, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {limit} in length.")]
    if len(value) > limit:
        code = "BASE_TYPE_BAD_LENGTH" if required else "BASE_TYPE_MAX_LENGTH"
        text = f"Must be between 1 and {limit} in length." if required else f"Must be {limit} or fewer in length."
        return [(path, code, text)]
    return []


def _embed_problems(embed: Any, i: int) -> tuple[list[_Problem], int]:
    """Problems of one embed, and its size as Discord counts it towards the 6000 total."""
    where = ("embeds", str(i))
    if not isinstance(embed, dict):
        return [(where, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")], 0
    problems = _length_problem(embed.get("title"), (*where, "title"), MAX_TITLE)
    problems += _length_problem(embed.get("description"), (*where, "description"), MAX_DESCRIPTION)
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    footer, author = embed.get("footer"), embed.get("author")
    if isinstance(footer, dict):
        problems += _length_problem(footer.get("text"), (*where, "footer", "text"), MAX_FOOTER, required=True)
        size += len(footer.get("text") or "")
    if isinstance(author, dict):
        problems += _length_problem(author.get("name"), (*where, "author", "name"), MAX_AUTHOR, required=True)
        size += len(author.get("name") or "")
    fields = embed.get("fields")
    if fields is not None:
        if not isinstance(fields, list):
            problems.append(((*where, "fields"), "BASE_TYPE_LIST", "Must be a list."))
        else:
            if len(fields) > MAX_FIELDS:
                problems.append(((*where, "fields"), "BASE_TYPE_MAX_LENGTH",
                                 f"Must be {MAX_FIELDS} or fewer in length."))
            for j, f in enumerate(fields):
                fw = (*where, "fields", str(j))
                if not isinstance(f, dict):
                    problems.append((fw, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
                    continue
                problems += _length_problem(f.get("name"), (*fw, "name"), MAX_FIELD_NAME, required=True)
                problems += _length_problem(f.get("value"), (*fw, "value"), MAX_FIELD_VALUE, required=True)
                size += len(f.get("name") or "") + len(f.get("value") or "")
    return problems, size


def _message_problems(payload: dict[str, Any]) -> list[_Problem]:
    """Form errors (Discord's 50035) of a message body; emptiness is checked separately (50006)."""
    problems = _length_problem(payload.get("content"), ("content",), MAX_CONTENT)
    embeds = payload.get("embeds")
    if embeds is None:
        return problems
    if not isinstance(embeds, list):
        return [*problems, (("embeds",), "BASE_TYPE_LIST", "Must be a list.")]
    if len(embeds) > MAX_EMBEDS:
        problems.append((("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        found, size = _embed_problems(embed, i)
        problems += found
        total += size
    if total > MAX_EMBED_TOTAL:
        problems.append((("embeds",), "MAX_EMBED_SIZE_EXCEEDED",
                         f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"))
    return problems


def _is_empty(payload: dict[str, Any]) -> bool:
    content = payload.get("content")
    has_text = isinstance(content, str) and bool(content.strip())  # Discord trims: " " is empty
    return not (has_text or payload.get("embeds") or payload.get("attachments")
                or payload.get("sticker_ids") or payload.get("poll") or payload.get("components"))


def _problem_text(problem: _Problem) -> str:
    path, _, message = problem
    return f"{'.'.join(path)}: {message}"


def message_errors(payload: dict[str, Any]) -> list[str]:
    """Why Discord would refuse this message body ([] when it is fine), one "path: reason" each,
    e.g. "embeds.0.description: Must be 4096 or fewer in length."; "Cannot send an empty message"
    (Discord's 50006) when there is neither content nor an embed."""
    errors = [_problem_text(p) for p in _message_problems(payload)]
    if _is_empty(payload):
        errors.append("Cannot send an empty message")
    return errors


def thread_name_errors(name: Any) -> list[str]:
    """Why Discord would refuse this thread name ([] when it is fine)."""
    return [_problem_text(p) for p in _length_problem(name, ("name",), MAX_THREAD_NAME, required=True)]


def _form_error(problems: list[_Problem]) -> DiscordError:
    """Discord's 400 "Invalid Form Body": errors nested by path, each node with an _errors list."""
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for part in path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def _check_message(payload: dict[str, Any]) -> None:
    problems = _message_problems(payload)
    if problems:
        raise _form_error(problems)
    if _is_empty(payload):
        raise DiscordError(400, 50006, "Cannot send an empty message")


_COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def _command_problems(commands: Any) -> list[_Problem]:
    """What Discord checks when commands are bulk-overwritten (a sync)."""
    if not isinstance(commands, list):
        return [((), "BASE_TYPE_LIST", "Must be a list.")]
    problems: list[_Problem] = []
    if len(commands) > 100:
        problems.append(((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        kind = cmd.get("type", 1)
        key = (cmd.get("name"), kind)
        if key in seen:
            problems.append(((str(i), "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                             "Application command names must be unique"))
        seen.add(key)
        problems += _option_problems(cmd, (str(i),), chat_input=kind == 1)
    return problems


def _option_problems(obj: dict[str, Any], where: tuple[str, ...], chat_input: bool = True) -> list[_Problem]:
    name, description = obj.get("name"), obj.get("description")
    problems: list[_Problem] = []
    if not isinstance(name, str) or not _COMMAND_NAME_RE.match(name) or (chat_input and name != name.lower()):
        problems.append(((*where, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
    if chat_input:
        problems += _length_problem(description, (*where, "description"), 100, required=True)
    options = obj.get("options") or []
    if len(options) > 25:
        problems.append(((*where, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    optional_seen = False
    for j, opt in enumerate(options):
        ow = (*where, "options", str(j))
        problems += _option_problems(opt, ow)
        if opt.get("type") in (1, 2):
            continue
        if opt.get("required") and optional_seen:
            problems.append((ow, "APPLICATION_COMMAND_OPTIONS_ORDER_INVALID",
                             "Required options must be placed before non-required options"))
        optional_seen = optional_seen or not opt.get("required")
        if len(opt.get("choices") or []) > 25:
            problems.append(((*ow, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    return problems


# -- small helpers ---------------------------------------------------------------------------------
def _iso(snowflake: int | str) -> str:
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).isoformat()


def _bucket(route: str) -> str:
    return hashlib.sha1(route.encode()).hexdigest()[:16]


def _json_response(status: int, payload: Any, headers: dict[str, str]) -> web.Response:
    """discord.py only parses a body whose Content-Type is exactly "application/json":
    aiohttp's json_response appends "; charset=utf-8", so the header is set by hand here."""
    if payload is None:
        return web.Response(status=status, headers=headers)
    return web.Response(status=status, body=json.dumps(payload).encode(),
                        headers={**headers, "Content-Type": "application/json"})


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    """"/channels/{channel_id}/messages" -> a regex with one named group per {placeholder}."""
    pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


async def _read_body(request: web.Request) -> Any:
    """The JSON body (paperbot sends no files, so never multipart)."""
    if not request.can_read_body:
        return None
    text = await request.text()
    return json.loads(text) if text else None


# -- pointing discord.py at the fake ---------------------------------------------------------------
class point_discord_at:  # noqa: N801 - used like a function
    """Point discord.py's REST base and gateway URL at `fake` at once; undo with ``.undo()`` or by
    using it as a context manager: ``with point_discord_at(fake): ...``. Production code sets the
    same two class attributes from its config."""

    def __init__(self, fake: FakeDiscord) -> None:
        import discord.gateway
        import discord.http
        import yarl

        self._route, self._ws = discord.http.Route, discord.gateway.DiscordWebSocket
        self._saved = (self._route.BASE, self._ws.DEFAULT_GATEWAY)
        self._route.BASE = fake.api_base
        self._ws.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    def undo(self) -> None:
        self._route.BASE, self._ws.DEFAULT_GATEWAY = self._saved

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.undo()


@contextlib.asynccontextmanager
async def started_client(fake: FakeDiscord, client: Any, *, token: str | None = None,
                         timeout: float = 5.0) -> AsyncIterator[Any]:
    """Run ``client.start(token)`` against `fake` until on_ready has fired; close it on exit and
    re-raise whatever made it stop. Build the client with ``guild_ready_timeout=0.05`` or each
    start waits 2 s for more GUILD_CREATEs.

    discord.py reads Route.BASE at each request, so while this block runs every client in the
    process talks to `fake`: one started client (or several, against the same fake) at a time."""
    with point_discord_at(fake):
        task = asyncio.create_task(client.start(token or fake.token), name="discord-client")
        try:
            # client.wait_until_ready() refuses to run before login, so poll instead
            deadline = time.monotonic() + timeout
            while not client.is_ready():
                if task.done():
                    task.result()  # raises what stopped it (LoginFailure, PrivilegedIntentsRequired, ...)
                    raise RuntimeError("discord client stopped before it was ready")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"discord client not ready within {timeout} s")
                await asyncio.sleep(0.005)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout)


# -- the fake -------------------------------------------------------------------------------------
class FakeDiscord(ThreadedApp):
    """Discord's REST API under /api/v10 and its gateway WebSocket at /, on one port. Close the
    discord.Client before stopping the fake (``started_client`` does), or it sees the close and
    starts reconnecting."""

    def __init__(self, *, token: str = DEFAULT_TOKEN) -> None:
        """The guild GUILD_ID ("Paper Club") with the text channel CHANNEL_ID ("papers") is there from the
        start. No privileged intent is "enabled in the developer portal" (paperbot needs none): asking for
        one at IDENTIFY closes the gateway with 4014, as Discord does."""
        super().__init__()
        self.token = token
        self.callback_deadline = CALLBACK_DEADLINE_S  # seconds from dispatch to the first callback
        self._lock = threading.RLock()
        self._seq = itertools.count(1)
        self._last_snowflake = 0
        self._calls: list[Call] = []
        self._callbacks: list[Callback] = []
        self._dispatches: list[Dispatch] = []
        self._messages: dict[str, dict[str, Any]] = {}  # id -> stored message, in creation order
        self._by_nonce: dict[tuple[str, str], str] = {}  # (channel, nonce) -> message id, for enforce_nonce
        self._followups: list[dict[str, Any]] = []
        self._threads: dict[str, dict[str, Any]] = {}  # starter message id == thread id -> thread
        self._guilds: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._commands: dict[str | None, list[dict[str, Any]]] = {}  # None: global, else guild id
        self._command_ids: dict[tuple[str | None, str, int], str] = {}  # ids stay stable across syncs
        self._interactions: dict[str, dict[str, Any]] = {}  # token -> interaction state
        self._rules: dict[str, collections.deque[_Rule]] = collections.defaultdict(collections.deque)
        self._pending: list[tuple[str, dict[str, Any]]] = []  # dispatches a REST handler asked for
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []  # the query string of each connection
        self.identifies = self.resumes = self.connections = 0
        self._session: dict[str, Any] | None = None  # {"id", "s", "log": [(s, frame)], "intents"}
        self._live: web.WebSocketResponse | None = None  # the socket dispatches go to
        self._send_lock: asyncio.Lock | None = None  # created on the fake's loop
        self._routes = [(m, t, _compile(t.split(" ", 1)[1]), h, auth) for m, t, h, auth in self._ROUTES]
        self.add_user(BOT_USER_ID, name="paperbot", bot=True)
        self.add_user(USER_ID, name="ada", global_name="Ada Lovelace")
        self.add_user(USER_ID_2, name="alan", global_name="Alan Turing")
        self._add_guild(GUILD_ID, name="Paper Club")
        self.add_channel(CHANNEL_ID, GUILD_ID, name="papers")

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` must be (as a yarl.URL)."""
        return f"ws://127.0.0.1:{self.port}/"

    async def _on_start(self) -> None:
        self._send_lock = asyncio.Lock()

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_rest)
        app.router.add_get("/", self._handle_gateway)

    # -- set-up ------------------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str | None = None, *, global_name: str | None = None,
                 bot: bool = False) -> None:
        """A user the fake can describe (interaction members, reaction members, the bot)."""
        with self._lock:
            self._users[user_id] = {"id": user_id, "username": name or f"user{user_id[-4:]}",
                                    "global_name": global_name, "bot": bot}

    def _add_guild(self, guild_id: str, name: str) -> None:
        with self._lock:
            self._guilds[guild_id] = {"id": guild_id, "name": name, "joined_at": _iso(self._snowflake()),
                                      "bot_role_id": self._snowflake()}

    def add_channel(self, channel_id: str, guild_id: str = GUILD_ID, name: str | None = None, *,
                    access: bool = True, send: bool = True, topic: str | None = None) -> None:
        """A text channel, before the client connects (it arrives in GUILD_CREATE). access=False: the bot
        cannot see it (GET/POST answer 403 50001, and the client's permissions say so); send=False: it can
        see but not post (403 50013)."""
        with self._lock:
            if guild_id not in self._guilds:
                raise KeyError(f"FakeDiscord: no guild {guild_id!r} (the fake has GUILD_ID)")
            if self._session is not None:
                raise RuntimeError("FakeDiscord: add channels before the client connects")
            position = sum(1 for c in self._channels.values() if c["guild_id"] == guild_id)
            self._channels[channel_id] = {"id": channel_id, "guild_id": guild_id,
                                          "name": name or f"channel-{channel_id[-4:]}", "access": access,
                                          "send": send, "topic": topic, "position": position,
                                          "last_message_id": None}

    def rate_limit_next(self, route: str, times: int = 1, retry_after: float = 0.05) -> None:
        """The next `times` calls of `route` get 429 with Discord's headers and body; discord.py
        sleeps retry_after and tries again (5 tries in all per request)."""
        self._add_rules(route, times, _Rule("ratelimit", 429, 0, "You are being rate limited.", retry_after))

    def fail_next(self, route: str, status: int = 500, code: int = 0, message: str | None = None,
                  times: int = 1) -> None:
        """The next `times` calls of `route` answer `status` with {"message", "code"}. Mind that
        discord.py retries 500/502/504/524 after real 1 s, 3 s... sleeps: use 503 or a 4xx to fail at once."""
        if message is None:
            message = f"{status}: {http.HTTPStatus(status).phrase}"
        self._add_rules(route, times, _Rule("fail", status, code, message))

    def drop_next(self, route: str, times: int = 1) -> None:
        """The next `times` calls of `route` get no answer: the connection is closed (the client sees
        aiohttp's ServerDisconnectedError), and nothing is created."""
        self._add_rules(route, times, _Rule("drop"))

    def after(self, route: str, calls: int) -> Self:
        """Let the next `calls` calls of `route` through before the rules added next:
        ``fake.after(ROUTE_SEND, 5).fail_next(ROUTE_SEND, status=503)`` fails the sixth post."""
        self._add_rules(route, calls, _Rule("pass"))
        return self

    def _add_rules(self, route: str, times: int, rule: _Rule) -> None:
        if route not in {t for _, t, *_ in self._ROUTES}:
            raise ValueError(f"FakeDiscord: unknown route {route!r}; use the templated form, e.g. {ROUTE_SEND!r}")
        with self._lock:
            self._rules[route].extend([rule] * times)  # rules are never mutated: sharing is fine

    # -- what happened -----------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, route: str) -> list[Call]:
        return [c for c in self.calls if c.route == route]

    def messages(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """Messages in a channel or thread (all when None), in creation order; copies with seq
        (when created), id, channel_id, content, embeds, allowed_mentions, flags, ephemeral,
        webhook (posted through an interaction), interaction_id, kind ("message" | "original" |
        "followup"), loading (a deferred response not yet filled in), edited_seq."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._messages.values()
                    if channel_id in (None, m["channel_id"])]

    def message(self, message_id: str) -> dict[str, Any]:
        """One message by id (a copy, as `messages` gives them)."""
        with self._lock:
            return copy.deepcopy(self._messages[message_id])

    @property
    def threads(self) -> dict[str, dict[str, Any]]:
        """Starter message id (== thread id) -> the thread object as Discord describes it."""
        with self._lock:
            return {k: self._thread_object(k) for k in self._threads}

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        """The commands of the last global sync, as Discord answered them (with ids)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(None, []))

    def guild_commands(self, guild_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._commands.get(str(guild_id), []))

    def callbacks(self, interaction: FakeInteraction | str) -> list[Callback]:
        iid = interaction.id if isinstance(interaction, FakeInteraction) else str(interaction)
        with self._lock:
            return [c for c in self._callbacks if c.interaction_id == iid]

    def followups(self, interaction: FakeInteraction | str) -> list[dict[str, Any]]:
        """Follow-up posts of an interaction, in order: seq (of the post), message_id, content,
        embeds, allowed_mentions, flags, ephemeral (as it ended up), replaced_original (True
        when it filled in the deferred "thinking" message instead of creating one)."""
        iid = interaction.id if isinstance(interaction, FakeInteraction) else str(interaction)
        with self._lock:
            return [copy.deepcopy(f) for f in self._followups if f["interaction_id"] == iid]

    @property
    def dispatches(self) -> list[Dispatch]:
        with self._lock:
            return list(self._dispatches)

    @property
    def connected(self) -> bool:
        """True while a gateway connection has identified or resumed and gets dispatches."""
        with self._lock:
            return self._live is not None and not self._live.closed

    # -- gateway: pushing to the client ------------------------------------------------------------
    async def dispatch(self, t: str, d: dict[str, Any], timeout: float = 2.0) -> Dispatch:
        """Send a dispatch (op 0) to the client. Waits up to `timeout` for a session to exist;
        while the client is between connections the event is queued and replayed on RESUME."""
        return await self._on_loop(self._dispatch_when_ready(t, d, timeout))

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py closes the socket and RESUMEs on a new one."""
        await self._on_loop(self._send_reconnect())

    async def interaction(self, name: str, options: dict[str, Any] | None = None, *, user_id: str = USER_ID,
                          channel_id: str = CHANNEL_ID, subcommand: str | None = None) -> FakeInteraction:
        """Dispatch a slash command (INTERACTION_CREATE, type 2) as a member typing it.

        `options`: {name: value} (types taken from the synced definition: str/int/bool/float).
        `subcommand`: "done" for ``/mustread done``, "group sub" for a group. A command or option that
        was not synced is refused (Discord would never send it)."""
        payload = self.interaction_payload(name, options, user_id=user_id, channel_id=channel_id,
                                           subcommand=subcommand)
        await self.dispatch("INTERACTION_CREATE", payload)
        return FakeInteraction(payload["id"], payload["token"], payload["channel_id"], payload["guild_id"], payload)

    async def reaction(self, user_id: str, channel_id: str, message_id: str, emoji_name: str, *,
                       added: bool = True) -> Dispatch:
        """A member adds (or removes) a (unicode) reaction: MESSAGE_REACTION_ADD / _REMOVE."""
        t, d = self.reaction_payload(user_id, channel_id, message_id, emoji_name, added=added)
        return await self.dispatch(t, d)

    # -- payload builders (complete, as discord.py's parsers need them) ------------------------------
    def interaction_payload(self, name: str, options: dict[str, Any] | None = None, *, user_id: str = USER_ID,
                            channel_id: str = CHANNEL_ID, subcommand: str | None = None) -> dict[str, Any]:
        """The INTERACTION_CREATE payload ``interaction()`` dispatches (and registers, so callbacks
        and follow-ups for it are accepted)."""
        with self._lock:
            if channel_id not in self._channels and channel_id not in self._threads:
                raise KeyError(f"FakeDiscord: no channel or thread {channel_id!r}; add_channel() it first")
            channel = self._channel_or_thread(channel_id)
            guild_id = channel["guild_id"]
            command, command_guild = self._synced_command(name, guild_id)
            if command is None:
                raise LookupError(f"FakeDiscord: /{name} was not synced (globally or to guild {guild_id}); "
                                  "Discord only sends synced commands")
            data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1}
            if command_guild:
                data["guild_id"] = command_guild  # what CommandTree uses to look in its guild commands
            data["options"] = self._build_options(command, options, subcommand)
            iid, token = self._snowflake(), f"fake-interaction-token-{uuid.uuid4().hex}"
            payload = {
                "id": iid, "application_id": APP_ID, "type": 2, "token": token, "version": 1, "data": data,
                "guild_id": guild_id, "guild": {"id": guild_id, "locale": "en-US", "features": []},
                "channel_id": channel_id,
                "channel": {**self._channel_object(channel_id), "permissions": str(EVERYONE_PERMISSIONS)},
                "member": self._member(user_id, guild_id), "app_permissions": str(EVERYONE_PERMISSIONS),
                "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "entitlement_sku_ids": [],
                "authorizing_integration_owners": {"0": guild_id}, "context": 0,
                "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,  # without it Client.start dies
            }
            self._interactions[token] = {"id": iid, "token": token, "channel_id": channel_id, "guild_id": guild_id,
                                         "user_id": user_id, "created": time.monotonic(), "acked": None,
                                         "original_id": None, "defer_pending": False}
            return payload

    def reaction_payload(self, user_id: str, channel_id: str, message_id: str, emoji_name: str, *,
                         added: bool = True) -> tuple[str, dict[str, Any]]:
        """(event name, payload) of a reaction by `user_id`."""
        with self._lock:
            channel = self._channels.get(channel_id) or self._threads.get(channel_id)
            guild_id = channel["guild_id"] if channel else GUILD_ID
            d: dict[str, Any] = {"user_id": user_id, "channel_id": channel_id, "message_id": message_id,
                                 "guild_id": guild_id, "emoji": {"id": None, "name": emoji_name}, "burst": False,
                                 "type": 0}
            if message_id in self._messages:
                d["message_author_id"] = BOT_USER_ID
            if added:
                d["member"] = self._member(user_id, guild_id)
                d["burst_colors"] = []
            return ("MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE"), d

    def _synced_command(self, name: str, guild_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """The synced chat-input command `name` as the guild sees it: its guild copy first."""
        for scope in (guild_id, None):
            for cmd in self._commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, scope
        return None, None

    def _build_options(self, definition: dict[str, Any], options: dict[str, Any] | None,
                       subcommand: str | None) -> list[dict[str, Any]]:
        defs = definition.get("options") or []
        chain = subcommand.split() if subcommand else []
        leaf_defs = defs
        for part in chain:  # walk group -> subcommand definitions
            found = next((o for o in leaf_defs if o["name"] == part and o.get("type") in (1, 2)), None)
            if found is None:
                raise LookupError(f"FakeDiscord: /{definition.get('name')} has no subcommand {part!r}")
            leaf_defs = found.get("options") or []
        leaf = self._leaf_options(leaf_defs, options)
        for depth, part in reversed(list(enumerate(chain))):
            kind = 1 if depth == len(chain) - 1 else 2  # the last word is the subcommand, others groups
            leaf = [{"name": part, "type": kind, "options": leaf}]
        return leaf

    @staticmethod
    def _leaf_options(defs: list[dict[str, Any]], options: dict[str, Any] | None) -> list[dict[str, Any]]:
        out = []
        for name, value in (options or {}).items():
            spec = next((o for o in defs if o["name"] == name), None)
            if spec is None:
                raise LookupError(f"FakeDiscord: the synced command has no option {name!r}")
            if spec["type"] not in (3, 4, 5, 10):
                raise NotImplementedError(f"FakeDiscord: option type {spec['type']} is not supported")
            value = {3: str, 4: int, 5: bool, 10: float}[spec["type"]](value)
            out.append({"name": name, "type": spec["type"], "value": value})
        return out

    def _user_object(self, user_id: str) -> dict[str, Any]:
        user = self._users.get(user_id) or {"id": user_id, "username": f"user{user_id[-4:]}", "global_name": None,
                                            "bot": False}
        obj = {"id": user_id, "username": user["username"], "discriminator": "0001" if user["bot"] else "0",
               "global_name": user["global_name"], "avatar": None, "public_flags": 0, "flags": 0,
               "banner": None, "accent_color": None, "avatar_decoration_data": None, "primary_guild": None,
               "collectibles": None}
        if user["bot"]:
            obj["bot"] = True
        return obj

    def _bot_user(self) -> dict[str, Any]:
        return {**self._user_object(BOT_USER_ID), "verified": True, "mfa_enabled": False, "locale": "en-US",
                "email": None}

    def _member(self, user_id: str, guild_id: str) -> dict[str, Any]:
        guild = self._guilds.get(guild_id)
        roles = [guild["bot_role_id"]] if guild and user_id == BOT_USER_ID else []
        return {"user": self._user_object(user_id), "roles": roles, "nick": None, "avatar": None, "banner": None,
                "joined_at": guild["joined_at"] if guild else _iso(self._snowflake()), "premium_since": None,
                "deaf": False, "mute": False, "pending": False, "flags": 0, "communication_disabled_until": None,
                "avatar_decoration_data": None, "permissions": str(EVERYONE_PERMISSIONS)}

    def _channel_object(self, channel_id: str) -> dict[str, Any]:
        if channel_id in self._threads:
            return self._thread_object(channel_id)
        ch = self._channels[channel_id]
        # The client computes its permissions from overwrites: mirror access/send there.
        deny = (0 if ch["access"] else P_VIEW_CHANNEL) | (0 if ch["send"] else P_SEND_MESSAGES | P_SEND_IN_THREADS)
        overwrites = [{"id": ch["guild_id"], "type": 0, "allow": "0", "deny": str(deny)}] if deny else []
        return {"id": ch["id"], "type": 0, "guild_id": ch["guild_id"], "name": ch["name"], "position": ch["position"],
                "permission_overwrites": overwrites, "parent_id": None, "nsfw": False, "topic": ch["topic"],
                "rate_limit_per_user": 0, "last_message_id": ch["last_message_id"], "flags": 0,
                "default_auto_archive_duration": 1440, "default_thread_rate_limit_per_user": 0,
                "last_pin_timestamp": None}

    def _thread_object(self, thread_id: str) -> dict[str, Any]:
        th = self._threads[thread_id]
        return {"id": th["id"], "type": 11, "guild_id": th["guild_id"], "parent_id": th["parent_id"],
                "owner_id": BOT_USER_ID, "name": th["name"], "last_message_id": th["last_message_id"],
                "rate_limit_per_user": 0, "message_count": th["message_count"], "member_count": 1,
                "total_message_sent": th["message_count"], "flags": 0, "applied_tags": [],
                "thread_metadata": {"archived": False, "auto_archive_duration": th["auto_archive_duration"],
                                    "archive_timestamp": th["created_at"], "locked": False, "invitable": True,
                                    "create_timestamp": th["created_at"]},
                "member": {"id": th["id"], "user_id": BOT_USER_ID, "join_timestamp": th["created_at"], "flags": 1}}

    def _role(self, role_id: str, name: str, position: int, managed: bool = False) -> dict[str, Any]:
        role = {"id": role_id, "name": name, "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
                "permissions": str(EVERYONE_PERMISSIONS), "managed": managed, "mentionable": False, "flags": 0}
        if managed:
            role["tags"] = {"bot_id": BOT_USER_ID}
        return role

    def _guild_create(self, guild_id: str) -> dict[str, Any]:
        g = self._guilds[guild_id]
        channels = [self._channel_object(c) for c, ch in self._channels.items() if ch["guild_id"] == guild_id]
        threads = [self._thread_object(t) for t, th in self._threads.items() if th["guild_id"] == guild_id]
        return {
            "id": guild_id, "name": g["name"], "icon": None, "icon_hash": None, "splash": None,
            "discovery_splash": None, "banner": None, "description": None, "owner_id": USER_ID,
            "afk_channel_id": None, "afk_timeout": 300, "widget_enabled": False, "widget_channel_id": None,
            "verification_level": 1, "default_message_notifications": 1, "explicit_content_filter": 2,
            "roles": [self._role(guild_id, "@everyone", 0),  # @everyone's id is the guild's
                      self._role(g["bot_role_id"], "paperbot", 1, managed=True)],
            "emojis": [], "stickers": [], "features": [], "mfa_level": 0, "application_id": None,
            "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None, "max_presences": None,
            "max_members": 500000, "max_video_channel_users": 25, "max_stage_video_channel_users": 50,
            "vanity_url_code": None, "premium_tier": 0, "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False, "preferred_locale": "en-US", "nsfw_level": 0,
            "incidents_data": None, "hub_type": None, "lazy": True, "version": 0,
            "joined_at": g["joined_at"], "large": False, "unavailable": False, "member_count": 3,
            "members": [self._member(BOT_USER_ID, guild_id)], "channels": channels, "threads": threads,
            "voice_states": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [], "embedded_activities": [], "application_command_counts": {},
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": APP_ID, "name": "paperbot", "icon": None, "description": "", "summary": "", "type": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": self._user_object(USER_ID), "team": None, "bot": self._user_object(BOT_USER_ID),
            "guild_id": None, "primary_sku_id": None, "slug": None, "cover_image": None, "rpc_origins": [],
            "terms_of_service_url": None, "privacy_policy_url": None, "tags": [], "custom_install_url": None,
            "role_connections_verification_url": None, "install_params": None, "redirect_uris": [],
            "interactions_endpoint_url": None,  # set, discord.py would warn that no interactions arrive
            "approximate_guild_count": len(self._guilds), "approximate_user_install_count": 0,
            "integration_types_config": {"0": {}}, "is_monetized": False, "hook": True,
        }

    def _message_object(self, m: dict[str, Any]) -> dict[str, Any]:
        """A stored message as Discord answers it."""
        obj: dict[str, Any] = {
            "id": m["id"], "channel_id": m["channel_id"], "type": m["type"], "content": m["content"],
            "author": self._user_object(BOT_USER_ID), "timestamp": _iso(m["id"]),
            "edited_timestamp": m["edited_at"], "tts": m["tts"],
            "mention_everyone": False, "mentions": [], "mention_roles": [], "mention_channels": [],
            "attachments": [], "embeds": copy.deepcopy(m["embeds"]), "pinned": False, "flags": m["flags"],
            "components": [], "reactions": [],
        }
        if m["webhook"]:
            # interaction responses and follow-ups come from the application's webhook
            obj.update(webhook_id=APP_ID, application_id=APP_ID)
            inter = next(i for i in self._interactions.values() if i["id"] == m["interaction_id"])
            obj["interaction_metadata"] = {"id": inter["id"], "type": 2, "user": self._user_object(inter["user_id"]),
                                           "authorizing_integration_owners": {"0": inter["guild_id"]}}
        if m["id"] in self._threads:
            obj["thread"] = self._thread_object(m["id"])
        return obj

    def _snowflake(self) -> str:
        """A fresh, strictly increasing snowflake from the current time (discord.py reads
        created_at from it; Interaction.is_expired() needs a recent one)."""
        with self._lock:
            now = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last_snowflake = max(now, self._last_snowflake + 1)
            return str(self._last_snowflake)

    # -- gateway: the connection -------------------------------------------------------------------
    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=WS_CLOSE_TIMEOUT_S, max_msg_size=0)
        await ws.prepare(request)
        with self._lock:
            self.connections += 1
            self.gateway_queries.append(dict(request.query))
            self._sockets.append(ws)
        try:
            # Plain text frames even when the client asked for compress=zlib/zstd-stream: discord.py
            # only decompresses binary frames.
            await ws.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS,
                                                                "_trace": ["fake-gateway"]}, "s": None, "t": None}))
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        await self._on_gateway_frame(ws, json.loads(msg.data))
                    except Exception as exc:  # a bug in the fake: keep it visible
                        self.errors.append(exc)
                        raise
        finally:
            with self._lock:
                self._sockets.remove(ws)
                if self._live is ws:
                    self._live = None
        return ws

    async def _on_gateway_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
        elif op == OP_IDENTIFY:
            await self._identify(ws, d or {})
        elif op == OP_RESUME:
            await self._resume(ws, d or {})
        elif op in (OP_PRESENCE, OP_VOICE):
            pass  # accepted, nothing to do
        else:
            await ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        with self._lock:
            self.identifies += 1
            self.identify_payloads.append(copy.deepcopy(d))
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS:  # none is enabled for paperbot's application
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        async with self._send_lock:
            with self._lock:
                self._session = {"id": uuid.uuid4().hex, "s": 0, "log": [], "intents": intents}
                self._live = ws
                ready = {
                    "v": 10, "user": self._bot_user(), "user_settings": {}, "private_channels": [],
                    "guilds": [{"id": g, "unavailable": True} for g in self._guilds],  # stubs, GUILD_CREATE follows
                    "relationships": [], "presences": [], "guild_join_requests": [], "geo_ordered_rtc_regions": [],
                    "session_id": self._session["id"], "session_type": "normal", "auth_session_id_hash": "fake",
                    "resume_gateway_url": self.gateway_url,  # discord.py resumes here, not at DEFAULT_GATEWAY
                    "shard": [0, 1], "application": {"id": APP_ID, "flags": self._application()["flags"]},
                    "_trace": ["fake-gateway"],
                }
                guilds = [self._guild_create(g) for g in self._guilds]
            await self._send_locked("READY", ready)
            for guild in guilds:
                await self._send_locked("GUILD_CREATE", guild)

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        with self._lock:
            self.resumes += 1
            self.resume_payloads.append(copy.deepcopy(d))
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        async with self._send_lock:
            session = self._session
            if session is None or d.get("session_id") != session["id"]:
                # Discord: "invalid session, not resumable": the client identifies afresh.
                await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None}))
                return
            since = d.get("seq") or 0
            for s, frame in list(session["log"]):
                if s > since:  # what the client missed while away
                    await ws.send_str(frame)
            with self._lock:
                self._live = ws
            await self._send_locked("RESUMED", {"_trace": ["fake-gateway"]})

    async def _send_reconnect(self) -> None:
        async with self._send_lock:
            with self._lock:
                ws, self._live = self._live, None  # from now on dispatches queue for the RESUME
            if ws is None:
                raise RuntimeError("FakeDiscord: no gateway connection to send RECONNECT on")
            await ws.send_str(json.dumps({"op": OP_RECONNECT, "d": None, "s": None, "t": None}))

    async def _dispatch_when_ready(self, t: str, d: dict[str, Any], timeout: float) -> Dispatch:
        deadline = time.monotonic() + timeout
        while self._session is None:
            if time.monotonic() > deadline:
                raise TimeoutError("FakeDiscord: no gateway session to dispatch to (client not connected)")
            await asyncio.sleep(0.005)
        return await self._send_dispatch(t, d)

    async def _send_dispatch(self, t: str, d: dict[str, Any]) -> Dispatch:
        async with self._send_lock:
            return await self._send_locked(t, d)

    async def _send_locked(self, t: str, d: dict[str, Any]) -> Dispatch:
        """Number, log and send one dispatch; the caller holds _send_lock so frames leave in s order."""
        with self._lock:
            session = self._session
            session["s"] += 1
            s = session["s"]
            frame = json.dumps({"op": OP_DISPATCH, "d": d, "s": s, "t": t})
            session["log"].append((s, frame))  # replayed to a RESUME that missed it
            record = Dispatch(t, d, s, next(self._seq))
            self._dispatches.append(record)
            ws = self._live
        if ws is not None and not ws.closed:
            await ws.send_str(frame)
        return record

    # -- REST ---------------------------------------------------------------------------------------
    async def _handle_rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        query = dict(request.query)
        try:
            body = await _read_body(request)
            bad_json = False
        except ValueError:
            body, bad_json = None, True
        route, handler, params, needs_auth = self._match(request.method, path)
        auth = request.headers.get("Authorization")
        with self._lock:  # one critical section per call: seq order == processing order
            seq = next(self._seq)
            rule = self._rules[route].popleft() if self._rules.get(route) else None
            rule = None if rule is not None and rule.kind == "pass" else rule
            if rule is not None and rule.kind == "drop":
                self._calls.append(Call(request.method, path, route, copy.deepcopy(body), query, seq, 0, None))
                request.transport.close()
                return web.Response(status=500)  # never sent: the connection is gone
            self._pending = []
            status, payload, headers = self._answer(route, handler, params, needs_auth, auth, body, bad_json,
                                                    query, seq, rule)
            code = payload.get("code") if status >= 400 and isinstance(payload, dict) else None
            self._calls.append(Call(request.method, path, route, copy.deepcopy(body), query, seq, status, code))
            pending, self._pending = self._pending, []
        for t, d in pending:  # gateway events the call caused (THREAD_CREATE, MESSAGE_CREATE)
            await self._send_dispatch(t, d)
        return _json_response(status, payload, {**self._ratelimit_headers(route, status, rule), **headers})

    def _match(self, method: str, path: str) -> tuple[str, Any, dict[str, str], bool]:
        for m, template, pattern, handler, auth in self._routes:
            if m == method and (found := pattern.match(path)):
                return template, handler, found.groupdict(), auth
        return f"{method} {path}", None, {}, True

    @staticmethod
    def _ratelimit_headers(route: str, status: int, rule: _Rule | None) -> dict[str, str]:
        """Plausible headers on every answer. Remaining stays well above 0 so discord.py never
        waits pre-emptively; on a 429 they carry what Discord sends (and Via, without which
        discord.py takes the 429 for a Cloudflare ban)."""
        headers = {"Via": "1.1 google", "X-RateLimit-Bucket": _bucket(route), "X-RateLimit-Limit": "50"}
        if status == 429 and rule is not None:
            return {**headers, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                    "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}", "X-RateLimit-Scope": "user",
                    "Retry-After": str(max(1, math.ceil(rule.retry_after)))}
        return {**headers, "X-RateLimit-Remaining": "49", "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Reset": f"{time.time() + 1:.3f}"}

    def _answer(self, route: str, handler: Any, params: dict[str, str], needs_auth: bool, auth: str | None,
                body: Any, bad_json: bool, query: dict[str, str], seq: int,
                rule: _Rule | None) -> tuple[int, Any, dict[str, str]]:
        if rule is not None and rule.kind == "ratelimit":
            return 429, {"message": rule.message, "retry_after": rule.retry_after, "global": False}, {}
        if rule is not None and rule.kind == "fail":
            return rule.status, {"message": rule.message, "code": rule.code}, {}
        if needs_auth and auth != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        if handler is None:
            return 404, {"message": "404: Not Found", "code": 0}, {}
        if bad_json:
            return 400, {"message": "400: Bad Request", "code": 50109}, {}  # "The request body contains invalid JSON."
        try:
            status, payload = handler(self, params, body if body is not None else {}, query, seq)
            return status, payload, {}
        except DiscordError as exc:
            return exc.status, exc.body(), {}
        except Exception as exc:  # a bug in the fake: show it, answer like Discord would
            self.errors.append(exc)
            return 500, {"message": "500: Internal Server Error", "code": 0}, {}

    # -- REST handlers (called under self._lock; return (status, body or None for 204)) ---------------
    def _get_me(self, p, body, query, seq):
        return 200, self._bot_user()

    def _get_application(self, p, body, query, seq):
        return 200, self._application()

    def _check_app(self, p: dict[str, str]) -> None:
        if p["application_id"] != APP_ID:
            raise DiscordError(403, 50001, "Missing Access")

    def _put_commands(self, p, body, query, seq):
        """Bulk overwrite (what CommandTree.sync does): the list replaces the scope's commands."""
        self._check_app(p)
        scope = p.get("guild_id")
        if scope is not None and scope not in self._guilds:
            raise DiscordError(403, 50001, "Missing Access")
        problems = _command_problems(body)
        if problems:
            raise _form_error(problems)
        version = self._snowflake()
        answered = []
        for cmd in body:
            key = (scope, cmd["name"], cmd.get("type", 1))
            cid = self._command_ids.setdefault(key, self._snowflake())
            answered.append({**copy.deepcopy(cmd), "id": cid, "application_id": APP_ID, "version": version,
                             "type": cmd.get("type", 1), "description": cmd.get("description", ""),
                             "default_member_permissions": cmd.get("default_member_permissions"),
                             **({"guild_id": scope} if scope else {})})
        self._commands[scope] = answered
        return 200, copy.deepcopy(answered)

    def _get_channel(self, p, body, query, seq):
        return 200, self._channel_object(self._visible(p["channel_id"])["id"])

    def _post_message(self, p, body, query, seq):
        channel = self._sendable(p["channel_id"])
        _check_message(body)
        nonce = str(body["nonce"]) if body.get("enforce_nonce") and body.get("nonce") is not None else None
        if nonce is not None and (earlier := self._by_nonce.get((channel["id"], nonce))):
            # Discord: with enforce_nonce, a resend of the same nonce (within a few minutes) answers the
            # message it already created instead of posting it again.
            return 200, self._message_object(self._messages[earlier])
        message = self._store_message(channel["id"], body, seq)
        if nonce is not None:
            self._by_nonce[(channel["id"], nonce)] = message["id"]
        return 200, self._message_object(message)

    def _start_thread(self, p, body, query, seq):
        channel = self._sendable(p["channel_id"])
        if p["channel_id"] in self._threads:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        message = self._message_in(p["channel_id"], p["message_id"])
        problems = _length_problem(body.get("name"), ("name",), MAX_THREAD_NAME, required=True)
        duration = body.get("auto_archive_duration", 4320)
        if duration is not None and duration not in ARCHIVE_DURATIONS:
            problems.append((("auto_archive_duration",), "BASE_TYPE_CHOICES",
                             f"Value must be one of {sorted(ARCHIVE_DURATIONS)}."))
        if problems:
            raise _form_error(problems)
        if message["id"] in self._threads:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        if message["flags"] & F_EPHEMERAL:
            raise _unknown_message()
        # As on Discord, a thread started from a message takes the message's id.
        self._threads[message["id"]] = {
            "id": message["id"], "guild_id": channel["guild_id"], "parent_id": channel["id"], "name": body["name"],
            "auto_archive_duration": duration or 4320, "created_at": _iso(self._snowflake()),
            "message_count": 0, "last_message_id": None, "seq": seq,
        }
        thread = self._thread_object(message["id"])
        self._pending.append(("THREAD_CREATE", {**thread, "newly_created": True}))
        return 201, thread

    # interactions ----------------------------------------------------------------------------------
    def _interaction(self, token: str, interaction_id: str | None = None) -> dict[str, Any]:
        inter = self._interactions.get(token)
        if inter is None or (interaction_id is not None and inter["id"] != interaction_id):
            raise DiscordError(404, 10062, "Unknown interaction")
        return inter

    def _post_callback(self, p, body, query, seq):
        """The first response to an interaction. Every attempt is recorded as a Callback, refused
        ones too (with their status), so a test sees a late or doubled response."""
        status = 400
        kind = body.get("type") if isinstance(body, dict) else None
        data = (body.get("data") or {}) if isinstance(body, dict) else {}
        try:
            inter = self._interaction(p["interaction_token"], p["interaction_id"])
            if inter["acked"] is not None:
                raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
            if time.monotonic() - inter["created"] > self.callback_deadline:
                raise DiscordError(404, 10062, "Unknown interaction")  # what "too late" looks like
            if kind not in (4, 5, 8, 9):  # 6/7 only answer component interactions, never sent here
                raise _form_error([(("type",), "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 8, 9}.")])
            message = None
            if kind == 4:
                _check_message(data)
                message = self._store_message(inter["channel_id"], data, seq, kind="original", interaction=inter)
            elif kind == 5:
                # the "paperbot is thinking..." message; the first follow-up fills it in
                flags = F_LOADING | ((data.get("flags") or 0) & F_EPHEMERAL)
                message = self._store_message(inter["channel_id"], {"content": "", "flags": flags}, seq,
                                              kind="original", interaction=inter, loading=True)
                inter["defer_pending"] = True
            inter["acked"] = kind
            inter["original_id"] = message["id"] if message else None
            status = 200 if "with_response" in query else 204
            if status == 204:
                return 204, None
            answer: dict[str, Any] = {"interaction": {"id": inter["id"], "type": 2}, "resource": {"type": kind}}
            if message is not None:
                answer["interaction"].update(response_message_id=message["id"],
                                             response_message_loading=message["loading"],
                                             response_message_ephemeral=message["ephemeral"])
                answer["resource"]["message"] = self._message_object(message)
            return 200, answer
        except DiscordError as exc:
            status = exc.status
            raise
        finally:
            self._callbacks.append(Callback(p["interaction_id"], kind, copy.deepcopy(data), seq, status))

    def _post_followup(self, p, body, query, seq):
        if p["application_id"] != APP_ID:
            raise _unknown_webhook()
        inter = self._interactions.get(p["interaction_token"])
        if inter is None or inter["acked"] is None:
            raise _unknown_webhook()  # no follow-up before the first response
        _check_message(body)
        record = {"seq": seq, "interaction_id": inter["id"], "content": body.get("content") or "",
                  "embeds": copy.deepcopy(body.get("embeds") or []), "allowed_mentions": body.get("allowed_mentions"),
                  "flags": body.get("flags") or 0, "replaced_original": False}
        if inter["defer_pending"]:
            # Discord: straight after a deferred response, this edits the loading message and the
            # ephemeral flag is ignored (the defer's choice stays).
            message = self._messages[inter["original_id"]]
            inter["defer_pending"] = False
            self._edit(message, {k: v for k, v in body.items() if k != "flags"}, seq)
            message["allowed_mentions"] = body.get("allowed_mentions")
            record["replaced_original"] = True
        else:
            message = self._store_message(inter["channel_id"], body, seq, kind="followup", interaction=inter)
        record.update(message_id=message["id"], ephemeral=message["ephemeral"])
        self._followups.append(record)
        wait = query.get("wait", "").lower() in ("1", "true")
        return (200, self._message_object(message)) if wait else (204, None)

    def _webhook_message(self, p: dict[str, str]) -> dict[str, Any]:
        if p["application_id"] != APP_ID:
            raise _unknown_webhook()
        inter = self._interactions.get(p["interaction_token"])
        if inter is None:
            raise _unknown_webhook()
        message = self._messages.get(inter["original_id"]) if inter["original_id"] else None
        if message is None:
            raise _unknown_message()
        return message

    def _patch_webhook_message(self, p, body, query, seq):
        message = self._webhook_message(p)
        inter = self._interactions[p["interaction_token"]]
        if message["id"] == inter["original_id"]:
            inter["defer_pending"] = False  # the loading message is filled in now
        self._edit(message, body, seq)
        return 200, self._message_object(message)

    # -- REST helpers --------------------------------------------------------------------------------
    def _channel_or_thread(self, channel_id: str) -> dict[str, Any]:
        """A known channel or thread (its dict), else 404 Unknown Channel."""
        if channel_id in self._threads:
            return self._threads[channel_id]
        if channel_id not in self._channels:
            raise _unknown_channel()
        return self._channels[channel_id]

    def _visible(self, channel_id: str) -> dict[str, Any]:
        channel = self._channel_or_thread(channel_id)
        parent = self._channels[channel["parent_id"]] if "parent_id" in channel else channel
        if not parent["access"]:
            raise DiscordError(403, 50001, "Missing Access")
        return channel

    def _sendable(self, channel_id: str) -> dict[str, Any]:
        channel = self._visible(channel_id)
        parent = self._channels[channel["parent_id"]] if "parent_id" in channel else channel
        if not parent["send"]:
            raise DiscordError(403, 50013, "Missing Permissions")
        return channel

    def _message_in(self, channel_id: str, message_id: str) -> dict[str, Any]:
        message = self._messages.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            raise _unknown_message()
        return message

    def _store_message(self, channel_id: str, body: dict[str, Any], seq: int, *, kind: str = "message",
                       interaction: dict[str, Any] | None = None, loading: bool = False) -> dict[str, Any]:
        mid = self._snowflake()
        flags = body.get("flags") or 0
        message = {
            "seq": seq, "id": mid, "channel_id": channel_id, "content": body.get("content") or "",
            "embeds": copy.deepcopy(body.get("embeds") or []), "allowed_mentions": body.get("allowed_mentions"),
            "flags": flags, "ephemeral": bool(flags & F_EPHEMERAL), "tts": bool(body.get("tts")),
            "webhook": interaction is not None, "interaction_id": interaction["id"] if interaction else None,
            "kind": kind, "loading": loading, "edited_seq": None, "edited_at": None,
            # Discord's message type: 20 for a slash command's response and follow-ups, 0 default
            "type": 20 if interaction else 0,
        }
        self._messages[mid] = message
        if not message["ephemeral"]:
            if channel_id in self._threads:
                self._threads[channel_id]["message_count"] += 1
                self._threads[channel_id]["last_message_id"] = mid
            elif channel_id in self._channels:
                self._channels[channel_id]["last_message_id"] = mid
            if self._session and self._session["intents"] & INTENT_GUILD_MESSAGES:
                # Discord echoes the bot's own messages on the gateway when it listens for messages.
                guild_id = self._channel_or_thread(channel_id)["guild_id"]
                event = {**self._message_object(message), "guild_id": guild_id,
                         "member": {k: v for k, v in self._member(BOT_USER_ID, guild_id).items() if k != "user"}}
                self._pending.append(("MESSAGE_CREATE", event))
        return message

    def _edit(self, message: dict[str, Any], body: dict[str, Any], seq: int) -> None:
        """A partial edit: only the fields given change, the result is checked like a new message."""
        merged = {"content": message["content"], "embeds": message["embeds"], **body}
        _check_message({k: v for k, v in merged.items() if k in ("content", "embeds", "attachments", "components")})
        message["content"] = merged.get("content") or ""
        message["embeds"] = copy.deepcopy(merged.get("embeds") or [])
        if "flags" in body:
            # only SUPPRESS_EMBEDS can change on an edit; ephemeral and loading stay as they are
            message["flags"] = (message["flags"] & ~F_SUPPRESS_EMBEDS) | ((body["flags"] or 0) & F_SUPPRESS_EMBEDS)
        if "allowed_mentions" in body:
            message["allowed_mentions"] = body["allowed_mentions"]
        if message["loading"]:
            message["loading"] = False
            message["flags"] &= ~F_LOADING
        message["edited_seq"], message["edited_at"] = seq, _iso(self._snowflake())

    _ROUTES: list[tuple[str, str, Callable[..., tuple[int, Any]], bool]] = [
        # (method, templated route, handler, needs the bot token); first match wins
        ("GET", "GET /users/@me", _get_me, True),
        ("GET", "GET /oauth2/applications/@me", _get_application, True),
        ("PUT", ROUTE_GLOBAL_COMMANDS, _put_commands, True),
        ("PUT", ROUTE_GUILD_COMMANDS, _put_commands, True),
        ("GET", ROUTE_GET_CHANNEL, _get_channel, True),
        ("POST", ROUTE_SEND, _post_message, True),
        ("POST", ROUTE_THREAD, _start_thread, True),
        # interaction routes authenticate by their token in the path, as on Discord
        ("POST", ROUTE_CALLBACK, _post_callback, False),
        ("POST", ROUTE_FOLLOWUP, _post_followup, False),
        # editing the interaction's "thinking" message (edit_original_response)
        ("PATCH", f"PATCH {_HOOK_MESSAGES}/@original", _patch_webhook_message, False),
    ]
