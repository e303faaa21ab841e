"""One engine per process, one claim per analysis across processes: nothing is paid for twice."""

import asyncio
import sys

import pytest

from adapters.discord.service import run_discord
from adapters.slack.service import run_slack
from bot.config import load_config
from bot.store import Store
from paperbot.commands.run import serve
from testkit.discord_fake import CHANNEL_ID, FakeDiscord, point_discord_at
from testkit.samples import DAY, filler_items, seed_items
from testkit.slack_fake import FakeSlack
from tests.test_discord_service import minutes_ago


async def test_a_slack_and_a_discord_channel_posting_at_once_share_every_analysis(
        arxiv_fake, llm_fake, write_config, monkeypatch):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    llm_fake.latency_s = 0.3  # the two morning posts are in flight together
    async with FakeSlack() as slack, FakeDiscord() as discord_fake:
        slack.add_channel("C0123", name="vision")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
        monkeypatch.setenv("DISCORD_BOT_TOKEN", discord_fake.token)
        path = write_config()
        both_due = minutes_ago()  # missed five minutes ago: both are caught up at start, at the same moment
        path.write_text(path.read_text() + f'\n[slack]\napi_url = "{slack.api_url}"\n'
                        f'\n[discord]\napi_base = "{discord_fake.api_base}"\ngateway_url = "{discord_fake.gateway_url}"\n'
                        'guild_ready_timeout_s = 0.05\n'
                        f'\n[[channels]]\nplatform = "slack"\nid = "C0123"\npost_at = "{both_due}"\n'
                        f'\n[[channels]]\nplatform = "discord"\nid = "{CHANNEL_ID}"\npost_at = "{both_due}"\n')
        stop = asyncio.Event()
        with point_discord_at(discord_fake):
            service = asyncio.create_task(serve(load_config(path), [run_slack, run_discord], stop))
            try:
                def discord_thread():
                    parents = [m for m in discord_fake.messages(CHANNEL_ID) if not m["ephemeral"]]
                    return parents and len(discord_fake.messages(parents[0]["id"])) >= 10
                await slack.wait_until(lambda: len(slack.messages("C0123")) >= 11 and discord_thread(), timeout=20)
            finally:
                stop.set()
                await asyncio.wait_for(service, 10)
    assert len(llm_fake.calls) == 11  # 10 quick analyses and one summary, for both channels
    assert len(arxiv_fake.requests_to("/api/query")) == 1  # the picks' metadata, completed once for both


async def test_three_digest_processes_on_a_fresh_database_pay_once(arxiv_fake, llm_fake, write_config, tmp_path):
    arxiv_fake.add_day("cs.CV", DAY, seed_items() + filler_items(20))
    llm_fake.latency_s = 0.3  # long enough for the three to overlap
    config = write_config()
    assert not (tmp_path / "paperbot.db").exists()
    processes = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot.cli", "digest", "--config", str(config), "--out", str(tmp_path / f"d{n}.md"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for n in range(3)]
    results = [await asyncio.wait_for(p.communicate(), 60) for p in processes]

    for process, (_, err) in zip(processes, results):
        assert process.returncode == 0, err.decode()
        assert "Traceback" not in err.decode()
    digests = [(tmp_path / f"d{n}.md").read_text(encoding="utf-8") for n in range(3)]
    assert digests[0] == digests[1] == digests[2] and digests[0].count("<a id='") == 10
    assert len(llm_fake.calls) == 11


async def test_a_claim_whose_holder_died_lapses_and_another_process_takes_over(tmp_path):
    dead, alive = Store(tmp_path / "c.db", lease_s=1), Store(tmp_path / "c.db", lease_s=1)
    assert dead.claim("quick/2602.12281v1")  # and then it dies: no renewal, no release
    assert not alive.claim("quick/2602.12281v1")
    made = []

    async def produce():
        made.append(alive.holder)
        return "written"

    result = await asyncio.wait_for(alive.once("quick/2602.12281v1", lambda: None, produce), 10)
    assert result == "written" and made == [alive.holder]
    assert alive.claim("quick/2602.12281v1") and not dead.claim("quick/2602.12281v1")  # released, then re-taken


async def test_a_waiter_takes_the_result_the_holder_stored(tmp_path):
    holder, waiter = Store(tmp_path / "c.db", lease_s=5), Store(tmp_path / "c.db", lease_s=5)
    stored = {}
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(0.3)
        stored["value"] = "from the holder"
        return stored["value"]

    async def never():
        pytest.fail("the waiter must not produce what the holder is producing")

    first = asyncio.create_task(holder.once("k", lambda: stored.get("value"), slow))
    await started.wait()
    second = await waiter.once("k", lambda: stored.get("value"), never)
    assert await first == second == "from the holder"
