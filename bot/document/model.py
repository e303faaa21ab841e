"""The neutral document: what the core says, before any platform's syntax.

Everything paperbot sends (the day's summary, a paper's reply, an analysis, a
note, a list) is built once as a `Document` of a few block types, and each
renderer (Markdown, Slack Block Kit, Discord embeds) draws it with its own
escaping and limits. Text in a document is always plain text: a renderer
escapes every `Span` it draws, so a title or a model's answer can never become
markup, a mention or a link. Links exist only as a `Span.url` that we set
(arXiv's pages), mentions only as a `Span.mention` of a user id the platform
gave us, emoji only as a `Span.emoji` short name from the config.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    text: str = ""
    bold: bool = False
    italic: bool = False
    url: str | None = None  # a link we built; `text` is its (untrusted) label
    mention: str | None = None  # a platform user id, drawn as the platform's mention
    emoji: str | None = None  # a short name ("star", "+1"), drawn as the platform shows it


Inline = tuple[Span, ...]


def text(*parts: str | Span) -> Inline:
    """Plain strings and spans as one line of inline content."""
    return tuple(Span(p) if isinstance(p, str) else p for p in parts)


def bold(value: str) -> Span:
    return Span(value, bold=True)


def link(url: str, label: str, *, bold: bool = False) -> Span:
    return Span(label, url=url, bold=bold)


@dataclass(frozen=True)
class Heading:
    text: Inline
    level: int = 2
    anchor: str | None = None  # a Markdown anchor (the table of contents links to it)


@dataclass(frozen=True)
class Paragraph:
    text: Inline


@dataclass(frozen=True)
class Field:
    """`Label: value` on one line."""

    label: str
    value: Inline


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Item:
    text: Inline
    sub: Bullets | None = None  # a nested list under this item


@dataclass(frozen=True)
class Note:
    """A quiet line: why something is missing, what a text was written from, how to vote."""

    text: Inline
    quote: bool = False  # said plainly above what follows (a fallback); else a small aside


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | Field | Bullets | Note | Rule


@dataclass(frozen=True)
class Document:
    """A message's worth of content (a renderer may split it over several platform messages)."""

    title: str = ""  # plain text; empty for none
    url: str | None = None  # where the title links to (an arXiv page)
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    summary: str = ""  # the one-line notification text (plain, escaped by the renderer); else the title

    @property
    def preview(self) -> str:
        return self.summary or self.title


def items(values, *, numbered: bool = False) -> Bullets:
    """Plain strings as a bullet list."""
    return Bullets(tuple(Item(text(v)) for v in values), numbered=numbered)


def plain(inline: Inline) -> str:
    """The words of inline content, without any styling (for previews and search)."""
    return "".join(s.text if not s.emoji else f":{s.emoji}:" for s in inline)
