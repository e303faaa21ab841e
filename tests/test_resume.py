"""Nothing lost, nothing doubled: a run that fails halfway is resumed by running it again."""

import multiprocessing
import threading

from bot.models import Paper
from bot.store import Store
from testkit.samples import DAY, seed_items, smart_responder
from testkit.llm_fake import Reply
from tests.test_digest import run


def test_a_second_run_pays_only_for_what_the_first_could_not_finish(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items())
    config = write_config(llm={"concurrency": 1})
    answered = []

    def flaky(request):  # the quota runs out after four answers
        if len(answered) >= 4:
            return Reply.insufficient_quota()
        answered.append(1)
        return smart_responder(request)

    llm_fake.responder = flaky
    first = run(capsys, "digest", "--config", config)
    assert first[0] == 0 and first[1].count("quota is used up") == 7
    first_calls = len(llm_fake.calls)

    llm_fake.responder = smart_responder
    second = run(capsys, "digest", "--config", config)

    assert second[0] == 0 and "quota is used up" not in second[1]
    assert len(llm_fake.calls) - first_calls == 7  # only the seven missing analyses
    assert len(arxiv_fake.requests_to("/api/query")) == 1  # metadata was kept from the first run


def test_an_api_outage_after_the_analyses_keeps_them(arxiv_fake, llm_fake, write_config, capsys):
    arxiv_fake.add_day("cs.CV", DAY, seed_items()[:3])
    arxiv_fake.fail_next("/api/query", 503, count=2)
    config = write_config(arxiv={"max_retries": 1})

    first = run(capsys, "digest", "--config", config)
    assert first[0] == 1 and "the arXiv API did not answer for 3 papers (HTTP 503)" in first[2]
    assert len(llm_fake.calls) == 4

    second = run(capsys, "digest", "--config", config)
    assert second[0] == 0, second[2]
    assert len(llm_fake.calls) == 4  # analyses were stored before the failure


def _write_papers(path, worker: int, count: int) -> None:
    store = Store(path)
    for n in range(count):
        store.save_papers([Paper(id=f"{worker}.{n}", version=1, title="t", abstract="a")])
        store.log_llm_call(run_id=str(worker), purpose="p", paper_id=None, model="m",
                           prompt_tokens=1, completion_tokens=1, latency_s=0.0, outcome="stop")
    store.close()


def test_concurrent_writers_from_threads_and_processes_never_fail(tmp_path):
    path = tmp_path / "shared.db"
    Store(path).close()
    threads = [threading.Thread(target=_write_papers, args=(path, w, 40)) for w in range(4)]
    procs = [multiprocessing.get_context("spawn").Process(target=_write_papers, args=(path, 10 + w, 40)) for w in range(2)]
    for worker in threads + procs:
        worker.start()
    for t in threads:
        t.join()
    for p in procs:
        p.join()
        assert p.exitcode == 0

    store = Store(path)
    assert store.db["papers"].count == 6 * 40
    assert store.db["llm_calls"].count == 6 * 40
