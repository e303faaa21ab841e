"""What of a paper's full text the model sees: acknowledgements, the method's role, headings, coverage.

Each group answers one point of issue 11, on LaTeXML-shaped HTML and reportlab
PDFs from testkit/paper_docs.py (the ones the arXiv fake serves).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sqlite3

import pytest

from bot.fulltext.budget import fit
from bot.fulltext.document import NEVER_SENT, FullText, Section, assign_roles, estimate_tokens, role_of
from bot.fulltext.html import extract_html
from bot.fulltext.pdf import extract_pdf
from testkit.arxiv_fake import ApiPaper
from testkit.paper_docs import (PaperDoc, latexml_html, lines_pdf, long_doc, markers_in, method_named_doc, plain,
                                    sample_doc, two_column_pdf)
from tests.test_digest import run

PID = "2602.30001"
ALL_OF_IT = 10**6  # a budget nothing is cut to


def extract(doc, source: str) -> FullText:
    if source == "html":
        return extract_html(latexml_html(doc), f"{doc.arxiv_id}v1")
    return extract_pdf(two_column_pdf(doc), f"{doc.arxiv_id}v1")


# The papers most tests read, made and extracted once (a long PDF takes half a second); never mutate them.
DOCS = {"long": lambda: long_doc(PID), "named": lambda: method_named_doc(PID),
        "prelim": lambda: method_named_doc(PID, preliminaries=True),
        "Method": lambda: method_named_doc(PID, name="Method")}


@functools.cache
def doc_of(kind: str) -> PaperDoc:
    return DOCS[kind]()


@functools.cache
def fulltext_of(kind: str, source: str) -> FullText:
    return extract(doc_of(kind), source)


def section(fulltext: FullText, title: str) -> Section:
    return next(s for s in fulltext.sections if s.title == title)


def rendered(s: Section) -> str:
    return "\n\n".join([f"## {s.title}", *s.paragraphs])


def sent_parts(text: str) -> dict[str, str]:
    """The fitted text by section: its "## title" -> that section's part of the text."""
    return {part.split("\n", 1)[0].removeprefix("## "): part for part in re.split(r"\n\n(?=## )", text) if part}


# -- acknowledgements, wherever they are, never reach the model --------------------------------

LATEXML_RUN_IN_ACKS = ('<section class="ltx_paragraph" id="S5.SS0.SSS0.Px1"><h4 class="ltx_title '
                       'ltx_title_paragraph">Acknowledgements.</h4><div class="ltx_para" id="S5.SS0.SSS0.Px1.p1">'
                       '<p class="ltx_p">We thank (mkthanks) the reviewers.</p></div></section>')


@pytest.mark.parametrize("form", ["div", "paragraph"])
def test_html_acknowledgements_inside_the_conclusion_are_dropped(form):
    """acmart {acks} / revtex \\acknowledgments: a div.ltx_acknowledgements inside the conclusion;
    a CVPR run-in \\paragraph{Acknowledgements.}: a section.ltx_paragraph inside it."""
    doc = doc_of("named") if form == "div" else sample_doc(PID)
    html = latexml_html(doc)
    if form == "paragraph":
        conclusion_end = html.index("</section>", html.index('id="S5"'))
        html = html[:conclusion_end] + LATEXML_RUN_IN_ACKS + html[conclusion_end:]
    marker = "mkacks" if form == "div" else "mkthanks"
    fulltext = extract_html(html, f"{PID}v1")

    conclusion = section(fulltext, "5 Conclusion")
    assert conclusion.role == "conclusion"
    assert conclusion.paragraphs[-1] == plain(doc.sections[-1].paragraphs[-1])  # its own last paragraph
    assert [s.title for s in fulltext.sections if marker in s.text] == []
    assert not any(p.startswith("Acknowledgements") for p in conclusion.paragraphs)
    assert marker not in fit(fulltext, ALL_OF_IT).text


def test_pdf_run_in_acknowledgements_paragraph_is_a_section_never_sent():
    doc = doc_of("named")  # the conclusion ends with "Acknowledgments. We thank (mkacks) ..."
    fulltext = fulltext_of("named", "pdf")

    assert [(s.title, s.role) for s in fulltext.sections if "mkacks" in s.text] == [
        ("Acknowledgments", "acknowledgements")]
    conclusion = section(fulltext, "5 Conclusion")
    assert conclusion.paragraphs[-1].endswith(doc.sections[-1].paragraphs[-1].split(". ")[-1])
    assert section(fulltext, "Acknowledgments").paragraphs[0].startswith("We thank (mkacks) the members")
    assert "mkacks" not in fit(fulltext, ALL_OF_IT).text and "mkconcl" in fit(fulltext, ALL_OF_IT).text


