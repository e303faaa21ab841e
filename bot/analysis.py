"""The analyses we ask the model for: prompt -> LLM -> validate -> cached result.

An analysis is cached by (paper, kind, language, prompt version, model) and
never paid for twice. A reply that fails validation is retried once; a second
failure is recorded as failed (and tried again on a later run), never published.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from . import prompts
from .errors import AnalysisFailed, LLMStopped
from .llm import LLMClient
from .models import Paper
from .store import AnalysisKey, Store
from .validate import InvalidReply, parse_reply

log = logging.getLogger(__name__)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)]
T = TypeVar("T", bound=BaseModel)

LANGUAGE_NAMES = {"zh": "Simplified Chinese (简体中文)", "en": "English", "ja": "Japanese", "ko": "Korean",
                  "de": "German", "fr": "French", "es": "Spanish"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class QuickAnalysis(_Reply):
    main_contribution: Text
    key_innovations: list[Text] = Field(min_length=1, max_length=8)
    potential_impact: list[Text] = Field(min_length=1, max_length=6)
    applications: list[Text] = Field(min_length=1, max_length=8)
    limitations: list[Text] = Field(min_length=1, max_length=6)


class NamedPoint(_Reply):
    name: Text
    text: Text


class Highlight(_Reply):
    papers: list[int] = Field(min_length=1)
    text: Text


class Recommendation(_Reply):
    paper: int
    why: Text


class ExecutiveSummary(_Reply):
    themes: list[NamedPoint] = Field(min_length=1, max_length=8)
    highlights: list[Highlight] = Field(min_length=1, max_length=6)
    emerging: list[NamedPoint] = Field(min_length=1, max_length=6)
    recommended: list[Recommendation] = Field(min_length=1, max_length=6)


class Analyst:
    """Writes and caches analyses; one in-flight call per cache key (others await it)."""

    def __init__(self, store: Store, llm: LLMClient | None, language: str):
        self.store = store
        self.llm = llm
        self.language = language
        self._inflight: dict[AnalysisKey, asyncio.Future] = {}

    def key(self, subject_id: str, kind: str) -> AnalysisKey:
        model = self.llm.model if self.llm else "-"
        return AnalysisKey(subject_id, kind, self.language, prompts.load(kind).version, model)

    def cached(self, subject_id: str, kind: str, reply_type: type[T]) -> T | None:
        """The stored analysis; a stored failure is final for its key (a new prompt or model retries)."""
        stored = self.store.get_analysis(self.key(subject_id, kind))
        if stored is None:
            return None
        if stored.status != "ok":
            raise AnalysisFailed(stored.error or "no usable answer")
        return reply_type.model_validate(stored.content)

    async def quick(self, paper: Paper) -> QuickAnalysis:
        # Keyed by the versioned id: a new version has a new abstract, so a new analysis.
        return await self._analyse(
            paper.versioned_id, paper.version, "quick_analysis", QuickAnalysis,
            paper_id=paper.versioned_id, title=prompts.as_data(paper.title),
            abstract=prompts.as_data(paper.abstract),
        )

    async def summary(self, date: str, categories: str, papers: list[Paper]) -> ExecutiveSummary:
        listing = "\n\n".join(
            f"[{n}] {prompts.as_data(p.title)}\n{prompts.as_data(p.abstract)}" for n, p in enumerate(papers, 1)
        )
        # The day and the exact picked set identify a summary: a different pick is a new one.
        subject = f"{date}:{','.join(p.versioned_id for p in papers)}"
        result = await self._analyse(subject, 0, "executive_summary", ExecutiveSummary,
                                     categories=categories, papers=listing)
        return _drop_unknown_refs(result, len(papers))

    async def _analyse(self, subject_id: str, version: int, kind: str, reply_type: type[T], **variables) -> T:
        cached = self.cached(subject_id, kind, reply_type)
        if cached is not None:
            return cached
        if self.llm is None:
            raise LLMStopped("analyses are off")
        key = self.key(subject_id, kind)
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._write(key, version, kind, reply_type, variables)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: a lone caller must not log "never retrieved"
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._inflight[key]

    async def _write(self, key: AnalysisKey, version: int, kind: str, reply_type: type[T], variables: dict) -> T:
        prompt = prompts.load(kind)
        messages = prompt.render(language=language_name(self.language), **variables)
        schema = reply_type.model_json_schema()
        problem = ""
        for attempt in (1, 2):  # one retry: a second bad reply is a failure, not a loop
            reply = await self.llm.complete(messages, purpose=kind, paper_id=key.paper_id, schema=schema)
            try:
                result = parse_reply(reply.text, reply.finish_reason, reply_type)
            except InvalidReply as exc:
                problem = str(exc)
                log.warning("%s for %s, attempt %d: %s", kind, key.paper_id, attempt, problem)
                continue
            self.store.save_analysis(key, version, content=result.model_dump())
            return result
        self.store.save_analysis(key, version, content=None, error=problem)
        raise AnalysisFailed(problem)


def _drop_unknown_refs(summary: ExecutiveSummary, count: int) -> ExecutiveSummary:
    """The model may cite a paper number that is not in the list: never print a dangling one."""
    valid = range(1, count + 1)
    highlights = [h.model_copy(update={"papers": [n for n in h.papers if n in valid]}) for h in summary.highlights]
    return summary.model_copy(update={
        "highlights": [h for h in highlights if h.papers],
        "recommended": [r for r in summary.recommended if r.paper in valid],
    })
