"""`paperbot paper ID`: one paper's quick analysis, or with --deep its deep one from the full text."""

from __future__ import annotations

import re

from bot.config import Config
from bot.document.markdown import ANALYSES_OFF, render_entry
from bot.engine import Engine
from bot.errors import UsageError

from ..progress import TqdmProgress
from .common import exit_code, say_if_analyses_are_off, write

NAME, HELP = "paper", "the quick (or, with --deep, deep) analysis of one paper"
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def arguments(parser) -> None:
    parser.add_argument("id", help="an arXiv id or URL: 2602.12281, 2602.12281v2, arXiv:2602.12281, "
                                   "https://arxiv.org/abs/2602.12281, hep-th/9901001")
    parser.add_argument("--deep", action="store_true",
                        help="a deep method analysis written from the paper's full text (HTML, else PDF)")
    parser.add_argument("--lang", help="output language, e.g. zh or en (default: [llm] language)")
    parser.add_argument("--refresh", action="store_true", help="write the analysis again instead of using the stored one")


async def run(config: Config, args, started: float) -> int:
    if args.lang is not None and not _LANGUAGE_RE.match(args.lang):
        raise UsageError(f"--lang {args.lang!r} is not a language code; use e.g. zh or en")
    language = args.lang or config.llm.language
    async with Engine(config, use_llm=not args.no_llm) as engine:
        progress = TqdmProgress()
        progress.note("fetching the full text and writing the deep analysis" if args.deep else "writing the analysis")
        try:
            entry = await engine.paper(args.id, language, deep=args.deep, refresh=args.refresh)
        finally:
            progress.close()
        analyses_off = engine.llm is None
        text = render_entry(entry, language=language, analyses_off=analyses_off)
        write(text + (f"\n\n> {ANALYSES_OFF}\n" if analyses_off else "\n"), None)
        say_if_analyses_are_off(engine, args)
        return exit_code(engine, [entry])
