"""The one place that knows the order of the steps: list, pick, analyse, complete, assemble.

Every step stores its result before the next one starts, so a run that dies
halfway is resumed by running it again: what is stored is not fetched again
and what is analysed is not paid for again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from .analysis import Analyst, DeepResult, ExecutiveSummary, QuickAnalysis
from .config import Config
from .deep_input import deep_input
from .digest import Digest, DigestEntry
from .errors import AnalysisFailed, DayNotAvailable, LLMStopped, NoAnnouncement, NoFullText, PaperNotFound
from .findings import key_findings
from .ids import parse_paper_id
from .listing import fetch_announcement
from .llm import LLMClient, is_llm_error
from .metadata import fetch_metadata, make_client
from .models import Listed, Paper
from .pacer import PacedSession
from .progress import NO_PROGRESS, Progress
from .ranking import Ranked, rank
from .store import Store

log = logging.getLogger(__name__)

MARKDOWN_TARGET = "markdown"


class Engine:
    def __init__(self, config: Config, *, store: Store | None = None, use_llm: bool = True):
        self.config = config
        self.store = store or Store(config.db_path)
        self.run_id = uuid.uuid4().hex
        a = config.arxiv
        self.session = PacedSession(min_interval_s=a.min_interval_s, timeout_s=a.timeout_s,
                                    max_retries=a.max_retries, backoff_s=a.retry_backoff_s)
        self.api = make_client(self.session, a.api_url)
        api_key = config.llm_api_key()
        self.llm: LLMClient | None = None
        if use_llm and api_key:
            self.llm = LLMClient(config.llm, base_url=config.llm_base_url, api_key=api_key,
                                 store=self.store, run_id=self.run_id)
        self.analyst = Analyst(self.store, self.llm, config.llm.language,
                               deep_max_tokens=config.llm.deep_max_output_tokens)

    async def close(self) -> None:
        if self.llm:
            await self.llm.close()
        self.session.close()

    # -- the daily digest -------------------------------------------------------------
    async def build_digest(self, date: str | None = None, *, target: str = MARKDOWN_TARGET,
                           progress: Progress = NO_PROGRESS) -> Digest:
        cats = self.config.arxiv.categories
        if date and self.store.has_day(date, cats):
            log.info("%s is stored: rebuilding it without reading the feed", date)
            listed = self.store.announcement(date, cats)
        else:
            date, listed = await self._list_today(date, progress)
        if not listed:
            raise NoAnnouncement(f"no arXiv announcement for {date} in {', '.join(cats)} "
                                 "(weekend, holiday or empty feed); nothing to digest")

        picked = self._pick(date, target, listed)
        deep_count = min(self.config.digest.deep_top_k, len(picked)) if self.llm else 0
        progress.total(1 + bool(self._missing_metadata(picked)) + len(picked) + deep_count + 1)
        progress.advance(1, "listed")

        papers, analyses, deeps, summary = await self._analyse_and_complete(date, picked, deep_count, progress)
        entries = tuple(
            DigestEntry(rank=n, paper=papers[r.paper.id], score=r.score, reason=r.reason,
                        findings=tuple(key_findings(papers[r.paper.id].abstract)),
                        analysis=analyses[r.paper.id][0], analysis_note=analyses[r.paper.id][1],
                        deep=deeps.get(r.paper.id, (None, None))[0], deep_note=deeps.get(r.paper.id, (None, None))[1])
            for n, r in enumerate(picked, 1)
        )
        self.store.save_digest(date, target, categories=list(cats), announced=len(listed),
                               picked=[e.paper.id for e in entries], language=self.config.llm.language)
        return Digest(date=date, categories=cats, announced=len(listed), language=self.config.llm.language,
                      entries=entries, summary=summary[0], summary_note=summary[1], analyses_off=self.llm is None)

    async def _list_today(self, wanted: str | None, progress: Progress) -> tuple[str, list[Listed]]:
        a = self.config.arxiv
        progress.note("reading the arXiv feed")
        announcement = await asyncio.to_thread(fetch_announcement, self.session, a.rss_url, a.categories, a.announce_types)
        if wanted and announcement.date != wanted:
            stored = ", ".join(self.store.stored_days(a.categories)[-5:]) or "none yet"
            raise DayNotAvailable(
                f"{wanted} is neither arXiv's current announcement ({announcement.date}) nor a stored day "
                f"for {', '.join(a.categories)} (latest stored: {stored}); pick one of those, or omit --date")
        if not announcement.listed and announcement.other_types:
            raise NoAnnouncement(f"arXiv's announcement for {announcement.date} has {announcement.other_types} "
                                 f"papers, none of the types {', '.join(a.announce_types)}; nothing to digest")
        newest: dict[str, Paper] = {}
        for item in announcement.listed:  # a paper listed in two feeds is stored once, newest version
            if item.paper.id not in newest or item.paper.version > newest[item.paper.id].version:
                newest[item.paper.id] = item.paper
        self.store.save_papers(newest.values())
        self.store.save_announcement(announcement.date, a.categories, announcement.listed)
        return announcement.date, self.store.announcement(announcement.date, a.categories)

    def _pick(self, date: str, target: str, listed: list[Listed]) -> list[Ranked]:
        """Rank the day, or reuse the stored ranking when nothing it depends on has changed."""
        by_id = {item.paper.id: item.paper for item in listed}
        profile = self._profile(listed)
        stored = self.store.picked(date, target, profile)
        if stored:
            return [Ranked(by_id[r["paper_id"]], r["score"], r["reason"]) for r in stored]
        ranked = rank(list(by_id.values()), self.config.digest)
        picked = ranked[: self.config.digest.max_papers]
        self.store.save_scores(date, target, profile, [
            {"paper_id": r.paper.id, "score": r.score, "reason": r.reason, "rank": n if n <= len(picked) else None}
            for n, r in enumerate(ranked, 1)
        ])
        return picked

    def _profile(self, listed: list[Listed]) -> str:
        """A fingerprint of everything the ranking depends on: the profile and the day's papers."""
        d = self.config.digest
        inputs = [d.interests, d.include, d.exclude, d.max_papers, [item.paper.id for item in listed]]
        return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]

    @staticmethod
    def _missing_metadata(picked: Sequence[Ranked]) -> list[str]:
        return [r.paper.id for r in picked if not r.paper.has_metadata]

    async def _analyse_and_complete(self, date: str, picked: list[Ranked], deep_count: int, progress: Progress):
        """Metadata, quick and deep analyses and the summary all at once: none needs another's result."""
        papers = [r.paper for r in picked]

        async def deep(paper: Paper):
            result = await self._deep_or_note(paper, self.config.llm.language, refresh=False)
            progress.advance(1, "deep analysis")
            return result

        async def quick(paper: Paper):
            result = await self._quick_or_note(paper)
            progress.advance(1, "analysed")
            return result

        async def summary():
            result = await self._summary_or_note(date, papers)
            progress.advance(1, "summarised")
            return result

        metadata = asyncio.create_task(self._complete_metadata(self._missing_metadata(picked), progress))
        deep_papers = papers[:deep_count]
        results = await asyncio.gather(summary(), *(quick(p) for p in papers), *(deep(p) for p in deep_papers))
        completed = await asyncio.gather(metadata, return_exceptions=True)
        if isinstance(completed[0], BaseException):
            raise completed[0]  # analyses are stored already: a re-run pays for none of them
        by_id = {p.id: p for p in papers} | completed[0]
        quicks = results[1:1 + len(papers)]
        deeps = results[1 + len(papers):]
        return (by_id, {p.id: r for p, r in zip(papers, quicks)}, {p.id: r for p, r in zip(deep_papers, deeps)},
                results[0])

    async def _complete_metadata(self, ids: list[str], progress: Progress) -> dict[str, Paper]:
        if not ids:
            return {}
        found = await asyncio.to_thread(fetch_metadata, self.api, ids)
        missing = sorted(set(ids) - found.keys())
        if missing:
            # Marked as asked, so a rebuild does not ask again for what arXiv does not have.
            log.warning("the arXiv API has no metadata for %s; using the feed's", ", ".join(missing))
            stored = self.store.get_papers(missing)
            found |= {pid: stored[pid].with_metadata() for pid in missing if pid in stored}
        self.store.save_papers(found.values())
        progress.advance(1, "metadata")
        return self.store.get_papers(found.keys())

    async def _quick_or_note(self, paper: Paper, language: str | None = None) -> tuple[QuickAnalysis | None, str | None]:
        try:
            return await self.analyst.quick(paper, language=language), None
        except Exception as exc:  # one paper's LLM trouble never sinks the digest; a bug does
            return None, self._note(exc, f"quick analysis of {paper.id}")

    async def _deep_or_note(self, paper: Paper, language: str, *, refresh: bool) -> tuple[DeepResult | None, str | None]:
        try:
            result = await self.analyst.deep(
                paper, lambda: deep_input(self.store, self.session, self.config, paper, language),
                language=language, refresh=refresh)
            return result, None
        except NoFullText as exc:
            return None, str(exc)
        except Exception as exc:
            return None, self._note(exc, f"deep analysis of {paper.id}")

    async def _summary_or_note(self, date: str, papers: list[Paper]) -> tuple[ExecutiveSummary | None, str | None]:
        if not papers:
            return None, "no papers were picked"
        try:
            return await self.analyst.summary(date, ", ".join(self.config.arxiv.categories), papers), None
        except Exception as exc:
            return None, self._note(exc, f"executive summary of {date}")

    def _note(self, exc: Exception, what: str) -> str:
        """Why an analysis is missing, for the reader; anything that is not LLM trouble is re-raised."""
        if isinstance(exc, AnalysisFailed):
            return f"the model gave no usable answer ({exc})"
        if isinstance(exc, LLMStopped):
            return str(exc)
        if not is_llm_error(exc):
            raise exc
        log.warning("%s failed: %s: %s", what, type(exc).__name__, exc)
        return f"the LLM call failed ({type(exc).__name__})"

    # -- one paper -------------------------------------------------------------------------
    async def paper(self, id_text: str, *, deep: bool = False, language: str | None = None,
                    refresh: bool = False) -> DigestEntry:
        """One paper by any id form, with its quick analysis, or its deep one (falling back to quick without full text)."""
        paper = await self.resolve(id_text)
        entry = DigestEntry(rank=1, paper=paper, score=0.0, reason="asked for",
                            findings=tuple(key_findings(paper.abstract)), analysis=None)
        if self.llm is None:
            return replace(entry, analysis_note="analyses are off")
        language = language or self.config.llm.language
        if deep:
            result, deep_note = await self._deep_or_note(paper, language, refresh=refresh)
            entry = replace(entry, deep=result, deep_note=deep_note)
            if result is not None:
                return entry
        analysis, note = await self._quick_or_note(paper, language)
        return replace(entry, analysis=analysis, analysis_note=note)

    async def resolve(self, id_text: str) -> Paper:
        """The paper an id names, from the store or (when missing, older or incomplete there) from arXiv."""
        pid = parse_paper_id(id_text)
        paper = self.store.get_papers([pid.base]).get(pid.base)
        if paper is None or (pid.version and paper.version != pid.version) or not paper.has_metadata:
            found = await asyncio.to_thread(fetch_metadata, self.api, [str(pid)])
            if pid.base not in found:
                if paper is None or pid.version:
                    raise PaperNotFound(f"arXiv has no paper {pid}; check the id (e.g. 2602.12281)")
            else:
                if paper is None or found[pid.base].version >= paper.version:
                    self.store.save_papers([found[pid.base]])  # an older version asked for never replaces the newest
                paper = found[pid.base]
        return paper
