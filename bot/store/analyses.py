"""What was paid for: analyses by their cache key, extracted full texts, and every LLM call."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..fulltext.document import EXTRACTOR_VERSION, FullText
from .database import StoreBase, now


@dataclass(frozen=True)
class AnalysisKey:
    paper_id: str  # the subject: a versioned paper id, or a day and its picks for a summary
    kind: str
    language: str
    prompt_version: str
    model: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def __str__(self) -> str:
        return "/".join(self.__dict__.values())


@dataclass(frozen=True)
class StoredAnalysis:
    status: str  # "ok" | "failed"
    content: dict | None
    error: str | None
    paper_version: int
    context: dict | None = None  # what the analysis was written from (a deep analysis: the full text's coverage)


@dataclass(frozen=True)
class Usage:
    calls: int = 0  # answered by the model (whatever the answer was worth)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failed: int = 0  # attempts that got no answer: unreachable, timed out, HTTP errors


# llm_calls.outcome of an attempt that got no answer (the others are the reply's finish reason)
_FAILED = "outcome in ('error', 'timeout', 'cancelled', 'unreachable') or outcome like 'http %'"


class AnalysesStore(StoreBase):
    def get_analysis(self, key: AnalysisKey) -> StoredAnalysis | None:
        row = next(self.db.query(
            "select * from analyses where paper_id = :paper_id and kind = :kind and language = :language"
            " and prompt_version = :prompt_version and model = :model", key.as_dict()), None)
        if row is None:
            return None
        content = json.loads(row["content"]) if row["content"] else None
        context = json.loads(row["context"]) if row.get("context") else None
        return StoredAnalysis(row["status"], content, row["error"], row["paper_version"], context)

    def save_analysis(self, key: AnalysisKey, paper_version: int, *, content: dict | None, error: str | None = None,
                      context: dict | None = None) -> None:
        row = {
            **key.as_dict(), "paper_version": paper_version,
            "status": "ok" if content is not None else "failed",
            "content": json.dumps(content, ensure_ascii=False) if content is not None else None,
            "error": error, "created_at": now(),
            "context": json.dumps(context, ensure_ascii=False) if context is not None else None,
        }
        with self.write() as db:
            db["analyses"].upsert(row, pk=("paper_id", "kind", "language", "prompt_version", "model"))

    # -- full texts -------------------------------------------------------------------
    def get_fulltext(self, versioned_id: str) -> FullText | None:
        """The stored text of a version, unless an older extractor made it (then it is extracted anew)."""
        row = next(self.db.query("select content from fulltexts where paper_id = ?", [versioned_id]), None)
        data = json.loads(row["content"]) if row else None
        return FullText.from_dict(data) if data and data.get("extractor") == EXTRACTOR_VERSION else None

    def save_fulltext(self, fulltext: FullText) -> None:
        with self.write() as db:
            db["fulltexts"].upsert({
                "paper_id": fulltext.paper_id, "source": fulltext.source, "pages": fulltext.pages,
                "words": fulltext.words, "content": json.dumps(fulltext.as_dict(), ensure_ascii=False),
                "fetched_at": now(),
            }, pk="paper_id")

    # -- LLM accounting -------------------------------------------------------------
    def log_llm_call(self, *, run_id: str, purpose: str, paper_id: str | None, model: str,
                     prompt_tokens: int, completion_tokens: int, latency_s: float, outcome: str) -> None:
        with self.write() as db:
            db["llm_calls"].insert({
                "run_id": run_id, "purpose": purpose, "paper_id": paper_id, "model": model,
                "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                "latency_s": round(latency_s, 3), "outcome": outcome, "created_at": now(),
            })

    def usage(self, run_id: str) -> Usage:
        row = next(self.db.query(
            f"select count(*) filter (where not ({_FAILED})) as calls, count(*) filter (where {_FAILED}) as failed,"
            " coalesce(sum(prompt_tokens), 0) as p, coalesce(sum(completion_tokens), 0) as c"
            " from llm_calls where run_id = ?", [run_id]))
        return Usage(row["calls"], row["p"], row["c"], row["failed"])
