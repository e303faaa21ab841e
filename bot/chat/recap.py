"""The weekly recap of one channel: gathered from the store, written once, posted exactly once.

One message per channel and ISO week, recorded in the posts ledger as item `recap:<week>` under the
week's Monday (the week alone names it: the scheduled job, a catch-up after downtime and
`paperbot recap --week` find the same row whatever day they run). A recap already in the ledger is
resumed, not rebuilt from a later state: it is gathered up to the time its first message went out, so
what is sent after a crash continues the same document. `force` posts another under `recap:<week>+<n>`.
The themes paragraph is paid once per channel, week and set of picks (see `themes`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from .. import prompts
from ..analysis.analyst import ready
from ..analysis.replies import WeeklyThemes
from ..config import ChannelConfig
from ..document.markdown import render
from ..document.model import Document
from ..document.recap import empty_week, recap
from ..engine import Engine
from ..models import ChannelRef, Paper
from ..weeks import IsoWeek, WeekCounts, WeekPaper, WeekRecap
from .outbox import Outbox
from .seam import Conversation

log = logging.getLogger(__name__)

MOST_ASKED = 5
THEMES_PAPERS = 60  # the most papers the themes prompt lists (a week of ten-paper mornings is 50)
THEMES_ABSTRACT = 400  # characters of each abstract it shows


@dataclass(frozen=True)
class RecapResult:
    week: IsoWeek
    sent: int  # messages sent now
    already: bool = False  # the week's recap was in the ledger before (and is complete now)
    empty: bool = False  # nothing was posted that week (with post_empty_days: the note)


class WeeklyRecap:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.store = engine.store

    def week_due(self, channel: ChannelConfig, now: datetime | None = None) -> IsoWeek:
        """The week a recap posted now in the channel's time zone is of."""
        now = now or self.engine.clock()
        return IsoWeek.recapped_on(now.astimezone(ZoneInfo(channel.timezone)).date())

    async def post(self, outbox: Outbox, channel: ChannelConfig, week: IsoWeek, *, force: bool = False) -> RecapResult:
        """Post the week's recap to the channel once (what of it is not posted yet)."""
        ref, day = channel.ref, week.monday.isoformat()
        done = self.store.posted(ref, day)
        item = _item(week, done, force)
        until = _parse(done[item]["posted_at"]) if item in done else None  # resumed: the same content
        doc = await self.document(channel, week, outbox.conversation, until=until)
        empty = doc is None
        if empty:
            if not self.engine.config.digest.post_empty_days:
                log.info("%s: nothing was posted in %s: no recap", ref, week)
                return RecapResult(week, 0, empty=True)
            doc = empty_week(str(week), self.engine.config.profile(ref).language)
        posted = await outbox.post(ref, doc, date=day, item=item, rest_in_thread=doc.title or str(week))
        sent = sum(s.new for s in posted)
        log.info("%s: recap of %s: %d messages sent now", ref, week, sent)
        return RecapResult(week, sent, already=item in done and not sent, empty=empty)

    async def markdown(self, channel: ChannelConfig, week: IsoWeek) -> str | None:
        """The recap as Markdown (`paperbot recap --dry-run`); None for a week with nothing posted."""
        doc = await self.document(channel, week)
        return render(doc) if doc else None

    async def document(self, channel: ChannelConfig, week: IsoWeek, conversation: Conversation | None = None, *,
                       until: datetime | None = None) -> Document | None:
        """The recap of the week up to `until` (default: now or the week's end); None when nothing was posted.
        With a conversation that gives permalinks, each paper links to its own message."""
        data = self.gather(channel, week, until or self.engine.clock())
        if data.empty:
            return None
        themes, note = await self.themes(channel.ref, data)
        data = replace(data, themes=themes, themes_note=note)
        if conversation is not None and hasattr(conversation, "permalink"):
            data = await self._linked(conversation, channel.ref, data)
        return recap(data)

    def gather(self, channel: ChannelConfig, week: IsoWeek, now: datetime) -> WeekRecap:
        """What the store says of the channel's week, up to `now`."""
        ref, config = channel.ref, self.engine.config
        profile, threshold = config.profile(ref), config.votes.threshold
        start, end = week.bounds(channel.timezone)
        since, until = _iso(start), _iso(min(end, now))
        mornings = self.store.week_mornings(ref, since, until)
        picks = self.store.week_picks(ref, since, until)
        crossings = self.store.week_crossings(ref, threshold, since, until)
        asks = self.store.week_asks(ref, since, until)
        questions = self.store.week_questions(ref, since, until)
        papers = self.store.get_papers([*picks, *(c["paper_id"] for c in crossings), *(a["paper_id"] for a in asks),
                                        *(q["paper_id"] for q in questions)])
        read = self.store.read_before(ref, [c["paper_id"] for c in crossings], until)
        counts = WeekCounts(announced=sum(m["announced"] for m in mornings),
                            posted=len(set(picks) | {a["paper_id"] for a in asks}),
                            voted=self.store.week_voted(ref, since, until), read=self.store.week_read(ref, since, until))
        return WeekRecap(
            week=week, categories=profile.categories, language=profile.language, threshold=threshold,
            mornings=len(mornings), counts=counts, picks=tuple(papers[p] for p in picks if p in papers),
            must_read=tuple(WeekPaper(papers[c["paper_id"]], votes=c["votes"], read=c["paper_id"] in read)
                            for c in crossings if c["paper_id"] in papers),
            most_asked=tuple(WeekPaper(papers[a["paper_id"]], asks=a["asks"])
                             for a in asks[:MOST_ASKED] if a["paper_id"] in papers),
            most_discussed=tuple(WeekPaper(papers[q["paper_id"]], questions=q["questions"])
                                 for q in questions[:MOST_ASKED] if q["paper_id"] in papers))

    async def themes(self, ref: ChannelRef, data: WeekRecap) -> tuple[str | None, str | None]:
        """The paragraph on the week's themes over its picks, or why there is none.

        Keyed by the channel, the week and the picks it was written from (as the day's summary is by its
        picks): a recap previewed on Wednesday is not served again on Friday with two days missing."""
        if not data.picks:
            return None, None
        papers = data.picks[:THEMES_PAPERS]
        votes = {p.paper.id: p.votes for p in data.must_read}
        listing = "\n\n".join(_listed(n, p, votes.get(p.id)) for n, p in enumerate(papers, 1))
        picked = hashlib.sha256(",".join(p.versioned_id for p in papers).encode()).hexdigest()[:12]
        analyst = self.engine.analyst
        key = analyst.key(f"{ref}:{data.week}:{picked}", "weekly_themes", data.language)
        variables = dict(categories=", ".join(data.categories), week=str(data.week), papers=listing)
        try:
            result, _ = await analyst.analyse(key, 0, WeeklyThemes, ready(variables))
        except Exception as exc:  # LLM trouble is a note ("unavailable", never filler); a bug is raised
            return None, self.engine._note(exc, f"themes of {data.week} for {ref}")
        return result.paragraph, None

    async def _linked(self, conversation: Conversation, ref: ChannelRef, data: WeekRecap) -> WeekRecap:
        """Each listed paper with a link to its own message here (its morning reply or /paper answer)."""
        listed = [*data.must_read, *data.most_asked, *data.most_discussed]
        messages = self.store.paper_messages(ref, [p.paper.id for p in listed])
        links: dict[str, str | None] = {}
        for paper_id, post in messages.items():
            try:
                links[paper_id] = await conversation.permalink(ref, post["message"], post["thread"])
            except Exception as exc:  # a link is a convenience: the recap goes out without it
                log.warning("%s: no link to %s's message (%s)", ref, paper_id, type(exc).__name__)

        def linked(entries: tuple[WeekPaper, ...]) -> tuple[WeekPaper, ...]:
            return tuple(replace(p, link=links.get(p.paper.id)) for p in entries)

        return replace(data, must_read=linked(data.must_read), most_asked=linked(data.most_asked),
                       most_discussed=linked(data.most_discussed))


def _item(week: IsoWeek, done: dict, force: bool) -> str:
    """The recap's ledger item: `recap:<week>`, or with `force` the next free `recap:<week>+<n>`."""
    item = f"recap:{week}"
    if not force or item not in done:
        return item
    n = 2
    while f"{item}+{n}" in done:
        n += 1
    return f"{item}+{n}"


def _listed(n: int, paper: Paper, votes: int | None) -> str:
    abstract = paper.abstract if len(paper.abstract) <= THEMES_ABSTRACT else paper.abstract[:THEMES_ABSTRACT] + "…"
    voted = f" [{votes} votes]" if votes else ""
    return f"[{n}] {prompts.as_data(paper.title)}{voted}\n{prompts.as_data(abstract)}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)
