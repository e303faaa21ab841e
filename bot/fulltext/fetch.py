"""Downloading a paper's full text: arXiv's HTML rendering first (it keeps sections), the PDF second.

Both downloads go through the process-wide arXiv pacer, with a size limit and
a deadline. When neither gives text we raise `NoFullText` with the reasons, so
the caller can say so plainly: a deep analysis is never written without the text.
"""

from __future__ import annotations

import logging

import requests
from pypdf.errors import PyPdfError

from ..config import ArxivConfig
from ..errors import NoFullText
from ..models import Paper
from ..arxiv.pacer import DownloadTooLarge, PacedSession
from .document import FullText
from .html import NotLaTeXML, extract_html
from .pdf import extract_pdf

log = logging.getLogger(__name__)

MIN_WORDS = 300  # fewer words than a short workshop paper: the extraction failed (a scan, a stub)


def fetch_fulltext(session: PacedSession, config: ArxivConfig, paper: Paper) -> FullText:
    reasons = []
    for source, base in (("html", config.html_url), ("pdf", config.pdf_url)):
        url = f"{base.rstrip('/')}/{paper.versioned_id}"
        try:
            fulltext = _fetch(session, config, source, url, paper.versioned_id)
        except _Unusable as exc:
            log.info("no %s text for %s: %s", source, paper.versioned_id, exc)
            reasons.append(f"{source.upper()}: {exc}")
            continue
        log.info("full text of %s from %s: %d sections, %d words", paper.versioned_id, source,
                 len(fulltext.sections), fulltext.words)
        return fulltext
    raise NoFullText(f"arXiv has no usable full text for {paper.versioned_id} ({'; '.join(reasons)})")


class _Unusable(Exception):
    pass


def _fetch(session: PacedSession, config: ArxivConfig, source: str, url: str, paper_id: str) -> FullText:
    try:
        download = session.download(url, max_bytes=config.fulltext_max_mb * 1_000_000,
                                    deadline_s=config.fulltext_timeout_s)
    except DownloadTooLarge as exc:
        raise _Unusable(str(exc)) from None
    except requests.RequestException as exc:
        raise _Unusable(f"download failed ({type(exc).__name__})") from None
    if download.status_code == 404:
        raise _Unusable("not available (404)")
    if download.status_code != 200:
        raise _Unusable(f"HTTP {download.status_code}")
    try:
        if source == "html":
            fulltext = extract_html(download.body, paper_id)
        elif not download.body.startswith(b"%PDF"):
            raise _Unusable("the answer is not a PDF")
        else:
            fulltext = extract_pdf(download.body, paper_id)
    except (NotLaTeXML, PyPdfError, ValueError) as exc:  # a broken file is data, not our bug
        raise _Unusable(f"unreadable ({exc})") from None
    if fulltext.words < MIN_WORDS:
        raise _Unusable(f"only {fulltext.words} words could be extracted")
    return fulltext
