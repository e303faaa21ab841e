"""Every expected failure is one sentence naming the problem and the fix, with the documented exit code,
and nothing stored is lost. Where the failure is the process's, it is a real `paperbot` process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.analysis.validate import parse_reply, without_reasoning
from bot.analysis.replies import QuickAnalysis
from bot.store import Store
from testkit.arxiv_fake import ApiPaper
from testkit.discord_fake import CHANNEL_ID, ROUTE_SEND, FakeDiscord, point_discord_at
from testkit.llm_fake import Reply
from testkit.process import paperbot
from testkit.samples import DAY, quick_reply, seed_items, smart_responder
from tests.test_discord_bot import discord_config
from tests.test_digest import run

ROOT_USER = os.geteuid() == 0


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def config_with_storage(write_config, storage: str) -> Path:
    path = write_config()
    path.write_text(path.read_text().replace('path = "paperbot.db"', f"path = {json.dumps(storage)}"))
    return path


class ReadOnly:
    """Make a file or folder read-only for this process: chmod for a user, the immutable flag for root
    (whom permissions do not stop). Skips when neither is possible here."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        if not ROOT_USER:
            self.mode = self.path.stat().st_mode
            self.path.chmod(0o555 if self.path.is_dir() else 0o444)
        elif not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(self.path)]).returncode:
            pytest.skip("as root, a read-only file needs chattr +i, which this machine does not allow")
        return self

    def __exit__(self, *exc):
        if ROOT_USER:
            subprocess.run(["chattr", "-i", str(self.path)], check=True)
        else:
            self.path.chmod(self.mode)


# -- storage and process ------------------------------------------------------------------------------
def test_a_database_path_under_a_file_is_one_sentence(write_config, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = paperbot("digest", "--config", config_with_storage(write_config, "notes.txt/paperbot.db"))
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"paperbot: error: the database {tmp_path}/notes.txt/paperbot.db cannot be created: {tmp_path}/notes.txt "
        "is a file, not a folder; set [storage] path to a file in a folder")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_database_path_that_is_a_folder_is_one_sentence(write_config, tmp_path):
    (tmp_path / "store").mkdir()
    code, out, err = paperbot("digest", "--config", config_with_storage(write_config, "store"))
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"paperbot: error: the database path {tmp_path}/store is a folder; set [storage] path to a file in it, "
        f"e.g. {tmp_path}/store/paperbot.db")
    assert list((tmp_path / "store").iterdir()) == []


def test_a_folder_that_cannot_be_created_is_one_sentence(write_config, tmp_path):
    (tmp_path / "locked").mkdir()
    with ReadOnly(tmp_path / "locked"):
        code, out, err = paperbot("digest", "--config", config_with_storage(write_config, "locked/new/paperbot.db"))
    assert code == 1 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"paperbot: error: the folder for the database {tmp_path}/locked/new/paperbot.db "
                           "cannot be created (")
    assert last.endswith("); create it with write permission, or set [storage] path")


@pytest.mark.parametrize("damage", ["not a database", "malformed"])
def test_a_damaged_database_is_one_sentence_and_left_as_it_is(damage, arxiv_fake, llm_fake, write_config, tmp_path,
                                                               capsys):
    config = write_config()
    db = tmp_path / "paperbot.db"
    if damage == "not a database":
        db.write_bytes(b"these are my notes, not SQLite\n" * 200)
    else:  # a real store whose pages were overwritten halfway through
        arxiv_fake.add_day("cs.CV", DAY, seed_items())
        assert run(capsys, "digest", "--config", config, "--no-llm")[0] == 0
        with sqlite3.connect(db) as conn:
            conn.execute("pragma wal_checkpoint(truncate)")
        data = bytearray(db.read_bytes())
        data[4096:len(data) - 4096] = b"\xff" * (len(data) - 8192)
        db.write_bytes(bytes(data))
    before = digest_of(db)

    code, out, err = paperbot("digest", "--config", config, "--date", "2026-02-09")

    assert code == 1 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"paperbot: error: the database {db} is damaged or not a paperbot database (")
    assert last.endswith("); move it aside and restore a backup (see the README's \"Backups\"), or remove it "
                         "to start fresh")
    assert digest_of(db) == before


