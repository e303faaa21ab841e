"""arXiv's HTML rendering (LaTeXML) -> sections.

LaTeXML keeps the paper's structure: `section.ltx_section` per section with an
`h2` title, `section.ltx_appendix`, `section.ltx_bibliography`, formulas as
`<math alttext="...">`. We keep titles, paragraphs, formulas as their LaTeX,
figure and table captions, table cells, and footnotes (where papers put their
code links) at the end of their section; we drop the page chrome, images and
conversion-error markers, and acknowledgements wherever they are: LaTeXML puts
acmart's {acks} and revtex's \\acknowledgments in a `div.ltx_acknowledgements`
inside the section they end (often the conclusion), and a run-in
`\\paragraph{Acknowledgements.}` in a `section.ltx_paragraph`.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from .document import (ACKNOWLEDGEMENTS, APPENDIX, FRONT, REFERENCES, FullText, Section, assign_roles, clean_text,
                       is_acknowledgements, one_line, role_of)

_CHROME = "script, style, nav, header, footer, img, svg, .ltx_page_footer, .ltx_page_navbar, .ltx_ERROR, .ltx_tag_note"
_BLOCKS = ("p", "div", "h3", "h4", "h5", "h6", "figure", "figcaption", "table", "tr", "li", "ul", "ol",
           "section", "blockquote", "pre")


class NotLaTeXML(ValueError):
    pass


def extract_html(html: str | bytes, paper_id: str) -> FullText:
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article", class_="ltx_document")
    if article is None:
        raise NotLaTeXML("the page has no LaTeXML article")
    for tag in article.select(_CHROME):
        tag.decompose()
    _drop_nested_acknowledgements(article)
    for formula in article.find_all("math"):
        formula.replace_with(f" ${formula.get('alttext', '').strip()}$ ")

    sections: list[Section] = []
    abstract = article.find(class_="ltx_abstract")
    if abstract is not None:
        sections.append(Section("Abstract", _paragraphs(abstract, skip_title=True), FRONT))
    for node in article.find_all("section"):
        if node.find_parent("section") is None:
            sections.append(_section(node))
    return FullText(paper_id, "html", assign_roles([s for s in sections if s.paragraphs]))


def _drop_nested_acknowledgements(article: Tag) -> None:
    """Acknowledgements inside another section: never sent, so never part of that section's text.

    A top-level acknowledgements section stays, as a section of its own role (it is not sent either).
    """
    for node in article.select(".ltx_acknowledgements"):
        if node.name != "section" or node.find_parent("section") is not None:
            node.decompose()
    for node in article.select("section section"):
        heading = node.find(class_="ltx_title")
        if not node.decomposed and heading is not None and is_acknowledgements(one_line(heading.get_text(" "))):
            node.decompose()


def _section(node: Tag) -> Section:
    heading = node.find(["h1", "h2", "h3"], class_="ltx_title")
    title = one_line(heading.get_text(" ")) if heading else ""
    classes = node.get("class") or []
    if "ltx_bibliography" in classes:
        role = REFERENCES
    elif "ltx_appendix" in classes:
        role = APPENDIX
    elif "ltx_acknowledgements" in classes:
        role = ACKNOWLEDGEMENTS
    else:
        role = role_of(title)
    if heading is not None:
        heading.decompose()
    return Section(title, _paragraphs(node), role)


def _paragraphs(node: Tag, *, skip_title: bool = False) -> tuple[str, ...]:
    if skip_title and (title := node.find(class_="ltx_title")) is not None:
        title.decompose()
    notes = []
    for note in node.select(".ltx_role_footnote"):
        content = note.find(class_="ltx_note_content")
        if content is not None:
            notes.append("Footnote: " + one_line(content.get_text(" ")).lstrip("0123456789 "))
        note.decompose()
    for cell in node.find_all(["td", "th"]):
        cell.append(" | ")
    for block in node.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.append("\n\n")
    text = clean_text(node.get_text())
    paragraphs = [one_line(p) for p in text.split("\n\n")]
    return tuple(p.removesuffix(" |") for p in paragraphs + notes if p and p != "|")
