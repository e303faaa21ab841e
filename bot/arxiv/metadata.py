"""Completing feed items with the arXiv API's metadata (its Atom answer, read with feedparser).

Every request goes through our process-wide pacer (`PacedSession`), 100 ids a
call. Ids the API does not know are simply absent from the result (the API
answers an unknown id with no entry, or with an "Error" entry, whose id is not
a paper's and is skipped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import feedparser
import requests

from ..errors import ArxivUnavailable
from ..models import Paper
from .ids import split_versioned
from .pacer import PacedSession

log = logging.getLogger(__name__)

BATCH = 100  # ids per API call: arXiv's guidance for id_list


def fetch_metadata(session: requests.Session, api_url: str, ids: Sequence[str]) -> dict[str, Paper]:
    """Metadata for `ids` (base ids, or versioned to pin one), keyed by base id."""
    found: dict[str, Paper] = {}
    for start in range(0, len(ids), BATCH):
        batch = list(ids[start : start + BATCH])
        for entry in _entries(session, api_url, batch):
            if paper := _paper(entry):
                found[paper.id] = paper
    return found


def fetch_pending(session: PacedSession, api_url: str, take: Callable[[int], list[str]]) -> tuple[list[str], dict[str, Paper]]:
    """One request for the ids `take(BATCH)` gives when the request's turn comes; (those ids, what was found).

    Channels posting together each ask for their picks' metadata: asked for this way, the request
    that waits for the pacer carries every id asked for while it waited.
    """
    taken: list[str] = []

    def params() -> dict:
        taken.extend(take(BATCH))
        return {"id_list": ",".join(taken), "max_results": len(taken)}

    try:
        response = session.get_at_turn(api_url, params)
    except requests.RequestException as exc:
        raise _unavailable(taken, type(exc).__name__) from exc
    found = {p.id: p for entry in _parsed(response, taken) if (p := _paper(entry))}
    return taken, found


def _entries(session: requests.Session, api_url: str, batch: list[str]) -> list:
    params = {"id_list": ",".join(batch), "max_results": len(batch)}
    try:
        response = session.get(api_url, params=params)
    except requests.RequestException as exc:
        raise _unavailable(batch, type(exc).__name__) from exc
    return _parsed(response, batch)


def _parsed(response, batch: list[str]) -> list:
    if response.status_code != 200:
        raise _unavailable(batch, f"HTTP {response.status_code}")
    parsed = feedparser.parse(response.content, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise _unavailable(batch, f"malformed answer: {parsed.bozo_exception}")
    return parsed.entries


def _unavailable(batch: list[str], why: str) -> ArxivUnavailable:
    return ArxivUnavailable(f"the arXiv API did not answer for {len(batch)} papers ({why}); "
                            "check [arxiv] api_url or try again later")


def _paper(entry) -> Paper | None:
    raw_id = entry.get("id", "")
    try:
        pid = split_versioned(raw_id.rsplit("/abs/", 1)[-1])
    except Exception:
        log.debug("skipping an API entry that is not a paper: %r (%s)", raw_id, entry.get("title", ""))
        return None
    pdf = next((link.get("href") for link in entry.get("links", []) if link.get("title") == "pdf"), None)
    comment = entry.get("arxiv_comment")
    return Paper(
        id=pid.base,
        version=pid.version or 1,
        title=" ".join(entry.get("title", "").split()),
        abstract=" ".join(entry.get("summary", "").split()),
        authors=tuple(a["name"] for a in entry.get("authors", []) if a.get("name")),
        categories=tuple(t["term"] for t in entry.get("tags", []) if t.get("term")),
        primary_category=(entry.get("arxiv_primary_category") or {}).get("term"),
        published=(entry.get("published") or "")[:10] or None,
        updated=(entry.get("updated") or "")[:10] or None,
        comment=" ".join(comment.split()) if comment else None,
        pdf_url=pdf,
        has_metadata=True,
    )