def test_a_read_only_database_still_serves_what_only_reads(arxiv_fake, llm_fake, write_config, tmp_path, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    arxiv_fake.add_paper(ApiPaper("2602.11111", title="Another day's paper", abstract="We propose Y. It works."))
    config = write_config()
    code, digest, _ = run(capsys, "digest", "--config", config)
    assert code == 0 and run(capsys, "paper", "--config", config, "2602.06959")[0] == 0
    paper = run(capsys, "paper", "--config", config, "2602.06959")[1]
    db = tmp_path / "paperbot.db"
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    before, calls = digest_of(db), len(llm_fake.calls)

    with ReadOnly(db):
        stored_day = paperbot("digest", "--config", config, "--date", "2026-02-09")
        stored_paper = paperbot("paper", "--config", config, "2602.06959")
        new_paper = paperbot("paper", "--config", config, "2602.11111")

    assert stored_day[0] == 0 and stored_day[1] == digest, stored_day[2]
    assert stored_paper[0] == 0 and stored_paper[1] == paper, stored_paper[2]
    assert new_paper[0] == 1 and "Traceback" not in new_paper[2]
    assert new_paper[2].strip().splitlines()[-1] == (
        f"paperbot: error: the database {db} is read-only, so this cannot be saved; fix the file's permissions "
        "(and its folder's), or set [storage] path to a writable file")
    assert digest_of(db) == before and len(llm_fake.calls) == calls


def test_ctrl_c_while_the_program_is_still_loading_exits_130_without_a_traceback(tmp_path):
    # An import hook interrupts the process in the middle of loading the engine, as Ctrl-C would.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'bot.engine':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n")
    code, out, err = paperbot("digest", env={"PYTHONPATH": str(hook)})
    assert code == 130 and out == ""
    assert err == "paperbot: interrupted; what was stored is kept, run again to resume\n"


def test_backup_is_consistent_while_the_bot_writes_and_restores(arxiv_fake, llm_fake, write_config, tmp_path, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    config = write_config()
    assert run(capsys, "digest", "--config", config)[0] == 0
    stop = threading.Event()

    def keep_writing():  # the bot, recording votes while the backup runs
        writer, n = Store(tmp_path / "paperbot.db"), 0
        while not stop.is_set():
            writer.first_sighting(f"event-{n}")
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        code, out, err = paperbot("backup", "--config", config, tmp_path / "backup.db")
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    assert err.startswith(f"paperbot: backed up {tmp_path / 'paperbot.db'} to {tmp_path / 'backup.db'} (")
    with sqlite3.connect(tmp_path / "backup.db") as copy:
        assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert copy.execute("select count(*) from analyses where status = 'ok'").fetchone()[0] == 11
    # Restoring is putting the copy where [storage] path points: the same digest, no LLM call.
    calls = len(llm_fake.calls)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"paperbot.db{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.db", tmp_path / "paperbot.db")
    assert run(capsys, "digest", "--config", config, "--date", "2026-02-09")[0] == 0 and len(llm_fake.calls) == calls
    code, _, err = paperbot("backup", "--config", config, tmp_path / "backup.db")
    assert code == 2 and f"{tmp_path / 'backup.db'} exists; pick a new name, or add --force to replace it" in err


# -- network and platforms ------------------------------------------------------------------------------
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", ["run", "post"])
def test_slack_unreachable_is_one_sentence(command, arxiv_fake, llm_fake, write_config):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    path = write_config()
    api = f"http://127.0.0.1:{closed_port()}/api/"
    path.write_text(path.read_text() + f'\n[slack]\napi_url = "{api}"\n'
                    '\n[[channels]]\nplatform = "slack"\nid = "C0123"\n')
    args = ["post", "--channel", "slack:C0123"] if command == "post" else ["run"]
    code, out, err = paperbot(*args, "--config", path, env={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-t"})
    assert code == 1 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"paperbot: error: Slack could not be reached at {api} (")
    assert "check the network or [slack] api_url, and try again" in last


def test_discord_dropping_the_connection_while_posting_is_one_sentence_and_the_rerun_resumes(
        arxiv_fake, llm_fake, write_config, capsys, monkeypatch):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    with FakeDiscord() as fake, point_discord_at(fake):
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake.token)
        config = discord_config(write_config, fake, channels=[(CHANNEL_ID, "09:00")]).base_dir / "paperbot.toml"
        fake.after(ROUTE_SEND, 2).drop_next(ROUTE_SEND)
        code, _, err = run(capsys, "post", "--config", config, "--channel", f"discord:{CHANNEL_ID}")
        assert code == 1 and "Traceback" not in err
        assert err.strip().splitlines()[-1] == (
            f"paperbot: error: the connection to Discord dropped while posting to {CHANNEL_ID} "
            "(ServerDisconnectedError); check the network; what was posted is kept and the next run continues")
        code, _, err = run(capsys, "post", "--config", config, "--channel", f"discord:{CHANNEL_ID}")
        assert code == 0 and "posted 2 messages" in err and "(2 were posted before)" in err, err


# -- the LLM -----------------------------------------------------------------------------------------------
def test_a_local_server_needs_no_key(arxiv_fake, llm_fake, write_config, monkeypatch):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    config = write_config(key=True)
    monkeypatch.delenv("OPENAI_API_KEY")
    code, out, err = paperbot("digest", "--config", config)
    assert code == 0, err
    assert "Paper 2602.06959v1 proposes a new method." in out and "Analyses are off" not in out
    assert {r.headers["authorization"] for r in llm_fake.requests} == {"Bearer no-key-needed"}


def test_without_a_key_for_openai_stderr_says_analyses_are_off(arxiv_fake, llm_fake, write_config):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    code, out, err = paperbot("digest", "--config", write_config(key=False))
    assert code == 0 and "Analyses are off" in out
    assert ("paperbot: analyses are off: set OPENAI_API_KEY to your OpenAI key (or point [llm] base_url at another "
            "server) to have them written") in err
    assert paperbot("digest", "--config", write_config(key=False), "--no-llm")[2].count("analyses are off") == 0


def test_reasoning_blocks_are_dropped_before_the_answer_is_read(arxiv_fake, llm_fake, write_config, capsys):
    draft = json.dumps({**quick_reply("x"), "main_contribution": "DRAFT, do not publish"})
    assert without_reasoning(f"<think>{draft}</think>\n{{}}") == "\n{}"
    assert without_reasoning(f"draft {draft}</think>{{}}") == "{}"  # a server that dropped the opening tag
    reply = parse_reply(f"<think>Let me draft: {draft}</think>\n{json.dumps(quick_reply('x'))}", "stop", QuickAnalysis)
    assert reply.main_contribution == "Paper x proposes a new method. It improves efficiency."

    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:2])
    # One server thinks inside the content, another (vLLM, DeepSeek) beside it in reasoning_content.
    llm_fake.responder = lambda request: (
        Reply(content=smart_responder(request), reasoning_content=f"Let me draft it: {draft}")
        if "2602.06949" in request["messages"][1]["content"]
        else f"<think>First a draft: {draft} ...</think>{smart_responder(request)}")
    code, out, err = run(capsys, "digest", "--config", write_config())
    assert code == 0 and "DRAFT" not in out
    assert "Paper 2602.06959v1 proposes a new method." in out and "Paper 2602.06949v1 proposes a new method." in out


def test_a_failed_analysis_never_quotes_the_model(arxiv_fake, llm_fake, write_config):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:1])
    nonanswer = {**quick_reply("x"), "main_contribution": "请提供论文内容，我才能分析。"}
    llm_fake.responder = lambda r: json.dumps(nonanswer) if '"main_contribution"' in r["messages"][0]["content"] \
        else smart_responder(r)
    code, out, err = paperbot("digest", "--config", write_config())
    assert "_Analysis unavailable: the model gave no usable answer (a non-answer)._" in out
    assert "请提供" not in out and "请提供" not in err


# -- bad input -----------------------------------------------------------------------------------------------
def test_a_date_that_is_not_one_exits_2(write_config):
    code, out, err = paperbot("digest", "--config", write_config(), "--date", "2026-13-45")
    assert code == 2 and out == ""
    assert err == "paperbot: error: --date '2026-13-45' is not a date; write it as YYYY-MM-DD, e.g. 2026-02-09\n"
