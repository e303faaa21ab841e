"""The conversation seam: what a chat platform implements so the core can talk through it.

The core builds a `Document` and hands it to a `Conversation`; the platform
renders it (its own escaping and limits, possibly several messages), sends each
message, opens threads, tells one user something privately and (optionally) links
to a message it sent. Everything
about when, whether and in which order lives in the core (`outbox`, `morning`,
`desk`), once for every platform. See the README's "Adding a platform".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..document.model import Document
from ..models import ChannelRef


@dataclass(frozen=True)
class Sent:
    """One platform message the core sent, as recorded in the posts ledger."""

    channel: ChannelRef  # the channel it belongs to (also when it went into one of its threads)
    message: str  # the platform's message id (Slack: ts)
    thread: str | None  # the thread it went into; None: the channel itself
    new: bool = False  # sent just now (not found in the ledger from before)


class Conversation(Protocol):
    platform: str  # "slack", "discord": ChannelRef.platform of its channels

    def render(self, doc: Document) -> list[Any]:
        """The document as the platform's messages, in order, within its limits (never cut)."""

    async def send(self, to: ChannelRef, message: Any, *, thread: str | None, key: str) -> str:
        """Send one rendered message to the channel, or into `thread`; returns its message id. `key` names
        the message for good (channel, date, item): a platform that can drop a resend by it should.
        Raises errors.ChatError with a sentence a user can act on when the platform refuses."""

    async def open_thread(self, to: ChannelRef, parent: str, name: str) -> str:
        """The thread under the parent message, created if it is not there yet; returns its id."""

    async def tell(self, to: ChannelRef, user: str, text: str) -> None:
        """A short private note to one user in a channel (ephemeral where the platform has that)."""


class Permalinks(Protocol):
    """What a Conversation may also do. Optional: a platform without it gets every feature, and the weekly
    recap lists its papers without a link to their messages."""

    async def permalink(self, to: ChannelRef, message: str, thread: str | None) -> str | None:
        """A link that opens a message the core sent (in `thread`, or in the channel itself); None if the
        platform gives none."""
