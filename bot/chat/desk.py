"""The channel commands, written once for every platform: /paper and /mustread.

A platform acknowledges the command at once (Slack's ack, Discord's deferral),
turns it into a `PaperRequest` and calls `Desk.paper` with a `Conversation`
bound to that command (so "tell the asker" reaches them the platform's way).
The asker always hears back: the answer, or one sentence saying why not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from ..document.chat import must_read, request_analysis, request_head, request_thread_name
from ..document.model import Document
from ..engine import Engine
from ..errors import InvalidPaperId, PaperbotError
from ..models import ChannelRef
from .outbox import Outbox
from .seam import Conversation
from .votes import VoteBook

log = logging.getLogger(__name__)

FAILED = "paperbot could not answer this (the error is in its log); try again in a minute."


@dataclass(frozen=True)
class PaperRequest:
    channel: ChannelRef  # the channel asked in (for a thread: the thread's channel)
    user: str
    text: str  # the id as typed
    request_id: str  # the platform's id of this command: names its messages in the posts ledger
    thread: str | None = None  # asked inside this thread: the answer stays there


class Desk:
    def __init__(self, engine: Engine, votes: VoteBook):
        self.engine = engine
        self.votes = votes

    def language(self, channel: ChannelRef) -> str:
        return self.engine.config.profile(channel).language

    async def paper(self, request: PaperRequest, conversation: Conversation) -> None:
        """The deep analysis (or the labelled quick one) of a paper: a head message naming the paper and the
        asker, the analysis in its thread. Cached analyses cost nothing; concurrent askers share one call."""
        language = self.language(request.channel)
        try:
            entry = await self.engine.paper(request.text, language, deep=True)
        except PaperbotError as exc:  # not on arXiv, arXiv down: one sentence to the asker
            await conversation.tell(request.channel, request.user, str(exc))
            return
        except Exception:  # a bug: logged, and the asker is not left with "working on it"
            log.exception("/paper %s in %s failed", request.text, request.channel)
            await conversation.tell(request.channel, request.user, FAILED)
            return
        outbox, day = Outbox(conversation, self.engine.store), _today()
        item, votes = f"request:{request.request_id}", self.engine.config.votes
        try:
            head = await outbox.post(request.channel, request_head(entry, request.user, language), date=day,
                                     item=item, thread=request.thread, paper_id=entry.paper.id)
            await outbox.post(request.channel, request_analysis(entry, language, votes.emoji, votes.down_emoji), date=day,
                              item=f"{item}:analysis", thread=request.thread, paper_id=entry.paper.id,
                              under=(head[0].message, request_thread_name(entry)))
        except PaperbotError as exc:  # the platform refused (not in the channel, a missing permission)
            log.warning("/paper %s in %s: %s", entry.paper.id, request.channel, exc)
            await conversation.tell(request.channel, request.user, str(exc))
            return
        except Exception:  # never leave the asker with "working on it" and no word
            log.exception("/paper %s in %s failed", entry.paper.id, request.channel)
            await conversation.tell(request.channel, request.user, FAILED)
            return
        log.info("/paper %s for %s in %s: posted", entry.paper.id, request.user, request.channel)

    def must_read(self, channel: ChannelRef) -> Document:
        return must_read(self.votes.must_read(channel), self.votes.threshold, self.language(channel))

    def done(self, channel: ChannelRef, id_text: str, user: str) -> str:
        """Take a paper off the list; the sentence to show (a bad id says how to write one)."""
        try:
            paper_id = self.votes.done(channel, id_text, user)
        except InvalidPaperId as exc:
            return str(exc)
        return f"{paper_id} is marked as read and off the list."


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()
