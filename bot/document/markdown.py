"""Documents as Markdown, and the digest in the structure of the seed digest.

Every span's text is escaped, so a title or a model's answer renders as text:
it cannot open a link, an image, HTML, a heading, a list or a code fence.
"""

from __future__ import annotations

import re

import emoji as emoji_names

from ..arxiv.categories import display_name
from ..digest import Digest, DigestEntry
from .analyses import analysis_blocks, summary_or_note
from .labels import labels
from .model import (Block, Bullets, Document, Field, Heading, Inline, Item, Note, Paragraph, Rule, Span, bold, items,
                    link, text)

ANALYSES_OFF = ("Analyses are off: set the key named by [llm] api_key_env (OPENAI_API_KEY by default) "
                "and run without --no-llm to have them written.")

_ESCAPE_RE = re.compile(r"([\\`*_~\[\]<>|])")  # ~ too: "~~~" would open a code fence
_LINE_START_RE = re.compile(r"^([#>+=-]|\d+[.)])")
_SPACES_RE = re.compile(r"\s+")


def md(value: str, *, line_start: bool = True) -> str:
    """Untrusted text as inert inline Markdown, on one line (runs of whitespace become one space)."""
    value = _ESCAPE_RE.sub(r"\\\1", _SPACES_RE.sub(" ", str(value)))
    # At the start of a line, indentation (up to 3 spaces still opens a heading) and block markers go.
    return _LINE_START_RE.sub(r"\\\1", value.lstrip()) if line_start else value


class Markdown:
    """Documents as Markdown. A platform that speaks Markdown (Discord) overrides how text is escaped and
    how mentions and emoji are drawn; the structure is the same everywhere."""

    def escape(self, value: str, line_start: bool) -> str:
        return md(value, line_start=line_start)

    def mention(self, user: str) -> str:
        return "@" + md(user, line_start=False)

    def emoji(self, name: str) -> str:
        return emoji_names.emojize(f":{name}:", language="alias")

    def inline(self, spans: Inline, *, line_start: bool = False) -> str:
        out = []
        for n, span in enumerate(spans):
            if span.emoji:
                out.append(self.emoji(span.emoji))
                continue
            if span.mention:
                out.append(self.mention(span.mention))
                continue
            value = self.escape(span.text, line_start and n == 0 and not (span.bold or span.italic or span.url))
            if span.url:
                value = f"[{value}]({span.url})"
            if span.bold:
                value = f"**{value}**"
            if span.italic:
                value = f"_{value}_"
            out.append(value)
        return "".join(out)

    def render(self, doc: Document, *, heading_level: int = 2) -> str:
        """A whole document; its title becomes a heading (linked when it has a url)."""
        blocks: list[Block] = list(doc.blocks)
        if doc.title:
            title = link(doc.url, doc.title) if doc.url else Span(doc.title)
            blocks.insert(0, Heading(text(title), level=heading_level))
        return self.blocks(blocks)

    def blocks(self, blocks: list[Block] | tuple[Block, ...]) -> str:
        return "\n\n".join(self.block(b) for b in blocks)

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            anchor = f"<a id='{block.anchor}'></a>\n" if block.anchor else ""
            return f"{anchor}{'#' * block.level} {self.inline(block.text)}"
        if isinstance(block, Paragraph):
            return self.inline(block.text, line_start=True)
        if isinstance(block, Field):
            return f"**{self.escape(block.label, False)}:** {self.inline(block.value)}"
        if isinstance(block, Bullets):
            return self._list(block, "")
        if isinstance(block, Note):
            return f"> {self.inline(block.text)}" if block.quote else f"_{self.inline(block.text)}_"
        if isinstance(block, Rule):
            return "---"
        raise TypeError(f"no Markdown for {type(block).__name__}")

    def _list(self, bullets: Bullets, indent: str) -> str:
        lines = []
        for n, item in enumerate(bullets.items, 1):
            marker = f"{n}." if bullets.numbered else "-"
            lines.append(f"{indent}{marker} {self.inline(item.text, line_start=True)}")
            if item.sub:
                lines.append(self._list(item.sub, indent + "  "))
        return "\n".join(lines)


MARKDOWN = Markdown()
render = MARKDOWN.render
render_blocks = MARKDOWN.blocks


# -- the digest file, as the seed writes it ---------------------------------------------------------
def render_digest(digest: Digest) -> str:
    names = " & ".join(display_name(c) for c in digest.categories)
    toc = Bullets(tuple(_toc_item(e) for e in digest.entries), numbered=True)
    blocks: list[Block] = [Paragraph(text(f"time: {digest.date.replace('-', '')}")),
                           Heading(text(f"Arxiv {names} Papers - {digest.date}"), level=1),
                           Heading(text("Executive Summary")), *_summary(digest), Rule(),
                           Heading(text("Table of Contents")), toc, Rule(), Heading(text("Papers"))]
    parts = [render_blocks(blocks)]
    parts += [render_entry(e, language=digest.language, analyses_off=digest.analyses_off) for e in digest.entries]
    return "\n\n".join(parts) + "\n"


def _toc_item(entry: DigestEntry) -> Item:
    return Item(text(link(f"#{entry.paper.versioned_id}", entry.paper.title)))


def _summary(digest: Digest) -> list[Block]:
    lab = labels(digest.language)
    counts = lab["counts"].format(announced=digest.announced, picked=digest.picked, cats=", ".join(digest.categories))
    if digest.analyses_off:  # the file says how to turn them on
        return [Paragraph(text(counts)), Note(text(ANALYSES_OFF), quote=True)]
    return [Paragraph(text(counts)), *summary_or_note(digest)]


def entry_blocks(entry: DigestEntry, *, language: str, analyses_off: bool) -> list[Block]:
    """One paper as the seed shows it: Authors, Published, Categories, Abstract, Analysis, Key Findings, Links."""
    p, lab = entry.paper, labels(language)
    blocks: list[Block] = [
        Heading(text(link(p.abs_url, p.title)), level=2, anchor=p.versioned_id),
        Field(lab["authors"], text(", ".join(p.authors))),
        Field(lab["published"], text(p.published or "—")),
        Field(lab["categories"], text(", ".join(p.categories))),
        Paragraph(text(bold(f"{lab['abstract']}:"))), Paragraph(text(p.abstract)),
    ]
    if not analyses_off:
        blocks += [Paragraph(text(bold(f"{lab['analysis']}:"))), *analysis_blocks(entry, language)]
    if entry.findings:
        blocks += [Paragraph(text(bold(f"{lab['findings']}:"))), items(entry.findings)]
    blocks += [Paragraph(text(bold(f"{lab['links']}:"))),
               Bullets((_item(link(p.pdf_link, "PDF")), _item(link(p.abs_url, "arXiv")))), Rule()]
    return blocks


def render_entry(entry: DigestEntry, *, language: str, analyses_off: bool) -> str:
    return render_blocks(entry_blocks(entry, language=language, analyses_off=analyses_off))


def _item(span: Span) -> Item:
    return Item(text(span))
