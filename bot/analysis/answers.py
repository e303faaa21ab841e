"""Answers to questions about a paper (or about the day's picks): prompt -> LLM -> checked -> stored, paid once.

    answer = await answer_paper(analyst, paper, fulltext, question, history, language, config.ask)
    answer.status      # "answered" | "not_in_paper" | "off_topic"
    answer.text        # what to publish (citations repaired, foreign links taken out)
    answer.cited       # the labels it rests on, in the paper's order: "§4.2", "Table 3", "Appendix B"

Everything goes through `Analyst.analyse`, so an answer is cached by (paper version
+ a hash of the normalised question and the earlier turns it was written with,
kind, language, prompt version, model), shared by concurrent askers and claimed
across processes. Before an answer is stored it is checked (`check_paper` /
`check_day`): a citation the paper does not have is repaired to its enclosing
section or taken out, a link that is not in the text we sent is taken out, an
answer left empty by that is a bad reply (retried once, then failed). The model
never writes the off-topic sentence we publish: that one is ours.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field, model_validator

from .. import prompts
from ..config import AskConfig
from ..fulltext.citations import check_answer
from ..fulltext.document import FullText, estimate_tokens, sentences
from ..fulltext.retrieval import Selection, select
from ..models import Paper
from .analyst import Analyst
from .replies import QuickAnalysis, _Reply, language_name
from .validate import InvalidReply

log = logging.getLogger(__name__)

Status = Literal["answered", "not_in_paper", "off_topic"]
_PER_MESSAGE_TOKENS = 8  # chat framing the server adds around each message (as deep_input counts it)
_DAY_ENTRY_MIN_TOKENS = 120  # a day-wide question sends at least the head of each paper's abstract


class _Answer(_Reply):
    status: Status
    answer: str = ""

    @model_validator(mode="after")
    def _an_answer_has_text(self):
        if self.status != "off_topic" and len(self.answer.strip()) < 2:
            raise ValueError("an answer needs its text")
        return self


class PaperAnswer(_Answer):
    cited: list[str | float] = Field(default_factory=list, max_length=40)  # a model may cite 4.2 as a number


class DayAnswer(_Answer):
    papers: list[int] = Field(default_factory=list, max_length=100)


@dataclass(frozen=True)
class Turn:
    """An earlier question of the thread and the answer we published."""

    question: str
    answer: str


@dataclass(frozen=True)
class Answer:
    status: str
    text: str
    key: str  # the cache key it is stored under
    cited: tuple[str, ...] = ()  # a paper's answer: its sections, in the paper's order
    papers: tuple[Paper, ...] = ()  # a day-wide answer: the papers it comes from, in rank order
    from_abstract_only: bool = False
    context: dict = field(default_factory=dict)


def normalise_question(text: str) -> str:
    """The question as the cache sees it: case, spacing, width and the closing punctuation do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split()).rstrip(" ?？!！.。")


def subject_of(base: str, question: str, history: list[Turn]) -> str:
    """The cache subject: what is asked about, and a hash of the question and the turns it follows."""
    text = "\n".join([normalise_question(question), *(f"{t.question}\n{t.answer}" for t in history)])
    return f"{base}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


