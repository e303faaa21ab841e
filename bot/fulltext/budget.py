"""Fit a paper into the model's input budget by sections, not by characters.

A deep analysis needs the method and the experiments most, the introduction
and conclusion for motivation and limitations, related work least. When the
paper is too long, each role gets a share of the budget first; what a role does
not use goes to the others in priority order; a section that does not fit its
share is shortened at a sentence boundary, never mid-word. References and
acknowledgements are never sent; the appendix only when there is room.

What `fit` reports is what it sent: a section is "kept" when all of it is in
the text, "shortened" when its title and some of its own text are (never its
headings alone), "dropped" when nothing of it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import (APPENDIX, CONCLUSION, EXPERIMENTS, INTRO, METHOD, NEVER_SENT, OTHER, RELATED, FullText,
                       Section, estimate_tokens, is_subheading, sentences)

SHARES = {METHOD: 0.40, EXPERIMENTS: 0.35, INTRO: 0.15, CONCLUSION: 0.10}
PRIORITY = (METHOD, EXPERIMENTS, INTRO, CONCLUSION, OTHER, RELATED, APPENDIX)
MIN_USEFUL_TOKENS = 120  # less than this of a section is noise, not context
MIN_SUBSECTION_TOKENS = 40  # a subsection's title with less than this of its text says it is empty: leave it out


@dataclass(frozen=True)
class Budgeted:
    text: str
    tokens: int  # estimated
    kept: tuple[str, ...]  # section titles sent whole
    shortened: tuple[str, ...]  # sent in part
    dropped: tuple[str, ...]  # left out to fit (references and acknowledgements are not listed)

    def as_dict(self) -> dict:
        return {"tokens": self.tokens, "kept": list(self.kept), "shortened": list(self.shortened),
                "dropped": list(self.dropped)}


def fit(fulltext: FullText, max_tokens: int) -> Budgeted:
    sections = [s for s in fulltext.sections if s.role not in NEVER_SENT]
    allowed = _allot(sections, max_tokens)
    parts, kept, shortened, dropped = [], [], [], []
    for section, tokens in zip(sections, allowed):
        text = _prefix(section, tokens)
        name = section.title or "(untitled)"
        if not text:
            dropped.append(name)
            continue
        parts.append(text)
        (kept if text == _render(section.title, section.paragraphs) else shortened).append(name)
    text = "\n\n".join(parts)
    return Budgeted(text, estimate_tokens(text), tuple(kept), tuple(shortened), tuple(dropped))


def _allot(sections: list[Section], budget: int) -> list[int]:
    need = [_need(s) for s in sections]
    if sum(need) <= budget:
        return need
    allowed = [0] * len(sections)
    for role, share in SHARES.items():  # first each role's share, split fairly among its sections
        members = [i for i, s in enumerate(sections) if s.role == role]
        for i, tokens in zip(members, _water_fill([need[i] for i in members], int(budget * share))):
            allowed[i] = tokens
    spare = budget - sum(allowed)
    for role in PRIORITY:  # then what is left, by priority
        for i, s in enumerate(sections):
            if s.role == role and spare > 0:
                extra = min(need[i] - allowed[i], spare)
                allowed[i] += extra
                spare -= extra
    return [a if a >= MIN_USEFUL_TOKENS or a == need[i] else 0 for i, a in enumerate(allowed)]


def _water_fill(needs: list[int], budget: int) -> list[int]:
    """Split `budget` so that small needs are met whole and large ones share the rest equally."""
    allowed = [0] * len(needs)
    left = budget
    order = sorted(range(len(needs)), key=lambda i: needs[i])
    for k, i in enumerate(order):
        allowed[i] = min(needs[i], left // (len(order) - k))
        left -= allowed[i]
    return allowed


def _need(section: Section) -> int:
    """Tokens of the whole section, counted as `_prefix` counts them (each part rounded up, +1 a separator)."""
    title = estimate_tokens(f"## {section.title}") + 1 if section.title else 0
    return title + sum(estimate_tokens(p) + 1 for p in section.paragraphs)


def _render(title: str, paragraphs) -> str:
    return "\n\n".join(([f"## {title}"] if title else []) + list(paragraphs))


def _prefix(section: Section, tokens: int) -> str:
    """The section shortened to `tokens`: each subsection keeps its title and its first paragraphs.

    Cutting a section at one point would keep its first subsection whole and lose
    the rest (the loss, the ablations); sharing the cut keeps each one's opening.
    A subsection that would get its title and next to nothing is left out whole
    (a bare title would say the subsection is empty); "" if only titles would remain.
    """
    if tokens <= 0:
        return ""
    if tokens >= _need(section):
        return _render(section.title, section.paragraphs)
    groups = _subsections(section.paragraphs)
    title_cost = estimate_tokens(f"## {section.title}") + 1 if section.title else 0
    taken: list[str] = []
    for group, allowance in zip(groups, _share(groups, tokens - title_cost)):
        taken += _opening(group, allowance)
    if all(is_subheading(p) for p in taken):  # headings alone are not the section's text
        return ""
    return _render(section.title, taken)


def _subsections(paragraphs: tuple[str, ...]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for paragraph in paragraphs:
        if is_subheading(paragraph) and groups[-1]:
            groups.append([])
        groups[-1].append(paragraph)
    return groups


def _share(groups: list[list[str]], tokens: int) -> list[int]:
    """Split `tokens` fairly among the subsections, leaving out those that would get their title and
    next to nothing, so that the others have their allowance."""
    needs = [sum(estimate_tokens(p) + 1 for p in group) for group in groups]
    floors = [estimate_tokens(g[0]) + 1 + MIN_SUBSECTION_TOKENS if is_subheading(g[0]) else 1 for g in groups]
    live = list(range(len(groups)))
    while True:
        allowed = dict(zip(live, _water_fill([needs[i] for i in live], tokens)))
        starved = [i for i in live if allowed[i] < min(floors[i], needs[i])]
        if not starved:
            return [allowed.get(i, 0) for i in range(len(groups))]
        live.remove(max(starved))  # the last subsection goes first: the earlier ones introduce the later


def _opening(paragraphs: list[str], tokens: int) -> list[str]:
    """Whole paragraphs while they fit, then whole sentences of the next one; [] if only headings fit."""
    taken, used = [], 0
    for paragraph in paragraphs:
        cost = estimate_tokens(paragraph) + 1
        if used + cost > tokens:
            partial = _sentences_within(paragraph, tokens - used - 1) if not is_subheading(paragraph) else ""
            taken += [partial] if partial else []
            break
        taken.append(paragraph)
        used += cost
    return taken if not all(is_subheading(p) for p in taken) else []


def _sentences_within(paragraph: str, tokens: int) -> str:
    out = ""
    for sentence in sentences(paragraph):
        candidate = f"{out} {sentence}".strip()
        if estimate_tokens(candidate) > tokens:
            break
        out = candidate
    return out
