"""A paper's full text as passages, each carrying the label a reader would cite.

To answer a question from a paper we send only the passages that matter, and
the answer cites them as the paper numbers them: "§4.2" for the deepest
numbered heading a passage sits under ("§3" in a top-level section before its
first subsection), "Appendix B" / "§B.1" in the appendix, the title itself for
an unnumbered section ("Limitations"). Tables and figures are labels too: a
passage *holds* "Table 3" when it carries its caption (or the rows that follow
it) and *mentions* it when the text names it.

Subsections are paragraph lines inside their top-level section ("4.2 Ablation
study"), as both extractors keep them. A paragraph longer than a passage is cut
at sentence boundaries (at word boundaries if a sentence alone is too long), so
a passage is always bounded, whatever the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import APPENDIX, NEVER_SENT, FullText, Section, estimate_tokens, one_line

MAX_PASSAGE_TOKENS = 160  # about one typical paragraph; see bench/ask_bench.py for the measured choice
MIN_PASSAGE_TOKENS = 40  # shorter pieces (captions, table rows, run-in titles) join their neighbour
_MAX_UNNUMBERED_LABEL = 60  # characters of an unnumbered title used as its label

_APPENDIX_WORD = r"(?:appendix|appendices|supplementary(?:\s+material)?|supplemental(?:\s+material)?)"
_APPENDIX_TITLE_RE = re.compile(rf"^{_APPENDIX_WORD}\b\s*(?:([A-Z])(?:\.(\d+(?:\.\d+)*))?(?=$|[\s.:\-–—]))?",
                                re.IGNORECASE)
_NUMBERED_TITLE_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?(?:\s+|$)")
_LETTERED_TITLE_RE = re.compile(r"^([A-Z])((?:\.\d+)*)\.?\s+\S")
_ROMAN_TITLE_RE = re.compile(r"^([IVX]+)\.?\s+[A-Z]")
_SUBHEADING_RE = re.compile(r"^([A-Z]|\d+)((?:\.\d+)+)\.?\s+(\S[^.]{0,100})$")  # "4.2 Ablation", "B.1 Data"
# "Table 3", "Tab. 3", "Fig. 2", "Tables 2 and 3", "Figure A1", "Table S2", "Table IV"
_NAME_RE = re.compile(r"\b(Tables?|Tab\.|Tabs\.|Figures?|Figs?\.)\s*((?:[A-Z]\.?)?\d+|[IVX]+\b)"
                      r"((?:\s*(?:,|and|&|or)\s*(?:[A-Z]\.?)?\d+)*)(?![\d.]\d)")
_LIST_ITEM_RE = re.compile(r"(?:[A-Z]\.?)?\d+")
_CAPTION_RE = re.compile(r"^(Table|Figure|Fig\.)\s*((?:[A-Z]\.?)?\d+|[IVX]+)\s*[:.|]")
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'$])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "Fig.", "Figs.", "Tab.", "Sec.", "Eq.", "Eqs.", "vs.", "cf.", "approx.",
                  "resp.", "No.", "Dr.", "Prof.", "St.")


@dataclass(frozen=True)
class Passage:
    index: int  # position in the paper, 0-based
    section: int  # index of its top-level section in FullText.sections
    label: str  # "§4.2", "Appendix B", "§B.1", "Limitations"; "" in a section with no title
    heading: str  # the heading it sits under, as the paper writes it ("4.2 Ablation study")
    text: str
    holds: tuple[str, ...] = ()  # tables/figures whose caption or rows this passage carries
    mentions: tuple[str, ...] = ()  # tables/figures its text names
    section_title: str = ""  # the top-level section's title, when `heading` is one of its subsections

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label this passage can be cited by, its section first."""
        seen = dict.fromkeys(([self.label] if self.label else []) + list(self.holds) + list(self.mentions))
        return tuple(seen)


def split(fulltext: FullText, max_tokens: int = MAX_PASSAGE_TOKENS) -> list[Passage]:
    """The passages of every section that may be sent (never references or acknowledgements), in order."""
    passages: list[Passage] = []
    for number, section in enumerate(fulltext.sections):
        if section.role not in NEVER_SENT:
            passages += _section_passages(section, number, len(passages), max_tokens)
    return passages


def labels_of(passages: list[Passage]) -> tuple[str, ...]:
    """Every label that exists in these passages, in the paper's order, without repeats."""
    return tuple(dict.fromkeys(label for p in passages for label in p.labels))


def heading_label(title: str, role: str) -> str:
    """The label a reader cites a section by: "3 Method" -> "§3", "Appendix B Details" -> "Appendix B"."""
    title = one_line(title)
    if not title:
        return ""
    if m := _APPENDIX_TITLE_RE.match(title):
        letter, sub = m.group(1), m.group(2)
        if letter:
            return f"§{letter.upper()}.{sub}" if sub else f"Appendix {letter.upper()}"
        return "Appendix"
    if m := _NUMBERED_TITLE_RE.match(title):
        return f"§{m.group(1)}"
    if role == APPENDIX and (m := _LETTERED_TITLE_RE.match(title)):
        return f"§{m.group(1)}{m.group(2)}" if m.group(2) else f"Appendix {m.group(1)}"
    if m := _ROMAN_TITLE_RE.match(title):
        return f"§{m.group(1)}"
    return title[:_MAX_UNNUMBERED_LABEL].rstrip(" .:")


