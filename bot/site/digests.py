"""A stored day as the `Digest` it was posted from, rebuilt from the snapshot alone.

No LLM call and no arXiv request: the picks and their reasons come from the
scores, the analyses from the cache (the versions the executive summary names,
which are the versions that were posted), so the day page shows what the
channel got. An analysis that failed shows as unavailable, with its reason.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..analysis.analyst import drop_unknown_refs
from ..analysis.replies import ExecutiveSummary, QuickAnalysis
from ..digest import Digest, DigestEntry
from .snapshot import Day, Snapshot, base_id

NO_ANALYSIS = "no analysis was stored"


def stored_digest(snap: Snapshot, day: Day, *, findings: bool = True) -> Digest:
    """`findings=False` leaves the key findings out (a feed's summary shows none; they are the costly part)."""
    summary_row = _summary_row(snap, day)
    versions = _posted_versions(summary_row)
    entries, analysed = [], bool(summary_row)
    for rank, pid in enumerate(day.picked, 1):
        paper = snap.papers.get(pid)
        if paper is None:  # a pick whose paper row is gone: nothing to show for it
            continue
        pick = snap.picks.get((day.channel, day.date, pid), {})
        row = (snap.best(pid, "quick_analysis", day.language, version=versions.get(pid))
               or snap.best(pid, "quick_analysis", day.language))
        analysed |= row is not None
        analysis, note = _parsed(row, QuickAnalysis)
        entries.append(DigestEntry(rank=len(entries) + 1, paper=paper, score=pick.get("score") or 0.0,
                                   reason=pick.get("reason") or "", findings=snap.findings(paper) if findings else (),
                                   analysis=analysis, analysis_note=note))
    summary, summary_note = _parsed(summary_row, ExecutiveSummary)
    if summary is not None:
        summary = drop_unknown_refs(summary, len(entries))
    return Digest(date=day.date, categories=day.categories, announced=day.announced, language=day.language,
                  entries=tuple(entries), summary=summary, summary_note=summary_note,
                  analyses_off=not analysed)


def _summary_row(snap: Snapshot, day: Day) -> dict | None:
    """The day's executive summary for exactly these picks (its subject is "date:id1v1,id2v3,...")."""
    rows = [r for r in snap.analyses.get(f"summary:{day.date}", ())
            if r["language"] == day.language and _picked_ids(r) == list(day.picked)]
    ok = [r for r in rows if r["status"] == "ok"]
    return (ok or rows or [None])[-1]


def _picked_ids(row: dict) -> list[str]:
    return [base_id(v) for v in _versioned(row)]


def _versioned(row: dict) -> list[str]:
    listing = row["paper_id"].split(":", 1)[1] if ":" in row["paper_id"] else ""
    return [v for v in listing.split(",") if v]


def _posted_versions(summary_row: dict | None) -> dict[str, str]:
    return {base_id(v): v for v in _versioned(summary_row)} if summary_row else {}


def _parsed(row: dict | None, model):
    """(the analysis, None), or (None, why there is none)."""
    if row is None:
        return None, NO_ANALYSIS
    if row["status"] != "ok":
        return None, f"the model gave no usable answer ({row['error'] or 'no usable answer'})"
    try:
        return model.model_validate(row["content"]), None
    except ValidationError:  # stored by an older reply model: not something to publish
        return None, NO_ANALYSIS
