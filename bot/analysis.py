"""The analyses we ask the model for: prompt -> LLM -> validate -> cached result.

An analysis is cached by (paper, kind, language, prompt version, model) and
never paid for twice. A reply that fails validation is retried once; a second
failure is recorded as failed (and tried again on a later run), never published.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


class Motivation(_Reply):
    drivers: list[Text] = Field(min_length=1, max_length=8)
    pain_points: list[Text] = Field(min_length=1, max_length=8)
    hypothesis: list[Text] = Field(min_length=1, max_length=6)


class MethodDesign(_Reply):
    pipeline: list[Text] = Field(min_length=2, max_length=12)
    architecture: list[Text] = Field(min_length=1, max_length=10)
    formulas: list[Text] = Field(min_length=1, max_length=8)


class Comparison(_Reply):
    differences: list[Text] = Field(min_length=1, max_length=8)
    contributions: list[Text] = Field(min_length=1, max_length=8)
    applicability: list[Text] = Field(min_length=1, max_length=8)


class Experiments(_Reply):
    validation: list[Text] = Field(min_length=1, max_length=8)
    key_results: list[Text] = Field(min_length=1, max_length=10)
    strengths: list[Text] = Field(min_length=1, max_length=8)
    limitations: list[Text] = Field(min_length=1, max_length=8)


class PracticalGuide(_Reply):
    availability: Text
    implementation: list[Text] = Field(min_length=1, max_length=10)
    transfer: list[Text] = Field(min_length=1, max_length=8)


class DeepSummary(_Reply):
    core_idea: Text
    pipeline: list[Text] = Field(min_length=3, max_length=6)


class DeepAnalysis(_Reply):
    """The seed's seven parts, in its order."""

    abstract_translation: Text
    motivation: Motivation
    method: MethodDesign
    comparison: Comparison
    experiments: Experiments
    practical: PracticalGuide
    summary: DeepSummary


@dataclass(frozen=True)
class DeepResult:
    analysis: DeepAnalysis
    coverage: dict  # what of the full text the model saw: source, pages, tokens, kept/shortened/dropped


# Called only when an analysis must be written: returns the prompt's variables and
# what they were made from. A deep analysis fetches its full text here, so a cached
# analysis costs no download and two concurrent requests download once.
Prepare = Callable[[], Awaitable[tuple[dict, dict | None]]]


class Analyst:
    """Writes and caches analyses; one in-flight call per cache key (others await it)."""

    def __init__(self, store: Store, llm: LLMClient | None, language: str, *, deep_max_tokens: int | None = None):
        self.store = store
        self.llm = llm
        self.language = language
        self.deep_max_tokens = deep_max_tokens
        self._inflight: dict[AnalysisKey, asyncio.Future] = {}

    def key(self, subject_id: str, kind: str, language: str | None = None) -> AnalysisKey:
        model = self.llm.model if self.llm else "-"
        return AnalysisKey(subject_id, kind, language or self.language, prompts.load(kind).version, model)

    def cached(self, key: AnalysisKey, reply_type: type[T]) -> tuple[T, dict | None] | None:
        """The stored analysis and its context; a stored failure is final for its key (a new prompt or model retries)."""
        stored = self.store.get_analysis(key)
        if stored is None:
            return None
        if stored.status != "ok":
            raise AnalysisFailed(stored.error or "no usable answer")
        return reply_type.model_validate(stored.content), stored.context

    async def quick(self, paper: Paper, *, language: str | None = None) -> QuickAnalysis:
        # Keyed by the versioned id: a new version has a new abstract, so a new analysis.
        variables = dict(paper_id=paper.versioned_id, title=prompts.as_data(paper.title),
                         abstract=prompts.as_data(paper.abstract))
        result, _ = await self._analyse(self.key(paper.versioned_id, "quick_analysis", language), paper.version,
                                        QuickAnalysis, _ready(variables))
        return result

    async def deep(self, paper: Paper, prepare: Prepare, *, language: str | None = None,
                   refresh: bool = False) -> DeepResult:
        """The deep analysis of one version of a paper; `prepare` supplies its full text when one must be written."""
        key = self.key(paper.versioned_id, "deep_analysis", language)
        result, coverage = await self._analyse(key, paper.version, DeepAnalysis, prepare, refresh=refresh,
                                               max_tokens=self.deep_max_tokens)
        return DeepResult(result, coverage or {})

    async def summary(self, date: str, categories: str, papers: list[Paper]) -> ExecutiveSummary:
        listing = "\n\n".join(
            f"[{n}] {prompts.as_data(p.title)}\n{prompts.as_data(p.abstract)}" for n, p in enumerate(papers, 1)
        )
        # The day and the exact picked set identify a summary: a different pick is a new one.
        subject = f"{date}:{','.join(p.versioned_id for p in papers)}"
        result, _ = await self._analyse(self.key(subject, "executive_summary"), 0, ExecutiveSummary,
                                        _ready(dict(categories=categories, papers=listing)))
        return _drop_unknown_refs(result, len(papers))

    async def _analyse(self, key: AnalysisKey, version: int, reply_type: type[T], prepare: Prepare, *,
                       refresh: bool = False, max_tokens: int | None = None) -> tuple[T, dict | None]:
        if key in self._inflight:  # the same analysis is being written: wait for it, even on refresh
            return await asyncio.shield(self._inflight[key])
        if not refresh and (cached := self.cached(key, reply_type)) is not None:
            return cached
        if self.llm is None:
            raise LLMStopped("analyses are off")
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            variables, context = await prepare()
            result = await self._write(key, version, reply_type, variables, context, max_tokens)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: a lone caller must not log "never retrieved"
            raise
        else:
            future.set_result((result, context))
            return result, context
        finally:
            del self._inflight[key]

    async def _write(self, key: AnalysisKey, version: int, reply_type: type[T], variables: dict,
                     context: dict | None, max_tokens: int | None) -> T:
        messages = prompts.load(key.kind).render(language=language_name(key.language), **variables)
        schema = reply_type.model_json_schema()
        problem = ""
        for attempt in (1, 2):  # one retry: a second bad reply is a failure, not a loop
            reply = await self.llm.complete(messages, purpose=key.kind, paper_id=key.paper_id, schema=schema,
                                            max_tokens=max_tokens)
            try:
                result = parse_reply(reply.text, reply.finish_reason, reply_type)
            except InvalidReply as exc:
                problem = str(exc)
                log.warning("%s for %s, attempt %d: %s", key.kind, key.paper_id, attempt, problem)
                continue
            self.store.save_analysis(key, version, content=result.model_dump(), context=context)
            return result
        self.store.save_analysis(key, version, content=None, error=problem, context=context)
        raise AnalysisFailed(problem)


def _ready(variables: dict) -> Prepare:
    async def prepare() -> tuple[dict, dict | None]:
        return variables, None
    return prepare


def _drop_unknown_refs(summary: ExecutiveSummary, count: int) -> ExecutiveSummary:
    """The model may cite a paper number that is not in the list: never print a dangling one."""
    valid = range(1, count + 1)
    highlights = [h.model_copy(update={"papers": [n for n in h.papers if n in valid]}) for h in summary.highlights]
    return summary.model_copy(update={
        "highlights": [h for h in highlights if h.papers],
        "recommended": [r for r in summary.recommended if r.paper in valid],
    })
