"""An answer to a question in a paper's thread, as a document: who asked what, the answer, what it rests on.

The question and the answer are untrusted text like any other: they are plain
spans, so a renderer escapes them (no mention, no markup, no hidden link).
Links are only the paper's own pages, which we build.
"""

from __future__ import annotations

from ..analysis.answers import Answer, remove_foreign_links
from ..models import Paper
from .chat import links
from .labels import labels
from .model import Block, Document, Field, Note, Paragraph, Span, link, text

MAX_QUOTED_QUESTION = 300  # characters of the question repeated above the answer


def paper_answer(answer: Answer, paper: Paper, user: str, question: str, language: str) -> Document:
    """The answer about one paper: the answer, "Sources: §4.2, Table 3" (or that it comes from the abstract)."""
    lab = labels(language)
    if answer.status == "off_topic":
        return off_topic(lab["off_topic"], user)
    blocks: list[Block] = [_asked(user, question, language), *_paragraphs(answer.text)]
    if answer.from_abstract_only:
        blocks.append(Note(text(lab["from_abstract"])))
    elif answer.cited:
        blocks.append(Field(lab["sources"], text(", ".join(answer.cited))))
    blocks.append(links(paper))
    return Document(title=paper.title, url=paper.abs_url, blocks=tuple(blocks), summary=_preview(answer.text))


def day_answer(answer: Answer, date: str, user: str, question: str, language: str) -> Document:
    """The answer about the day's picks: the answer, and the papers it comes from (linked)."""
    lab = labels(language)
    if answer.status == "off_topic":
        return off_topic(lab["off_topic_day"], user)
    blocks: list[Block] = [_asked(user, question, language), *_paragraphs(answer.text)]
    if answer.papers:
        spans: list[Span] = []
        for n, paper in enumerate(answer.papers):
            spans += ([Span("; ")] if n else []) + [link(paper.abs_url, paper.title)]
        blocks.append(Field(lab["from_papers"], tuple(spans)))
    return Document(title=lab["day_title"].format(date=date), blocks=tuple(blocks), summary=_preview(answer.text))


def off_topic(sentence: str, user: str) -> Document:
    """Our own sentence, never the model's: a question that is not about the paper gets only this."""
    return Document(blocks=(Note(text(Span(mention=user), " ", sentence)),), summary=sentence)


def _asked(user: str, question: str, language: str) -> Note:
    # Chat apps turn a bare URL into a link: a link the asker typed is not repeated by the bot.
    quoted = " ".join(remove_foreign_links(question, "").split())
    if len(quoted) > MAX_QUOTED_QUESTION:
        quoted = quoted[: MAX_QUOTED_QUESTION - 1].rsplit(" ", 1)[0] + "…"
    return Note(text(Span(mention=user), labels(language)["asked"], quoted))


def _paragraphs(value: str) -> list[Paragraph]:
    return [Paragraph(text(part.strip())) for part in value.split("\n\n") if part.strip()] or [Paragraph(text(value))]


def _preview(value: str, limit: int = 150) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rsplit(" ", 1)[0] + "…"