def names_in(text: str) -> tuple[str, ...]:
    """The tables and figures a text names, canonical: "Tab. 3" -> "Table 3", "Figs. 2 and 4" -> both."""
    found = []
    for m in _NAME_RE.finditer(text):
        kind = "Table" if m.group(1).lower().startswith("tab") else "Figure"
        items = [m.group(2)] + _LIST_ITEM_RE.findall(m.group(3) or "")
        found += [f"{kind} {item.replace('.', '')}" for item in items]
    return tuple(dict.fromkeys(found))


def _caption_name(paragraph: str) -> str | None:
    if m := _CAPTION_RE.match(paragraph):
        kind = "Table" if m.group(1) == "Table" else "Figure"
        return f"{kind} {m.group(2).replace('.', '')}"
    return None


def _section_passages(section: Section, number: int, start: int, max_tokens: int) -> list[Passage]:
    label = heading_label(section.title, section.role)
    heading = one_line(section.title)
    prefix = _numbering_prefix(label)
    out: list[Passage] = []
    group: list[str] = []
    parent = ""
    for paragraph in section.paragraphs:
        sub = _subheading(paragraph, prefix)
        if sub is None:
            group.append(paragraph)
            continue
        out += _pack(group, number, label, heading, start + len(out), max_tokens, parent)
        label, heading, group, parent = sub, one_line(paragraph), [], one_line(section.title)
    return out + _pack(group, number, label, heading, start + len(out), max_tokens, parent)


def _numbering_prefix(label: str) -> str | None:
    """What a subsection number must start with in this section: "4" for "§4", "B" for "Appendix B"."""
    if label.startswith("§"):
        return label[1:].split(".")[0]
    if label.startswith("Appendix "):
        return label.removeprefix("Appendix ")
    return "" if label == "Appendix" else None  # an unlettered appendix takes any "A.1" line


def _subheading(paragraph: str, prefix: str | None) -> str | None:
    """"§4.2" if the paragraph is the heading line of a subsection of this section, else None."""
    if prefix is None or len(paragraph) > 120 or not (m := _SUBHEADING_RE.match(paragraph)):
        return None
    top, rest = m.group(1), m.group(2)
    if prefix and top != prefix:
        return None  # "3.2 ..." inside section 4 is text (a stray line or a value), not a heading
    return f"§{top}{rest}"


def _pack(paragraphs: list[str], section: int, label: str, heading: str, start: int, max_tokens: int,
          section_title: str = "") -> list[Passage]:
    """Paragraphs -> passages of at most `max_tokens`: long ones cut, short ones joined to their neighbour."""
    pieces: list[tuple[str, str | None]] = []  # (text, the table/figure whose caption or rows it is)
    table = None
    for paragraph in paragraphs:
        caption = _caption_name(paragraph)
        table = caption or (table if _is_row(paragraph) else None)
        pieces += [(chunk, table) for chunk in _chunks(paragraph, max_tokens)]
    merged: list[tuple[list[str], set[str]]] = []
    for text, held in pieces:
        if merged and _joins(merged[-1], text, held, max_tokens):
            merged[-1][0].append(text)
        else:
            merged.append(([text], set()))
        if held:
            merged[-1][1].add(held)
    out = []
    for n, (texts, held) in enumerate(merged):
        text = "\n".join(texts)
        holds = tuple(sorted(held))
        mentions = tuple(name for name in names_in(text) if name not in held)
        out.append(Passage(start + n, section, label, heading, text, holds, mentions, section_title))
    return out


def _joins(current: tuple[list[str], set[str]], text: str, held: str | None, max_tokens: int) -> bool:
    """Whether a piece goes on the passage before it: a table's rows do, a caption never does."""
    texts, current_held = current
    if estimate_tokens("\n".join(texts + [text])) > max_tokens or _caption_name(text):
        return False
    if held is not None or current_held:
        return held is not None and held in current_held  # a table keeps its rows and only them
    return estimate_tokens("\n".join(texts)) < MIN_PASSAGE_TOKENS or estimate_tokens(text) < MIN_PASSAGE_TOKENS


def _is_row(paragraph: str) -> bool:
    return " | " in paragraph or paragraph.count("|") >= 2


def _chunks(paragraph: str, max_tokens: int) -> list[str]:
    """The paragraph itself if it fits, else runs of whole sentences that do (words, then characters, last)."""
    if estimate_tokens(paragraph) <= max_tokens:
        return [paragraph]
    out, current = [], ""
    for sentence in _sentences(paragraph):
        for piece in _bounded(sentence, max_tokens):
            candidate = f"{current} {piece}" if current else piece
            if current and estimate_tokens(candidate) > max_tokens:
                out.append(current)
                candidate = piece
            current = candidate
    return out + [current] if current else out


def _sentences(paragraph: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_BREAK_RE.split(paragraph):
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] += " " + piece  # "et al. [3]" did not end a sentence
        else:
            sentences.append(piece)
    return sentences


def _bounded(sentence: str, max_tokens: int) -> list[str]:
    """A sentence cut at words (a word at characters) so that no piece is over `max_tokens`."""
    if estimate_tokens(sentence) <= max_tokens:
        return [sentence]
    max_chars = max(1, int(max_tokens * 3.5) // 4)  # 4 bytes is the longest UTF-8 character
    out, current = [], ""
    for word in sentence.split():
        for part in (word[i:i + max_chars] for i in range(0, len(word), max_chars)):
            candidate = f"{current} {part}" if current else part
            if current and estimate_tokens(candidate) > max_tokens:
                out.append(current)
                candidate = part
            current = candidate
    return out + [current] if current else out
