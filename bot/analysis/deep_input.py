"""What a deep analysis is written from: the paper's full text, fitted to the budget.

Run only when a deep analysis must be written (see `analyst.Prepare`), with the
full text the engine has (stored by versioned id, downloaded once). Without
text the engine raises `NoFullText` before this runs: the deep prompt is never
sent without the paper, the failure that made a sixth of the seed's analyses
a request for "the paper's content".
"""

from __future__ import annotations

import logging

from .. import prompts
from ..errors import NoFullText
from ..fulltext.budget import Budgeted, fit
from ..fulltext.document import FullText, estimate_tokens
from ..models import Paper
from .replies import language_name

log = logging.getLogger(__name__)

_PER_MESSAGE_TOKENS = 8  # chat framing the server adds around each message


def deep_input(fulltext: FullText, paper: Paper, language: str, max_input_tokens: int) -> tuple[dict, dict]:
    variables = {"paper_id": paper.versioned_id, "title": prompts.as_data(paper.title),
                 "abstract": prompts.as_data(paper.abstract)}
    # The budget is for everything sent: the instructions, title and abstract come off it first.
    # The coverage note is written after the cut: reserve room for its longest form (every title listed).
    longest_note = "shortened to fit: " + "; ".join(s.title for s in fulltext.sections) + ", left out to fit: "
    overhead = _prompt_tokens(variables | {"fulltext": "", "coverage": longest_note * 2}, language)
    budgeted = fit(fulltext, max_input_tokens - overhead)
    if not budgeted.text:
        raise NoFullText(f"the full text of {paper.versioned_id} has no sections to analyse")
    variables |= {"fulltext": prompts.as_data(budgeted.text), "coverage": prompts.as_data(_coverage_note(budgeted))}
    # What the coverage line reports is what this request holds, not the room that was reserved.
    coverage = {"source": fulltext.source, "pages": fulltext.pages, "budget": max_input_tokens,
                "prompt_tokens": _prompt_tokens(variables, language), **budgeted.as_dict()}
    log.info("deep analysis of %s: %s text, ~%d tokens, %d sections kept, %d shortened, %d left out",
             paper.versioned_id, fulltext.source, coverage["prompt_tokens"], len(budgeted.kept),
             len(budgeted.shortened), len(budgeted.dropped))
    return variables, coverage


def _prompt_tokens(variables: dict, language: str) -> int:
    messages = prompts.load("deep_analysis").render(language=language_name(language), **variables)
    return sum(estimate_tokens(m["content"]) + _PER_MESSAGE_TOKENS for m in messages)


def _coverage_note(budgeted: Budgeted) -> str:
    """Tells the model what it is not seeing, so it does not take a gap for the paper's silence."""
    notes = []
    if budgeted.shortened:
        notes.append("shortened to fit: " + "; ".join(budgeted.shortened))
    if budgeted.dropped:
        notes.append("left out to fit: " + "; ".join(budgeted.dropped))
    return ", ".join(notes) if notes else "complete, without references"
