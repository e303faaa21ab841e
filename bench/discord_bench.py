"""Benchmark the Discord bot: `/paper` defer latency and reaction votes per second.

    python -m bench.discord_bench [--commands 200] [--uncached 20] [--latency 0.5] [--events 1000] [--concurrency 10]

The real discord.py client (adapters.discord.app.PaperBot) runs on this script's event loop, connected to
FakeDiscord (testkit/discord_fake.py: REST API and gateway in one aiohttp server), which runs on its own
loop in a thread and sends INTERACTION_CREATE and MESSAGE_REACTION_ADD as Discord would. arXiv
(min_interval_s = 0, no pacing) and the LLM are the loopback fakes, set up as in slack_bench.py, whose
helpers this script imports. Prints figures only; exit 0 unless the bot fails (a first response that is not
an accepted type-5 deferral, an analysis never posted, a vote never recorded).
"""

import asyncio
import math
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import discord

from adapters.discord.app import PaperBot
from adapters.discord.conversation import DiscordConversation
from bench.slack_bench import (CACHED, coalescing, drive, modes, paper_commands, parse_args, pct, prepare_fakes,
                               wait_for, write_config)
from bot.chat.desk import Desk
from bot.chat.morning import MorningPost
from bot.chat.outbox import Outbox
from bot.chat.votes import VoteBook
from bot.config import load_config
from bot.engine import Engine
from bot.models import ChannelRef
from testkit.arxiv_fake import FakeArxiv
from testkit.discord_fake import GUILD_ID, ROUTE_CALLBACK, Callback, FakeDiscord, started_client
from testkit.llm_fake import CHAT_PATH, FakeLLM
from testkit.samples import make_digest

VOTES = "1100000000000003000"  # the channel of the digest voted on; each /paper mode has its own channel too
EMOJI = ("⭐", "👍")
FIRST_USER = 1400000000000000000  # the voters' ids: fresh ones for each mode


def paper_channel(conc: int) -> str:
    return str(1100000000000002000 + conc)


class TimedDiscord(FakeDiscord):
    """FakeDiscord that stamps, on its own thread, each INTERACTION_CREATE as it goes out and each
    interaction's first callback as it comes in (time.perf_counter: one clock for every thread), and
    wakes whoever awaits that callback. It hooks two of the fake's methods rather than editing it:
    _send_locked (numbers and sends a dispatch) and _answer (answers a REST call, under the fake's lock)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}
        self._waiters: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future]] = {}

    async def _send_locked(self, t, d):
        if t == "INTERACTION_CREATE":
            self.sent_at[d["id"]] = time.perf_counter()
        return await super()._send_locked(t, d)

    def _answer(self, route, handler, params, *rest):
        received = time.perf_counter()
        answer = super()._answer(route, handler, params, *rest)  # records the Callback
        if route == ROUTE_CALLBACK and params["interaction_id"] not in self.answered_at:
            self.answered_at[params["interaction_id"]] = received
            if waiter := self._waiters.pop(params["interaction_id"], None):
                waiter[0].call_soon_threadsafe(waiter[1].set_result, None)
        return answer

    async def first_callback(self, interaction, timeout: float = 10) -> Callback:
        """The interaction's first response, as soon as the fake has answered it (no polling)."""
        with self._lock:
            future = None
            if interaction.id not in self.answered_at:
                future = asyncio.get_running_loop().create_future()
                self._waiters[interaction.id] = (asyncio.get_running_loop(), future)
        if future is not None:
            try:
                await asyncio.wait_for(future, timeout)
            except TimeoutError:
                sys.exit(f"FAIL: no response to interaction {interaction.id} within {timeout} s")
        return self.callbacks(interaction)[0]


