"""The Bolt app: `/paper`, `/mustread` and reaction votes, registered in one place.

Acknowledge first, then work (Slack wants the ack within 3 s): `/paper` acks
with an ephemeral "working on it" and only then asks the engine, which never
blocks the event loop (network and SQLite-heavy work run in threads). Every
failure the user can act on is one ephemeral sentence.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.engine import Engine
from bot.errors import InvalidPaperId, PaperbotError
from bot.ids import parse_paper_id
from bot.votes import Reaction, VoteBook

from .blocks import analysis_messages, esc, link, paper_request_message, sections
from .poster import target

log = logging.getLogger(__name__)


def build_app(engine: Engine, votes: VoteBook, client: AsyncWebClient, *, signing_secret: str = "socket-mode",
              vote_emoji: tuple[str, ...] = ("star", "+1")) -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=signing_secret)
    slack = _Handlers(engine, votes, vote_emoji)
    app.command("/paper")(slack.paper)
    app.command("/mustread")(slack.mustread)
    app.event("reaction_added")(slack.reaction)
    app.event("reaction_removed")(slack.reaction)
    return app


class _Handlers:
    def __init__(self, engine: Engine, votes: VoteBook, vote_emoji: tuple[str, ...]):
        self.engine = engine
        self.votes = votes
        self.vote_emoji = vote_emoji

    async def paper(self, ack, command, client, respond) -> None:
        text, user, channel = command.get("text", "").strip(), command["user_id"], command["channel_id"]
        try:
            pid = parse_paper_id(text)
        except InvalidPaperId as exc:
            await ack(response_type="ephemeral", text=str(exc))
            return
        await ack(response_type="ephemeral", text=f"Working on {pid}: the deep analysis is posted here when it is ready.")
        where = target(channel)
        language = self.engine.config.language_for(where)
        try:
            entry = await self.engine.paper(text, deep=True, language=language)
        except PaperbotError as exc:
            await respond(response_type="ephemeral", text=esc(str(exc)), replace_original=False)
            return
        [head, *_] = paper_request_message(entry, user)
        parent = await client.chat_postMessage(channel=channel, text=head.text, blocks=head.blocks,
                                               unfurl_links=False, unfurl_media=False)
        for n, message in enumerate(analysis_messages(entry, self.vote_emoji, language=language)):
            reply = await client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                                  thread_ts=parent["ts"], unfurl_links=False, unfurl_media=False)
            # Recorded as posts of the paper: reacting to the analysis is a vote for it.
            self._record(where, f"request:{parent['ts']}:{n}", reply["ts"], parent["ts"], entry.paper.id)
        self._record(where, f"request:{parent['ts']}", parent["ts"], None, entry.paper.id)
        log.info("/paper %s for %s in %s: posted", entry.paper.id, user, channel)

    def _record(self, where: str, item: str, message: str, thread: str | None, paper_id: str) -> None:
        day = datetime.now(timezone.utc).date().isoformat()
        self.engine.store.save_post(where, day, item, message=message, thread=thread, paper_id=paper_id)

    async def mustread(self, ack, command, respond) -> None:
        words = command.get("text", "").split()
        where = target(command["channel_id"])
        if words[:1] == ["done"]:
            if len(words) != 2:
                await ack(response_type="ephemeral", text="Use /mustread done ID, e.g. /mustread done 2602.12281.")
                return
            try:
                paper_id = self.votes.done(where, words[1], command["user_id"])
            except InvalidPaperId as exc:
                await ack(response_type="ephemeral", text=str(exc))
                return
            await ack(response_type="ephemeral", text=f"{paper_id} is marked as read and off the list.")
            return
        await ack(response_type="ephemeral", blocks=self.mustread_blocks(where), text="The must-read list")

    def mustread_blocks(self, where: str) -> list[dict]:
        items = self.votes.must_read(where)
        if not items:
            return sections(f"_Nothing on the must-read list yet: a paper needs {self.votes.threshold} votes._")
        lines = [f"{n}. {link(m.paper.abs_url, m.paper.title)} — {m.votes} votes "
                 f"({', '.join(f'<@{esc(v)}>' for v in m.voters)}), posted {esc((m.posted_at or '—')[:10])}"
                 for n, m in enumerate(items[:40], 1)]
        return sections("*Must read*\n" + "\n".join(lines))

    async def reaction(self, body, event, context) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        self.votes.react(Reaction(target(item["channel"]), item["ts"], event["user"], event["reaction"],
                                  event["type"] == "reaction_added", body.get("event_id")),
                         bot_user=context.get("bot_user_id"))
