"""What a team already likes, read from a file: a BibTeX export (Zotero, Mendeley, Google Scholar) or
a list of arXiv ids and links, one a line. Used to give a channel's taste a cold start.

A BibTeX entry names its arXiv id in different places depending on who exported it: `eprint` (with
`archivePrefix = {arXiv}`), a `url` to arxiv.org, a `doi` 10.48550/arXiv.*, or "arXiv:…" in
`journal`, `note` or `howpublished`. What cannot be read is one sentence per line (with its number),
and the rest is read anyway.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import bibtexparser

from .arxiv.ids import PaperId, parse_paper_id
from .errors import InvalidPaperId

_ENTRY_RE = re.compile(r"^\s*@\w+\s*[{(]", re.MULTILINE)
_ARXIV_DOI_RE = re.compile(r"10\.48550/arxiv\.(\S+)", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s}\"',]+?)(?:\.pdf)?(?=$|[\s}\"',])", re.IGNORECASE)
_ARXIV_NAMED_RE = re.compile(r"arxiv[:\s]\s*([a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
# Each unreadable entry is reported here, with its line; the parser's own warning would say it twice.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass
class Likes:
    ids: list[PaperId] = field(default_factory=list)  # in the file's order, each paper once
    problems: list[str] = field(default_factory=list)  # "line 12: ..." for what could not be read

    def add(self, pid: PaperId) -> None:
        if all(p.base != pid.base for p in self.ids):
            self.ids.append(pid)


def read_likes(text: str) -> Likes:
    return _bibtex(text) if _ENTRY_RE.search(text) else _id_list(text)


def _id_list(text: str) -> Likes:
    likes = Likes()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            likes.add(parse_paper_id(line.split()[0]))
        except InvalidPaperId:
            likes.problems.append(f"line {number}: {line[:60]!r} is not an arXiv id or link (e.g. 2602.12281)")
    return likes


def _bibtex(text: str) -> Likes:
    likes = Likes()
    library = bibtexparser.parse_string(text)
    problems = [(block.start_line, f"line {block.start_line + 1}: this BibTeX entry cannot be read (a brace or "
                                    "quote is not closed?)") for block in library.failed_blocks]
    for entry in sorted(library.entries, key=lambda e: e.start_line):
        fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
        pid = arxiv_id_of(fields)
        if pid is None:
            problems.append((entry.start_line, f"line {entry.start_line + 1}: entry {entry.key} names no arXiv id "
                                               "(no eprint, arxiv.org url, 10.48550 doi or \"arXiv:…\" note)"))
        else:
            likes.add(pid)
    likes.problems = [text for _, text in sorted(problems)]
    return likes


def arxiv_id_of(fields: dict[str, str]) -> PaperId | None:
    """The arXiv id a BibTeX entry's fields name, wherever its exporter put it."""
    candidates = []
    if "eprint" in fields and fields.get("archiveprefix", "arxiv").lower() == "arxiv":
        candidates.append(fields["eprint"])
    candidates += _ARXIV_DOI_RE.findall(fields.get("doi", ""))
    for value in fields.values():  # url, link, howpublished = "\url{...}", note = "arXiv:...", journal, ...
        candidates += _ARXIV_URL_RE.findall(value)
        candidates += ["".join(m) for m in _ARXIV_NAMED_RE.findall(value)]
    for candidate in candidates:
        try:
            return parse_paper_id(candidate.strip().strip("{}"))
        except InvalidPaperId:
            continue
    return None