async def paper_phase(fake: TimedDiscord, reader, fakes, conc: int, cmds: list[str], latency: float) -> dict:
    arxiv, llm = fakes
    channel = paper_channel(conc)
    before = len(llm.requests_to(CHAT_PATH)), len(arxiv.requests), len(fake.calls)

    async def send(cmd):
        sent, started = time.monotonic(), time.perf_counter()
        interaction = await fake.interaction("paper", {"id": cmd}, channel_id=channel)
        callback = await fake.first_callback(interaction)
        return interaction, callback, sent, time.perf_counter() - started
    started = time.perf_counter()
    results, wall = await drive(cmds, conc, send)
    for (_, callback, _, _), cmd in zip(results, cmds):
        if callback.type != 5 or callback.status not in (200, 204):
            sys.exit(f"FAIL: /paper {cmd} answered type {callback.type}, status {callback.status}: {callback.data}")
    # The bot records each message as it posts it: "request:<id>:analysis" is a command's analysis (the first
    # message in the thread under its head "request:<id>").
    analyses = "select count(*) from posts where channel = ? and item glob 'request:*:analysis'"
    ref = str(ChannelRef("discord", channel))
    posted = await wait_for(lambda: reader.execute(analyses, [ref]).fetchone()[0] >= len(cmds),
                            f"{len(cmds)} analyses posted in {channel}")
    asks = [(cmd, r[2]) for r, cmd in zip(results, cmds) if CACHED not in cmd]
    ms = {kind: [((fake.answered_at[i.id] - fake.sent_at[i.id]) * 1000, bench * 1000)
                 for (i, _, _, bench), c in zip(results, cmds) if (CACHED in c) == (kind == "cached")]
          for kind in ("cached", "uncached")}
    calls = llm.requests_to(CHAT_PATH)[before[0]:]
    return {"ms": ms, "wall": wall, "posted": posted - started, "calls": len(calls), **coalescing(calls, asks, latency),
            "arxiv": len(arxiv.requests) - before[1], "rest": len(fake.calls) - before[2]}


async def vote_phase(fake: TimedDiscord, reader, messages: list[tuple[str, str]], users: range, conc: int, n: int,
                     rng) -> dict:
    """n MESSAGE_REACTION_ADD, each a new (user, message, emoji), so each adds one row to `votes`."""
    events = [(str(u), thread, message, e) for u in users for thread, message in messages for e in EMOJI][:n]
    rng.shuffle(events)
    rows = lambda: reader.execute("select count(*) from votes").fetchone()[0]  # noqa: E731
    goal, started = rows() + len(events), time.perf_counter()
    recorded = asyncio.create_task(wait_for(lambda: rows() >= goal, f"{n} votes recorded"))
    _, wall = await drive(events, conc, lambda ev: fake.reaction(*ev))
    return {"sent": wall, "recorded": await recorded - started, "rows": rows()}


async def bench(args, fake: TimedDiscord, fakes, config_path: Path) -> None:
    (_, llm), rng, config = fakes, random.Random(7), load_config(config_path)
    engine = Engine(config)
    reader = sqlite3.connect(config_path.parent / "paperbot.db")  # a reader of the bot's store (WAL)
    try:
        await engine.paper(CACHED, "en", deep=True)  # the cached paper, analysed before any clock
        llm.latency_s = args.latency
        book = VoteBook(engine.store, emoji=("star", "+1"), threshold=2)
        client = PaperBot(Desk(engine, book), config)
        async with started_client(fake, client):
            papers = {mode: await paper_phase(fake, reader, fakes, conc, paper_commands(rng, args, base), args.latency)
                      for mode, conc, base in modes(args)}
            digest = make_digest(10)
            engine.store.save_papers([e.paper for e in digest.entries])
            where = ChannelRef("discord", VOTES)
            outbox = Outbox(DiscordConversation(client, config.votes.emoji), engine.store)
            await MorningPost(outbox, config.votes.emoji).post_digest(where, digest)
            messages = [(p["thread"], p["message"]) for p in engine.store.posted(where, digest.date).values()
                        if p["paper_id"]]
            per_mode, votes = math.ceil(args.events / (len(EMOJI) * len(messages))), {}  # new users for each mode
            for k, (mode, conc, _) in enumerate(modes(args)):
                first = FIRST_USER + k * per_mode
                votes[mode] = await vote_phase(fake, reader, messages, range(first, first + per_mode), conc,
                                               args.events, rng)
            must_read = len(book.must_read(where))
    finally:
        reader.close()
        await engine.close()
    report(args, papers, votes, must_read, per_mode)


