"""Sample data that tests and benchmarks share: the seed's papers as feed items, filler papers, a
well-behaved fake model's answers, and a ready-made digest."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from bot.analysis.replies import ExecutiveSummary, QuickAnalysis
from bot.digest import Digest, DigestEntry
from bot.models import Paper

from .arxiv_fake import FeedItem
from .ask_model import ask_reply

DAY = dt.date(2026, 2, 9)
SEED = json.loads((Path(__file__).resolve().parents[1] / "tests" / "data" / "seed_key_findings.json")
                  .read_text(encoding="utf-8"))


def seed_items() -> list[FeedItem]:
    """The seed digest's ten real papers, as the cs.CV feed would list them."""
    return [FeedItem(p["id"].split("v")[0], title=p["title"], abstract=p["abstract"],
                     authors=["Ada Lovelace", "Alan Turing"], categories=["cs.CV"]) for p in SEED]


def filler_items(count: int, start: int = 1000) -> list[FeedItem]:
    topics = ["protein folding", "graph coloring", "speech synthesis", "quantum error correction",
              "reinforcement learning for trading", "federated optimisation"]
    return [FeedItem(f"2602.{start + n:05d}", title=f"A study of {topics[n % len(topics)]} number {n}",
                     abstract=f"We study {topics[n % len(topics)]}. We propose method {n}. Experiments show gains.",
                     authors=["Grace Hopper"], categories=["cs.CV"]) for n in range(count)]


# -- the fake model's answers -------------------------------------------------------------------
_PAPER_ID_RE = re.compile(r'<paper id="([^"]+)">')
_NUMBERS_RE = re.compile(r"^\[(\d+)\]", re.MULTILINE)


def smart_responder(request: dict) -> str:
    """A well-behaved model: valid JSON of the asked-for kind, in the asked-for language."""
    system, user = (m["content"] for m in request["messages"][:2])
    zh = "Simplified Chinese" in system
    if '"main_contribution"' in system:
        pid = _PAPER_ID_RE.search(user).group(1)
        return json.dumps(quick_reply(pid, zh), ensure_ascii=False)
    if '"abstract_translation"' in system:
        pid = _PAPER_ID_RE.search(user).group(1)
        return json.dumps(deep_reply(pid, zh), ensure_ascii=False)
    if '"not_in_paper"' in system:  # a question about a paper or the day's papers (prompts ask_*.toml)
        return ask_reply(system, user)
    numbers = [int(n) for n in _NUMBERS_RE.findall(user)] or [1]
    return json.dumps(summary_reply(numbers, zh), ensure_ascii=False)


def quick_reply(pid: str, zh: bool = False) -> dict:
    if zh:
        return {"main_contribution": f"论文 {pid} 提出了一种新方法。该方法提高了效率。",
                "key_innovations": ["新的条件机制", "随机打乱策略"], "potential_impact": ["推动视频生成研究"],
                "applications": ["电影制作", "机器人"], "limitations": ["依赖合成数据"]}
    return {"main_contribution": f"Paper {pid} proposes a new method. It improves efficiency.",
            "key_innovations": ["A new conditioning mechanism", "A shuffling strategy"],
            "potential_impact": ["Moves video generation forward"],
            "applications": ["Film production", "Robotics"], "limitations": ["Relies on synthetic data"]}


def summary_reply(numbers: list[int], zh: bool = False) -> dict:
    first, last = numbers[0], numbers[-1]
    if zh:
        return {"themes": [{"name": "三维场景表示", "text": f"多篇论文 ({first})"}],
                "highlights": [{"papers": [first], "text": "显著进步"}],
                "emerging": [{"name": "端侧生成", "text": "模型压缩"}],
                "recommended": [{"paper": last, "why": "适合关注压缩的研究者"}]}
    return {"themes": [{"name": "3D scene representation", "text": f"Several papers ({first})"}],
            "highlights": [{"papers": [first], "text": "A clear step forward"}],
            "emerging": [{"name": "On-device generation", "text": "Model compression"}],
            "recommended": [{"paper": last, "why": "For readers who care about compression"}]}


def deep_reply(pid: str, zh: bool = False) -> dict:
    """A complete seven-part deep analysis."""
    if zh:
        return {"abstract_translation": f"论文 {pid} 的摘要翻译。我们提出了一种新方法。",
                "motivation": {"drivers": ["降低成本"], "pain_points": ["现有方法不一致"], "hypothesis": ["隐式表示足够"]},
                "method": {"pipeline": ["编码输入", "融合特征", "生成输出"], "architecture": ["编码器与解码器"],
                           "formulas": ["$L = ||x - y||^2$：重建损失"]},
                "comparison": {"differences": ["无需显式三维重建"], "contributions": ["新的条件机制"],
                               "applicability": ["视频生成"]},
                "experiments": {"validation": ["两个数据集"], "key_results": ["mIoU 达到 47.3，提升 2.1"],
                                "strengths": ["大视角变化"], "limitations": ["依赖合成数据"]},
                "practical": {"availability": "论文未说明代码是否开源", "implementation": ["学习率 5e-5"],
                              "transfer": ["可用于其他生成任务"]},
                "summary": {"core_idea": "用隐式表示引导生成", "pipeline": ["编码", "融合", "生成"]}}
    return {"abstract_translation": f"The abstract of {pid}, restated. We propose a new method.",
            "motivation": {"drivers": ["Lower the cost"], "pain_points": ["Existing methods drift"],
                           "hypothesis": ["An implicit representation is enough"]},
            "method": {"pipeline": ["Encode the input", "Fuse the features", "Decode the output"],
                       "architecture": ["An encoder and a decoder"],
                       "formulas": ["$L = ||x - y||^2$: the reconstruction loss"]},
            "comparison": {"differences": ["No explicit 3D reconstruction"], "contributions": ["A new conditioning"],
                           "applicability": ["Video generation"]},
            "experiments": {"validation": ["Two datasets, three baselines"],
                            "key_results": ["47.3 mIoU, +2.1 over the baseline"],
                            "strengths": ["Large viewpoint changes"], "limitations": ["Relies on synthetic data"]},
            "practical": {"availability": "The paper does not say whether code is released",
                          "implementation": ["Learning rate 5e-5, batch size 16"],
                          "transfer": ["Other conditional generation tasks"]},
            "summary": {"core_idea": "Guide generation with an implicit representation",
                        "pipeline": ["Encode", "Fuse", "Generate"]}}


def make_digest(count=10, *, title=None, analysis=None) -> Digest:
    entries = []
    for n in range(1, count + 1):
        paper = Paper(id=f"2602.{12280 + n}", version=1, title=title or f"Paper number {n}: a study",
                      abstract="We propose X. Results improve.", authors=tuple(f"Author {a}" for a in range(12)),
                      categories=("cs.CV",), has_metadata=True)
        entries.append(DigestEntry(rank=n, paper=paper, score=0.5, reason="matches 'fusion'",
                                   findings=("We propose X.",),
                                   analysis=analysis or QuickAnalysis(**quick_reply(paper.versioned_id))))
    summary = ExecutiveSummary(**summary_reply([1, count]))
    return Digest(date="2026-02-09", categories=("cs.CV",), announced=142, language="en",
                  entries=tuple(entries), summary=summary)
