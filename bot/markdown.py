"""The digest as Markdown, in the structure of the seed digest.

Every string that came from arXiv or the model is escaped, so it renders as
text: it cannot open a link, an image, HTML or a heading of its own.
"""

from __future__ import annotations

import re

from .analysis import DeepResult, ExecutiveSummary, QuickAnalysis
from .categories import display_name
from .digest import Digest, DigestEntry, short_title

_LABELS = {
    "en": {
        "quick": ("1. Main contribution", "2. Key innovations and method", "3. Potential impact on the field",
                  "4. Related areas and applications that benefit", "5. Limitations inferred from the abstract"),
        "summary": ("Main themes and trends", "Highlights and innovations", "Emerging directions and techniques",
                    "Recommended full reads"),
        "counts": "{announced} papers announced in {cats}; {picked} picked for this digest.",
        "deep_title": "Method analysis: {title}",
        "deep": ("1. Abstract translation", "2. Motivation", "3. Method design", "4. Comparison with prior methods",
                 "5. Experiments", "6. Practical guide", "7. Summary"),
        "deep_points": {
            "drivers": "What drives the work", "pain_points": "Pain points of existing methods",
            "hypothesis": "Hypothesis", "pipeline": "Pipeline", "architecture": "Model structure",
            "formulas": "Key formulas and algorithm", "differences": "Essential difference",
            "contributions": "Contributions", "applicability": "Where it applies",
            "validation": "How it is validated", "key_results": "Key results", "strengths": "Where it shines",
            "limitations": "Limitations", "availability": "Code and data", "implementation": "Implementation details",
            "transfer": "How to transfer it", "core_idea": "Core idea", "quick_pipeline": "Quick pipeline",
        },
        "coverage": "Written from the arXiv {source} full text{pages}, about {tokens:,} of {budget:,} input tokens",
        "shortened": "shortened to fit", "dropped": "left out", "pages": " ({n} pages)",
        "quick_fallback": "No deep analysis: {note}. This is the quick analysis from the abstract.",
    },
    "zh": {
        "quick": ("1. 论文的主要贡献（2-3句话）", "2. 关键创新点或方法论", "3. 对该领域的潜在影响",
                  "4. 可能受益的相关领域或应用", "5. 从摘要中可以推断出的局限性"),
        "summary": ("主要趋势与主题", "亮点与创新", "新兴研究方向与技术", "建议阅读论文"),
        "counts": "本期 {cats} 共公布 {announced} 篇论文，精选 {picked} 篇。",
        "deep_title": "论文方法分析：{title}",
        "deep": ("1. 摘要翻译", "2. 方法动机分析", "3. 方法设计详解", "4. 方法对比分析", "5. 实验分析",
                 "6. 实用指南", "7. 总结"),
        "deep_points": {
            "drivers": "驱动力", "pain_points": "现有方法痛点", "hypothesis": "研究假设", "pipeline": "流程总结",
            "architecture": "模型结构", "formulas": "算法解释", "differences": "本质区别", "contributions": "创新贡献",
            "applicability": "适用场景", "validation": "验证方法", "key_results": "关键结果", "strengths": "优势场景",
            "limitations": "局限性", "availability": "开源情况", "implementation": "实现细节", "transfer": "迁移可能",
            "core_idea": "核心思想", "quick_pipeline": "速记版pipeline",
        },
        "coverage": "依据 arXiv {source} 全文撰写{pages}，约 {tokens:,} / {budget:,} 输入 token",
        "shortened": "为适应长度而缩短", "dropped": "未纳入", "pages": "（{n} 页）",
        "quick_fallback": "无法进行深度分析：{note}。以下为基于摘要的快速分析。",
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
        parts.append(f"**Analysis:**\n\n{render_analysis(entry, language)}")
    if entry.findings:
        parts.append("**Key Findings:**\n\n" + _bullets(list(entry.findings)))
    parts.append(f"**Links:**\n\n- [PDF]({p.pdf_link})\n- [arXiv]({p.abs_url})")
    parts.append("---")
    return "\n\n".join(parts)


def render_analysis(entry: DigestEntry, language: str) -> str:
    """The deep analysis when there is one, else the quick one (labelled when a deep one was asked for)."""
    if entry.deep is not None:
        return render_deep(entry.deep, entry.paper.title, language)
    if entry.analysis is None:
        return f"_Analysis unavailable: {md(entry.analysis_note or 'the model gave no usable answer')}._"
    quick = render_quick(entry.analysis, language)
    if entry.deep_note:  # a deep one was asked for: say plainly that this is not it
        return f"> {md(labels(language)['quick_fallback'].format(note=entry.deep_note.rstrip('.')))}\n\n{quick}"
    return quick


def render_deep(deep: DeepResult, title: str, language: str) -> str:
    lab = labels(language)
    heads, point = lab["deep"], lab["deep_points"]
    a = deep.analysis

    def points(group, *names: str) -> str:
        return "\n".join(f"- **{point[n]}:**\n" + "\n".join(f"  - {md(item)}" for item in getattr(group, n))
                         for n in names)

    parts = [
        f"## {md(lab['deep_title'].format(title=title))}",
        f"### {heads[0]}", "\n\n".join(md(p) for p in a.abstract_translation.split("\n\n")),
        f"### {heads[1]}", points(a.motivation, "drivers", "pain_points", "hypothesis"),
        f"### {heads[2]}", points(a.method, "pipeline", "architecture", "formulas"),
        f"### {heads[3]}", points(a.comparison, "differences", "contributions", "applicability"),
        f"### {heads[4]}", points(a.experiments, "validation", "key_results", "strengths", "limitations"),
        f"### {heads[5]}", f"- **{point['availability']}:** {md(a.practical.availability)}\n"
                           + points(a.practical, "implementation", "transfer"),
        f"### {heads[6]}", f"- **{point['core_idea']}:** {md(a.summary.core_idea)}\n- **{point['quick_pipeline']}:**\n"
                           + "\n".join(f"  {n}. {md(step)}" for n, step in enumerate(a.summary.pipeline, 1)),
    ]
    if deep.coverage:
        parts.append(f"_{_coverage(deep.coverage, lab)}._")
    return "\n\n".join(parts)


def _coverage(coverage: dict, lab: dict) -> str:
    pages = lab["pages"].format(n=coverage["pages"]) if coverage.get("pages") else ""
    text = lab["coverage"].format(source=coverage["source"].upper(), pages=pages,
                                  tokens=coverage["prompt_tokens"], budget=coverage["budget"])
    for key in ("shortened", "dropped"):
        if coverage.get(key):
            text += f"; {lab[key]}: {md(', '.join(coverage[key]))}"
    return text