def report(args, papers: dict, votes: dict, must_read: int, users: int) -> None:
    print(f"/paper defer latency (the fake sends INTERACTION_CREATE -> it receives the type-5 callback, both stamped "
          f"on its thread; 'bench': before fake.interaction() -> this loop woken by the callback), ms\n  {'mode':<13} "
          f"{'kind':<8} {'n':>4} {'p50':>6} {'p99':>6} {'max':>6}  {'bench p50/p99/max':>19}  all deferred  all posted"
          f"  LLM calls  arXiv req  Discord REST")
    for mode, p in papers.items():
        for kind, pairs in p["ms"].items():
            ms, bench = [f for f, _ in pairs], [b for _, b in pairs]
            tail = (f"  {p['wall']:10.2f} s  {p['posted']:8.2f} s  {p['calls']:>9}  {p['arxiv']:>9}  {p['rest']:>12}"
                    if kind == "cached" else f"  ({p['deep']} deep calls for {p['papers']} papers; {p['overlap']} of "
                    f"{p['repeats']} repeat asks sent while that call was in flight)")
            print(f"  {mode:<13} {kind:<8} {len(ms):>4} {pct(ms, .5):6.1f} {pct(ms, .99):6.1f} {max(ms):6.1f}  "
                  f"{f'{pct(bench, .5):.1f}/{pct(bench, .99):.1f}/{max(bench):.1f}':>19}{tail}")
    print(f"\nreaction votes: {args.events} MESSAGE_REACTION_ADD per mode (each a new user x message x emoji: "
          f"{users} new users per mode, ⭐/👍, the 10 thread messages of a posted digest)\n"
          f"  {'mode':<13} {'sent s':>7} {'sent ev/s':>9} {'recorded s':>10} {'recorded ev/s':>13}  vote rows")
    for mode, v in votes.items():
        print(f"  {mode:<13} {v['sent']:7.2f} {args.events / v['sent']:9.0f} {v['recorded']:10.2f} "
              f"{args.events / v['recorded']:13.0f}  {v['rows']:>9}")
    (c, s), (vc, vs) = papers.values(), votes.values()
    fake_ms = {kind: [f for p in papers.values() for f, _ in p["ms"][kind]] for kind in ("cached", "uncached")}
    waits = "never waited" if max(fake_ms["uncached"]) < args.latency * 1000 else "MAY HAVE WAITED"
    coalesced = "one per paper" if c["one_each"] and s["one_each"] else "NOT one per paper"
    both = lambda p: [f for kind in p["ms"].values() for f, _ in kind]  # noqa: E731
    print(f"\nSummary: all {2 * args.commands} /paper deferrals reached the fake within "
          f"{max(max(v) for v in fake_ms.values()):.0f} ms (Discord allows 3000), with p99 {pct(both(c), .99):.0f} ms "
          f"at {args.concurrency} in flight and {pct(both(s), .99):.0f} ms sequentially; uncached papers deferred "
          f"within {max(fake_ms['uncached']):.0f} ms, so the deferral {waits} for the LLM ({args.latency * 1000:.0f} ms"
          f" a call). Uncached papers cost {c['deep'] + s['deep']} deep-analysis calls for {c['papers'] + s['papers']}"
          f" papers asked 5 times each ({coalesced}), and every analysis was posted {c['posted']:.2f} s / "
          f"{s['posted']:.2f} s after the first command. Reaction votes were sent at {args.events / vc['sent']:.0f} / "
          f"{args.events / vs['sent']:.0f} events/s ({args.concurrency} at a time / sequential) and recorded at "
          f"{args.events / vc['recorded']:.0f} / {args.events / vs['recorded']:.0f} events/s; {must_read} of 10 "
          f"papers reached the must-read list.")


def main() -> int:
    args = parse_args(__doc__, "reaction events")
    with FakeArxiv() as arxiv, FakeLLM() as llm, TimedDiscord() as fake, \
            tempfile.TemporaryDirectory(prefix="paperbot-discord-bench-") as tmpdir:
        prepare_fakes(arxiv, llm, args.uncached)
        for channel in (paper_channel(args.concurrency), paper_channel(1), VOTES):  # in GUILD_CREATE, so cached
            fake.add_channel(channel, GUILD_ID)
        section = dict(api_base=fake.api_base, gateway_url=fake.gateway_url, guild_ids=[int(GUILD_ID)],
                       guild_ready_timeout_s=0.05)
        config = write_config(Path(tmpdir), arxiv, llm, discord=section)
        print(f"Discord: PaperBot (discord.py {discord.__version__}) on this script's loop; FakeDiscord (REST and "
              f"gateway) on its own thread and loop; fakes: arXiv (min_interval_s = 0), LLM ({args.latency} s per "
              f"call)\n")
        asyncio.run(bench(args, fake, (arxiv, llm), config))
        if fake.errors:
            sys.exit(f"FAIL: the fake Discord itself failed: {fake.errors!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
