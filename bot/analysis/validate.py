"""Turning a model's reply into data we are willing to publish.

The model's text is untrusted: we take the first JSON object out of it, check
its shape with pydantic, then reject non-answers (refusals, requests for more
input) and strip filler openings ("Sure, here is...", "好的，作为…专家…").
A rejection is an `InvalidReply` with a reason the caller logs and records.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


class InvalidReply(Exception):
    """Why a reply is not publishable: `kind` is ours (safe to show anyone), `detail` may quote the model
    (for the log only: a published note never repeats what the model wrote)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


# Reasoning models served locally (DeepSeek-R1 distills, Qwen3) think aloud before answering, often
# with draft JSON in the thinking: the thinking goes before the answer is looked at.
_REASONING_RE = re.compile(r"<(think|thinking|reasoning)>.*?(</\1>|$)", re.IGNORECASE | re.DOTALL)
_DANGLING_CLOSE_RE = re.compile(r"^.*?</(think|thinking|reasoning)>", re.IGNORECASE | re.DOTALL)


def without_reasoning(text: str) -> str:
    """The reply with its reasoning blocks removed, also a block whose opening tag the server dropped."""
    text = _REASONING_RE.sub("", text)
    return _DANGLING_CLOSE_RE.sub("", text, count=1)


# The model asking for input or declining instead of answering. Narrow on purpose:
# "depth cannot be obtained in real scenes" (无法获取深度信息) is a limitation, not a refusal.
_NON_ANSWER_RE = re.compile(
    r"(please\s+(provide|share|upload|send|paste)|could you (please )?(provide|share)"
    r"|(provide|give|send) me (with )?the (full |complete )?(paper|text|content|pdf)"
    r"|i (would )?need (access to )?the (full |complete )?(paper|text|content|pdf)"
    r"|i (cannot|can't|am unable to|am not able to) (access|read|open|see|analy[sz]e) the (paper|text|pdf|content)"
    r"|as an ai( language model)?,|i'm sorry,? but i"
    r"|(请|请您|麻烦您?)(提供|上传|发送|给出|粘贴)[^。\n]{0,12}(论文|全文|文本|内容|摘要|PDF|pdf)"
    r"|我(无法|不能)(访问|读取|打开|查看|获取)[^。\n]{0,8}(论文|全文|文本|内容|PDF|pdf|链接)"
    r"|(很)?抱歉，?我)",
    re.IGNORECASE,
)

# A filler opening: a preamble about who is answering or what follows, up to its
# colon or full stop. Only ever removed from the start of a text.
_FILLER_RE = re.compile(
    r"^\s*(?:作为(?:一名|一位)?[^，。,:：\n]{0,30}(?:专家|研究生|研究者)[^\n]{0,160}?(?:[:：。]|$)"
    r"|我(?:将|会)(?:以|作为|为您|从)[^\n]{0,160}?(?:[:：。]|$)"
    r"|(?:以下是|下面是)[^\n。]{0,60}?[:：]"
    r"|(?:here is|here's|below is) (?:the|my|an?|your) [^.:\n]{0,40}(?:analysis|summary|json|overview|breakdown|response)"
    r"[^\n]{0,160}?(?:[:!]|\.(?:\s|$)|\n|$)"
    r"|as an? (?:expert|researcher|reviewer)\b[^,.:\n]{0,40}[^\n]{0,160}?(?:[:!]|\.(?:\s|$)|\n|$))\s*",
    re.IGNORECASE,
)
# A bare courtesy word ("Sure,", "好的，") goes alone; what follows it is judged on its own.
_COURTESY_RE = re.compile(r"^\s*(?:sure|certainly|of course|okay|ok|absolutely|great|好的|当然|没问题)\s*[,!.，！。]\s*",
                          re.IGNORECASE)


def strip_filler(text: str) -> str:
    previous = None
    text = text.strip()
    while previous != text:  # "好的，作为专家，我将……：" may stack two openings
        previous = text
        text = _COURTESY_RE.sub("", text, count=1)
        text = _FILLER_RE.sub("", text, count=1).lstrip("-—*# \n")
    return text.strip()


def extract_json(text: str) -> dict:
    """The first JSON object in the reply, tolerating fences and prose around it."""
    start = text.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    raise InvalidReply("no JSON object in the reply")


def parse_reply(text: str, finish_reason: str | None, model: type[T]) -> T:
    """Validate a structured reply; strip filler from every string; reject non-answers."""
    if finish_reason == "length":
        raise InvalidReply("the reply was cut off", "finish_reason=length")
    if finish_reason == "refusal":
        raise InvalidReply("the model refused")
    text = without_reasoning(text or "")
    if not text.strip():
        raise InvalidReply("the reply was empty")
    try:
        parsed = model.model_validate(_clean(extract_json(text)))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidReply("an off-schema reply", f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    for value in _strings(parsed.model_dump()):
        if _NON_ANSWER_RE.search(value):
            raise InvalidReply("a non-answer", repr(value[:80]))
    return parsed


def _clean(value):
    if isinstance(value, str):
        return strip_filler(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
