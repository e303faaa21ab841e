"""The neutral digest: what every renderer (Markdown, Slack, Discord) draws from."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis.replies import DeepResult, ExecutiveSummary, QuickAnalysis
from .models import Paper


@dataclass(frozen=True)
class DigestEntry:
    rank: int
    paper: Paper
    score: float
    reason: str  # why it was picked
    findings: tuple[str, ...]  # verbatim sentences of the abstract
    analysis: QuickAnalysis | None
    analysis_note: str | None = None  # why there is no analysis, when there is none
    deep: DeepResult | None = None  # the deep analysis from the full text, when one was asked for
    deep_note: str | None = None  # why there is no deep analysis (e.g. no full text), when asked for


@dataclass(frozen=True)
class Digest:
    date: str
    categories: tuple[str, ...]
    announced: int
    language: str
    entries: tuple[DigestEntry, ...]
    summary: ExecutiveSummary | None
    summary_note: str | None = None
    analyses_off: bool = False

    @property
    def picked(self) -> int:
        return len(self.entries)


def short_title(title: str, limit: int = 40) -> str:
    """'CineScene: Implicit 3D as ...' -> 'CineScene', as the seed names papers in its summary."""
    head = title.split(":", 1)[0].strip()
    if len(head) <= limit:
        return head
    return head[: limit - 1].rsplit(" ", 1)[0] + "…"
