"""arXiv identifiers: every form a user may paste, reduced to (base id, version)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidPaperId

# YYMM.NNNN until 2014, YYMM.NNNNN since 2015 (arXiv's switch at 1501).
_NEW = r"(?:0[7-9]|1[0-4])\d{2}\.\d{4}|(?:1[5-9]|[2-9]\d)\d{2}\.\d{5}"
# Old-style ids: archive(.SUBJ)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}"
_ID_RE = re.compile(
    rf"^(?:arxiv:)?(?P<base>{_NEW}|{_OLD})(?:v(?P<version>\d+))?$", re.IGNORECASE
)
_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/?$",
    re.IGNORECASE,
)

VALID_FORMS = "2602.12281, 2602.12281v2, arXiv:2602.12281, an arxiv.org/abs or /pdf URL, or hep-th/9901001"


@dataclass(frozen=True)
class PaperId:
    base: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.base}v{self.version}" if self.version else self.base


def parse_paper_id(text: str) -> PaperId:
    """Normalise any accepted form; raise InvalidPaperId with the valid forms otherwise."""
    candidate = (text or "").strip().strip("<>")
    url = _URL_RE.match(candidate)
    if url:
        candidate = url.group("rest")
    match = _ID_RE.match(candidate)
    if not match:
        shown = (text or "").strip()[:60] or "(empty)"
        raise InvalidPaperId(f"'{shown}' is not an arXiv id; use a form like {VALID_FORMS}.")
    base = match.group("base")
    version = match.group("version")
    return PaperId(base=base, version=int(version) if version else None)


def split_versioned(raw: str) -> PaperId:
    """Split an id as arXiv itself writes it (guid, entry id URL): never user input."""
    return parse_paper_id(raw.rsplit("oai:arXiv.org:", 1)[-1])
