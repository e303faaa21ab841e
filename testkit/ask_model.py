"""The fake model's answers to questions about a paper (prompts ask_paper / ask_day), as a careful model would.

It reads only what the prompt gives it: the sentence of the sent passages that
best matches the question (words weighted by rarity, the earlier turns of the
conversation at a lower weight) is quoted with the label of its passage; when
no sentence matches well enough it says the paper does not say; a request that
is not a question about the paper ("write a poem", "ignore your instructions")
is off topic. Instructions inside the paper are never followed, only quoted.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter

_HEADER_RE = re.compile(r"^\[([^\]\n]+)\] ?(.*)$")
_DAY_ENTRY_RE = re.compile(r"^\[(\d+)\] (.+?) \(([^()\s]+)\)$")
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]|[a-z0-9]")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_STOP = frozenset("""the and for are was were with what which who whom how does did do they their them this that these
those from into onto over under about than then there here have has had been being its it's our out use used uses
using can could would should will may might one any all each per via also not but only such very much many more most
some when where why whose paper method model approach work authors show shows shown report reports reported""".split())
OFF_TOPIC_RE = re.compile(
    r"^\s*(?:please\s+)?(?:write|compose|tell me a|ignore|forget|disregard|pretend|act as|post|send|ping|generate|"
    r"draw|sing|summon|notify)\b|\b(?:poem|joke|recipe|weather|your (?:previous |system )?instructions)\b",
    re.IGNORECASE)
MIN_SCORE = 2.5  # below this the best sentence is a coincidence, not an answer


def ask_reply(system: str, user: str) -> str:
    zh = "Simplified Chinese" in system
    question, history = _between(user, "question"), _between(user, "conversation")
    if OFF_TOPIC_RE.search(question):
        return json.dumps({"status": "off_topic", "answer": "", **({"papers": []} if "<papers" in user else
                                                                    {"cited": []})})
    if "<papers" in user:
        return json.dumps(_day(user, question, history, zh), ensure_ascii=False)
    return json.dumps(_paper(user, question, history, zh), ensure_ascii=False)


def _paper(user: str, question: str, history: str, zh: bool) -> dict:
    body = _between(user, "paper")
    abstract = next((line[len("Abstract: "):] for line in body.splitlines() if line.startswith("Abstract: ")), "")
    candidates = [(label, s) for label, text in _passages(body) for line in text.splitlines()
                  for s in _SENTENCE_RE.split(line) if s.strip()]
    candidates = candidates or [("", s) for s in _SENTENCE_RE.split(abstract)]
    best = _best(candidates, question, history)
    if best is None:
        return {"status": "not_in_paper", "answer": "论文没有说明这一点。" if zh else "The paper does not say.",
                "cited": []}
    label, sentence = best
    if zh:
        answer = f"论文在 {label} 中写道：{sentence}" if label else f"摘要写道：{sentence}"
    else:
        answer = f"{sentence.rstrip('.')} ({label})." if label else sentence
    return {"status": "answered", "answer": answer, "cited": [label] if label else []}


def _day(user: str, question: str, history: str, zh: bool) -> dict:
    entries, current = [], None
    for line in _between(user, "papers").splitlines():
        if m := _DAY_ENTRY_RE.match(line):
            current = [int(m.group(1)), m.group(2), ""]
            entries.append(current)
        elif current is not None:
            current[2] += " " + line
    candidates = [(n, s) for n, title, text in entries for s in [title, *_SENTENCE_RE.split(text.strip())]]
    best = _best(candidates, question, history)
    if best is None:
        return {"status": "not_in_paper", "answer": "这些论文都没有说明这一点。" if zh else "None of the papers says.",
                "papers": []}
    n, sentence = best
    sentence = sentence.removeprefix("Abstract: ").removeprefix("Analysis: ")
    answer = f"论文 #{n}：{sentence}" if zh else f"Paper #{n} says: {sentence}"
    return {"status": "answered", "answer": answer, "papers": [n]}


def _best(candidates: list[tuple], question: str, history: str):
    """The (label, sentence) whose words best match the question's (rare words count more)."""
    if not candidates:
        return None
    bags = [set(_terms(s)) for _, s in candidates]
    df = Counter(t for bag in bags for t in bag)
    asked = set(_terms(question))
    # What the earlier answers found is what a follow-up ("and on Cityscapes?") refers back to.
    answers = " ".join(line[3:] for line in history.splitlines() if line.startswith("A: "))
    earlier = set(_terms(answers)) - asked

    def score(bag: set[str], terms: set[str]) -> float:
        return sum(math.log(1 + len(bags) / df[t]) for t in terms & bag)

    # A sentence must share a word with the question itself; the earlier turns only help choose among those.
    scores = [score(bag, asked) + 0.3 * score(bag, earlier) if asked & bag else 0.0 for bag in bags]
    at = max(range(len(scores)), key=lambda i: scores[i])
    return candidates[at] if scores[at] >= MIN_SCORE else None


def _terms(text: str) -> list[str]:
    return [_stem(w) for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in _STOP]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _between(text: str, tag: str) -> str:
    m = re.search(rf"<{tag}\b[^>]*>\n?(.*?)\n?</{tag}>", text, re.DOTALL)
    return m.group(1).strip() if m else ""


def _passages(body: str) -> list[tuple[str, str]]:
    """(label, text) of each group of passages the prompt sent ("[§4.2] 4.2 Ablation" and its lines)."""
    out: list[tuple[str, str]] = []
    for line in body.splitlines():
        if line.strip() == "[…]":  # text of the paper left out between two passages
            continue
        if m := _HEADER_RE.match(line):
            out.append((m.group(1), ""))
        elif out and line.strip():
            out[-1] = (out[-1][0], f"{out[-1][1]}\n{line.strip()}")  # a table row stays one line
    return [(label, text) for label, text in out if text and label != "untitled section"]