def test_pdf_acknowledgements_heading_with_more_words_is_a_heading():
    """NeurIPS's "Acknowledgments and Disclosure of Funding" is the acknowledgements' heading line."""
    doc = dataclasses.replace(sample_doc(PID), acknowledgements_title="Acknowledgments and Disclosure of Funding")
    fulltext = extract(doc, "pdf")

    assert [(s.title, s.role) for s in fulltext.sections if "mkacks" in s.text] == [
        ("Acknowledgments and Disclosure of Funding", "acknowledgements")]
    assert "mkacks" not in fit(fulltext, ALL_OF_IT).text


# -- the method section by its place and content -----------------------------------------------

@pytest.mark.parametrize("source", ["html", "pdf"])
def test_a_method_titled_with_its_name_is_the_method_and_gets_its_share(source):
    fulltext = fulltext_of("named", source)
    roles = {s.title: s.role for s in fulltext.sections if s.title[:1].isdigit()}
    assert roles == {"1 Introduction": "intro", "2 Related Work": "related", "3 DeepGen": "method",
                     "4 Experiments": "experiments", "5 Conclusion": "conclusion"}

    budgeted = fit(fulltext, 11000)
    parts = sent_parts(budgeted.text)
    method = estimate_tokens(parts["3 DeepGen"])
    assert method >= 0.95 * 0.40 * 11000  # the method's 40% share, not what the others left over
    assert {"mkdeepgen", "mktokens", "mkmodule", "mkloss"} <= set(markers_in(parts["3 DeepGen"]))
    assert "1 Introduction" in budgeted.shortened and estimate_tokens(parts["1 Introduction"]) <= 0.15 * 11000


@pytest.mark.parametrize("source", ["html", "pdf"])
def test_preliminaries_and_the_named_method_share_the_method_budget(source):
    fulltext = fulltext_of("prelim", source)
    assert section(fulltext, "3 Preliminaries").role == "method"  # by its title: the notation the method uses
    assert section(fulltext, "4 DeepGen").role == "method"  # by its place and content

    budgeted = fit(fulltext, 11000)
    parts = sent_parts(budgeted.text)
    assert "3 Preliminaries" in budgeted.kept  # short: sent whole
    prelim, method = estimate_tokens(parts["3 Preliminaries"]), estimate_tokens(parts["4 DeepGen"])
    assert method > 2 * prelim and prelim + method >= 0.95 * 0.40 * 11000


def _fulltext(*sections: tuple[str, list[str]]) -> FullText:
    return FullText("x", "html", tuple(Section(t, tuple(ps), role_of(t)) for t, ps in sections))


PROSE = ["We describe it in words only, without any formula at all."]


def test_method_by_place_only_promotes_numbered_method_like_sections_before_the_experiments():
    fulltext = _fulltext(("1 Introduction", PROSE), ("2 Related Work", PROSE), ("3 Dataset", PROSE),
                         ("4 TexSpot", ["$x=f(y)$ and $y=g(z)$.", "4.1 The Spotting Head", *PROSE]),
                         ("Overview of TexSpot", ["$a=b$", "$c=d$"]),  # unnumbered: a title only
                         ("5 Experiments", PROSE), ("6 User Study", ["$p<0.05$ and $n=20$", "6.1 Protocol"]),
                         ("7 Conclusion", PROSE))
    roles = {s.title: s.role for s in assign_roles(fulltext.sections)}
    assert roles == {"1 Introduction": "intro", "2 Related Work": "related", "3 Dataset": "other",
                     "4 TexSpot": "method", "Overview of TexSpot": "method", "5 Experiments": "experiments",
                     "6 User Study": "other", "7 Conclusion": "conclusion"}


def test_without_a_method_like_section_the_longest_between_intro_and_experiments_is_the_method():
    fulltext = _fulltext(("1 Introduction", PROSE), ("2 Agents", PROSE * 3), ("3 Tools", PROSE),
                         ("4 Experiments", PROSE))
    assert [s.role for s in assign_roles(fulltext.sections)] == ["intro", "method", "other", "experiments"]
    with_a_method = _fulltext(("1 Introduction", PROSE), ("2 Agents", PROSE * 3), ("3 Method", PROSE),
                              ("4 Experiments", PROSE))
    assert [s.role for s in assign_roles(with_a_method.sections)] == ["intro", "other", "method", "experiments"]


# -- headings with a period are headings; sentences are not -------------------------------------

