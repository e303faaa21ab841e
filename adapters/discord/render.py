"""Documents as Discord messages (embeds), within Discord's limits and inert.

The text is the core's Markdown (bot.document.markdown), which Discord renders as
written: every span through `md`, so no masked link, heading, quote, spoiler,
timestamp or `<@id>` can form from a title or a model's answer. On top of that
`inert` breaks `@everyone`, `@here` and `@<id>` with a zero-width space (they
could not ping anyway: every message is sent with allowed_mentions none).
Mentions are drawn only from user ids Discord gave us. Links go only into
embeds, where Discord never unfurls them. Long text is split across embeds (4096
a description, 6000 a message, 10 a message) and messages, never cut off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.document.markdown import Markdown, md
from bot.document.model import Document, Note
from bot.text import split_text

from .reactions import VoteEmoji

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10
MAX_EMBED_CHARS = 6000  # across all embeds of one message
MAX_THREAD_NAME = 100
ARXIV_RED = 0xB31B1B

_MENTION_RE = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")


@dataclass(frozen=True)
class DiscordMessage:
    embeds: tuple[dict, ...]  # discord.Embed.from_dict form: plain data, so limits are checkable here
    content: str = ""


def inert(text: str) -> str:
    """Mentions broken with a zero-width space: they show as text and cannot resolve or ping."""
    return _MENTION_RE.sub("@\u200b\\1", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DiscordMarkdown(Markdown):
    def __init__(self, vote_emoji: VoteEmoji):
        self.vote_emoji = vote_emoji

    def escape(self, value: str, line_start: bool) -> str:
        return inert(md(value, line_start=line_start))

    def mention(self, user: str) -> str:
        return f"<@{int(user)}>"  # a numeric id from Discord, never text: it cannot become anything else

    def emoji(self, name: str) -> str:
        return self.vote_emoji.show(name)


def render(doc: Document, markdown: DiscordMarkdown) -> list[DiscordMessage]:
    body = markdown.blocks(doc.blocks)
    if not doc.title and all(isinstance(b, Note) for b in doc.blocks) and len(body) <= MAX_CONTENT:
        return [DiscordMessage((), content=body)]  # a one-line note reads best as plain content
    return pack(inert(md(doc.title, line_start=False)), doc.url, body)


def embed_size(embed: dict) -> int:
    """What Discord counts against the 6000 characters of a message's embeds."""
    return len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))


def pack(title: str, url: str | None, text: str) -> list[DiscordMessage]:
    """Text already made inert, split over embeds (4096 each) and messages (10 embeds, 6000 characters)."""
    chunks = split_text(text, MAX_DESCRIPTION) or [""]
    embeds = [{"description": chunk, "color": ARXIV_RED} for chunk in chunks]
    if title:
        embeds[0]["title"] = clip(title, MAX_TITLE)
    if url:
        embeds[0]["url"] = url
    if not embeds[0]["description"]:
        del embeds[0]["description"]
    messages: list[list[dict]] = [[]]
    size = 0
    for embed in embeds:
        if messages[-1] and (size + embed_size(embed) > MAX_EMBED_CHARS or len(messages[-1]) == MAX_EMBEDS):
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += embed_size(embed)
    return [DiscordMessage(tuple(page)) for page in messages]
