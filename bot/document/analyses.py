"""The analyses as document blocks, in the seed's two styles and the channel's language.

Used by every renderer: the Markdown digest, a paper's reply in a chat thread,
a /paper answer and the archive's pages all show an analysis the same way.
"""

from __future__ import annotations

from ..analysis.replies import DeepResult, ExecutiveSummary, QuickAnalysis
from ..digest import Digest, DigestEntry, short_title
from .labels import labels
from .model import Block, Bullets, Heading, Item, Note, Paragraph, bold, items, text


def quick_blocks(analysis: QuickAnalysis, language: str) -> list[Block]:
    heads = labels(language)["quick"]
    bodies = [Paragraph(text(analysis.main_contribution)), items(analysis.key_innovations),
              items(analysis.potential_impact), items(analysis.applications), items(analysis.limitations)]
    blocks: list[Block] = []
    for head, body in zip(heads, bodies):
        blocks += [Paragraph(text(bold(head))), body]
    return blocks


def summary_blocks(summary: ExecutiveSummary, digest: Digest) -> list[Block]:
    headings = labels(digest.language)["summary"]
    titles = {e.rank: short_title(e.paper.title) for e in digest.entries}

    def ref(n: int):
        return bold(f"{titles[n]} ({n})")

    def joined(numbers: list[int]):
        spans = []
        for i, n in enumerate(numbers):
            spans += ([", "] if i else []) + [ref(n)]
        return spans

    lists = [
        Bullets(tuple(Item(text(bold(f"{t.name}:"), f" {t.text}")) for t in summary.themes)),
        Bullets(tuple(Item(text(*joined(h.papers), f": {h.text}")) for h in summary.highlights)),
        Bullets(tuple(Item(text(bold(f"{e.name}:"), f" {e.text}")) for e in summary.emerging)),
        Bullets(tuple(Item(text(ref(r.paper), f": {r.why}")) for r in summary.recommended), numbered=True),
    ]
    blocks: list[Block] = []
    for heading, body in zip(headings, lists):
        if body.items:
            blocks += [Paragraph(text(bold(f"{heading}:"))), body]
    return blocks


def summary_or_note(digest: Digest) -> list[Block]:
    """The executive summary, or one line saying why there is none."""
    lab = labels(digest.language)
    if digest.summary is not None:
        return summary_blocks(digest.summary, digest)
    if digest.analyses_off:
        return [Note(text(lab["analyses_off_short"]))]
    note = digest.summary_note or "the model gave no usable answer"
    return [Note(text(lab["summary_unavailable"].format(note=note) + "."))]


def deep_blocks(deep: DeepResult, title: str, language: str) -> list[Block]:
    lab = labels(language)
    heads, point = lab["deep"], lab["deep_points"]
    a = deep.analysis

    def points(group, *names: str) -> list[Item]:
        return [Item(text(bold(f"{point[n]}:")), items(getattr(group, n))) for n in names]

    sections = [
        [Paragraph(text(p)) for p in a.abstract_translation.split("\n\n") if p.strip()],
        [Bullets(tuple(points(a.motivation, "drivers", "pain_points", "hypothesis")))],
        [Bullets(tuple(points(a.method, "pipeline", "architecture", "formulas")))],
        [Bullets(tuple(points(a.comparison, "differences", "contributions", "applicability")))],
        [Bullets(tuple(points(a.experiments, "validation", "key_results", "strengths", "limitations")))],
        [Bullets((Item(text(bold(f"{point['availability']}:"), f" {a.practical.availability}")),
                  *points(a.practical, "implementation", "transfer")))],
        [Bullets((Item(text(bold(f"{point['core_idea']}:"), f" {a.summary.core_idea}")),
                  Item(text(bold(f"{point['quick_pipeline']}:")), items(a.summary.pipeline, numbered=True))))],
    ]
    blocks: list[Block] = [Heading(text(lab["deep_title"].format(title=title)), level=2)]
    for head, body in zip(heads, sections):
        blocks += [Heading(text(head), level=3), *body]
    if deep.coverage:
        blocks.append(Note(text(coverage_line(deep.coverage, language) + ".")))
    return blocks


def analysis_blocks(entry: DigestEntry, language: str) -> list[Block]:
    """The deep analysis when there is one, else the quick one (labelled when a deep one was asked for)."""
    lab = labels(language)
    if entry.deep is not None:
        return deep_blocks(entry.deep, entry.paper.title, language)
    if entry.analysis is None:
        note = entry.analysis_note or "the model gave no usable answer"
        return [Note(text(lab["analysis_unavailable"].format(note=note) + "."))]
    quick = quick_blocks(entry.analysis, language)
    if entry.deep_note:  # a deep one was asked for: say plainly that this is not it
        return [Note(text(lab["quick_fallback"].format(note=entry.deep_note.rstrip("."))), quote=True), *quick]
    return quick


def coverage_line(coverage: dict, language: str) -> str:
    """What of the full text the model saw, e.g. "Written from the arXiv PDF full text (30 pages), ..."."""
    lab = labels(language)
    pages = lab["pages"].format(n=coverage["pages"]) if coverage.get("pages") else ""
    line = lab["coverage"].format(source=coverage["source"].upper(), pages=pages,
                                  tokens=coverage["prompt_tokens"], budget=coverage["budget"])
    for key in ("shortened", "dropped"):
        if coverage.get(key):
            line += f"; {lab[key]}: {', '.join(coverage[key])}"
    return line