@pytest.mark.parametrize("source", ["html", "pdf"])
def test_subsection_headings_with_a_period_keep_their_place(source):
    doc, fulltext = doc_of("named"), fulltext_of("named", source)
    for title, heading, sub in (("3 DeepGen", "3.2 The DeepGen 1.0 Module", doc.sections[2].subsections[1]),
                                ("4 Experiments", "4.2 Comparison vs. Prior Work", doc.sections[3].subsections[1])):
        paragraphs = section(fulltext, title).paragraphs
        assert heading in paragraphs  # its own paragraph, not merged into the next one
        opening = paragraphs[paragraphs.index(heading) + 1]
        assert opening.startswith(plain(sub.paragraphs[0]).split(" (mk")[0][:40])


def test_a_shortened_method_keeps_the_opening_of_a_subsection_whose_title_has_a_period():
    """A method titled "Method" (a role from its title today) with "3.2 The Method 1.0 Module"."""
    fulltext = fulltext_of("Method", "html")
    budgeted = fit(fulltext, 9000)
    assert "3 Method" in budgeted.shortened
    method = sent_parts(budgeted.text)["3 Method"]
    assert re.search(r"\n\n3\.2 The Method 1\.0 Module\n\n[^\n]*\(mkmodule\)", method)
    assert re.search(r"\n\n3\.3 Training Objective\n\n[^\n]*\(mkloss\)", method)


HEADING_LINES = [
    "1 Introduction",
    "Our model is fast: with the same backbone it runs about",
    "2 times faster. The encoder keeps the features small and",
    "2 The DeepGen 1.0 model runs in real time on",
    "3 The model is 2.5 times faster.",
    "2 Baseline 45.2 80.9",
    "the decoder is unchanged.",
    "2 Method",
    "2.1 The DeepGen 1.0 Module",
    "The module fuses the two streams.",
    "2.2 Comparison vs. Prior Work",
    "Unlike earlier work, we train end to end.",
    "2.3 Results. We find that",
    "the gate matters most.",
    "3 Experiments",
    "We evaluate on three benchmarks.",
]


def test_pdf_headings_with_periods_are_headings_and_sentences_are_not():
    fulltext = extract_pdf(lines_pdf(HEADING_LINES), "x")
    assert [(s.title, s.paragraphs) for s in fulltext.sections] == [
        ("1 Introduction", ("Our model is fast: with the same backbone it runs about 2 times faster. The encoder "
                            "keeps the features small and 2 The DeepGen 1.0 model runs in real time on 3 The model "
                            "is 2.5 times faster.", "2 Baseline 45.2 80.9 the decoder is unchanged.")),
        ("2 Method", ("2.1 The DeepGen 1.0 Module", "The module fuses the two streams.",
                      "2.2 Comparison vs. Prior Work",
                      "Unlike earlier work, we train end to end. 2.3 Results. We find that the gate matters most.")),
        ("3 Experiments", ("We evaluate on three benchmarks.",)),
    ]


def test_pdf_cross_references_at_a_line_start_are_not_headings():
    lines = ["1 Introduction", "We study fusion. The details of the proofs are in", "Appendix B shows that the bound is tight.",
             "and the pipeline of Section", "2. Figure 1 illustrates the whole pipeline.", "We train end to end.",
             "2 Method", "The module fuses the two streams.", "References", "[1] A. Author. A paper. 2020.",
             "Appendix B Proofs", "The bound follows from the lemma."]
    fulltext = extract_pdf(lines_pdf(lines), "x")
    assert [s.title for s in fulltext.sections] == ["1 Introduction", "2 Method", "References", "Appendix B Proofs"]
    assert "Appendix B shows that the bound is tight." in fulltext.sections[0].text
    assert "2. Figure 1 illustrates the whole pipeline." in fulltext.sections[0].text


# -- the coverage says what was sent -------------------------------------------------------------

def assert_coverage_is_what_was_sent(fulltext: FullText, kept, shortened, dropped, tokens: int, text: str,
                                     subheadings: set[str]) -> None:
    sendable = [s for s in fulltext.sections if s.role not in NEVER_SENT]
    names = [s.title for s in sendable]
    assert sorted([*kept, *shortened, *dropped], key=names.index) == names  # every section, once
    parts = sent_parts(text)
    assert list(parts) == [n for n in names if n in kept or n in shortened]  # nothing sent unlisted
    assert tokens == estimate_tokens(text)
    sent_markers = set(markers_in(text))
    for s in sendable:
        if s.title in kept:
            assert parts[s.title] == rendered(s)
        elif s.title in shortened:
            sent = parts[s.title].split("\n\n")[1:]
            assert sent != list(s.paragraphs)
            own = [p for p in sent if p not in subheadings]
            assert own, f"{s.title} is listed as shortened but only its headings were sent"
            whole = s.text
            assert all(p in whole for p in own)  # its own words, whole sentences of its paragraphs
        else:
            assert not set(markers_in(s.text)) & sent_markers, s.title
    paragraphs = text.split("\n\n")
    for here, after in zip(paragraphs, paragraphs[1:] + ["## (end)"]):
        if here in subheadings:
            assert after not in subheadings and not after.startswith("## "), f"{here!r} sent without its text"


