"""The digest as Markdown, in the structure of the seed digest.

Every string that came from arXiv or the model is escaped, so it renders as
text: it cannot open a link, an image, HTML or a heading of its own.
"""

from __future__ import annotations

import re

from .analysis import ExecutiveSummary, QuickAnalysis
from .categories import display_name
from .digest import Digest, DigestEntry, short_title

_LABELS = {
    "en": {
        "quick": ("1. Main contribution", "2. Key innovations and method", "3. Potential impact on the field",
                  "4. Related areas and applications that benefit", "5. Limitations inferred from the abstract"),
        "summary": ("Main themes and trends", "Highlights and innovations", "Emerging directions and techniques",
                    "Recommended full reads"),
        "counts": "{announced} papers announced in {cats}; {picked} picked for this digest.",
    },
    "zh": {
        "quick": ("1. 论文的主要贡献（2-3句话）", "2. 关键创新点或方法论", "3. 对该领域的潜在影响",
                  "4. 可能受益的相关领域或应用", "5. 从摘要中可以推断出的局限性"),
        "summary": ("主要趋势与主题", "亮点与创新", "新兴研究方向与技术", "建议阅读论文"),
        "counts": "本期 {cats} 共公布 {announced} 篇论文，精选 {picked} 篇。",
    },
}
ANALYSES_OFF = ("Analyses are off: set the key named by [llm] api_key_env (OPENAI_API_KEY by default) "
                "and run without --no-llm to have them written.")

_ESCAPE_RE = re.compile(r"([\\`*_~\[\]<>|])")  # ~ too: "~~~" would open a code fence
_LINE_START_RE = re.compile(r"^([#>+=-]|\d+[.)])")


def md(text: str) -> str:
    """Untrusted text as inert inline Markdown, on one line."""
    text = _ESCAPE_RE.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START_RE.sub(r"\\\1", text)


def labels(language: str) -> dict:
    return _LABELS.get(language, _LABELS["en"])


def render_digest(digest: Digest) -> str:
    names = " & ".join(display_name(c) for c in digest.categories)
    parts = [f"time: {digest.date.replace('-', '')}", f"# Arxiv {names} Papers - {digest.date}",
             "## Executive Summary", _summary(digest), "---", "## Table of Contents"]
    parts.append("\n".join(f"{e.rank}. [{md(e.paper.title)}](#{e.paper.versioned_id})" for e in digest.entries))
    parts += ["---", "## Papers"]
    parts += [render_entry(e, language=digest.language, analyses_off=digest.analyses_off) for e in digest.entries]
    return "\n\n".join(parts) + "\n"


def _summary(digest: Digest) -> str:
    lab = labels(digest.language)
    counts = lab["counts"].format(announced=digest.announced, picked=digest.picked,
                                  cats=", ".join(digest.categories))
    lines = [counts]
    if digest.analyses_off:
        lines.append(f"> {ANALYSES_OFF}")
    elif digest.summary is not None:
        lines.append(render_summary(digest.summary, digest, lab["summary"]))
    else:
        lines.append(f"_Executive summary unavailable: {md(digest.summary_note or 'the model gave no usable answer')}._")
    return "\n\n".join(lines)


def render_summary(summary: ExecutiveSummary, digest: Digest, headings: tuple[str, ...]) -> str:
    titles = {e.rank: short_title(e.paper.title) for e in digest.entries}

    def ref(n: int) -> str:
        return f"**{md(titles[n])} ({n})**"

    blocks = [
        (headings[0], [f"- **{md(t.name)}:** {md(t.text)}" for t in summary.themes]),
        (headings[1], [f"- {', '.join(ref(n) for n in h.papers)}: {md(h.text)}" for h in summary.highlights]),
        (headings[2], [f"- **{md(e.name)}:** {md(e.text)}" for e in summary.emerging]),
        (headings[3], [f"{i}. {ref(r.paper)}: {md(r.why)}" for i, r in enumerate(summary.recommended, 1)]),
    ]
    return "\n\n".join(f"**{title}:**\n\n" + "\n".join(items) for title, items in blocks if items)


def render_quick(analysis: QuickAnalysis, language: str) -> str:
    heads = labels(language)["quick"]
    sections = [
        (heads[0], md(analysis.main_contribution)),
        (heads[1], _bullets(analysis.key_innovations)),
        (heads[2], _bullets(analysis.potential_impact)),
        (heads[3], _bullets(analysis.applications)),
        (heads[4], _bullets(analysis.limitations)),
    ]
    return "\n\n".join(f"**{head}**\n\n{body}" for head, body in sections)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {md(item)}" for item in items)


def render_entry(entry: DigestEntry, *, language: str, analyses_off: bool) -> str:
    p = entry.paper
    published = p.published or "—"
    parts = [
        f"<a id='{p.versioned_id}'></a>\n## [{md(p.title)}]({p.abs_url})",
        f"**Authors:** {md(', '.join(p.authors))}",
        f"**Published:** {published}",
        f"**Categories:** {', '.join(md(c) for c in p.categories)}",
        f"**Abstract:**\n\n{md(p.abstract)}",
    ]
    if not analyses_off:
        body = render_quick(entry.analysis, language) if entry.analysis else \
            f"_Analysis unavailable: {md(entry.analysis_note or 'the model gave no usable answer')}._"
        parts.append(f"**Analysis:**\n\n{body}")
    if entry.findings:
        parts.append("**Key Findings:**\n\n" + _bullets(list(entry.findings)))
    parts.append(f"**Links:**\n\n- [PDF]({p.pdf_link})\n- [arXiv]({p.abs_url})")
    parts.append("---")
    return "\n\n".join(parts)
