"""A paper's full text as titled sections, whatever it was extracted from.

Both extractors (HTML, PDF) produce the same `FullText`: a list of sections,
each with the title the paper gives it and a role guessed from that title. The
role is what the budget works with: references and acknowledgements never go
to the model, the method and experiments go first, the appendix goes last.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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
_NUMBERING_RE = re.compile(r"^\s*(appendix\s+)?([A-Z]|\d+|[IVX]+)(\.\d+)*\.?\s+", re.IGNORECASE)
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00ad": "", "\u00a0": " "})
_HYPHEN_BREAK_RE = re.compile(r"(\w)-\n[ \t]*([a-z])")
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
        return {"paper_id": self.paper_id, "source": self.source, "pages": self.pages,
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
