"""The neutral digest as Slack messages (Block Kit), within Slack's limits and inert.

Every untrusted string (titles, abstracts, authors, model output) goes through
`esc`: with `&`, `<` and `>` escaped, text cannot ping (`<!channel>`, `<@U…>`),
cannot hide a link (`<https://evil|arxiv.org>`) and cannot smuggle markup.
Links are only ever ones we build from arXiv ids. Long content is split across
blocks (3000 characters a section) and messages (50 blocks), never cut off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.analysis import ExecutiveSummary, QuickAnalysis
from bot.digest import Digest, DigestEntry, short_title
from bot.markdown import labels
from bot.text import split_text

MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BLOCKS = 50
MAX_AUTHORS = 6


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification / fallback text
    blocks: list[dict]


def esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A link we built (arXiv), with an untrusted label made inert."""
    return f"<{url}|{esc(label).replace('|', '¦')}>"


def header(text: str) -> dict:
    text = text if len(text) <= MAX_HEADER else text[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def sections(mrkdwn: str) -> list[dict]:
    """One or more section blocks holding all of `mrkdwn`, split at line breaks where possible."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk, "verbatim": True}}
            for chunk in split_text(mrkdwn, MAX_SECTION)]


def paginate(blocks: list[dict], fallback: str) -> list[SlackMessage]:
    """Blocks into as many messages as Slack's 50-block limit needs."""
    pages = [blocks[i:i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[]]
    return [SlackMessage(fallback if n == 0 else f"{fallback} (continued)", page) for n, page in enumerate(pages)]


# -- the morning post ----------------------------------------------------------------------------
def parent_message(digest: Digest) -> list[SlackMessage]:
    cats = ", ".join(digest.categories)
    blocks = [header(f"arXiv {cats} — {digest.date}"),
              {"type": "context", "elements": [{"type": "mrkdwn", "text":
                  f"*{digest.picked}* of *{digest.announced}* papers picked for this channel · votes: react to a paper's reply"}]}]
    if digest.summary is not None:
        blocks += sections(summary_text(digest.summary, digest))
    elif digest.analyses_off:
        blocks += sections("_Analyses are off (no LLM key configured)._")
    else:
        blocks += sections(f"_Executive summary unavailable: {esc(digest.summary_note or 'no usable answer')}._")
    blocks.append({"type": "divider"})
    blocks += sections("\n".join(f"{e.rank}. {link(e.paper.abs_url, e.paper.title)}" for e in digest.entries))
    return paginate(blocks, f"arXiv {cats} — {digest.date}: {digest.picked} of {digest.announced} papers")


def summary_text(summary: ExecutiveSummary, digest: Digest) -> str:
    titles = {e.rank: short_title(e.paper.title) for e in digest.entries}
    lines = ["*Main themes*"] + [f"• *{esc(t.name)}:* {esc(t.text)}" for t in summary.themes]
    lines += ["", "*Highlights*"] + [
        f"• {', '.join(f'*{esc(titles[n])}* ({n})' for n in h.papers)}: {esc(h.text)}" for h in summary.highlights]
    lines += ["", "*Emerging directions*"] + [f"• *{esc(e.name)}:* {esc(e.text)}" for e in summary.emerging]
    lines += ["", "*Recommended reads*"] + [f"• *{esc(titles[r.paper])}* ({r.paper}): {esc(r.why)}"
                                            for r in summary.recommended]
    return "\n".join(lines)


def paper_message(entry: DigestEntry, vote_emoji: tuple[str, ...] = ("star", "+1")) -> list[SlackMessage]:
    p = entry.paper
    authors = list(p.authors)
    shown = ", ".join(authors[:MAX_AUTHORS]) + (f" et al. ({len(authors)} authors)" if len(authors) > MAX_AUTHORS else "")
    blocks = sections(f"*{entry.rank}. {link(p.abs_url, p.title)}*\n{esc(shown or 'authors unknown')}")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text":
        f"{esc(', '.join(p.categories) or '—')} · picked because: {esc(entry.reason)}"}]})
    if entry.findings:
        blocks += sections("*Key findings*\n" + "\n".join(f"• {esc(f)}" for f in entry.findings))
    blocks += sections(analysis_text(entry))
    blocks += sections(f"{link(p.abs_url, 'arXiv')} · {link(p.pdf_link, 'PDF')} · {link(p.html_link, 'HTML')}")
    hint = " or ".join(f":{e}:" for e in vote_emoji)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"React with {hint} to vote for the must-read list."}]})
    return paginate(blocks, f"{entry.rank}. {esc(short_title(p.title))}")  # the notification text is mrkdwn too