def doc_subheadings(*docs) -> set[str]:
    return {f"{label} {s.title}" for doc in docs for label, s, depth in doc.outline() if depth == 2}


# Fine steps where a section gets a few hundred tokens (a small [llm] deep_max_input_tokens), coarse above.
BUDGETS = [*range(250, 800, 10), *range(800, 16000, 400)]


@pytest.mark.parametrize("source", ["html", "pdf"])
@pytest.mark.parametrize("kind", ["long", "named"])
def test_fit_reports_what_it_sent_at_every_budget(kind, source):
    doc, fulltext = doc_of(kind), fulltext_of(kind, source)
    for budget in BUDGETS:
        b = fit(fulltext, budget)
        assert b.tokens <= budget
        assert_coverage_is_what_was_sent(fulltext, b.kept, b.shortened, b.dropped, b.tokens, b.text,
                                         doc_subheadings(doc))


@pytest.mark.parametrize("source", ["html", "pdf"])
def test_the_stored_coverage_matches_the_request(source, arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    doc = doc_of("named")
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    if source == "html":
        arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    arxiv_fake.set_pdf(f"{PID}v1", two_column_pdf(doc))

    code, out, err = run(capsys, "paper", "--config", write_config(), PID, "--deep")

    assert code == 0, err
    [call] = [c for c in llm_fake.calls if '"abstract_translation"' in c["messages"][0]["content"]]
    note, text = re.search(r"\nFull text \((.*?)\):\n(.*)\n</paper>$", call["messages"][1]["content"], re.S).groups()
    with sqlite3.connect(tmp_path / "paperbot.db") as db:
        coverage = json.loads(db.execute("select context from analyses where kind like 'deep%'").fetchone()[0])
    fulltext = fulltext_of("named", source)
    assert coverage["source"] == source
    assert_coverage_is_what_was_sent(fulltext, coverage["kept"], coverage["shortened"], coverage["dropped"],
                                     coverage["tokens"], text, doc_subheadings(doc))
    assert note == (f"shortened to fit: {'; '.join(coverage['shortened'])}, "
                    f"left out to fit: {'; '.join(coverage['dropped'])}")
    assert coverage["shortened"] == ["1 Introduction", "3 DeepGen", "4 Experiments", "5 Conclusion"]
    assert "3 DeepGen" in out and "mkdeepgen" in text and "mkacks" not in text
    # The footer's "about N of 12,000 input tokens" is this request's size, not the room reserved for it.
    sent = sum(estimate_tokens(m["content"]) + 8 for m in call["messages"])
    assert coverage["prompt_tokens"] == sent and f"about {sent:,} of 12,000 input tokens" in out


def test_a_text_stored_by_an_older_extractor_is_extracted_again(arxiv_fake, llm_fake, write_config, capsys, tmp_path):
    doc = doc_of("named")
    arxiv_fake.add_paper(ApiPaper(PID, title=doc.title, abstract=doc.abstract, authors=["A. Author"]))
    arxiv_fake.set_html(f"{PID}v1", latexml_html(doc))
    config = write_config()
    assert run(capsys, "paper", "--config", config, PID, "--deep", "--lang", "en")[0] == 0
    with sqlite3.connect(tmp_path / "paperbot.db") as db:  # as an extractor before roles by place stored it
        [content] = db.execute("select content from fulltexts").fetchone()
        old = json.loads(content)
        del old["extractor"]
        db.execute("update fulltexts set content = ?", [json.dumps(old)])

    code, out, err = run(capsys, "paper", "--config", config, PID, "--deep", "--lang", "zh")

    assert code == 0, err
    assert len(arxiv_fake.requests_to("/html/")) == 2  # downloaded again, not sent as the old extractor left it
    with sqlite3.connect(tmp_path / "paperbot.db") as db:
        assert json.loads(db.execute("select content from fulltexts").fetchone()[0])["extractor"] >= 2
