"""Citations of a paper's sections, tables and figures: normalised, checked against the paper, repaired.

An answer may cite only what the paper has. The model writes labels in many
forms ("Section 4.2", "Sec. 4.2", "§ 4.2", "Tab. 3", "App. B", "appendix b");
we bring each to the form the paper's labels take ("§4.2", "Table 3",
"Appendix B", see passages.py), fall back to the nearest enclosing section that
exists ("§4.2.1" where the paper has only "§4.2"; "§B.1" -> "Appendix B"), and
drop the rest. `repair_inline` does the same inside an answer's text, so the
published text never cites a section the paper does not have.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass

log = logging.getLogger(__name__)

_NUM = r"(?:\d+|[A-Z])(?:\.\d+)*(?!\w)"  # "4", "4.2.1", "B", "B.1"
_MORE_NUM = r"§?(?:\d+|[A-Z]\.\d+)(?:\.\d+)*(?!\w)"  # a list goes on with numbers, never a bare letter ("and I")
_LETTER = r"(?:[A-Z]|[b-h])(?:\.\d+)*(?!\w)"  # "appendix b", but never the article in "appendix a table"
_ITEM = r"(?:(?:[A-Z]\.?)?\d+[a-z]?|[IVX]+)(?!\w)"  # a table/figure number: "3", "A1", "A.1", "S2", "IV", "2a"
_SEP = r"\s*(?:,|;|and|&|or|–|-|to)\s*"
_CITE_RE = re.compile(
    rf"(?P<sec>(?:§§?|\b[Ss](?:ections?|ects?\.?|ecs?\.?)(?![a-z]))\s*(?P<secnums>{_NUM}(?:{_SEP}{_MORE_NUM})*))"
    rf"|(?P<app>\b(?:[Aa]ppendix|[Aa]ppendices|[Aa]pp\.|[Aa]ppx\.?|[Ss]upp(?:lementary|\.)?)\s+"
    rf"(?P<appnums>{_LETTER}(?:{_SEP}(?!I\b)[A-Z](?:\.\d+)*(?!\w))*))"
    rf"|(?P<tab>\b(?:[Tt]ables?|[Tt]abs?\.)\s*(?P<tabnums>{_ITEM}(?:{_SEP}{_ITEM})*))"
    rf"|(?P<fig>\b(?:[Ff]igures?|[Ff]igs?\.)\s*(?P<fignums>{_ITEM}(?:{_SEP}{_ITEM})*))"
)
_SPLIT_RE = re.compile(_SEP)
_BARE_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)*$")
_WRAPPING = " \t\n()[]{}.,;:\"'`*_"
_PAREN_RE = re.compile(r"\s?[(\[]([^()\[\]\n]{1,200})[)\]]")
_LEFTOVER_RE = re.compile(r"^(?:[\s,;&]|and|or|see|cf\.?|e\.g\.,?|i\.e\.,?|also|to|–|-)*$", re.IGNORECASE)


@dataclass(frozen=True)
class Repaired:
    text: str
    cited: tuple[str, ...]  # the labels the text cites, as the paper has them, in order of first citation
    removed: tuple[str, ...]  # citations taken out because the paper has no such section


def validate_citations(cited: list[str], available: Collection[str]) -> list[str]:
    """The cited labels the paper has, normalised and repaired, in the order cited, without repeats."""
    index = _index(available)
    out: list[str] = []
    for raw in cited:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = str(raw)  # a model's JSON may cite 4.2 as a number
        if not isinstance(raw, str):
            continue
        for label in _parse(raw, index) or [raw.strip(_WRAPPING)]:
            found = _resolve(label, index)
            if found is None:
                log.info("dropped a citation the paper does not have: %r", raw[:80])
            elif found not in out:
                out.append(found)
    return out


def labels_named(text: str, available: Collection[str]) -> list[str]:
    """The existing labels a text names inline ("what does Table 3 show?" -> ["Table 3"])."""
    index = _index(available)
    out = []
    for m in _CITE_RE.finditer(text):
        for label in _labels_of_match(m):
            if (found := _resolve(label, index)) and found not in out:
                out.append(found)
    return out


def repair_inline(text: str, available: Collection[str]) -> Repaired:
    """`text` with every inline citation in the paper's form, and the ones the paper lacks taken out.

    A bad citation inside brackets goes with its separator ("(§4.2; §9)" -> "(§4.2)",
    "(§9)" -> ""); one in running prose becomes "the paper" ("Section 9 shows" ->
    "The paper shows"), so the sentence still reads.
    """
    index = _index(available)
    removed: list[str] = []

    def fix(m: re.Match, in_brackets: bool) -> str:
        good = []
        for label in _labels_of_match(m):
            found = _resolve(label, index)
            if found is None:
                removed.append(label)
            elif found not in good:
                good.append(found)
        if good:
            return _join(good)
        return "" if in_brackets else _the_paper(m.string, m.start())

    def fix_brackets(m: re.Match) -> str:
        inner = m.group(1)
        if not _CITE_RE.search(inner) or not _LEFTOVER_RE.match(_CITE_RE.sub("", inner)):
            return m.group(0)  # prose in brackets: its citations are handled with the prose
        kept = [c for c in (fix(c, True) for c in _CITE_RE.finditer(inner)) if c]
        if not kept:
            return ""
        return m.group(0)[: m.start(1) - m.start()] + "; ".join(kept) + m.group(0)[m.end(1) - m.start():]

    text = _PAREN_RE.sub(fix_brackets, text)
    text = _CITE_RE.sub(lambda m: fix(m, False), text)
    if removed:
        log.info("took out inline citations the paper does not have: %s", ", ".join(removed)[:200])
    return Repaired(text, tuple(labels_named(text, available)), tuple(removed))


def check_answer(text: str, cited: list, available: Collection[str]) -> Repaired:
    """An answer ready to publish: its text repaired inline, and `cited` the sections it rests on, in the paper's
    order (the model's own list, validated, with what the text cites inline), for the list at its end."""
    repaired = repair_inline(text, available)
    labels = in_paper_order(validate_citations(cited, available) + list(repaired.cited), available)
    return Repaired(repaired.text, tuple(labels), repaired.removed)


def in_paper_order(labels: list[str], available: Collection[str]) -> list[str]:
    """`labels` sorted as the paper has them (for the list of sections at the end of an answer)."""
    position = {label: n for n, label in enumerate(available)}
    return sorted(dict.fromkeys(labels), key=lambda label: position.get(label, len(position)))


def normalise(raw: str) -> list[str]:
    """The canonical labels one citation names: "Sections 4.2 and 4.3" -> ["§4.2", "§4.3"]; [] if none."""
    return _parse(raw, {})


def _parse(raw: str, index: dict[str, str]) -> list[str]:
    raw = raw.strip(_WRAPPING)
    if _BARE_NUMBER_RE.match(raw):
        return [f"§{raw}"]
    if _CITE_RE.search(raw):  # "Section 4.2 (Ablation)" cites §4.2
        return [label for m in _CITE_RE.finditer(raw) for label in _labels_of_match(m)]
    return [index[_key(raw)]] if _key(raw) in index else []  # an unnumbered title ("Limitations")


def _labels_of_match(m: re.Match) -> list[str]:
    if m.group("sec"):
        return [_section_label(n) for n in _items(m.group("secnums"))]
    if m.group("app"):
        return [_section_label(n.upper()) for n in _items(m.group("appnums"))]
    kind, nums = ("Table", m.group("tabnums")) if m.group("tab") else ("Figure", m.group("fignums"))
    return [f"{kind} {n.replace('.', '').rstrip('abcdefgh')}" for n in _items(nums)]  # "Figure 2a" is Figure 2


def _items(nums: str) -> list[str]:
    return [n.lstrip("§") for n in _SPLIT_RE.split(nums.strip()) if n.strip("§")]


def _section_label(number: str) -> str:
    """"4.2" -> "§4.2"; "B" -> "Appendix B"; "B.1" -> "§B.1"."""
    if number[:1].isalpha() and "." not in number and number not in ("I", "V", "X"):
        return f"Appendix {number}"
    return f"§{number}"


def _resolve(label: str, index: dict[str, str]) -> str | None:
    """The label as the paper has it, or its nearest enclosing section that the paper has."""
    candidate: str | None = label
    while candidate:
        if (found := index.get(_key(candidate))) is not None:
            return found
        candidate = _parent(candidate)
    return None


def _parent(label: str) -> str | None:
    if label.startswith("§") and "." in label:
        parent = label.rsplit(".", 1)[0]
        return f"Appendix {parent[1:]}" if parent[1:].isalpha() and len(parent) == 2 else parent
    if label.startswith("Appendix "):
        return "Appendix"
    return None


def _index(available: Collection[str]) -> dict[str, str]:
    return {_key(label): label for label in available}


def _key(label: str) -> str:
    return re.sub(r"[\s.]+", " ", label.strip(_WRAPPING).lower()).replace("§ ", "§")


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _the_paper(text: str, at: int) -> str:
    before = text[:at].rstrip()
    return "The paper" if not before or before.endswith((".", "!", "?", ":", "\n")) else "the paper"
