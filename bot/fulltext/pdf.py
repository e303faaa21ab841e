"""A paper's PDF -> sections, with pypdf (pure Python, BSD).

A PDF has no structure, only lines. We take pypdf's text page by page (it
follows the drawing order, which for LaTeX's two columns is the left column,
then the right), drop the running header and page numbers that repeat on every
page, mend words hyphenated across lines, then find the section headings by their
shape ("3 Method", "3.2 The DeepGen 1.0 Module", "References", "A Proofs" after
the references) and numbering that only goes up, so "2 times faster." in the text
is never taken for a heading (`document.is_title` tells titles from sentences).
Acknowledgements are a section of their own, never sent, whether they have a
heading line ("Acknowledgments and Disclosure of Funding") or open a paragraph
with a run-in title inside another section ("Acknowledgments. We thank ...").
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader

from .document import (ACKNOWLEDGEMENTS, APPENDIX, FRONT, REFERENCES, FullText, Section, assign_roles, clean_text,
                       is_title, role_of)

log = logging.getLogger(__name__)

_NUMBERED_RE = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?(?:\.\d{1,2})?\.?\s+(\S.{1,80})$")
_NAMED_RE = re.compile(r"^(abstract|references|bibliography|appendix|appendices|supplementary material"
                       r"|acknowledge?ments?((\s+(and|&)\s+|\s+of\s+)[\w ]{1,40})?[.:]?)$", re.IGNORECASE)
# "Appendix B Proofs", "Appendix B: Proofs", "APPENDIX A": a heading only when what follows the letter
# is a title; "Appendix B shows that ..." in running text is not one.
_APPENDIX_RE = re.compile(r"^appendix\s+([A-Z])(?:[.:]?\s+(\S.*))?$", re.IGNORECASE)
_RUN_IN_ACKNOWLEDGEMENTS_RE = re.compile(r"^(acknowledge?ments?)[.:]\s+(\S.*)$", re.IGNORECASE)
_CROSS_REFERENCE_RE = re.compile(r"^(fig(ure)?s?|tab(le)?s?|eqs?|equations?|sec(tion)?s?|appendix|alg(orithm)?)\.?\s*"
                                 r"\(?[A-Z]?\d", re.IGNORECASE)
_LETTERED_RE = re.compile(r"^([A-H])(?:\.(\d{1,2}))?\.?\s+(\S.{1,80})$")
# A printed line that ends on one of these goes on: it is a sentence wrapped, not a heading.
_RUNS_ON = frozenset("a an the of and or to in on for with by from as at is are was were be we our that which its"
                     .split())
_PAGE_NUMBER_RE = re.compile(r"^\s*(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_ARXIV_STAMP_RE = re.compile(r"^arXiv:\S+\s+\[[^\]]+\]\s+\d{1,2} \w{3} \d{4}$")  # the sideways id on page 1
_MAX_HEADING_WORDS = 12


@dataclass(frozen=True)
class PdfPages:
    texts: list[str]
    seconds: float  # extraction time, for the benchmark


def read_pages(data: bytes) -> PdfPages:
    started = time.perf_counter()
    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() or "" for page in reader.pages]
    return PdfPages(texts, time.perf_counter() - started)


def extract_pdf(data: bytes, paper_id: str) -> FullText:
    pages = read_pages(data)
    lines = _body_lines(pages.texts)
    return FullText(paper_id, "pdf", assign_roles(_sections(lines)), pages=len(pages.texts))


def _body_lines(pages: list[str]) -> list[str]:
    """All lines in reading order, without what repeats on every page (headers, footers, page numbers)."""
    page_lines = [[line.strip() for line in clean_text(text).splitlines() if line.strip()] for text in pages]
    edges = Counter(line for lines in page_lines for line in set(lines[:2] + lines[-2:]))
    repeated = {line for line, n in edges.items() if len(pages) >= 3 and n >= len(pages) / 2}
    body = []
    for lines in page_lines:
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (line in repeated or _PAGE_NUMBER_RE.match(line)) or _ARXIV_STAMP_RE.match(line):
                continue
            body.append(line)
    return body


def _sections(lines: list[str]) -> list[Section]:
    sections: list[Section] = []
    title, role, body = "", FRONT, []
    top = 0  # the last top-level section number seen: numbering only goes up
    after_references = False
    for line in lines:
        if (run_in := _RUN_IN_ACKNOWLEDGEMENTS_RE.match(line)) and not after_references:
            sections.append(Section(title, _paragraphs(body), role))
            title, role, body = run_in.group(1), ACKNOWLEDGEMENTS, [run_in.group(2)]
            continue
        heading = _heading(line, top, after_references)
        if heading is None:
            body.append(line)
            continue
        new_title, number, is_top = heading
        if not is_top:
            body.append(f"\n{new_title}\n")  # a subsection: kept as a line of its own section
            continue
        sections.append(Section(title, _paragraphs(body), role))
        title, body = new_title, []
        role = APPENDIX if after_references and role_of(new_title) != REFERENCES else role_of(new_title)
        after_references = after_references or role == REFERENCES
        top = number or top
    sections.append(Section(title, _paragraphs(body), role))
    return [s for s in sections if s.paragraphs or s.role == REFERENCES]


def _heading(line: str, top: int, after_references: bool) -> tuple[str, int, bool] | None:
    """(title, top-level number or 0, is top level) if the line is a section heading."""
    if len(line.split()) > _MAX_HEADING_WORDS:
        return None
    if _NAMED_RE.match(line):
        return line, 0, True
    if (m := _APPENDIX_RE.match(line)) and (m.group(2) is None or _is_heading_title(m.group(2))):
        return line, 0, True
    if (m := _NUMBERED_RE.match(line)) and not after_references and _is_heading_title(m.group(3)):
        major, minor = int(m.group(1)), m.group(2)
        if minor is None and major in (top + 1, top + 2) and not line.rstrip().endswith(","):
            return line, major, True
        if minor is not None and major == top:
            return line, 0, False
    if after_references and (m := _LETTERED_RE.match(line)) and _is_heading_title(m.group(3)):
        return line, 0, m.group(2) is None
    return None


def _is_heading_title(text: str) -> bool:
    # "6. Figure 1 illustrates ..." is a cross-reference that wrapped onto its own line, not section 6.
    return is_title(text) and text.split()[-1] not in _RUNS_ON and not _CROSS_REFERENCE_RE.match(text)


def _paragraphs(lines: list[str]) -> tuple[str, ...]:
    """Lines joined back into paragraphs: a short line that ends a sentence ends its paragraph."""
    if not lines:
        return ()
    width = sorted(len(line) for line in lines)[len(lines) * 3 // 4]  # a full line's length
    paragraphs, current = [], []
    for line in lines:
        if line.startswith("\n"):  # a subsection title
            if current:
                paragraphs.append(" ".join(current))
            paragraphs.append(line.strip())
            current = []
            continue
        if current and current[-1].endswith("-") and line[:1].islower():
            current[-1] = current[-1][:-1] + line  # a hyphen break pypdf split differently
        else:
            current.append(line)
        if line.endswith((".", ":", "?", "!")) and len(line) < 0.8 * width:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return tuple(p for p in paragraphs if p)
