"""What the chat platforms get, as documents: the morning post, a paper's reply, a /paper answer,
notes and the must-read list. Built once here; each platform only renders them."""

from __future__ import annotations

from collections.abc import Sequence

from ..digest import Digest, DigestEntry, short_title
from ..models import Paper
from .analyses import analysis_blocks, summary_or_note
from .labels import labels
from .model import Block, Bullets, Document, Item, Note, Paragraph, Span, bold, items, link, text

MAX_AUTHORS = 6


def digest_head(digest: Digest) -> Document:
    """The morning post's parent: counts, the executive summary, the linked list of picks."""
    lab = labels(digest.language)
    counts = lab["head_counts"].format(picked=digest.picked, announced=digest.announced)
    blocks: list[Block] = [Note(text(f"{counts} · {lab['vote_where']}")), *summary_or_note(digest)]
    blocks.append(Bullets(tuple(Item(text(link(e.paper.abs_url, e.paper.title))) for e in digest.entries),
                          numbered=True))
    title = f"arXiv {', '.join(digest.categories)} — {digest.date}"
    return Document(title=title, blocks=tuple(blocks),
                    summary=f"{title}: {counts}")


def thread_name(digest: Digest) -> str:
    return f"arXiv {', '.join(digest.categories)} — {digest.date}"


def paper_post(entry: DigestEntry, language: str, vote_emoji: Sequence[str], down_emoji: Sequence[str] = ()) -> Document:
    """One picked paper's reply in the morning thread."""
    p, lab = entry.paper, labels(language)
    blocks: list[Block] = [Paragraph(text(authors_line(p, language))),
                           Note(text(f"{', '.join(p.categories) or '—'} · "
                                     + lab["picked_because"].format(reason=entry.reason)))]
    blocks += _findings(entry, language)
    blocks += analysis_blocks(entry, language)
    blocks += [links(p), vote_hint(vote_emoji, language, down_emoji)]
    return Document(title=f"{entry.rank}. {p.title}", url=p.abs_url, blocks=tuple(blocks))


def request_head(entry: DigestEntry, user: str, language: str) -> Document:
    """The /paper answer's message in the channel: which paper, who asked; the analysis follows in its thread."""
    lab = labels(language)
    kind = lab["deep_kind"] if entry.deep is not None else lab["quick_kind"]
    return Document(title=f"{kind}: {entry.paper.title}", url=entry.paper.abs_url,
                    blocks=(Paragraph(text(lab["asked_by"], Span(mention=user), lab["in_thread"])),),
                    summary=f"{kind}: {entry.paper.title}")


def request_thread_name(entry: DigestEntry) -> str:
    return f"{entry.paper.id}: {short_title(entry.paper.title)}"


def request_analysis(entry: DigestEntry, language: str, vote_emoji: Sequence[str],
                     down_emoji: Sequence[str] = ()) -> Document:
    """The /paper answer in its thread: the deep analysis, or the labelled quick one."""
    blocks: list[Block] = []
    if entry.analysis is None and entry.deep is None:  # nothing written: what the abstract says, at least
        blocks += _findings(entry, language)
    blocks += analysis_blocks(entry, language)
    blocks += [links(entry.paper), vote_hint(vote_emoji, language, down_emoji)]
    return Document(title=f"{entry.paper.id}: {entry.paper.title}", url=entry.paper.abs_url, blocks=tuple(blocks))


def note(message: str) -> Document:
    return Document(blocks=(Note(text(message)),), summary=message)


def must_read(entries, threshold: int, language: str, *, limit: int = 40) -> Document:
    """The channel's must-read list (votes.MustRead entries), most votes first."""
    lab = labels(language)
    if not entries:
        return Document(title=lab["must_read"], blocks=(Note(text(lab["must_read_empty"].format(n=threshold))),))
    lines = []
    for m in entries[:limit]:
        voters: list = []
        for i, user in enumerate(m.voters):
            voters += ([", "] if i else []) + [Span(mention=user)]
        lines.append(Item(text(link(m.paper.abs_url, m.paper.title), lab["must_read_line"].format(votes=m.votes),
                               *voters, lab["posted"].format(posted=(m.posted_at or "—")[:10]))))
    return Document(title=lab["must_read"], blocks=(Bullets(tuple(lines), numbered=True),))


def authors_line(paper: Paper, language: str) -> str:
    lab, authors = labels(language), list(paper.authors)
    shown = ", ".join(authors[:MAX_AUTHORS])
    if len(authors) > MAX_AUTHORS:
        shown += lab["et_al"].format(n=len(authors))
    return shown or lab["authors_unknown"]


def links(paper: Paper) -> Paragraph:
    return Paragraph(text(link(paper.abs_url, "arXiv"), " · ", link(paper.pdf_link, "PDF"), " · ",
                          link(paper.html_link, "HTML")))


def vote_hint(vote_emoji: Sequence[str], language: str, down_emoji: Sequence[str] = ()) -> Note:
    """"React with ⭐ or 👍 to vote for the must-read list; 👎 if it is not for us." """
    lab = labels(language)
    spans = _with_emoji(lab["vote_hint"], vote_emoji, lab["or"])
    spans += _with_emoji(lab["down_hint"], down_emoji, lab["or"]) if down_emoji else [lab["end"]]
    return Note(text(*spans))


def _with_emoji(template: str, names: Sequence[str], joiner: str) -> list:
    before, _, after = template.partition("{emoji}")
    spans: list = [before]
    for i, name in enumerate(names):
        spans += ([joiner] if i else []) + [Span(emoji=name)]
    return [*spans, after]


def _findings(entry: DigestEntry, language: str) -> list[Block]:
    if not entry.findings:
        return []
    return [Paragraph(text(bold(labels(language)["findings"]))), items(entry.findings)]
