"""A paper's new version, told in the paper's own thread in each channel that already got it.

After a morning post, the day's replacements (announce type replace / replace-cross: stored with the
day's listing, never part of its pick) are matched against what the channel got. A paper posted there
(a morning post's reply or a /paper answer) that is now announced at a newer version than the one the
channel's messages were about gets one reply in that paper's thread per version: the posts ledger item
`version:<paper>:v<N>`, whose message is stamped with that version, so neither a restart nor a second
listing of the same version tells it twice. Its votes stay with the paper: everything is keyed by the
base id. The new version's metadata (its comment is only in the API) is stored and the older version
kept (store.paper_versions) to compare with; the model is asked what changed only when the abstract did.
"""

from __future__ import annotations

import logging

from .. import prompts
from ..analysis.analyst import ready
from ..analysis.replies import VersionChanges
from ..digest import Digest
from ..document.versions import version_reply
from ..engine import Engine
from ..errors import ArxivUnavailable, ChatError
from ..models import ChannelRef, Paper
from .outbox import Outbox

log = logging.getLogger(__name__)


def version_item(paper: Paper) -> str:
    return f"version:{paper.id}:v{paper.version}"


def abstract_changed(old: Paper, new: Paper) -> bool:
    """Changed in words, not in spacing: the feed and the API wrap the same text differently."""
    return old.abstract.split() != new.abstract.split()


class NewVersions:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.store = engine.store

    async def follow(self, outbox: Outbox, channel: ChannelRef, digest: Digest) -> int:
        """Reply in the thread of each of the channel's papers that came back as a newer version on the
        digest's day; returns how many were told now."""
        if not self.engine.config.digest.follow_new_versions:
            return 0
        due = self._due(channel, digest)
        if not due:
            return 0
        try:
            newest = await self._newest([paper for paper, _, _ in due])
        except ArxivUnavailable as exc:  # told on a later run of the same day, or not at all: never wrong
            log.warning("%s: new versions not told: %s", channel, exc)
            return 0
        language = self.engine.config.profile(channel).language
        told = 0
        for paper, thread, before in due:
            if outbox.stopping:
                break
            new = newest[paper.id]
            try:
                told += await self._tell(outbox, channel, digest.date, new, self._old(new, before), thread, language)
            except ChatError as exc:  # the platform refuses (a deleted thread): the next one may still go
                log.warning("%s: could not tell %s in its thread: %s", channel, new.versioned_id, exc)
        return told

    def _due(self, channel: ChannelRef, digest: Digest) -> list[tuple[Paper, str, int | None]]:
        """(replaced paper as listed, its thread here, the version the channel was told of) to tell now."""
        replaced = self.store.replacements(digest.date, digest.categories)
        messages = self.store.paper_messages(channel, [p.id for p in replaced])
        done = self.store.posted(channel, digest.date)
        due = []
        for paper in replaced:
            post = messages.get(paper.id)
            if post is None or not post["thread"]:
                continue  # not a paper of this channel (or one with no thread to reply in)
            before = self.store.version_told(channel, paper.id)
            if version_item(paper) in done or before is None or paper.version > before:  # in the ledger: resume
                due.append((paper, post["thread"], before))
        return due

    async def _newest(self, papers: list[Paper]) -> dict[str, Paper]:
        """The announced versions with their metadata, from the store or (one API call) arXiv; stored."""
        have = {p.id: self.store.paper_version(p.id, p.version) for p in papers}
        wanted = [p for p in papers if not (have[p.id] and have[p.id].has_metadata)]
        found = await self.engine.arxiv.metadata([p.versioned_id for p in wanted]) if wanted else {}
        fresh = [found.get(p.id) or p for p in wanted]  # the feed's title and abstract if the API lacks it
        stored = self.store.get_papers(p.id for p in fresh)
        # Newest first in `papers`: a version older than the stored one never takes its place.
        self.store.save_papers(p for p in fresh if p.id not in stored or p.version >= stored[p.id].version)
        by_id = {p.id: p for p in fresh}
        return {p.id: by_id.get(p.id) or have[p.id] for p in papers}

    def _old(self, new: Paper, before: int | None) -> Paper | None:
        """The version the channel had, to compare with (the newest older one known, if not known)."""
        if before is not None and before < new.version:
            return self.store.paper_version(new.id, before)
        return self.store.previous_version(new.id, new.version)

    async def _tell(self, outbox: Outbox, channel: ChannelRef, day: str, new: Paper, old: Paper | None,
                    thread: str, language: str) -> bool:
        changed = None if old is None else abstract_changed(old, new)
        what, note = await self._what_changed(old, new, language) if changed else (None, None)
        doc = version_reply(new, old, day=day, changed=changed, what_changed=what, note=note, language=language)
        told = any(s.new for s in await outbox.post(channel, doc, date=day, item=version_item(new), thread=thread,
                                                     paper_id=new.id))
        if told:
            log.info("%s: told %s in its thread (abstract %s)", channel, new.versioned_id,
                     {None: "not compared", True: "changed", False: "unchanged"}[changed])
        return told

    async def _what_changed(self, old: Paper, new: Paper, language: str) -> tuple[str | None, str | None]:
        """The model's paragraph on what changed (paid once per pair of versions and language), or why not."""
        variables = dict(paper_id=new.id, old_version=str(old.version), new_version=str(new.version),
                         old_title=prompts.as_data(old.title), title=prompts.as_data(new.title),
                         old_comment=prompts.as_data(old.comment or "none"),
                         new_comment=prompts.as_data(new.comment or "none"),
                         old_abstract=prompts.as_data(old.abstract), abstract=prompts.as_data(new.abstract))
        analyst = self.engine.analyst
        key = analyst.key(f"{new.id}v{old.version}-v{new.version}", "version_changes", language)
        try:
            result, _ = await analyst.analyse(key, new.version, VersionChanges, ready(variables))
        except Exception as exc:  # LLM trouble is a note in the reply; anything else is a bug and is raised
            return None, self.engine._note(exc, f"what changed in {new.versioned_id}")
        return result.what_changed, None
