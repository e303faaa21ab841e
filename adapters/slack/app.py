"""The Bolt app: Slack's payloads turned into the core's calls, registered in one place.

Acknowledge first, then work (Slack wants the ack within 3 s): `/paper` acks
with an ephemeral "working on it" and only then asks the core, which never
blocks the event loop. Every failure the user can act on is one ephemeral
sentence (the core's Desk makes sure the asker always hears back).
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.arxiv.ids import parse_paper_id
from bot.chat.desk import Desk, PaperRequest
from bot.chat.votes import Reaction
from bot.errors import InvalidPaperId
from bot.models import ChannelRef

from .conversation import CommandConversation
from .render import esc, render

log = logging.getLogger(__name__)


def channel(channel_id: str) -> ChannelRef:
    return ChannelRef("slack", channel_id)


def build_app(desk: Desk, client: AsyncWebClient, *, signing_secret: str = "socket-mode") -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=signing_secret)
    slack = _Handlers(desk)
    app.command("/paper")(slack.paper)
    app.command("/mustread")(slack.mustread)
    app.event("reaction_added")(slack.reaction)
    app.event("reaction_removed")(slack.reaction)
    return app


class _Handlers:
    def __init__(self, desk: Desk):
        self.desk = desk

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
