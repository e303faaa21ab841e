"""All arXiv traffic of the process shares one pace, whichever client sends it."""

import threading

from bot.arxiv.pacer import PacedSession


def test_requests_from_several_sessions_and_threads_are_spaced(arxiv_fake):
    arxiv_fake.set_feed("cs.CV", None, [])
    interval = 0.05
    sessions = [PacedSession(min_interval_s=interval, timeout_s=5, max_retries=0, backoff_s=0) for _ in range(3)]
    threads = [threading.Thread(target=lambda s=s: [s.get(f"{arxiv_fake.url}/rss/cs.CV") for _ in range(2)])
               for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    times = sorted(r.time for r in arxiv_fake.requests)
    assert len(times) == 6
    assert arxiv_fake.max_concurrent == 1  # one connection at a time, across sessions and threads
    # Starts are spaced by the interval; arrival times at the server jitter by a request's travel time,
    # so the bound is on the whole span (five intervals, less one travel time), not on each gap.
    assert times[-1] - times[0] >= 4 * interval


def test_transient_errors_are_retried_a_bounded_number_of_times(arxiv_fake):
    arxiv_fake.set_feed("cs.CV", None, [])
    arxiv_fake.fail_next("/rss", 503, count=5)
    session = PacedSession(min_interval_s=0, timeout_s=5, max_retries=2, backoff_s=0)

    assert session.get(f"{arxiv_fake.url}/rss/cs.CV").status_code == 503
    assert len(arxiv_fake.requests) == 3
    assert session.get(f"{arxiv_fake.url}/rss/cs.CV").status_code == 200  # two more failures, then success
    assert len(arxiv_fake.requests) == 6
