"""A paper's new version, told in the paper's own thread: which version, its comment if it changed,
whether the abstract changed (and what changed, when it did), and the new version's links."""

from __future__ import annotations

from ..models import Paper
from .chat import links
from .labels import labels
from .model import Block, Document, Field, Note, Paragraph, bold, text


def version_reply(new: Paper, old: Paper | None, *, day: str, changed: bool | None, what_changed: str | None = None,
                  note: str | None = None, language: str) -> Document:
    """`old`: the version the channel had; `changed`: whether the abstract changed (None: not known, so
    nothing is said of it); `what_changed` / `note`: the model's paragraph, or why there is none."""
    lab = labels(language)
    out = lab["version_out"].format(version=new.version, date=new.updated or day)
    blocks: list[Block] = []
    if old is not None and _norm(old.title) != _norm(new.title):
        blocks.append(Field(lab["version_new_title"], text(new.title)))
    if new.comment and (old is None or _norm(old.comment) != _norm(new.comment)):
        blocks.append(Field(lab["version_comment"], text(new.comment)))
    if changed is False:
        blocks.append(Note(text(lab["version_same"])))
    elif changed and what_changed:
        blocks += [Paragraph(text(bold(lab["version_changed"]))), Paragraph(text(what_changed))]
    elif changed:
        blocks.append(Note(text(lab["version_changed_unavailable"].format(
            note=note or "the model gave no usable answer") + ".")))
    blocks.append(links(new))
    return Document(title=f"{out}: {new.title}", url=new.abs_url, blocks=tuple(blocks),
                    summary=f"{new.id}: {out}")


def _norm(value: str | None) -> str:
    """Compared in words, not spacing: the feed and the API wrap the same text differently."""
    return " ".join((value or "").split())
