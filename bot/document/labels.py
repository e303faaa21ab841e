"""Every fixed word paperbot writes, per language: the seed's headings and the chat's labels.

A language we have no labels for gets English ones (the model still writes in it).
"""

from __future__ import annotations

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
        "authors": "Authors", "published": "Published", "categories": "Categories", "abstract": "Abstract",
        "analysis": "Analysis", "findings": "Key Findings", "links": "Links",
        "picked_because": "picked because: {reason}", "authors_unknown": "authors unknown",
        "et_al": " et al. ({n} authors)", "vote_hint": "React with {emoji} to vote for the must-read list.",
        "or": " or ", "head_counts": "{picked} of {announced} papers picked for this channel",
        "vote_where": "votes: react to a paper's reply", "summary_unavailable": "Executive summary unavailable: {note}",
        "analysis_unavailable": "Analysis unavailable: {note}", "analyses_off_short": "Analyses are off (no LLM key configured).",
        "deep_kind": "Deep analysis", "quick_kind": "Quick analysis", "asked_by": "Asked by ",
        "in_thread": ". The analysis is in the thread.",
        "must_read": "Must read", "must_read_empty": "Nothing on the must-read list yet: a paper needs {n} votes.",
        "must_read_line": " — {votes} votes (", "posted": "), posted {posted}",
        # answers to questions in a paper's thread
        "asked": " asked: ", "sources": "Sources", "from_abstract": "From the abstract (no full text on arXiv)",
        "from_papers": "From", "day_title": "Today's papers — {date}",
        "off_topic": "I can only answer questions about this paper, from its text.",
        "off_topic_day": "I can only answer questions about this day's papers, from their abstracts and analyses.",
        "ask_where": "Ask in the thread of a paper: a /paper answer or the morning post.",
        "ask_empty": "Ask a question about the paper, e.g. which datasets do they evaluate on?",
        "ask_limit_channel": "This channel has asked {n} questions in the last hour, the most paperbot answers; "
                             "please try again later.",
        "ask_limit_user": "You have asked {n} questions in the last hour, the most paperbot answers per person; "
                          "please try again later.",
        "ask_no_answer": "The model gave no usable answer to this question; try asking it in other words.",
        "ask_off": "Answers are off: paperbot has no LLM key configured.",
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
        # The seed's zh digest keeps these field names in English.
        "authors": "Authors", "published": "Published", "categories": "Categories", "abstract": "Abstract",
        "analysis": "Analysis", "findings": "Key Findings", "links": "Links",
        "picked_because": "入选原因：{reason}", "authors_unknown": "作者未知",
        "et_al": " 等（共 {n} 位作者）", "vote_hint": "用 {emoji} 回应即可投票，加入必读列表。",
        "or": " 或 ", "head_counts": "从 {announced} 篇论文中为本频道精选 {picked} 篇",
        "vote_where": "投票：回应论文的回复", "summary_unavailable": "执行摘要暂不可用：{note}",
        "analysis_unavailable": "分析暂不可用：{note}", "analyses_off_short": "分析已关闭（未配置 LLM 密钥）。",
        "deep_kind": "深度分析", "quick_kind": "快速分析", "asked_by": "提问者：",
        "in_thread": "。分析内容见讨论串。",
        "must_read": "必读列表", "must_read_empty": "必读列表暂为空：一篇论文需要 {n} 票。",
        "must_read_line": " — {votes} 票（", "posted": "），发布于 {posted}",
        "asked": " 提问：", "sources": "出处", "from_abstract": "仅依据摘要（arXiv 上没有全文）",
        "from_papers": "依据", "day_title": "今日论文 — {date}",
        "off_topic": "我只能根据这篇论文的内容回答关于它的问题。",
        "off_topic_day": "我只能根据当天论文的摘要和分析回答关于它们的问题。",
        "ask_where": "请在论文的讨论串中提问：/paper 的回复或每日推送的讨论串。",
        "ask_empty": "请提出一个关于论文的问题，例如：他们在哪些数据集上评估？",
        "ask_limit_channel": "本频道在过去一小时内已提问 {n} 次，已达上限；请稍后再试。",
        "ask_limit_user": "您在过去一小时内已提问 {n} 次，已达每人上限；请稍后再试。",
        "ask_no_answer": "模型没有给出可用的回答；请换一种说法再问。",
        "ask_off": "回答功能已关闭：paperbot 未配置 LLM 密钥。",
    },
}


def labels(language: str) -> dict:
    return _LABELS.get(language, _LABELS["en"])
