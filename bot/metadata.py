"""Completing feed items with the API's metadata, through the `arxiv` package."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import arxiv
import requests

from .errors import ArxivUnavailable
from .ids import split_versioned
from .models import Paper

log = logging.getLogger(__name__)

BATCH = 100  # ids per API call: arXiv's guidance for id_list


def make_client(session: requests.Session, api_url: str) -> arxiv.Client:
    # Pacing and retries are ours (process-wide, with backoff), so the package's
    # own per-instance delay and retry loop are switched off. It has no public
    # hook for the HTTP session; `_session` is where arxiv 2.x-4.x keeps it.
    client = arxiv.Client(page_size=BATCH, delay_seconds=0, num_retries=0)
    client.query_url_format = f"{api_url}?{{}}"
    client._session = session
    return client


def fetch_metadata(client: arxiv.Client, ids: Sequence[str],
                   on_batch: Callable[[int], None] | None = None) -> dict[str, Paper]:
    """Metadata for `ids` (base ids, or versioned to pin one), keyed by base id.

    Ids arXiv does not know are absent from the result.
    """
    found: dict[str, Paper] = {}
    for start in range(0, len(ids), BATCH):
        batch = list(ids[start : start + BATCH])
        results: list[arxiv.Result] = []
        try:
            for result in client.results(arxiv.Search(id_list=batch, max_results=len(batch))):
                results.append(result)
        except arxiv.UnexpectedEmptyPageError:
            # The API sometimes counts ids it has no entry for, so the package asks
            # for a page that cannot come: what arrived is all there is.
            pass
        except (arxiv.ArxivError, requests.RequestException) as exc:
            why = f"HTTP {exc.status}" if isinstance(exc, arxiv.HTTPError) else type(exc).__name__
            raise ArxivUnavailable(f"the arXiv API did not answer for {len(batch)} papers ({why}); "
                                   "check [arxiv] api_url or try again later") from exc
        for result in results:
            paper = _paper(result)
            if paper:
                found[paper.id] = paper
        if on_batch:
            on_batch(len(batch))
    return found


def _paper(result: arxiv.Result) -> Paper | None:
    try:
        pid = split_versioned(result.entry_id.rsplit("/abs/", 1)[-1])
    except Exception:
        log.warning("the API returned an entry with an unreadable id %r", result.entry_id)
        return None
    return Paper(
        id=pid.base,
        version=pid.version or 1,
        title=" ".join(result.title.split()),
        abstract=" ".join(result.summary.split()),
        authors=tuple(a.name for a in result.authors),
        categories=tuple(result.categories),
        primary_category=result.primary_category or None,
        published=result.published.date().isoformat(),
        updated=result.updated.date().isoformat(),
        comment=" ".join(result.comment.split()) if result.comment else None,
        pdf_url=result.pdf_url,
        has_metadata=True,
    )
