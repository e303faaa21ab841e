"""Long papers with facts planted in known sections, and the questions those facts answer.

For "ask the paper" (bot/fulltext/retrieval.py): bench/ask_bench.py measures on
them how often the passages sent hold the answer, and tests pick single cases.
Each paper is a `PaperDoc` (testkit/paper_docs.py), so it renders as arXiv's
HTML and as a two-column PDF like any other paper, 28-38 pages long:

    for paper in qa_papers():
        fx.set_html(paper.doc.arxiv_id, latexml_html(paper.doc))
        for q in paper.questions:
            q.text, q.history, q.label, q.needle, q.kind

`label` is where the answer is, as the paper numbers it ("§5.1", "Table 3",
"Appendix C"); `needle` is words of the planted sentence that occur nowhere else
in the paper (checked when the paper is built), compared after `squash` (lower
case, letters and digits only) so that the PDF's line breaks do not matter.
`history` holds the earlier turns of a follow-up ("And at 32k?"): the question
before it and the answer the bot gave.

The filler prose is written to mislead a lexical ranker: in every section it
mentions datasets, learning rates, batch sizes, baselines, released code,
limitations, GPUs, tables and appendices, so only the planted sentence answers.
Filler numbers have one decimal; planted numbers have two or a unit, so they do
not collide.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .paper_docs import WORDS_PER_PAGE, DocSection, PaperDoc
from .qa_specs import Plan, Spec, language, robotics, vision

__all__ = ["QAPaper", "Question", "qa_papers", "squash"]


@dataclass(frozen=True)
class Question:
    paper_id: str
    text: str
    label: str  # the section, table or figure holding the answer, as the paper numbers it
    needle: str  # words of the answer, unique in the paper
    kind: str  # datasets, numbers, baselines, hyperparameters, code, limitations, appendix, follow-up, ...
    history: tuple[str, ...] = ()  # earlier turns of the thread (question, answer, ...), oldest first
    in_appendix: bool = False  # the answer is in the appendix (a section or one of its tables)


@dataclass(frozen=True)
class QAPaper:
    doc: PaperDoc
    questions: tuple[Question, ...]
    paraphrases: tuple[Question, ...] = ()  # held out: the same facts in other words, not tuned on


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def qa_papers() -> list[QAPaper]:
    """Three papers (3D vision, 34 pages; long-context LMs, 28; dexterous RL, 38), ten questions each."""
    return [_build(spec) for spec in (vision(), language(), robotics())]


# -- building ---------------------------------------------------------------------------------

def _build(spec: Spec) -> QAPaper:
    prose = _Filler(spec)
    words = spec.pages * WORDS_PER_PAGE - 900  # the references and front matter take the rest
    sections = [_section(plan, prose, words, f"{n}") for n, plan in enumerate(spec.body, 1)]
    appendix = [_section(plan, prose, words, letter) for letter, plan in zip("ABCDEFGH", spec.appendix, strict=False)]
    doc = PaperDoc(arxiv_id=spec.arxiv_id, title=spec.title, abstract=spec.abstract, sections=sections,
                   acknowledgements=prose.paragraph(), references=prose.references(48), appendix=appendix,
                   footnote=spec.footnote, category="cs.LG")
    numbers = _float_numbers(doc)
    questions, paraphrases = ([_question(spec.arxiv_id, q, numbers) for q in qs]
                              for qs in (spec.questions, spec.paraphrases))
    _check_needles(doc, questions + paraphrases)
    return QAPaper(doc, tuple(questions), tuple(paraphrases))


def _question(paper_id: str, spec: tuple, numbers: dict[str, str]) -> Question:
    text, where, needle, kind, history = spec
    label = _label(where, numbers)
    in_appendix = where.split("@")[-1][:1].isalpha()
    return Question(paper_id, text.replace("{label}", label), label, needle, kind, history, in_appendix)


def _section(plan: Plan, prose: _Filler, words: int, number: str) -> DocSection:
    paragraphs = prose.paragraphs(int(words * plan.share), marker=prose.marker())
    for k, fact in enumerate(plan.facts):  # spread over the section, never in its first paragraph
        at = max(1, min(len(paragraphs) - 1, len(paragraphs) * (k + 1) // (len(plan.facts) + 1)))
        while len(paragraphs) <= at:
            paragraphs.append(prose.paragraph())
        paragraphs[at] = prose.plant(paragraphs[at], fact)
    subs = [_section(sub, prose, words, f"{number}.{n}") for n, sub in enumerate(plan.subs, 1)]
    return DocSection(plan.title, paragraphs, subs, figure=plan.figure, table=plan.table)


def _float_numbers(doc: PaperDoc) -> dict[str, str]:
    """"table@5.2" -> "Table 2": floats are numbered in the order the renderers place them."""
    out, counts = {}, {"table": 0, "figure": 0}
    for label, section, _ in doc.outline():
        for kind in ("figure", "table"):
            if getattr(section, kind):
                counts[kind] += 1
                out[f"{kind}@{label}"] = f"{kind.capitalize()} {counts[kind]}"
    return out


def _label(where: str, floats: dict[str, str]) -> str:
    if "@" in where:
        return floats[where]
    if where.isalpha():
        return f"Appendix {where}"
    return f"§{where}"


def _check_needles(doc: PaperDoc, questions: list[Question]) -> None:
    everything = squash(doc.full_text() + " " + (doc.footnote or ""))
    for q in questions:
        n = everything.count(squash(q.needle))
        assert n == 1, f"{doc.arxiv_id}: needle {q.needle!r} occurs {n} times"


# -- filler prose ------------------------------------------------------------------------------

_GENERIC = [
    "{Adj} approaches to {task} have relied on {component} to capture {prop} [{cite}].",
    "In our experiments, {component} {verb} {prop} on {dataset}.",
    "We observe that the {adj} variant generalizes better when the training distribution shifts.",
    "This suggests that {prop} and {prop2} are not independent, contrary to a common assumption [{cite}].",
    "An ablation that removes {component} from the full model confirms its contribution.",
    "A closer inspection reveals that most errors concentrate on a small number of hard cases.",
    "Following standard practice [{cite}], we report {metric} averaged over {small} random seeds.",
    "Several works have studied {task} from the perspective of {prop} [{cite}, {cite2}].",
    "The improvement stems from a better interplay between {component} and {component2}.",
    "When {component} is replaced with a {adj} alternative, {metric} drops from {val} to {val2}.",
    "We hypothesize that decoupling {component} from {component2} makes optimization easier.",
    "Interestingly, the gains are largest in the hardest settings, where {prop} matters most.",
    "We leave a systematic study of {prop} to future work.",
    "Recent {adj} methods [{cite}] trade accuracy for speed, whereas we aim to improve both.",
    "Because {task} is sensitive to {prop}, the design of {component} is critical.",
    "To disentangle these factors, we train {small} additional models with identical settings.",
    "Unlike {baseline}, our design keeps {component} unchanged at test time.",
    "The behaviour of {component} is consistent with the analysis in Section {sec}.",
    "We found the results to be stable with respect to the choice of {prop2}.",
    "{Baseline} was designed for a different regime, which partly explains its behaviour on {dataset}.",
    "The overhead of {component} is small compared with the rest of the pipeline.",
    "These trends are consistent across {dataset} and {dataset2}.",
    "In principle, {component} could be combined with {baseline}, which we have not tried.",
    "A natural question is whether {prop} can be improved without changing {component}.",
    "We refer to prior surveys for a broader overview of {task} [{cite}].",
]
_DISTRACTORS = [
    "Earlier work on {dataset} trained with a learning rate of {lr} and a batch size of {bs} [{cite}].",
    "The code released with {baseline} made it possible to reproduce its numbers on {dataset}.",
    "A known limitation of {baseline} is its sensitivity to {prop}.",
    "As shown in Table {tab}, {baseline} remains competitive on {dataset}.",
    "Figure {fig} illustrates how {component} behaves on {dataset}.",
    "Training {baseline} on {dataset} reportedly takes {hours} hours on {gpus} GPUs [{cite}].",
    "The datasets differ in {prop}, which complicates a direct comparison with {baseline}.",
    "Compared with {baseline}, {component} is {adj} and easier to tune.",
    "Further details are given in Appendix {app}.",
    "{Baseline} reports {val} {metric} on {dataset} in its original paper [{cite}].",
    "We evaluate {component} on {dataset} and {dataset2} in Section {sec}.",
    "Its main weakness, in our view, is the reliance on {prop2}.",
    "Hyperparameters such as the learning rate and the number of iterations were tuned on a held-out split.",
    "Pseudo-code for {component} is given in Appendix {app}.",
    "We compare against {baseline} and {baseline2} under the same training budget.",
    "The evaluation protocol of {dataset} follows the original benchmark release [{cite}].",
]
_SURNAMES = ["Chen", "Kumar", "Garcia", "Okafor", "Tanaka", "Rossi", "Novak", "Silva", "Kim", "Dubois",
             "Ivanova", "Haddad", "Larsen", "Nguyen", "Walsh", "Moreau", "Singh", "Park", "Costa", "Berg"]
_VENUES = ["In CVPR", "In ICCV", "In NeurIPS", "In ICLR", "In ICML", "In ACL", "In CoRL", "arXiv preprint"]


class _Filler:
    """Deterministic filler sentences in a paper's vocabulary, a third of them distractors."""

    def __init__(self, spec: Spec) -> None:
        self.rng = random.Random(spec.arxiv_id)
        self.vocab = spec.vocab
        self.templates = _GENERIC + spec.vocab.get("templates", [])
        self.sections = [f"{n}" for n in range(2, len(spec.body) + 1)]
        self.apps = "ABCDEFGH"[: len(spec.appendix)]
        self.tables = max(1, sum(bool(p.table) for p in _all_plans(spec)))
        self.figures = max(1, sum(bool(p.figure) for p in _all_plans(spec)))
        self.markers = 0
        self.prefix = "mkq" + spec.letter

    def marker(self) -> str:
        self.markers += 1
        n, letters = self.markers, ""
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(97 + r) + letters
        return self.prefix + letters

    def sentence(self) -> str:
        rng, v = self.rng, self.vocab
        template = rng.choice(_DISTRACTORS if rng.random() < 0.33 else self.templates)
        pick = {k: rng.choice(words) for k, words in v.items() if k != "templates"}
        pick |= {f"{k}2": rng.choice([w for w in words if w != pick[k]] or words)
                 for k, words in v.items() if k != "templates"}
        value = rng.uniform(30, 60)
        return template.format(
            **pick, Adj=pick["adj"].capitalize(), Baseline=pick["baseline"], cite=rng.randint(1, 48),
            cite2=rng.randint(1, 48), small=rng.randint(2, 6), val=f"{value:.1f}",
            val2=f"{value - rng.uniform(0.5, 4):.1f}", lr=rng.choice(["1e-3", "5e-4", "1e-4", "3e-4"]),
            bs=rng.choice([16, 32, 64]), hours=rng.choice([12, 20, 36, 48, 72]), gpus=rng.choice([4, 8, 16, 32]),
            tab=rng.randint(1, self.tables), fig=rng.randint(1, self.figures), sec=rng.choice(self.sections),
            app=rng.choice(self.apps))

    def paragraph(self, marker: str | None = None) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(4, 7))]
        if marker:
            sentences[0] = f"{sentences[0][:-1]} ({marker})."
        return " ".join(sentences)

    def paragraphs(self, words: int, marker: str | None = None) -> list[str]:
        out = [self.paragraph(marker)]
        while sum(len(p.split()) for p in out) < words:
            out.append(self.paragraph())
        return out

    def plant(self, paragraph: str, fact: str) -> str:
        sentences = paragraph.split(". ")
        at = self.rng.randint(1, max(1, len(sentences) - 1))
        return ". ".join(sentences[:at]) + ". " + fact + " " + ". ".join(sentences[at:])

    def references(self, count: int) -> list[str]:
        rng, refs = self.rng, []
        for _ in range(count):
            authors = ", ".join(f"{rng.choice('ABCDEGHJKLMNPRST')}. {rng.choice(_SURNAMES)}"
                                for _ in range(rng.randint(1, 4)))
            words = [rng.choice(self.vocab["adj"]).capitalize(), rng.choice(self.vocab["task"]),
                     rng.choice(["with", "via", "for", "beyond"]), rng.choice(self.vocab["prop"])]
            refs.append(f"{authors}. {' '.join(words)}. {rng.choice(_VENUES)}, {rng.randint(2016, 2025)}.")
        return refs


def _all_plans(spec: Spec) -> list[Plan]:
    return [p for top in spec.body + spec.appendix for p in [top, *top.subs]]
