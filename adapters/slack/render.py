"""Documents as Slack messages (Block Kit), within Slack's limits and inert.

Every span's text goes through `esc`: with `&`, `<` and `>` escaped, text cannot
ping (`<!channel>`, `<@U…>`), cannot hide a link (`<https://evil|arxiv.org>`)
and cannot smuggle markup. Links are only the document's own (arXiv's), mentions
only user ids Slack gave us. Long content is split across blocks (3000
characters a section) and messages (50 blocks), never cut off.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.document.model import Block, Bullets, Document, Field, Heading, Inline, Note, Paragraph, Rule, plain
from bot.text import split_text

MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BLOCKS = 50


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification / fallback text (mrkdwn)
    blocks: list[dict]


def esc(value: str) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(spans: Inline) -> str:
    out = []
    for span in spans:
        if span.emoji:
            out.append(f":{esc(span.emoji)}:")
            continue
        if span.mention:
            out.append(f"<@{esc(span.mention)}>")
            continue
        value = f"<{span.url}|{esc(span.text).replace('|', '¦')}>" if span.url else esc(span.text)
        if span.bold:
            value = f"*{value}*"
        if span.italic:
            value = f"_{value}_"
        out.append(value)
    return "".join(out)


def header(value: str) -> dict:
    value = value if len(value) <= MAX_HEADER else value[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": value, "emoji": False}}


def sections(text: str) -> list[dict]:
    """One or more section blocks holding all of `text`, split at line breaks where possible."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk, "verbatim": True}}
            for chunk in split_text(text, MAX_SECTION)]


def context(text: str) -> list[dict]:
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": chunk, "verbatim": True}]}
            for chunk in split_text(text, MAX_SECTION)]


def render(doc: Document) -> list[SlackMessage]:
    blocks: list[dict] = []
    if doc.title and doc.url:
        blocks += sections(f"*<{doc.url}|{esc(doc.title).replace('|', '¦')}>*")
    elif doc.title:
        blocks.append(header(doc.title))
    text: list[str] = []  # consecutive text blocks share sections

    def flush() -> None:
        if text:
            blocks.extend(sections("\n".join(text)))
            text.clear()

    for block in doc.blocks:
        if isinstance(block, (Heading, Rule)) or (isinstance(block, Note) and not block.quote):
            flush()
            blocks.extend(_standalone(block))
        else:
            text.append(_text(block))
    flush()
    return paginate(blocks, esc(doc.preview))


def _standalone(block: Block) -> list[dict]:
    if isinstance(block, Heading):
        return [header(plain(block.text))]
    if isinstance(block, Rule):
        return [{"type": "divider"}]
    return context(mrkdwn(block.text))


def _text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return mrkdwn(block.text)
    if isinstance(block, Field):
        return f"*{esc(block.label)}:* {mrkdwn(block.value)}"
    if isinstance(block, Note):
        return f"> {mrkdwn(block.text)}"
    if isinstance(block, Bullets):
        return _list(block, "")
    raise TypeError(f"no Block Kit for {type(block).__name__}")


def _list(bullets: Bullets, indent: str) -> str:
    lines = []
    for n, item in enumerate(bullets.items, 1):
        marker = f"{n}." if bullets.numbered else ("•" if not indent else "◦")
        lines.append(f"{indent}{marker} {mrkdwn(item.text)}")
        if item.sub:
            lines.append(_list(item.sub, indent + "    "))
    return "\n".join(lines)


def paginate(blocks: list[dict], fallback: str) -> list[SlackMessage]:
    """Blocks into as many messages as Slack's 50-block limit needs."""
    pages = [blocks[i:i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[]]
    return [SlackMessage(fallback if n == 0 else f"{fallback} (continued)", page) for n, page in enumerate(pages)]
