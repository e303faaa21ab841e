"""The Bolt app: Slack's payloads turned into the core's calls, registered in one place.

Acknowledge first, then work (Slack wants the ack within 3 s): `/paper` acks
with an ephemeral "working on it" and only then asks the core, which never
blocks the event loop; an event (a reaction, a mention) is acked by Bolt before
its listener runs. Every failure the user can act on is one ephemeral sentence
(the core's Desk and Asker make sure the asker always hears back).
"""

from __future__ import annotations

import html
import logging
import re

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.arxiv.ids import parse_paper_id
from bot.chat.ask import Asker, Question
from bot.chat.desk import Desk, PaperRequest
from bot.chat.votes import Reaction
from bot.errors import InvalidPaperId
from bot.models import ChannelRef

from .conversation import CommandConversation, SlackConversation
from .render import esc, render

log = logging.getLogger(__name__)


def channel(channel_id: str) -> ChannelRef:
    return ChannelRef("slack", channel_id)


def build_app(desk: Desk, client: AsyncWebClient, *, signing_secret: str = "socket-mode",
              asker: Asker | None = None) -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=signing_secret)
    slack = _Handlers(desk, asker)
    app.command("/paper")(slack.paper)
    app.command("/mustread")(slack.mustread)
    app.event("reaction_added")(slack.reaction)
    app.event("reaction_removed")(slack.reaction)
    if asker is not None:
        app.event("app_mention")(slack.mention)
    return app


# <@U123>, <@U123|ada>, <#C123|general>, <!here>, <https://x|label>: Slack's markup in a message's text
_MARKUP_RE = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def question_text(text: str, bot_user: str | None) -> str:
    """A mention's text as the question the user typed: the bot's own mention out, Slack's markup as plain
    text (a user's mention as @name, a link as its label), entities decoded."""
    def plain(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "" if target[1:] == bot_user else f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return label or target

    return " ".join(html.unescape(_MARKUP_RE.sub(plain, text)).split())


class _Handlers:
    def __init__(self, desk: Desk, asker: Asker | None = None):
        self.desk = desk
        self.asker = asker

    async def paper(self, ack, command, client, respond) -> None:
        text = command.get("text", "").strip()
        try:
            pid = parse_paper_id(text)
        except InvalidPaperId as exc:
            await ack(response_type="ephemeral", text=esc(str(exc)))
            return
        await ack(response_type="ephemeral", text=f"Working on {pid}: the deep analysis is posted here when it is ready.")
        request = PaperRequest(channel(command["channel_id"]), command["user_id"], text,
                               request_id=command.get("trigger_id") or f"{command['user_id']}:{pid}")
        await self.desk.paper(request, CommandConversation(client, respond))

    async def mustread(self, ack, command) -> None:
        words = command.get("text", "").split()
        where = channel(command["channel_id"])
        if words[:1] == ["done"]:
            if len(words) != 2:
                await ack(response_type="ephemeral", text="Use /mustread done ID, e.g. /mustread done 2602.12281.")
                return
            await ack(response_type="ephemeral", text=esc(self.desk.done(where, words[1], command["user_id"])))
            return
        [message, *_] = render(self.desk.must_read(where))
        await ack(response_type="ephemeral", blocks=message.blocks, text=message.text)

    async def reaction(self, body, event, context) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        self.desk.votes.react(Reaction(channel(item["channel"]), item["ts"], event["user"], event["reaction"],
                                       event["type"] == "reaction_added", body.get("event_id")),
                              bot_user=context.get("bot_user_id"))

    async def mention(self, body, event, context, client) -> None:
        """`@paperbot question` in a thread: answered there (Bolt acked the event already)."""
        bot_user = context.get("bot_user_id")
        if event.get("bot_id") or event.get("subtype") or not event.get("user") or event["user"] == bot_user:
            return  # the bot's own messages and other bots' never ask anything
        question = Question(channel(event["channel"]), event.get("thread_ts"), event["user"],
                            question_text(event.get("text", ""), bot_user), request_id=event["ts"],
                            event_id=body.get("event_id"))
        await self.asker.ask(question, SlackConversation(client))
