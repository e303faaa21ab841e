"""`paperbot taste --channel slack:ID import FILE | add ID… | remove ID… | show | reset`: what a
channel's picks learn from, beyond its votes and /paper requests."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.arxiv.ids import parse_paper_id
from bot.config import Config
from bot.engine import Engine
from bot.errors import InvalidPaperId, UsageError
from bot.likes import read_likes

from ..progress import TqdmProgress

NAME, HELP = "taste", "a channel's taste: import liked papers (BibTeX or ids), add, remove, show, reset"
ACTIONS = ("import", "add", "remove", "show", "reset")


def arguments(parser) -> None:
    parser.add_argument("--channel", required=True, help="a [[channels]] entry as platform:id, e.g. slack:C0123ABCD")
    parser.add_argument("action", choices=ACTIONS, help="import FILE | add ID... | remove ID... | show | reset")
    parser.add_argument("items", nargs="*", help="the BibTeX or id-list FILE for import; arXiv ids for add/remove")


async def run(config: Config, args, started: float) -> int:
    channel = config.channel(args.channel).ref
    async with Engine(config, use_llm=False) as engine:
        if args.action == "import":
            return await _import(engine, channel, args.items)
        if args.action in ("add", "remove"):
            ids = _ids(args.items, args.action)
            if args.action == "add":
                found = await _fetch(engine, ids)
                engine.store.add_likes(channel, found, source="added")
                print(f"paperbot: added {len(found)} papers to {channel}'s taste", file=sys.stderr)
            else:
                engine.store.remove_likes(channel, ids)
                print(f"paperbot: {len(ids)} papers no longer shape {channel}'s picks (their votes still count "
                      "for the must-read list)", file=sys.stderr)
            return 0
        if args.action == "reset":
            _no_items(args)
            engine.store.reset_taste(channel)
            print(f"paperbot: {channel}'s taste is reset: what it said before now no longer shapes its picks "
                  "(votes still count for the must-read list)", file=sys.stderr)
            return 0
        _no_items(args)
        from .taste_show import show  # noqa: PLC0415 - only `show` needs the learning code

        sys.stdout.write(await show(engine, channel))
        return 0


async def _import(engine: Engine, channel, items: list[str]) -> int:
    if len(items) != 1:
        raise UsageError("name one file to import: paperbot taste --channel ... import likes.bib")
    path = Path(items[0]).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc}); "
                         "name a BibTeX file or a text file with one arXiv id or link a line") from None
    likes = read_likes(text)
    for problem in likes.problems:
        print(f"paperbot: {path.name} {problem}; skipped", file=sys.stderr)
    found = await _fetch(engine, [str(pid) for pid in likes.ids])
    new = engine.store.add_likes(channel, found)
    print(f"paperbot: imported {len(found)} papers into {channel}'s taste ({new} new)"
          + (f"; {len(likes.problems)} entries could not be read" if likes.problems else ""), file=sys.stderr)
    return 0 if found or not (likes.ids or likes.problems) else 2


async def _fetch(engine: Engine, ids: list[str]) -> list[str]:
    """Base ids of the papers that are stored or that arXiv has (fetched, paced, 100 a request)."""
    bases = list(dict.fromkeys(parse_paper_id(i).base for i in ids))
    stored = engine.store.get_papers(bases)
    missing = [b for b in bases if b not in stored or not stored[b].has_metadata]
    if missing:
        progress = TqdmProgress()
        progress.note(f"fetching {len(missing)} papers from arXiv")
        try:
            found = await engine.arxiv.metadata(missing)
        finally:
            progress.close()
        engine.store.save_papers(found.values())
        for base in missing:
            if base not in found and base not in stored:
                print(f"paperbot: arXiv has no paper {base}; skipped", file=sys.stderr)
        stored |= found
    return [b for b in bases if b in stored]


def _ids(items: list[str], action: str) -> list[str]:
    if not items:
        raise UsageError(f"name the papers to {action}: paperbot taste --channel ... {action} 2602.12281 ...")
    try:
        return [parse_paper_id(i).base for i in items]
    except InvalidPaperId as exc:
        raise UsageError(str(exc)) from None


def _no_items(args) -> None:
    if args.items:
        raise UsageError(f"taste {args.action} takes no more arguments ({' '.join(args.items)})")
