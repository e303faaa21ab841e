"""The weekly recap as a document: the week's must-read list, the most-asked papers, the themes, counts.

Voters are counted, never mentioned: a weekly message to the whole channel must not ping everyone who
voted. Each paper links to arXiv and, where the platform gave one, to its own message in the channel.
"""

from __future__ import annotations

from ..weeks import WeekPaper, WeekRecap
from .labels import labels
from .model import Block, Bullets, Document, Item, Note, Paragraph, Span, bold, link, text


def recap(week: WeekRecap) -> Document:
    lab = labels(week.language)
    title = lab["recap_title"].format(cats=", ".join(week.categories), week=week.week)
    dates = lab["recap_dates"].format(first=week.week.monday, last=week.week.sunday)
    mornings = lab["recap_morning"] if week.mornings == 1 else lab["recap_mornings"].format(n=week.mornings)
    blocks: list[Block] = [Note(text(f"{dates} · {mornings}"))]
    blocks.append(Paragraph(text(bold(lab["recap_must_read"]))))
    if week.must_read:
        blocks.append(Bullets(tuple(_item(p, _votes(p.votes, lab), lab) for p in week.must_read), numbered=True))
    else:
        blocks.append(Note(text(lab["recap_must_read_none"].format(n=week.threshold))))
    if week.most_asked:
        blocks += [Paragraph(text(bold(lab["recap_most_asked"]))),
                   Bullets(tuple(_item(p, _asks(p.asks, lab), lab) for p in week.most_asked), numbered=True)]
    if week.most_discussed:
        blocks += [Paragraph(text(bold(lab["recap_most_discussed"]))),
                   Bullets(tuple(_item(p, _questions(p.questions, lab), lab) for p in week.most_discussed),
                           numbered=True)]
    if week.picks:
        blocks.append(Paragraph(text(bold(lab["recap_themes"]))))
        if week.themes:
            blocks.append(Paragraph(text(week.themes)))
        else:
            note = week.themes_note or "the model gave no usable answer"
            blocks.append(Note(text(lab["recap_themes_unavailable"].format(note=note) + ".")))
    counts = lab["recap_counts"].format(**week.counts.__dict__)
    blocks.append(Note(text(counts)))
    return Document(title=title, blocks=tuple(blocks), summary=f"{title}: {counts}")


def empty_week(week: str, language: str) -> Document:
    message = labels(language)["recap_empty"].format(week=week)
    return Document(blocks=(Note(text(message)),), summary=message)


def _item(entry: WeekPaper, count: str, lab: dict) -> Item:
    spans: list[Span | str] = [link(entry.paper.abs_url, entry.paper.title), f" — {count}"]
    if entry.read:
        spans.append(f" · {lab['recap_read']}")
    if entry.link:
        spans += [" · ", link(entry.link, lab["recap_thread"])]
    return Item(text(*spans))


def _votes(n: int, lab: dict) -> str:
    return lab["recap_vote"] if n == 1 else lab["recap_votes"].format(n=n)


def _asks(n: int, lab: dict) -> str:
    return lab["recap_asked_once"] if n == 1 else lab["recap_asked"].format(n=n)


def _questions(n: int, lab: dict) -> str:
    return lab["recap_question"] if n == 1 else lab["recap_questions"].format(n=n)
