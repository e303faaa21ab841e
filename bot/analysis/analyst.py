"""Every paid LLM answer goes through here: prompt -> LLM -> validate -> stored, paid once.

An answer is cached by (subject, kind, language, prompt version, model) and is
never paid for twice: callers in this process share one in-flight call per key,
and other processes wait on the key's claim in SQLite (both in store.claims). A
reply that fails validation is retried once; a second failure is recorded as
failed (final for that key: a new prompt version or model tries afresh), never
published. An answer that never ran (LLM unreachable, quota) is not recorded,
so the next run writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel

from .. import prompts
from ..errors import AnalysisFailed, LLMStopped
from ..llm import LLMClient
from ..models import Paper
from ..store import AnalysisKey, Store, StoredAnalysis
from .replies import DeepAnalysis, DeepResult, ExecutiveSummary, QuickAnalysis, language_name
from .validate import InvalidReply, parse_reply

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

# Called only when an answer must be written: returns the prompt's variables and
# what they were made from. A deep analysis fetches its full text here, so a cached
# analysis costs no download and two concurrent requests download once.
Prepare = Callable[[], Awaitable[tuple[dict, dict | None]]]
# Run on a parsed reply before it is stored: returns it repaired (an answer's citations and links) or
# raises InvalidReply, which counts as a bad reply (retried once, then recorded as failed).
Check = Callable[[T], T]


def ready(variables: dict) -> Prepare:
    """A Prepare for variables that are at hand."""
    async def prepare() -> tuple[dict, dict | None]:
        return variables, None
    return prepare


class Analyst:
    def __init__(self, store: Store, llm: LLMClient | None, *, deep_max_tokens: int | None = None):
        self.store = store
        self.llm = llm
        self.deep_max_tokens = deep_max_tokens

    def key(self, subject: str, kind: str, language: str) -> AnalysisKey:
        model = self.llm.model if self.llm else "-"
        return AnalysisKey(subject, kind, language, prompts.load(kind).version, model)

    async def quick(self, paper: Paper, language: str) -> QuickAnalysis:
        # Keyed by the versioned id: a new version has a new abstract, so a new analysis.
        variables = dict(paper_id=paper.versioned_id, title=prompts.as_data(paper.title),
                         abstract=prompts.as_data(paper.abstract))
        result, _ = await self.analyse(self.key(paper.versioned_id, "quick_analysis", language), paper.version,
                                       QuickAnalysis, ready(variables))
        return result

    async def deep(self, paper: Paper, prepare: Prepare, language: str, *, refresh: bool = False) -> DeepResult:
        """The deep analysis of one version of a paper; `prepare` supplies its full text when one must be written."""
        key = self.key(paper.versioned_id, "deep_analysis", language)
        result, coverage = await self.analyse(key, paper.version, DeepAnalysis, prepare, refresh=refresh,
                                              max_tokens=self.deep_max_tokens)
        return DeepResult(result, coverage or {})

    async def summary(self, date: str, categories: str, papers: list[Paper], language: str) -> ExecutiveSummary:
        listing = "\n\n".join(
            f"[{n}] {prompts.as_data(p.title)}\n{prompts.as_data(p.abstract)}" for n, p in enumerate(papers, 1))
        # The day and the exact picked set identify a summary: a different pick is a new one.
        subject = f"{date}:{','.join(p.versioned_id for p in papers)}"
        result, _ = await self.analyse(self.key(subject, "executive_summary", language), 0, ExecutiveSummary,
                                       ready(dict(categories=categories, papers=listing)))
        return drop_unknown_refs(result, len(papers))

    async def analyse(self, key: AnalysisKey, version: int, reply_type: type[T], prepare: Prepare, *,
                      refresh: bool = False, max_tokens: int | None = None,
                      check: Check | None = None) -> tuple[T, dict | None]:
        """The answer stored under `key`, written now if there is none (or `refresh`); `check` (if any) sees
        each parsed reply before it is stored."""
        if self.llm is None:
            stored = None if refresh else self.store.get_analysis(key)
            if stored is None:
                raise LLMStopped("analyses are off")
        else:
            stored = await self.store.once(str(key), lambda: self.store.get_analysis(key),
                                           lambda: self._write(key, version, reply_type, prepare, max_tokens, check),
                                           fresh=refresh)
        if stored.status != "ok":
            # Rows from before kinds were stored separately may quote the model after a colon: never shown.
            raise AnalysisFailed((stored.error or "no usable answer").split(":", 1)[0])
        return reply_type.model_validate(stored.content), stored.context

    async def _write(self, key: AnalysisKey, version: int, reply_type: type[T], prepare: Prepare,
                     max_tokens: int | None, check: Check | None = None) -> StoredAnalysis:
        variables, context = await prepare()
        messages = prompts.load(key.kind).render(language=language_name(key.language), **variables)
        schema = reply_type.model_json_schema()
        problem = ""
        for attempt in (1, 2):  # one retry: a second bad reply is a failure, not a loop
            reply = await self.llm.complete(messages, purpose=key.kind, paper_id=key.paper_id, schema=schema,
                                            max_tokens=max_tokens)
            try:
                result = parse_reply(reply.text, reply.finish_reason, reply_type)
                if check is not None:
                    result = check(result)
            except InvalidReply as exc:
                problem = exc.kind  # what is stored (and may be shown) names the kind of failure only
                log.info("%s for %s, attempt %d: %s", key.kind, key.paper_id, attempt, exc)
                continue
            self.store.save_analysis(key, version, content=result.model_dump(), context=context)
            return StoredAnalysis("ok", result.model_dump(), None, version, context)
        self.store.save_analysis(key, version, content=None, error=problem, context=context)
        return StoredAnalysis("failed", None, problem, version, context)


def drop_unknown_refs(summary: ExecutiveSummary, count: int) -> ExecutiveSummary:
    """The model may cite a paper number that is not in the list: never print a dangling one (the archive
    applies this to stored summaries too)."""
    valid = range(1, count + 1)
    highlights = [h.model_copy(update={"papers": [n for n in h.papers if n in valid]}) for h in summary.highlights]
    return summary.model_copy(update={
        "highlights": [h for h in highlights if h.papers],
        "recommended": [r for r in summary.recommended if r.paper in valid],
    })
