"""`paperbot`: the command line. Thin: parse arguments, run a command, turn expected failures into one
sentence and an exit code (README, "Exit codes")."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before our imports: the summary line counts them too (see main)

import argparse  # noqa: E402 - after the clock above, on purpose
import asyncio  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.errors import NoAnnouncement, PaperbotError  # noqa: E402

from . import commands  # noqa: E402

log = logging.getLogger("paperbot")
_IMPORT_S = time.perf_counter() - _STARTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbot", description="Each morning's arXiv papers, picked and read for your team.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="config file (default: $PAPERBOT_CONFIG, else the bundled defaults)")
    common.add_argument("--no-llm", action="store_true", help="no LLM calls: metadata, abstracts, key findings, links")

    digest = sub.add_parser("digest", parents=[common], help="build the digest of an announcement day as Markdown")
    digest.add_argument("--date", help="YYYY-MM-DD: the current announcement or a stored day (default: current)")
    digest.add_argument("--out", help="write the Markdown to this file (default: stdout)")

    paper = sub.add_parser("paper", parents=[common], help="the quick (or, with --deep, deep) analysis of one paper")
    paper.add_argument("id", help="an arXiv id or URL: 2602.12281, 2602.12281v2, arXiv:2602.12281, "
                                  "https://arxiv.org/abs/2602.12281, hep-th/9901001")
    paper.add_argument("--deep", action="store_true",
                       help="a deep method analysis written from the paper's full text (HTML, else PDF)")
    paper.add_argument("--lang", help="output language, e.g. zh or en (default: [llm] language)")
    paper.add_argument("--refresh", action="store_true", help="write the analysis again instead of using the stored one")

    sub.add_parser("run", parents=[common], help="run the chat bot: scheduled posts, /paper, /mustread, votes")

    post = sub.add_parser("post", parents=[common], help="post one digest to a configured channel now")
    post.add_argument("--channel", required=True, help="a [[channels]] entry as platform:id, e.g. slack:C0123ABCD")
    post.add_argument("--date", help="YYYY-MM-DD: the current announcement or a stored day (default: current)")
    return parser


def main(argv: list[str] | None = None) -> int:
    global _STARTED
    _STARTED = time.perf_counter() - _IMPORT_S  # this run, plus the one-off cost of our imports
    args = _parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config)
        return asyncio.run(commands.COMMANDS[args.command](config, args, _STARTED))
    except NoAnnouncement as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except PaperbotError as exc:
        print(f"paperbot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("paperbot: interrupted; what was stored is kept, run again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
