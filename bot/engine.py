"""The one place that knows the order of the steps: list, pick, analyse, complete, assemble.

One Engine per process: one Store, one arXiv client (one pacer), one LLM client
with one concurrency limit, and one Analyst with one in-flight table, shared by
every channel and platform. What is specific to a request (the channel's
categories, interests, language, how many papers) travels with it as a
`Profile`. Every step stores its result before the next one starts, so a run
that dies halfway is resumed by running it again: what is stored is not
fetched again and what is analysed is not paid for again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections import Counter
from dataclasses import replace

from .analysis.analyst import Analyst
from .analysis.deep_input import deep_input
from .analysis.replies import DeepResult, ExecutiveSummary, QuickAnalysis
from .arxiv.client import ArxivClient
from .arxiv.ids import parse_paper_id
from .clock import Clock, utc_now
from .config import Config, Profile
from .digest import Digest, DigestEntry
from .errors import AnalysisFailed, LLMStopped, NoFullText, PaperNotFound
from .findings import key_findings
from .fulltext.document import FullText
from .llm import LLMClient, is_llm_error, llm_failure
from .models import Paper
from .picking import DayPicker
from .progress import NO_PROGRESS, Progress
from .store import Store

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, config: Config, *, use_llm: bool = True, clock: Clock = utc_now):
        self.config = config
        self.clock = clock  # the process's time: the scheduler's, the recap's and the chat tables'
        self.store = Store(config.db_path, lease_s=config.storage.lease_s, clock=clock)
        self.run_id = uuid.uuid4().hex
        self.arxiv = ArxivClient(config.arxiv)
        api_key = config.llm_api_key()
        self.llm: LLMClient | None = None
        if use_llm and api_key:
            self.llm = LLMClient(config.llm, base_url=config.llm_base_url, api_key=api_key,
                                 store=self.store, run_id=self.run_id)
        self.analyst = Analyst(self.store, self.llm, deep_max_tokens=config.llm.deep_max_output_tokens)
        self.days = DayPicker(self.store, self.arxiv, config.arxiv.announce_types, config.ranking)
        self._metadata_lock = asyncio.Lock()
        self._wanted: set[str] = set()  # ids whose metadata a pick is waiting for
        self._fetching: set[str] = set()  # ids a request on its way asks for
        self._wanted_lock = threading.Lock()  # taken from the request's worker thread
        self._resolving: dict[str, asyncio.Future] = {}  # id -> its lookup in flight

    async def close(self) -> None:
        """Close everything the engine opened: the LLM client, the arXiv session, the database."""
        if self.llm:
            await self.llm.close()
        self.arxiv.close()
        self.store.close()

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- the daily digest -------------------------------------------------------------
    async def build_digest(self, profile: Profile, date: str | None = None, *,
                           progress: Progress = NO_PROGRESS) -> Digest:
        date, listed, picked = await self.days.pick(profile, date, progress)
        deep_count = min(profile.deep_top_k, len(picked)) if self.llm else 0
        missing = [r.paper.id for r in picked if not r.paper.has_metadata]
        progress.total(1 + bool(missing) + len(picked) + deep_count + 1)
        progress.advance(1, "listed")

        papers = [r.paper for r in picked]
        metadata = asyncio.create_task(self._complete_metadata(missing, progress))
        analyses = await asyncio.gather(
            self._step(progress, "summarised", self._summary_or_note(date, profile, papers)),
            *(self._step(progress, "analysed", self._quick_or_note(p, profile.language)) for p in papers),
            *(self._step(progress, "deep analysis", self._deep_or_note(p, profile.language, refresh=False))
              for p in papers[:deep_count]))
        completed = await asyncio.gather(metadata, return_exceptions=True)
        if isinstance(completed[0], BaseException):
            raise completed[0]  # analyses are stored already: a re-run pays for none of them
        by_id = {p.id: p for p in papers} | completed[0]
        summary, quicks, deeps = analyses[0], analyses[1:1 + len(papers)], analyses[1 + len(papers):]
        if self.llm is not None:  # with analyses off, the output says so once
            _warn_once_per_kind(date, profile, [summary, *quicks, *deeps])
        entries = tuple(
            DigestEntry(rank=n, paper=by_id[r.paper.id], score=r.score, reason=r.reason,
                        findings=tuple(key_findings(by_id[r.paper.id].abstract)),
                        analysis=quicks[n - 1][0], analysis_note=quicks[n - 1][1],
                        deep=deeps[n - 1][0] if n <= len(deeps) else None,
                        deep_note=deeps[n - 1][1] if n <= len(deeps) else None)
            for n, r in enumerate(picked, 1))
        self.store.save_digest(date, profile.key, categories=list(profile.categories), announced=len(listed),
                               picked=[e.paper.id for e in entries], language=profile.language)
        return Digest(date=date, categories=profile.categories, announced=len(listed), language=profile.language,
                      entries=entries, summary=summary[0], summary_note=summary[1], analyses_off=self.llm is None)

    @staticmethod
    async def _step(progress: Progress, label: str, work):
        result = await work
        progress.advance(1, label)
        return result

    async def _complete_metadata(self, ids: list[str], progress: Progress) -> dict[str, Paper]:
        if not ids:
            return {}
        # Channels posting together each complete their picks: what one asks for while another's request
        # waits for the pacer goes in that request (taken at its turn), so a turn serves everyone waiting.
        with self._wanted_lock:  # not what a request on its way is fetching already
            self._wanted.update(pid for pid in ids if pid not in self._fetching)
        async with self._metadata_lock:
            while self._still_wanted(ids):
                taken: list[str] = []  # filled in the request's thread when its turn comes

                def take(limit: int) -> list[str]:
                    taken.extend(self._take_wanted(limit))
                    return list(taken)

                try:
                    _, found = await self.arxiv.metadata_pending(take)
                    self._save_metadata(taken, found)
                finally:
                    with self._wanted_lock:  # asked for (or failed): a later pick may ask again
                        self._fetching.difference_update(taken)
                if not taken:  # another caller's request took them all
                    break
        progress.advance(1, "metadata")
        return self.store.get_papers(ids)

    def _save_metadata(self, taken: list[str], found: dict[str, Paper]) -> None:
        missing = sorted(set(taken) - found.keys())
        if missing:
            # Marked as asked, so a rebuild does not ask again for what arXiv does not have.
            log.warning("the arXiv API has no metadata for %s; using the feed's", ", ".join(missing))
            stored = self.store.get_papers(missing)
            found = found | {pid: stored[pid].with_metadata() for pid in missing if pid in stored}
        self.store.save_papers(found.values())

    def _still_wanted(self, ids: list[str]) -> bool:
        with self._wanted_lock:
            return any(pid in self._wanted for pid in ids)

    def _take_wanted(self, limit: int) -> list[str]:
        """Called in the request's thread at its turn: up to `limit` of the ids still wanted."""
        with self._wanted_lock:
            taken = sorted(self._wanted)[:limit]
            self._wanted.difference_update(taken)
            self._fetching.update(taken)
        return taken

    async def _quick_or_note(self, paper: Paper, language: str) -> tuple[QuickAnalysis | None, str | None]:
        try:
            return await self.analyst.quick(paper, language), None
        except Exception as exc:  # one paper's LLM trouble never sinks the digest; a bug does
            return None, self._note(exc, f"quick analysis of {paper.id}")

    async def _deep_or_note(self, paper: Paper, language: str, *, refresh: bool) -> tuple[DeepResult | None, str | None]:
        async def prepare():
            return deep_input(await self.fulltext(paper), paper, language, self.config.llm.deep_max_input_tokens)

        try:
            return await self.analyst.deep(paper, prepare, language, refresh=refresh), None
        except NoFullText as exc:
            return None, str(exc)
        except Exception as exc:
            return None, self._note(exc, f"deep analysis of {paper.id}")

    async def _summary_or_note(self, date: str, profile: Profile,
                               papers: list[Paper]) -> tuple[ExecutiveSummary | None, str | None]:
        if not papers:
            return None, "no papers were picked"
        try:
            return await self.analyst.summary(date, ", ".join(profile.categories), papers, profile.language), None
        except Exception as exc:
            return None, self._note(exc, f"executive summary of {date}")

    def _note(self, exc: Exception, what: str) -> str:
        """Why an analysis is missing, for the reader (never what the model wrote); anything that is not
        LLM trouble is re-raised."""
        if isinstance(exc, AnalysisFailed):
            return f"the model gave no usable answer ({exc})"
        if isinstance(exc, LLMStopped):
            return str(exc)
        if not is_llm_error(exc):
            raise exc
        log.debug("%s failed: %s: %s", what, type(exc).__name__, exc)
        return llm_failure(exc)

    # -- one paper -------------------------------------------------------------------------
    async def paper(self, id_text: str, language: str, *, deep: bool = False, refresh: bool = False) -> DigestEntry:
        """One paper by any id form, with its quick analysis, or its deep one (falling back to quick without full text)."""
        paper = await self.resolve(id_text)
        entry = DigestEntry(rank=1, paper=paper, score=0.0, reason="asked for",
                            findings=tuple(key_findings(paper.abstract)), analysis=None)
        if self.llm is None:
            return replace(entry, analysis_note="analyses are off")
        if deep:
            result, deep_note = await self._deep_or_note(paper, language, refresh=refresh)
            entry = replace(entry, deep=result, deep_note=deep_note)
            if result is not None:
                return entry
        analysis, note = await self._quick_or_note(paper, language)
        return replace(entry, analysis=analysis, analysis_note=note)

    async def resolve(self, id_text: str) -> Paper:
        """The paper an id names, from the store or (when missing, older or incomplete there) from arXiv.
        People asking for the same new paper at once share one lookup."""
        pid = parse_paper_id(id_text)
        if str(pid) in self._resolving:
            return await asyncio.shield(self._resolving[str(pid)])
        future = asyncio.ensure_future(self._resolve(pid))
        self._resolving[str(pid)] = future
        future.add_done_callback(lambda _: self._resolving.pop(str(pid), None))
        return await asyncio.shield(future)

    async def _resolve(self, pid) -> Paper:
        paper = self.store.get_papers([pid.base]).get(pid.base)
        if paper is None or (pid.version and paper.version != pid.version) or not paper.has_metadata:
            found = await self.arxiv.metadata([str(pid)])
            if pid.base not in found:
                if paper is None or pid.version:
                    raise PaperNotFound(f"arXiv has no paper {pid}; check the id (e.g. 2602.12281)")
            else:
                if paper is None or found[pid.base].version >= paper.version:
                    self.store.save_papers([found[pid.base]])  # an older version asked for never replaces the newest
                paper = found[pid.base]
        return paper

    async def fulltext(self, paper: Paper) -> FullText:
        """The paper's extracted full text, downloaded once whichever process asks (NoFullText without one)."""
        async def download() -> FullText:
            fulltext = await self.arxiv.fulltext(paper)
            self.store.save_fulltext(fulltext)
            return fulltext

        return await self.store.once(f"fulltext/{paper.versioned_id}",
                                     lambda: self.store.get_fulltext(paper.versioned_id), download)


def _warn_once_per_kind(date: str, profile: Profile, results: list[tuple[object, str | None]]) -> None:
    """One warning per kind of failure with its count, not one per paper (and none for a missing full
    text, which the digest says itself)."""
    kinds = Counter(note for _, note in results if note and not note.startswith("arXiv has no usable full text"))
    for note, count in kinds.items():
        log.warning("%d of %d analyses of %s for %s could not be written: %s", count, len(results), date,
                    profile.key, note)
