"""The templates (Jinja2, autoescaped: every value is text unless it is already escaped `Markup`)."""

from __future__ import annotations

import hashlib
from functools import cache, partial
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .links import relative

STATIC = ("style.css", "search.js")  # copied to the site's root as they are


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("bot.site", "templates"), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(template: str, path: str, **context) -> bytes:
    """A page at `path` (relative to the site's root); `url(target)` in a template links relatively."""
    html = environment().get_template(template).render(url=partial(relative, path), **context)
    return html.encode("utf-8")


def static_file(name: str) -> bytes:
    return resources.files("bot.site").joinpath("static", name).read_bytes()


@cache
def code_hash() -> str:
    """A fingerprint of everything that shapes a page besides its data: the templates, the stylesheet,
    and the code that turns documents into HTML. A change to any of them rebuilds every page."""
    digest = hashlib.sha256()
    roots = [Path(__file__).parent, Path(__file__).parent.parent / "document"]
    for root in roots:
        for file in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".html", ".css", ".js")):
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    findings = Path(__file__).parent.parent / "findings.py"
    digest.update(findings.read_bytes())
    return digest.hexdigest()