# -- one paper --------------------------------------------------------------------------------------
async def answer_paper(analyst: Analyst, paper: Paper, fulltext: FullText | None, question: str,
                       history: list[Turn], language: str, config: AskConfig) -> Answer:
    """The answer to `question` about `paper`, from the passages of its full text (None: from its abstract)."""
    base = f"{paper.versioned_id}:{'full' if fulltext is not None else 'abstract'}"
    key = analyst.key(subject_of(base, question, history), "ask_paper", language)
    sent: dict[str, Selection] = {}

    async def prepare() -> tuple[dict, dict]:
        variables = {"paper_id": paper.versioned_id, "title": prompts.as_data(paper.title)}
        empty = variables | {"abstract": "", "passages": "", "history": "", "question": "",
                             "source": _source(fulltext)}
        # Splitting and ranking a long paper takes tens of milliseconds: off the event loop, so the platform's
        # acks of other events are not held up by it.
        overhead = prompt_tokens("ask_paper", empty, language)
        selection = await asyncio.to_thread(select, fulltext, paper.abstract, question, _history_texts(history),
                                            config.max_input_tokens, overhead=overhead)
        sent["selection"] = selection
        variables |= {"abstract": prompts.as_data(selection.abstract), "question": prompts.as_data(question),
                      "history": prompts.as_data(_history(history)), "source": _source(fulltext, selection),
                      "passages": prompts.as_data(selection.text)}
        context = {"source": fulltext.source if fulltext is not None and selection.passages else "abstract",
                   "tokens": selection.tokens, "sent": list(selection.sent_labels)}
        log.info("ask %s: %d passages (%s), ~%d input tokens", paper.versioned_id, len(selection.passages),
                 ", ".join(selection.sent_labels)[:120], selection.tokens)
        return variables, context

    def check(reply: PaperAnswer) -> PaperAnswer:
        selection = sent["selection"]
        allowed = "\n".join([paper.title, selection.abstract, selection.text])
        return check_paper(reply, selection.labels, allowed)

    reply, context = await analyst.analyse(key, paper.version, PaperAnswer, prepare, check=check,
                                           max_tokens=config.max_output_tokens)
    context = context or {}
    return Answer(reply.status, reply.answer, str(key), cited=tuple(str(c) for c in reply.cited),
                  from_abstract_only=context.get("source") == "abstract", context=context)


def check_paper(reply: PaperAnswer, labels: tuple[str, ...], allowed_text: str) -> PaperAnswer:
    """The reply as we publish it: citations as the paper has them (or out), no link the paper lacks,
    a "not in the paper" answer one sentence long."""
    if reply.status == "off_topic":
        return reply.model_copy(update={"answer": "", "cited": []})
    text = remove_foreign_links(reply.answer, allowed_text)
    if reply.status == "not_in_paper":
        text = first_sentence(text)
    repaired = check_answer(text, list(reply.cited), labels)
    text = _tidy(repaired.text)
    if len(text) < 2:
        raise InvalidReply("an answer with nothing left once checked")
    return reply.model_copy(update={"answer": text, "cited": list(repaired.cited)})


def _source(fulltext: FullText | None, selection: Selection | None = None) -> str:
    if fulltext is None or (selection is not None and selection.from_abstract_only):
        return "no full text: arXiv has none for this paper, so only the abstract is given"
    return "the passages of its full text most relevant to the question, in the paper's order"


# -- the day's picks ----------------------------------------------------------------------------
async def answer_day(analyst: Analyst, date: str, papers: list[Paper], analyses: dict[str, QuickAnalysis],
                     question: str, history: list[Turn], language: str, config: AskConfig) -> Answer:
    """The answer to a question about the day's picked papers (rank order), from their abstracts and analyses."""
    base = f"{date}:{','.join(p.versioned_id for p in papers)}"
    key = analyst.key(subject_of(base, question, history), "ask_day", language)

    async def prepare() -> tuple[dict, dict]:
        variables = {"date": date, "question": prompts.as_data(question), "history": prompts.as_data(_history(history))}
        overhead = prompt_tokens("ask_day", variables | {"papers": ""}, language)
        room = max(config.max_input_tokens - overhead, _DAY_ENTRY_MIN_TOKENS * len(papers))
        listing = day_listing(papers, analyses, room // max(1, len(papers)))
        variables["papers"] = prompts.as_data(listing)
        return variables, {"tokens": overhead + estimate_tokens(listing)}

    def check(reply: DayAnswer) -> DayAnswer:
        return check_day(reply, len(papers))

    reply, context = await analyst.analyse(key, 0, DayAnswer, prepare, check=check,
                                           max_tokens=config.max_output_tokens)
    numbers = list(dict.fromkeys(reply.papers + [int(n) for n in _PAPER_NUMBER_RE.findall(reply.answer)]))
    cited = tuple(papers[n - 1] for n in sorted(numbers) if 1 <= n <= len(papers))
    return Answer(reply.status, reply.answer, str(key), papers=cited, context=context or {})


_PAPER_NUMBER_RE = re.compile(r"(?<![\w&])#(\d{1,3})\b")


def check_day(reply: DayAnswer, count: int) -> DayAnswer:
    """Paper numbers that exist only, no links at all (a day-wide answer sends none of the papers' text)."""
    if reply.status == "off_topic":
        return reply.model_copy(update={"answer": "", "papers": []})
    text = remove_foreign_links(reply.answer, "")
    text = _PAPER_NUMBER_RE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= count else "", text)
    if reply.status == "not_in_paper":
        text = first_sentence(text)
    text = _tidy(text)
    if len(text) < 2:
        raise InvalidReply("an answer with nothing left once checked")
    return reply.model_copy(update={"answer": text, "papers": [n for n in reply.papers if 1 <= n <= count]})


