"""Extractive "Key Findings" for a paper: verbatim abstract sentences that state
a contribution or a result. Deterministic, stdlib only, no LLM, no network.

The rules were calibrated on tests/data/seed_key_findings.json (10 real papers).
"""
from __future__ import annotations

import re

# arXiv caps abstracts at 1,920 chars; anything far beyond that is garbage or an
# attack, so we only look at a prefix (cheap) and skip run-on "sentences".
MAX_INPUT_CHARS = 20_000
MAX_SENTENCE_CHARS = 1_200

# ---------------------------------------------------------------- splitting --
# Candidate boundary: terminal punctuation, optional closing quote/bracket, then
# whitespace. Decimals ("10.81 FPS"), versions ("FLUX.1", "v1.5") and URLs never
# have whitespace right after the dot, so they are never candidates at all.
_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+")
# Tokens whose trailing dot is an abbreviation, not a sentence end.
_ABBREVS = frozenset(
    "e.g. i.e. eg. ie. al. vs. cf. viz. fig. figs. eq. eqs. sec. secs. "
    "tab. tbl. no. nos. approx. resp. ref. refs. alg. ch. incl. w.r.t. a.k.a. "
    "dr. mr. ms. prof. st. inc. ltd. jr. ca. u.s.".split()
)
# Bare enumerators "1." / "ii." used as list markers ("contributions: 1. A ...").
_ENUM_DOT = re.compile(r"(?:\d{1,2}|[ivx]{1,4})\.", re.I)
# Parenthesised enumerators "(1)", "(ii)", "(a)", "2)".
_ENUM_PAREN = re.compile(r"\(?\b(?:\d{1,2}|[ivx]{1,4}|[a-z])\)")


def _is_boundary(text: str, start: int, m: re.Match) -> bool:
    nxt = m.end()
    if nxt >= len(text):
        return True
    # A lowercase continuation ("vs. baseline", "e.g. the") is never a new sentence.
    if text[nxt].islower():
        return False
    if m.group()[0] != ".":
        return True  # "?" / "!" always end a sentence
    word_start = text.rfind(" ", start, m.start()) + 1
    word = text[word_start:m.start() + 1].lstrip("([{\"'`").lower()
    if word in _ABBREVS:
        return False
    # "1." right after ":", ";", "," or at sentence start is a list marker.
    if _ENUM_DOT.fullmatch(word):
        before = text[start:word_start].rstrip()
        if not before or before[-1] in ":;,.":
            return False
    # "... (1) foo. (2) bar." keeps the list items with their lead-in.
    if _ENUM_PAREN.match(text, nxt) and _ENUM_PAREN.search(text, start, m.start()):
        return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences; whitespace is normalised, text is verbatim."""
    text = " ".join((text or "").split())
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if _is_boundary(text, start, m):
            out.append(text[start:m.end()].rstrip())
            start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


# ------------------------------------------------------------------ scoring --
def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(parts), re.I)


# Contributions: first-person "we introduce/propose/..." (optionally "also",
# "further", ...) and explicit contribution statements. This is what the seed
# picks most consistently (18 of its 24 sentences).
_CONTRIB = _rx(
    r"\bwe\s+(?:\w+ly\s+|also\s+|further\s+|then\s+|first\s+|here\s+)?"
    r"(?:introduce|present|propose|develop|devise|design)\b",
    r"\b(?:this|the present) (?:paper|work|study)\s+(?:introduces|presents|proposes|develops)\b",
    r"\b(?:is|are) (?:proposed|introduced|presented)\b",
    r"\bour (?:key|main|core|primary|central) (?:innovation|contribution|idea|insight)s?\b",
    r"\b(?:our|main|key) contributions (?:include|are)\b",
    r"\bour (?:findings|results|experiments)\b",
)
# Results: an evaluation subject followed by a reporting verb, first-person
# "we find/show/demonstrate", or a comparative claim. "X demonstrates a strong
# understanding" (no evaluation subject) and "we observe/verify" (usually the
# motivating phenomenon) are deliberately not cues: the seed rejects them.
_RESULT = _rx(
    r"\b(?:experiments?|experimental results|results|evaluations?|ablations?|"
    r"empirical (?:results|studies|evaluations?))\b.{0,150}?\b(?:show|shows|"
    r"demonstrate|demonstrates|verify|verifies|confirm|confirms|indicate|"
    r"indicates|validate|validates|reveal|reveals)\b",
    r"\bwe (?:find|found|show|demonstrate)\b",
    r"\b(?:outperforms|outperforming|surpasses|achieves)\b",
    r"\bwe (?:achieve|outperform|surpass)\b",
)
# Background / motivation: what others did or what is still hard. Such a
# sentence survives only with a first-person contribution cue ("While X, we
# propose Y"); a bare result verb inside it ("studies have demonstrated") is
# somebody else's result.
_BACKGROUND = _rx(
    r"^(?:however|nevertheless|unfortunately|existing|recent(?:ly)?|current(?:ly)?|"
    r"traditional|conventional|prior|previous)\b",
    r"\bremains? (?:\w+ )?(?:challenging|difficult|unclear|open|unexplored|"
    r"under-explored|underexplored|poorly understood|limited)\b",
    r"\b(?:has|have) been (?:\w+ )?(?:studied|explored|proposed|shown|demonstrated)\b",
    r"\b(?:studies|works|methods|approaches) (?:have )?(?:shown|demonstrated)\b",
    r"\b(?:suffers?|struggles?) (?:from|with|to|when)\b|\bstruggle\b|\blag(?:s|ged)? behind\b",
)
_W_CONTRIB, _W_RESULT, _W_BACKGROUND = 3, 2, 2


def _score(sentence: str) -> int:
    score = _W_CONTRIB * bool(_CONTRIB.search(sentence))
    score += _W_RESULT * bool(_RESULT.search(sentence))
    if _BACKGROUND.search(sentence):
        score -= _W_BACKGROUND
    return score


def key_findings(abstract: str, max_items: int = 5) -> list[str]:
    """Verbatim abstract sentences stating a contribution or result, in abstract
    order, at most ``max_items``; [] when nothing qualifies (never invents text)."""
    if not abstract or max_items <= 0:
        return []
    sentences = split_sentences(abstract[:MAX_INPUT_CHARS])
    if len(abstract) > MAX_INPUT_CHARS and sentences:
        sentences.pop()  # the last one was probably cut mid-way
    scored = [
        (_score(s), i, s) for i, s in enumerate(sentences) if len(s) <= MAX_SENTENCE_CHARS
    ]
    scored = [t for t in scored if t[0] > 0]
    # Over the cap keep the strongest (ties: earlier first), then restore order.
    best = sorted(scored, key=lambda t: (-t[0], t[1]))[:max_items]
    return [s for _, _, s in sorted(best, key=lambda t: t[1])]
