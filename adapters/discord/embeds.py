"""The neutral digest as Discord messages (embeds), within Discord's limits and inert.

The text is bot.markdown's, which Discord renders as written: the seed's headings
in the channel's language, and every untrusted string through `md`, so no masked
link, heading, quote, spoiler, timestamp or `<@id>` can form from a title or a
model's answer. On top of that `inert` breaks `@everyone`, `@here` and `@<id>`
with a zero-width space (they could not ping anyway: every message is sent with
allowed_mentions none). Links we build go only into embeds, where Discord never
unfurls them. Long text is split across embeds (4096 a description, 6000 a
message, 10 a message) and messages, never cut off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.digest import Digest, DigestEntry, short_title
from bot.markdown import labels, md, render_analysis, render_summary
from bot.text import split_text

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_EMBEDS = 10
MAX_EMBED_CHARS = 6000  # across all embeds of one message
MAX_THREAD_NAME = 100
MAX_AUTHORS = 6
ARXIV_RED = 0xB31B1B

_MENTION_RE = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")


@dataclass(frozen=True)
class DiscordMessage:
    embeds: tuple[dict, ...]  # discord.Embed.from_dict form: plain data, so limits are checkable here
    content: str = ""


def inert(text: str) -> str:
    """Mentions broken with a zero-width space: they show as text and cannot resolve or ping."""
    return _MENTION_RE.sub("@\u200b\\1", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def embed_size(embed: dict) -> int:
    """What Discord counts against the 6000 characters of a message's embeds."""
    return len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))


def embed_messages(title: str, url: str | None, text: str, *, prefix: str = "") -> list[DiscordMessage]:
    """Untrusted-safe: `text` under one titled embed (`prefix` is ours, e.g. the rank), continued in as
    many embeds and messages as the limits need."""
    return pack(prefix + inert(md(title)), url, inert(text))


def pack(title: str, url: str | None, text: str) -> list[DiscordMessage]:
    """Text already made inert, split over embeds (4096 each) and messages (10 embeds, 6000 characters)."""
    chunks = split_text(text, MAX_DESCRIPTION) or [""]
    embeds = [{"description": chunk, "color": ARXIV_RED} for chunk in chunks]
    embeds[0]["title"] = clip(title, MAX_TITLE)
    if url:
        embeds[0]["url"] = url
    if not embeds[0]["description"]:
        del embeds[0]["description"]
    messages: list[list[dict]] = [[]]
    size = 0
    for embed in embeds:
        if messages[-1] and (size + embed_size(embed) > MAX_EMBED_CHARS or len(messages[-1]) == MAX_EMBEDS):
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += embed_size(embed)
    return [DiscordMessage(tuple(page)) for page in messages]


def vote_hint(vote_emoji: tuple[str, ...]) -> str:
    return f"_React with {' or '.join(vote_emoji)} to vote for the must-read list._"


def links(entry: DigestEntry) -> str:
    p = entry.paper
    return f"[arXiv]({p.abs_url}) · [PDF]({p.pdf_link}) · [HTML]({p.html_link})"


# -- the morning post ----------------------------------------------------------------------------
def parent_messages(digest: Digest) -> list[DiscordMessage]:
    lab = labels(digest.language)
    parts = [lab["counts"].format(announced=digest.announced, picked=digest.picked, cats=", ".join(digest.categories))
             + " Votes: react to a paper's message in the thread."]
    if digest.summary is not None:
        parts.append(render_summary(digest.summary, digest, lab["summary"]))
    elif digest.analyses_off:
        parts.append("_Analyses are off (no LLM key configured)._")
    else:
        parts.append(f"_Executive summary unavailable: {md(digest.summary_note or 'no usable answer')}._")
    parts.append("\n".join(f"{e.rank}. [{md(e.paper.title)}]({e.paper.abs_url})" for e in digest.entries))
    return embed_messages(f"arXiv {', '.join(digest.categories)} — {digest.date}", None, "\n\n".join(parts))


def paper_messages(entry: DigestEntry, vote_emoji: tuple[str, ...], language: str) -> list[DiscordMessage]:
    p = entry.paper
    authors = list(p.authors)
    shown = ", ".join(authors[:MAX_AUTHORS]) + (f" et al. ({len(authors)} authors)" if len(authors) > MAX_AUTHORS else "")
    parts = [md(shown or "authors unknown"),
             f"_{md(', '.join(p.categories) or '—')} · picked because: {md(entry.reason)}_"]
    if entry.findings:
        parts.append("**Key findings**\n" + "\n".join(f"- {md(f)}" for f in entry.findings))
    parts += [render_analysis(entry, language), links(entry), vote_hint(vote_emoji)]
    return embed_messages(p.title, p.abs_url, "\n\n".join(parts), prefix=f"{entry.rank}. ")


# -- /paper ----------------------------------------------------------------------------------------
def paper_request_message(entry: DigestEntry, user_id: int) -> DiscordMessage:
    """The follow-up naming the paper and who asked; the analysis goes in its thread."""
    kind = "Deep analysis" if entry.deep is not None else "Quick analysis"
    [message] = embed_messages(entry.paper.title, entry.paper.abs_url, "", prefix=f"{kind}: ")
    # The asker's mention is ours (a numeric id, not text) and added after `inert`; embeds never ping.
    return replace(message, embeds=({**message.embeds[0], "description": f"Asked by <@{int(user_id)}>; "
                                     "the analysis is in the thread."},))


def request_thread_name(entry: DigestEntry) -> str:
    return clip(f"{entry.paper.id}: {short_title(entry.paper.title)}", MAX_THREAD_NAME)


def analysis_messages(entry: DigestEntry, vote_emoji: tuple[str, ...], language: str) -> list[DiscordMessage]:
    """The analysis of one paper for a thread: deep when there is one, else the quick one, labelled."""
    if entry.deep is None and not entry.deep_note:
        return paper_messages(replace(entry, reason="asked for"), vote_emoji, language)
    text = "\n\n".join([render_analysis(entry, language), links(entry), vote_hint(vote_emoji)])
    return embed_messages(entry.paper.title, entry.paper.abs_url, text, prefix=f"{entry.paper.id}: ")


def note_message(text: str) -> DiscordMessage:
    return DiscordMessage((), content=clip(inert(f"_{md(text)}_"), MAX_CONTENT))
