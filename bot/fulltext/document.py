"""A paper's full text as titled sections, whatever it was extracted from.

Both extractors (HTML, PDF) produce the same `FullText`: a list of sections,
each with the title the paper gives it and a role guessed from that title and,
for a method section titled with the method's own name ("3 DeepGen"), from its
place and content (`assign_roles`). The role is what the budget works with:
references and acknowledgements never go to the model, the method and
experiments go first, the appendix goes last.

Headings and sentences are told apart here too, for both extractors and the
budget: "3.2 The DeepGen 1.0 Module" and "4.2 Comparison vs. Prior Work" are
headings, "2 times faster." is not (`is_title`, `is_subheading`, `sentences`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

FRONT, INTRO, RELATED, METHOD, EXPERIMENTS, CONCLUSION = "front", "intro", "related", "method", "experiments", "conclusion"
APPENDIX, ACKNOWLEDGEMENTS, REFERENCES, OTHER = "appendix", "acknowledgements", "references", "other"
NEVER_SENT = frozenset({FRONT, ACKNOWLEDGEMENTS, REFERENCES})  # the prompt has title and abstract already

# First match wins, so the specific names come before the broad ones
# ("Experimental results" is experiments, "Method overview" is method).
_ROLE_PATTERNS = [
    (FRONT, r"^abstract$"),
    (REFERENCES, r"^(references|bibliography|literature cited|works cited)\b"),
    (ACKNOWLEDGEMENTS, r"^(acknowledge?ments?|funding)\b"),
    (APPENDIX, r"^(appendix|appendices|supplementary|supplemental)\b"),
    (INTRO, r"^introduction\b"),
    (RELATED, r"related work|prior work|previous work|background|literature review"),
    (EXPERIMENTS, r"experiment|evaluation|results|ablation|benchmark|empirical|implementation details|setup|comparison"),
    (CONCLUSION, r"conclu|discussion|limitation|future work|broader impact|summary"),
    (METHOD, r"method|approach|model|framework|architecture|algorithm|formulation|preliminar|proposed|design"
             r"|overview|objective|loss|network|pipeline|training|learning|theory|analysis|problem"),
]
_ACKNOWLEDGEMENTS_RE = re.compile(r"^acknowledge?ments?\b", re.IGNORECASE)
_NUMBERING_RE = re.compile(r"^\s*(appendix\s+)?([A-Z]|\d+|[IVX]+)(\.\d+)*\.?\s+", re.IGNORECASE)
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00ad": "", "\u00a0": " "})
_HYPHEN_BREAK_RE = re.compile(r"(\w)-\n[ \t]*([a-z])")
# Raised whenever the extractors change what a text holds (roles, headings, what is dropped): a text
# stored by an older extractor is downloaded and extracted again rather than sent as it was.
EXTRACTOR_VERSION = 2
BYTES_PER_TOKEN = 3.5  # conservative for English prose with some LaTeX; see estimate_tokens


@dataclass(frozen=True)
class Section:
    title: str  # as the paper writes it, numbering included ("3 Method"); "" for the front matter
    paragraphs: tuple[str, ...]
    role: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.title) + sum(estimate_tokens(p) for p in self.paragraphs)


@dataclass(frozen=True)
class FullText:
    paper_id: str  # versioned: the text of one version
    source: str  # "html" | "pdf"
    sections: tuple[Section, ...]
    pages: int | None = None  # PDF pages; None for HTML

    @property
    def words(self) -> int:
        return sum(len(p.split()) for s in self.sections if s.role not in NEVER_SENT for p in s.paragraphs)

    def as_dict(self) -> dict:
        return {"paper_id": self.paper_id, "source": self.source, "pages": self.pages, "extractor": EXTRACTOR_VERSION,
                "sections": [[s.title, list(s.paragraphs), s.role] for s in self.sections]}

    @classmethod
    def from_dict(cls, data: dict) -> FullText:
        sections = tuple(Section(t, tuple(ps), role) for t, ps, role in data["sections"])
        return cls(data["paper_id"], data["source"], sections, data.get("pages"))


def role_of(title: str) -> str:
    name = _NUMBERING_RE.sub("", title).strip().lower()
    if title.strip().lower().startswith("appendix"):
        return APPENDIX
    for role, pattern in _ROLE_PATTERNS:
        if re.search(pattern, name):
            return role
    return OTHER


def clean_text(text: str) -> str:
    """Undo what typesetting did to the words: ligatures, soft hyphens, words split across lines."""
    return _HYPHEN_BREAK_RE.sub(r"\1\2", text.translate(_LIGATURES))


def one_line(text: str) -> str:
    return " ".join(text.split())


def estimate_tokens(text: str) -> int:
    """Tokens of `text`, estimated without a tokenizer (the model is anyone's).

    UTF-8 bytes / 3.5 overestimates English prose slightly (BPE tokenizers average
    about 4 characters a token) and counts a CJK character as about one token,
    so a text that fits by this estimate fits the real budget.
    """
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


# -- headings and sentences -----------------------------------------------------------------------

# Words a period follows without ending the sentence, lower case, without their period.
_ABBREVIATIONS = frozenset("""vs cf etc al fig figs eq eqs sec secs tab tabs no nos vol approx resp ref refs
    incl ch pp ca viz dr mr mrs ms prof st jr inc ltd co""".split())
_PERIOD_RE = re.compile(r"(\S*)([.!?])(?=\s|$)")  # a period that a space or the end follows, and the word before
_BOUNDARY_RE = re.compile(r"([.!?])\s+(?=[\"'(\[]?[A-Z0-9])")  # a sentence may end here: the next one starts
_SUBHEADING_RE = re.compile(r"^(?:[A-Z]|\d{1,2})(?:\.\d{1,2})+\.?\s+(?P<title>\S.{0,99})$")
_TITLE_START_RE = re.compile(r"^(?:[A-Z]|\d[A-Z]\b)")  # "Method", "3D Reconstruction"
_NUMBER_RE = re.compile(r"[\d.,%±]+")
MAX_TITLE_WORDS = 14


def _ends_sentence(word: str, mark: str) -> bool:
    """Whether `mark` after `word` ends a sentence: not after "vs", "e.g", "Fig", an initial or "1.0"."""
    if mark != ".":
        return True
    bare = word.lstrip("([\"'").lower()
    return not (bare in _ABBREVIATIONS or "." in bare or len(bare) == 1 and bare.isalpha())


def is_title(text: str) -> bool:
    """Whether `text` (a heading without its number) can be a title rather than a piece of a sentence.

    A title starts with a capital (or "3D"), is short, has no "!" or "?", at most one number
    ("DeepGen 1.0", not a table row), and no period in it ends a sentence: periods inside a
    word ("1.0", "Node.js") or after an abbreviation ("vs.", "e.g.", "Fig.") are fine, a
    period at the end or before the next sentence is not ("2 times faster.").
    """
    words = text.split()
    if not _TITLE_START_RE.match(text) or len(words) > MAX_TITLE_WORDS or "!" in text or "?" in text:
        return False
    if sum(bool(_NUMBER_RE.fullmatch(w)) for w in words) >= 2:  # a table row: "Baseline 45.2 80.9"
        return False
    for m in _PERIOD_RE.finditer(text):
        if m.end() == len(text) or _ends_sentence(m.group(1), m.group(2)):
            return False
    return True


def is_subheading(paragraph: str) -> bool:
    """A subsection's title kept as a paragraph of its section: "3.2 The DeepGen 1.0 Module", "A.1 Proofs"."""
    m = _SUBHEADING_RE.match(paragraph)
    return m is not None and is_title(m.group("title"))


def sentences(paragraph: str) -> Iterator[str]:
    """The paragraph's sentences in order, never cut after "e.g." or "Fig." or inside "1.0"."""
    start = 0
    for m in _BOUNDARY_RE.finditer(paragraph):
        word = paragraph[paragraph.rfind(" ", 0, m.start()) + 1:m.start()]
        if _ends_sentence(word, m.group(1)):
            yield paragraph[start:m.start() + 1]
            start = m.end()
    if paragraph[start:]:
        yield paragraph[start:]


def is_acknowledgements(title: str) -> bool:
    """"Acknowledgments", "Acknowledgements.", "Acknowledgments and Disclosure of Funding"."""
    return bool(_ACKNOWLEDGEMENTS_RE.match(_NUMBERING_RE.sub("", title).strip()))


# -- the method section by its place and content --------------------------------------------------

_TOP_NUMBERED_RE = re.compile(r"^\d{1,2}\.?\s+\S")  # "3 DeepGen", "3. DeepGen"; not "A Proofs", not "Method"
_MATH_RE = re.compile(r"\$[^$]+\$")
_EQUALS_RE = re.compile(r"\s=\s")  # a formula the PDF printed as text: "L_total = L_rec + lambda L_sem (1)"
_METHOD_ENDS = frozenset({EXPERIMENTS, CONCLUSION, APPENDIX, ACKNOWLEDGEMENTS, REFERENCES})


def assign_roles(sections: Sequence[Section]) -> tuple[Section, ...]:
    """The sections, with those a reader would call the method given role METHOD whatever their title.

    Vision papers often title the method with the method's name ("3 DeepGen", "4 TexSpot"), which
    says nothing by itself. Such a section is the method when it is a numbered top-level section of
    no other role, placed after the introduction (and related work) and before the experiments (or
    the conclusion, the appendix), and looks like a method: it has subsections or formulas, or the
    most formulas in the paper. Sections titled as preliminaries stay METHOD by their title (they
    hold the notation the method uses; the budget's fair split sends a short one whole and gives the
    rest of the method's share to the long one); "Background" stays related work. If no section is
    the method by then, the longest candidate is: every paper has a method, and between the
    introduction and the experiments it is the section that says how.
    """
    sections = list(sections)
    candidates = _between_intro_and_experiments(sections)
    most_math = max((_math(s) for s in sections if s.role not in NEVER_SENT), default=0)
    chosen = [i for i in candidates if any(is_subheading(p) for p in sections[i].paragraphs)
              or _math(sections[i]) >= 2 or 0 < most_math == _math(sections[i])]
    if not chosen and candidates and not any(s.role == METHOD for s in sections):
        chosen = [max(candidates, key=lambda i: sections[i].tokens)]
    for i in chosen:
        sections[i] = replace(sections[i], role=METHOD)
    return tuple(sections)


def _between_intro_and_experiments(sections: list[Section]) -> list[int]:
    """Indices of the numbered top-level sections of role OTHER after the introduction, before the results."""
    body = [i for i, s in enumerate(sections) if s.role != FRONT]
    intro = next((i for i in body if sections[i].role == INTRO), body[0] if body else 0)
    end = next((i for i in body if i > intro and sections[i].role in _METHOD_ENDS), len(sections))
    return [i for i in range(intro + 1, end)
            if sections[i].role == OTHER and _TOP_NUMBERED_RE.match(sections[i].title)]


def _math(section: Section) -> int:
    """How many formulas: LaTeX ones ("$z=E(x)$", from the HTML) and equals signs set as text (the PDF)."""
    text = section.text
    return len(_MATH_RE.findall(text)) + len(_EQUALS_RE.findall(_MATH_RE.sub(" ", text)))
