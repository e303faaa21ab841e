"""The archive's day and paper pages as neutral documents, built from the same pieces as the chat posts.

A day is the morning post as the channel got it: the counts, the executive
summary and the picks (`day_summary`), then each paper as its reply showed it (authors, categories
and why it was picked, key findings, the analysis, arXiv links), with the vote
hint of the chat left out (the site has no reactions). A paper is its metadata,
its abstract, its key findings and every analysis stored for it, per language.
"""

from __future__ import annotations

from collections.abc import Callable

from ..analysis.replies import DeepAnalysis, DeepResult, QuickAnalysis, language_name
from ..digest import Digest, DigestEntry
from ..document.analyses import analysis_blocks, deep_blocks, quick_blocks, summary_or_note
from ..document.chat import authors_line, links
from ..document.labels import labels
from ..document.model import (Block, Bullets, Document, Field, Heading, Item, Note, Paragraph, Rule, bold, items,
                              link, text)
from ..models import Paper
from .options import channel_label

PaperUrl = Callable[[str], str]  # a paper id -> the link to its page from the page being built


def day_summary(digest: Digest, paper_url: PaperUrl) -> list[Block]:
    """The top of a day: the counts, the executive summary, the picks (linked to their pages)."""
    lab = labels(digest.language)
    counts = lab["head_counts"].format(picked=digest.picked, announced=digest.announced)
    blocks: list[Block] = [Note(text(counts)), *summary_or_note(digest)]
    blocks += [Rule(), Bullets(tuple(Item(text(link(paper_url(e.paper.id), e.paper.title)))
                                     for e in digest.entries), numbered=True)]
    return blocks


def day_entry(entry: DigestEntry, digest: Digest, paper_url: PaperUrl, votes: Block | None) -> list[Block]:
    """One pick of the day as its reply in the chat showed it (without the chat's vote hint)."""
    p, lab = entry.paper, labels(digest.language)
    blocks: list[Block] = [
        Heading(text(link(paper_url(p.id), f"{entry.rank}. {p.title}")), level=2, anchor=f"p-{p.id}"),
        Paragraph(text(authors_line(p, digest.language))),
        Note(text(f"{', '.join(p.categories) or '—'} · " + lab["picked_because"].format(reason=entry.reason)))]
    blocks += findings_blocks(entry.findings, digest.language)
    if not digest.analyses_off:
        blocks += analysis_blocks(entry, digest.language)
    blocks.append(links(p))
    return blocks + ([votes] if votes is not None else [])


def day_title(digest: Digest) -> str:
    return f"arXiv {', '.join(digest.categories)} — {digest.date}"


def paper_head(paper: Paper, findings: tuple[str, ...]) -> Document:
    """What arXiv says of a paper: metadata, abstract, key findings, links."""
    lab = labels("en")
    blocks: list[Block] = [
        Field(lab["authors"], text(", ".join(paper.authors) or lab["authors_unknown"])),
        Field(lab["published"], text(paper.published or "—")),
        Field(lab["categories"], text(", ".join(paper.categories) or "—")),
        Field("Version", text(f"v{paper.version}")),
    ]
    if paper.comment:
        blocks.append(Field("Comment", text(paper.comment)))
    blocks += [Heading(text(lab["abstract"]), level=2), Paragraph(text(paper.abstract))]
    blocks += findings_blocks(findings, "en")
    blocks.append(links(paper))
    return Document(title=paper.title, url=paper.abs_url, blocks=tuple(blocks))


def paper_analyses(paper: Paper, quick: dict[str, dict], deep: dict[str, dict]) -> Document:
    """Every analysis stored for a paper: `quick` and `deep` map a language to its newest published row."""
    blocks: list[Block] = []
    for language, row in sorted(quick.items()):
        blocks += [Heading(text(labels(language)["quick_kind"], f" · {language_name(language)}"), level=2),
                   *_older(row, paper.versioned_id),
                   *quick_blocks(QuickAnalysis.model_validate(row["content"]), language)]
    for language, row in sorted(deep.items()):
        result = DeepResult(DeepAnalysis.model_validate(row["content"]), row["context"] or {})
        body = deep_blocks(result, paper.title, language)
        blocks += [Heading(text(labels(language)["deep_kind"], f" · {language_name(language)}"), level=2),
                   *_older(row, paper.versioned_id), *body[1:]]  # its own title repeats the paper's: the page has it
    return Document(title=paper.title, blocks=tuple(blocks))


def paper_questions(questions: list[dict]) -> list[Block]:
    """The questions answered in the paper's threads ("Ask the paper"), each with its answer."""
    if not questions:
        return []
    blocks: list[Block] = [Heading(text("Questions asked in its thread"), level=2)]
    for q in questions:
        blocks += [Paragraph(text(bold(q["question"]))), Paragraph(text(q["answer"])),
                   Note(text(f"{channel_label(q['channel'])} · {q['created_at'][:10]}"))]
    return blocks


def findings_blocks(findings: tuple[str, ...], language: str) -> list[Block]:
    if not findings:
        return []
    return [Paragraph(text(bold(labels(language)["findings"]))), items(findings)]


def _older(row: dict, current: str) -> list[Block]:
    """Say so when an analysis was written for an earlier version than the one shown."""
    if row["paper_id"] == current:
        return []
    return [Note(text(f"Written for {row['paper_id']}; the current version is {current}."))]
