import json

import pytest

from bot.analysis.replies import QuickAnalysis
from bot.analysis.validate import InvalidReply, parse_reply, strip_filler
from testkit.samples import quick_reply

GOOD = quick_reply("2602.1")


@pytest.mark.parametrize("text, expected", [
    ("好的，作为计算机视觉专家，我对这篇论文进行了分析：该论文提出了X。", "该论文提出了X。"),
    ("作为一名计算机视觉和机器学习领域的专家，我对这篇论文摘要进行了深入分析，并为您提供以下中文解读：\n\n该论文", "该论文"),
    ("Sure, here is the analysis: The paper proposes X.", "The paper proposes X."),
    ("Certainly! Here is the JSON summary:\nX", "X"),
    ("The paper proposes X. It works.", "The paper proposes X. It works."),
    ("Surely this is fine.", "Surely this is fine."),
    ("Here is a method that works.", "Here is a method that works."),
])
def test_strip_filler(text, expected):
    assert strip_filler(text) == expected


def test_json_in_fences_with_prose_is_accepted():
    text = "Here you go:\n```json\n" + json.dumps(GOOD) + "\n```\nHope it helps"
    assert parse_reply(text, "stop", QuickAnalysis).main_contribution == GOOD["main_contribution"]


@pytest.mark.parametrize("text, finish, reason", [
    ("", "stop", "empty"),
    (json.dumps(GOOD), "length", "cut off"),
    ("I cannot help with that.", "stop", "no JSON"),
    (json.dumps({**GOOD, "limitations": []}), "stop", "off-schema"),
    (json.dumps({**GOOD, "main_contribution": "请提供论文的全文内容，我将为您进行详细的解读。"}), "stop", "non-answer"),
    (json.dumps({**GOOD, "applications": ["Please provide the paper's text so I can analyse it."]}), "stop", "non-answer"),
    (json.dumps({**GOOD, "main_contribution": "I'm sorry, but I can't access the paper."}), "stop", "non-answer"),
    (json.dumps({**GOOD, "main_contribution": "To analyse it I need the full text of the paper."}), "stop", "non-answer"),
    (json.dumps({**GOOD, "main_contribution": "Could you share the PDF? Then I can help."}), "stop", "non-answer"),
    (json.dumps({**GOOD, "main_contribution": "好的，"}), "stop", "off-schema"),  # filler alone is empty
])
def test_non_answers_are_rejected(text, finish, reason):
    with pytest.raises(InvalidReply, match=reason):
        parse_reply(text, finish, QuickAnalysis)


@pytest.mark.parametrize("limitation", [
    "在真实场景中无法获取深度信息",  # "depth cannot be obtained in real scenes": a limitation
    "该方法无法处理动态场景",
    "The method cannot see occluded objects.",
    "The authors do not provide the paper's training code.",  # a deep analysis' availability note
    "It does not provide the full text of its proofs in the main paper.",
])
def test_limitations_that_sound_like_refusals_are_kept(limitation):
    reply = parse_reply(json.dumps({**GOOD, "limitations": [limitation]}), "stop", QuickAnalysis)
    assert reply.limitations == [limitation]


@pytest.mark.parametrize("text, expected", [
    ("当然，该方法需要大量标注数据。", "该方法需要大量标注数据。"),
    ("以下是三项主要创新", "以下是三项主要创新"),
    ("以下是我的分析：该论文提出了X。", "该论文提出了X。"),
    ("好的，我将以AI领域高水平研究生的视角，深入分析这篇论文的方法部分。\n\n该论文", "该论文"),
])
def test_chinese_filler_is_stripped_but_content_is_kept(text, expected):
    assert strip_filler(text) == expected
