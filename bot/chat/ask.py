"""Questions in a paper's thread, written once for every platform: answered from the paper's full text.

A platform acknowledges at once (Slack's event ack, Discord's deferral), turns
the mention or `/ask` into a `Question` and calls `Asker.ask` with a
Conversation bound to it. The thread says what the question is about (see
threads.py): a /paper answer's paper, or the morning post's day, where the
question may name one paper ("#3", an id, title words) or else is answered over
all the day's picks. The asker always hears back: the answer in the thread, or
one sentence saying why not (a limit, a thread we know nothing of, a failure).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from ..analysis.answers import Answer, Turn, answer_day, answer_paper, normalise_question
from ..analysis.replies import QuickAnalysis
from ..document.answers import day_answer, paper_answer
from ..document.labels import labels
from ..document.model import Document
from ..engine import Engine
from ..errors import AnalysisFailed, LLMStopped, NoFullText, PaperbotError
from ..fulltext.document import FullText
from ..llm import is_llm_error, llm_failure
from ..models import ChannelRef, Paper
from .outbox import Outbox
from .seam import Conversation
from .threads import DAY_WIDE_RE, About, named_paper, thread_about

log = logging.getLogger(__name__)

FAILED = "paperbot could not answer this (the error is in its log); try again in a minute."
NO_FULLTEXT_RETRY_S = 3600  # a paper arXiv had no full text for is not asked for it again sooner
MAX_QUESTION_CHARS = 2000  # a longer question is cut: it is sent to the model, and quoted back


@dataclass(frozen=True)
class Question:
    channel: ChannelRef  # the home channel (a Discord thread's parent)
    thread: str | None  # the thread asked in (its root message id); None: not in a thread
    user: str
    text: str  # the question, without the bot's mention
    request_id: str  # the platform's id of this question: names the answer in the posts ledger
    event_id: str | None = None  # the platform's event id, when it redelivers events (Slack)


class Asker:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.store = engine.store
        self.config = engine.config.ask
        self._no_fulltext: dict[str, float] = {}

    async def ask(self, question: Question, conversation: Conversation) -> None:
        """Answer in the thread, or tell the asker in one sentence why not."""
        if question.event_id and not self.store.first_sighting(question.event_id):
            log.debug("event %s seen before: not answered again", question.event_id)
            return
        language = self.engine.config.profile(question.channel).language
        lab = labels(language)
        text = question.text.strip()[:MAX_QUESTION_CHARS]
        about = thread_about(self.store, question.channel, question.thread) if question.thread else None
        if not text or about is None or not about.papers:
            await conversation.tell(question.channel, question.user, lab["ask_empty" if not text else "ask_where"])
            return
        admission = self.store.admit_ask(question.channel, question.thread, question.user, text,
                                         question.request_id, per_channel=self.config.max_per_hour,
                                         per_user=self.config.max_per_hour_per_user)
        if admission.ask_id is None:
            limit = self.config.max_per_hour if admission.limit == "channel" else self.config.max_per_hour_per_user
            sentence = lab[f"ask_limit_{admission.limit}"].format(n=limit)
            await conversation.tell(question.channel, question.user, sentence)
            return
        try:
            answer, paper, doc = await self._answer(question, text, about, admission.ask_id, language)
        except Exception as exc:  # the asker hears why in one sentence; a bug is logged with its traceback
            self.store.finish_ask(admission.ask_id, status="failed")
            await conversation.tell(question.channel, question.user, self._failure(exc, question, language))
            return
        self.store.finish_ask(admission.ask_id, status=answer.status, paper_id=paper.id if paper else None,
                              answer=answer.text, key=answer.key)
        await self._post(question, doc, paper, conversation)

    async def _answer(self, question: Question, text: str, about: About, ask_id: int,
                      language: str) -> tuple[Answer, Paper | None, Document]:
        paper = self._target(question, text, about)
        turns = self.store.thread_turns(question.channel, question.thread, 50, before=ask_id)
        wanted, asked = paper.id if paper else None, normalise_question(text)
        # The thread's earlier turns about the same subject; the same question asked again is answered as it
        # was (from the cache), not as a follow-up of itself.
        history = [Turn(t["question"], t["answer"]) for t in turns
                   if t["paper_id"] == wanted and normalise_question(t["question"]) != asked]
        history = history[-self.config.history_turns:] if self.config.history_turns else []
        if paper is not None:
            fulltext = await self._fulltext(paper)
            answer = await answer_paper(self.engine.analyst, paper, fulltext, text, history, language, self.config)
            log.info("ask %s in %s: %s (%s)", paper.id, question.channel, answer.status, ", ".join(answer.cited))
            return answer, paper, paper_answer(answer, paper, question.user, text, language)
        analyses = self._quick_analyses(about.papers, language)
        answer = await answer_day(self.engine.analyst, about.date, list(about.papers), analyses, text, history,
                                  language, self.config)
        log.info("ask about %s in %s: %s (papers %s)", about.date, question.channel, answer.status,
                 ", ".join(p.id for p in answer.papers))
        return answer, None, day_answer(answer, about.date, question.user, text, language)

    def _target(self, question: Question, text: str, about: About) -> Paper | None:
        """The paper asked about; None for a question over the whole day."""
        if not about.is_day:
            return named_paper(text, (), about.papers) or about.papers[-1]  # the latest /paper answer's
        if found := named_paper(text, about.papers, about.requested):
            return found
        # A follow-up that names none ("and on the second dataset?") goes on with the paper the same
        # asker's previous question in this thread was about, unless it speaks of the day's papers.
        if DAY_WIDE_RE.search(text):
            return None
        turns = [t for t in self.store.thread_turns(question.channel, question.thread, 50)
                 if t["user"] == question.user]
        last = turns[-1]["paper_id"] if turns else None
        return next((p for p in about.papers + about.requested if p.id == last), None)

    async def _fulltext(self, paper: Paper) -> FullText | None:
        """The paper's full text (downloaded once), or None when arXiv has none: the abstract it is."""
        missed = self._no_fulltext.get(paper.versioned_id)
        if missed is not None and time.monotonic() - missed < NO_FULLTEXT_RETRY_S:
            return self.store.get_fulltext(paper.versioned_id)
        try:
            return await self.engine.fulltext(paper)
        except NoFullText as exc:
            log.info("ask %s: answering from the abstract (%s)", paper.versioned_id, exc)
            self._no_fulltext[paper.versioned_id] = time.monotonic()
            return None

    def _quick_analyses(self, papers: tuple[Paper, ...], language: str) -> dict[str, QuickAnalysis]:
        """The quick analyses the morning post showed, where stored (a day-wide answer reads them)."""
        found = {}
        for paper in papers:
            stored = self.store.get_analysis(self.engine.analyst.key(paper.versioned_id, "quick_analysis", language))
            if stored is not None and stored.status == "ok":
                found[paper.id] = QuickAnalysis.model_validate(stored.content)
        return found

    async def _post(self, question: Question, doc: Document, paper: Paper | None,
                    conversation: Conversation) -> None:
        # Named by the question's request id: a redelivered question is not answered twice, and votes on
        # the answer count for its paper.
        try:
            await Outbox(conversation, self.store).post(question.channel, doc, date=_today(),
                                                        item=f"ask:{question.request_id}", thread=question.thread,
                                                        paper_id=paper.id if paper else None)
        except PaperbotError as exc:  # the platform refused (not in the channel, a missing permission)
            log.warning("answer in %s: %s", question.channel, exc)
            await conversation.tell(question.channel, question.user, str(exc))
        except Exception:
            log.exception("answer in %s failed", question.channel)
            await conversation.tell(question.channel, question.user, FAILED)

    def _failure(self, exc: Exception, question: Question, language: str) -> str:
        lab = labels(language)
        if isinstance(exc, AnalysisFailed):
            return lab["ask_no_answer"]
        if isinstance(exc, LLMStopped):
            return lab["ask_off"] if self.engine.llm is None else str(exc)
        if isinstance(exc, PaperbotError):
            return str(exc)
        if is_llm_error(exc):
            return f"paperbot could not answer this: {llm_failure(exc)}; try again in a minute."
        log.error("a question in %s failed", question.channel, exc_info=exc)
        return FAILED


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()
