"""Documents as HTML: the archive's renderer, like the Markdown one, owning only escaping and links.

Every span's text is escaped (markupsafe), so a title, an abstract or a model's
answer is text on the page, never markup: `<script>` shows as `<script>`. A
link exists only where a `Span.url` was set by us, and only to http(s) or to a
relative address of the site (a `javascript:` or `data:` address is drawn as its
label alone). Mentions are drawn as plain text: the archive has no users.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import emoji as emoji_names
from markupsafe import Markup, escape

from ..document.model import Block, Bullets, Document, Field, Heading, Inline, Note, Paragraph, Rule, Span, link, text


def safe_url(url: str | None) -> str | None:
    """`url` when it is http(s) or relative to this site; else None (no link is drawn)."""
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None  # browsers drop tabs and newlines inside a scheme ("java\nscript:"): refuse them all
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if not parts.scheme and not parts.netloc and not url.startswith(("/", "\\")):
        return url  # relative: stays inside the site wherever it is hosted (a sub-path, file://)
    return None


def _escape(value: str) -> str:
    return str(escape(value))  # markupsafe's C escaping; plain strings inside, one Markup at the end


class Html:
    """A `Document` as an HTML fragment (`Markup`, safe to put into a template as it is).

    Built as plain strings (every piece of text through `_escape`) and marked safe once per call: a
    year of pages is millions of spans, and a Markup object per span would double the build's time."""

    def inline(self, spans: Inline) -> Markup:
        return Markup(self._inline(spans))

    def render(self, doc: Document, *, heading_level: int = 2) -> Markup:
        """A whole document; its title becomes a heading (linked when it has a url)."""
        blocks: list[Block] = list(doc.blocks)
        if doc.title:
            title = link(doc.url, doc.title) if doc.url else Span(doc.title)
            blocks.insert(0, Heading(text(title), level=heading_level))
        return self.blocks(blocks)

    def blocks(self, blocks) -> Markup:
        return Markup("\n".join(self._block(b) for b in blocks))

    def _inline(self, spans: Inline) -> str:
        return "".join(self._span(s) for s in spans)

    def _span(self, span: Span) -> str:
        if span.emoji:
            return _escape(emoji_names.emojize(f":{span.emoji}:", language="alias"))
        if span.mention:
            return _escape("@" + span.mention)
        value = _escape(span.text)
        if span.bold:
            value = f"<strong>{value}</strong>"
        if span.italic:
            value = f"<em>{value}</em>"
        if (url := safe_url(span.url)) is not None:
            value = f'<a href="{_escape(url)}">{value}</a>'
        return value

    def _block(self, block: Block) -> str:
        if isinstance(block, Paragraph):
            return f"<p>{self._inline(block.text)}</p>"
        if isinstance(block, Bullets):
            return self._list(block)
        if isinstance(block, Heading):
            level = min(6, max(1, block.level))
            anchor = f' id="{_escape(block.anchor)}"' if block.anchor else ""
            return f"<h{level}{anchor}>{self._inline(block.text)}</h{level}>"
        if isinstance(block, Field):
            return f'<p class="field"><strong>{_escape(block.label)}:</strong> {self._inline(block.value)}</p>'
        if isinstance(block, Note):
            if block.quote:
                return f"<blockquote><p>{self._inline(block.text)}</p></blockquote>"
            return f'<p class="note">{self._inline(block.text)}</p>'
        if isinstance(block, Rule):
            return "<hr>"
        raise TypeError(f"no HTML for {type(block).__name__}")

    def _list(self, bullets: Bullets) -> str:
        tag = "ol" if bullets.numbered else "ul"
        items = "".join(f"<li>{self._inline(item.text)}{self._list(item.sub) if item.sub else ''}</li>"
                        for item in bullets.items)
        return f"<{tag}>{items}</{tag}>"


HTML = Html()