def day_listing(papers: list[Paper], analyses: dict[str, QuickAnalysis], tokens_each: int) -> str:
    """"[n] title (id)", the abstract and the analysis's gist of each paper, each within `tokens_each`."""
    entries = []
    for n, paper in enumerate(papers, 1):
        head = f"[{n}] {paper.title} ({paper.versioned_id})"
        body = f"Abstract: {' '.join(paper.abstract.split())}"
        if (analysis := analyses.get(paper.id)) is not None:
            body += f"\nAnalysis: {analysis.main_contribution} " + " ".join(analysis.key_innovations)
        entries.append(head + "\n" + clip_tokens(body, max(tokens_each - estimate_tokens(head), 40)))
    return "\n\n".join(entries)


# -- shared -----------------------------------------------------------------------------------------
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`|]+", re.IGNORECASE)
# Bare domains some chat apps turn into links; only with a path or a common TLD ("model.py" stays).
_BARE_DOMAIN_RE = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|ai|dev|app|co|xyz|info|me|ly|gg|site|link)"
                             r"\b(?:/[^\s<>\"'`|]*)?", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>'\""


def remove_foreign_links(text: str, allowed_text: str) -> str:
    """`text` without the links that do not appear in `allowed_text` (the paper's own, e.g. its code)."""
    allowed = _link_key(allowed_text)

    def keep(m: re.Match) -> str:
        url = m.group(0).rstrip(_TRAILING)
        tail = m.group(0)[len(url):]
        if _link_key(url) and _link_key(url) in allowed:
            return m.group(0)
        log.info("took a link out of an answer: %r", url[:80])
        return tail

    text = _URL_RE.sub(keep, text)
    return _BARE_DOMAIN_RE.sub(keep, text)


def _link_key(text: str) -> str:
    text = re.sub(r"https?://", "", text.lower())
    return re.sub(r"\bwww\.", "", text).rstrip("/")


def first_sentence(text: str) -> str:
    return next(iter(sentences(" ".join(text.split()))), text).strip()


def clip_tokens(text: str, tokens: int) -> str:
    """`text` cut at a sentence (else a word) to about `tokens`."""
    if estimate_tokens(text) <= tokens:
        return text
    out = ""
    for sentence in sentences(" ".join(text.split())):
        if estimate_tokens(f"{out} {sentence}") > tokens:
            break
        out = f"{out} {sentence}".strip()
    if not out:
        out = " ".join(text.split())[: int(tokens * 3.5)].rsplit(" ", 1)[0]
    return out + " […]"


def _tidy(text: str) -> str:
    """Spacing left by what was taken out: "see ( )" and "  ," go."""
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _history(history: list[Turn]) -> str:
    return "\n\n".join(f"Q: {t.question}\nA: {t.answer}" for t in history)


def _history_texts(history: list[Turn]) -> list[str]:
    return [text for t in history for text in (t.question, t.answer)]


def prompt_tokens(kind: str, variables: dict, language: str) -> int:
    """Tokens of the prompt rendered with these variables (the overhead when the variable parts are empty)."""
    messages = prompts.load(kind).render(language=language_name(language), **variables)
    return sum(estimate_tokens(m["content"]) + _PER_MESSAGE_TOKENS for m in messages)