def analysis_text(entry: DigestEntry) -> str:
    if entry.analysis is None:
        return f"_Analysis unavailable: {esc(entry.analysis_note or 'no usable answer')}._"
    return quick_text(entry.analysis)


def quick_text(a: QuickAnalysis) -> str:
    lines = ["*Analysis*", esc(a.main_contribution)]
    for title, items in (("Key innovations", a.key_innovations), ("Impact", a.potential_impact),
                         ("Applications", a.applications), ("Limitations", a.limitations)):
        lines += [f"*{title}*"] + [f"• {esc(i)}" for i in items]
    return "\n".join(lines)


# -- /paper ----------------------------------------------------------------------------------------
def paper_request_message(entry: DigestEntry, user: str) -> list[SlackMessage]:
    """The channel message naming the paper and who asked; the analysis goes in its thread."""
    p = entry.paper
    kind = "Deep analysis" if entry.deep is not None else "Quick analysis"
    text = f"*{kind}* of {link(p.abs_url, p.title)}, asked by <@{esc(user)}>"
    return paginate(sections(text), f"{kind} of {esc(short_title(p.title))}")


def analysis_messages(entry: DigestEntry, vote_emoji: tuple[str, ...] = ("star", "+1"), *,
                      language: str = "en") -> list[SlackMessage]:
    """The analysis of one paper for a thread: deep when there is one, else quick, labelled."""
    if entry.deep is None:
        note = f"_No deep analysis: {esc(entry.deep_note)}. This is the quick analysis from the abstract._\n" \
            if entry.deep_note else ""
        return paper_message(replace(entry, reason="asked for"), vote_emoji) if not note else \
            paginate(sections(note + analysis_text(entry)), esc(short_title(entry.paper.title)))
    # The same headings as the Markdown (bot.markdown.labels), in the channel's language.
    lab = labels(language)
    heads, point = lab["deep"], lab["deep_points"]
    a = entry.deep.analysis

    def points(group, *names: str) -> str:
        return "\n".join(f"*{point[n]}*\n" + "\n".join(f"• {esc(i)}" for i in getattr(group, n)) for n in names)

    bodies = [esc(a.abstract_translation),
              points(a.motivation, "drivers", "pain_points", "hypothesis"),
              points(a.method, "pipeline", "architecture", "formulas"),
              points(a.comparison, "differences", "contributions", "applicability"),
              points(a.experiments, "validation", "key_results", "strengths", "limitations"),
              f"*{point['availability']}:* {esc(a.practical.availability)}\n" + points(a.practical, "implementation", "transfer"),
              f"*{point['core_idea']}:* {esc(a.summary.core_idea)}\n*{point['quick_pipeline']}*\n"
              + "\n".join(f"{n}. {esc(s)}" for n, s in enumerate(a.summary.pipeline, 1))]
    blocks = []
    for title, body in zip(heads, bodies):
        blocks += [header(title)] + sections(body)
    hint = " or ".join(f":{e}:" for e in vote_emoji)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"React with {hint} to vote for the must-read list."}]})
    return paginate(blocks, f"Deep analysis of {esc(short_title(entry.paper.title))}")
