"""`paperbot`: the command line. Thin: parse arguments, call the engine, print."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before our imports: the summary line counts them too (see main)

import argparse  # noqa: E402 - after the clock above, on purpose
import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path

from tqdm import tqdm

from .config import load_config, secret_from_env
from .digest import Digest
from .engine import Engine
from .errors import ConfigError, NoAnnouncement, PaperbotError
from .listing import is_iso_date
from .markdown import ANALYSES_OFF, render_digest, render_entry

log = logging.getLogger("paperbot")
_IMPORT_S = time.perf_counter() - _STARTED
TOKEN_ENV = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_BOT_TOKEN"}  # each platform's bot token
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class TqdmProgress:
    """A progress bar on stderr (hidden when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar = tqdm(total=1, desc="paperbot", unit="step", file=sys.stderr, disable=None, leave=False)

    def total(self, steps: int) -> None:
        self.bar.total = steps
        self.bar.refresh()

    def advance(self, steps: int, label: str) -> None:
        self.bar.set_postfix_str(label, refresh=False)
        self.bar.update(steps)

    def note(self, text: str) -> None:
        self.bar.set_postfix_str(text)

    def close(self) -> None:
        self.bar.close()


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
        if args.command == "digest":
            return asyncio.run(_digest(config, args))
        if args.command == "post":
            return asyncio.run(_post(config, args))
        if args.command == "run":
            return asyncio.run(_run(config))
        return asyncio.run(_paper(config, args))
    except NoAnnouncement as exc:
        print(f"paperbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except PaperbotError as exc:
        print(f"paperbot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("paperbot: interrupted; what was stored is kept, run again to resume", file=sys.stderr)
        return 130


async def _digest(config, args) -> int:
    if args.date and not is_iso_date(args.date):
        raise PaperbotError(f"--date {args.date!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09")
    engine = Engine(config, use_llm=not args.no_llm)
    progress = TqdmProgress()
    try:
        digest = await engine.build_digest(args.date, progress=progress)
    finally:
        progress.close()
        await engine.close()
    _write(render_digest(digest), args.out)
    _summary_line(engine, digest, time.perf_counter() - _STARTED)
    return 0


def _summary_line(engine: Engine, digest: Digest, seconds: float) -> None:
    usage = engine.store.usage(engine.run_id)
    print(f"paperbot: {digest.date}: {digest.announced} papers announced, {digest.picked} picked, "
          f"{usage.calls} LLM calls, {usage.prompt_tokens} tokens in / {usage.completion_tokens} out, "
          f"{seconds:.1f} s", file=sys.stderr)


async def _paper(config, args) -> int:
    if args.lang is not None and not _LANGUAGE_RE.match(args.lang):
        raise ConfigError(f"--lang {args.lang!r} is not a language code; use e.g. zh or en")
    language = args.lang or config.llm.language
    engine = Engine(config, use_llm=not args.no_llm)
    progress = TqdmProgress()
    progress.note("fetching the full text and writing the deep analysis" if args.deep else "writing the analysis")
    try:
        entry = await engine.paper(args.id, deep=args.deep, language=language, refresh=args.refresh)
    finally:
        progress.close()
        await engine.close()
    analyses_off = engine.llm is None
    text = render_entry(entry, language=language, analyses_off=analyses_off)
    _write(text + (f"\n\n> {ANALYSES_OFF}\n" if analyses_off else "\n"), None)
    return 0


def _platforms(config) -> list[str]:
    """The chat platforms to run: those with a configured channel or a token in the environment."""
    return [p for p, env in TOKEN_ENV.items() if any(c.platform == p for c in config.channels) or os.environ.get(env)]


async def _run(config) -> int:
    platforms = _platforms(config)
    if not platforms:
        raise ConfigError("nothing to run: add a [[channels]] entry with platform = \"slack\" or \"discord\" and "
                          "set SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN")
    # The CLI is where core and adapters meet; each adapter is imported only when it runs.
    services = {}
    if "slack" in platforms:
        from adapters.slack.service import run_slack  # noqa: PLC0415
        services["slack"] = run_slack
    if "discord" in platforms:
        from adapters.discord.service import run_discord  # noqa: PLC0415
        services["discord"] = run_discord

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # One engine for both platforms: one LLM concurrency limit, and a paper asked for on Slack and
    # Discord at the same moment is analysed once.
    engine = Engine(config)
    tasks = [asyncio.create_task(run(config, stop, engine), name=f"paperbot on {name}")
             for name, run in services.items()]
    try:
        for finished in asyncio.as_completed(tasks):
            await finished
    except BaseException:
        # One platform failing (a bad token) stops the others cleanly; its error is what to fix.
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        await engine.close()
    return 0


async def _post(config, args) -> int:
    if args.date and not is_iso_date(args.date):
        raise PaperbotError(f"--date {args.date!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09")
    channel = config.channel(args.channel)
    platform = channel.platform
    token = secret_from_env(TOKEN_ENV[platform], f"the {platform} bot's token, to post", platform.capitalize())
    # The CLI is where the parts meet: the core never imports an adapter, the command may.
    if channel.platform == "slack":
        from adapters.slack.poster import post_to_slack as post_now  # noqa: PLC0415 - only this command needs it
    else:
        from adapters.discord.outlet import post_to_discord as post_now  # noqa: PLC0415

    engine = Engine(config.for_channel(channel), use_llm=not args.no_llm)
    progress = TqdmProgress()
    try:
        digest = await engine.build_digest(args.date, target=channel.target, progress=progress)
        progress.close()
        sent, already = await post_now(token, config, channel.id, digest, engine.store)
    finally:
        progress.close()
        await engine.close()
    print(f"paperbot: {digest.date}: posted {sent} messages to {channel.target}"
          + (f" ({already} were posted before)" if already else ""), file=sys.stderr)
    return 0


def _write(text: str, out: str | None) -> None:
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # never leave a half-written digest behind
        log.info("wrote %s", path)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
