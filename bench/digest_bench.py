"""Benchmark `paperbot digest` end to end against the loopback fakes.

    python -m bench.digest_bench [--papers 300] [--latency 1.0] [--interval 3]   (from the repository root)

Runs the real CLI as a subprocess (interpreter start-up and imports count), once
cold (empty store) and once warm (same day again), and compares the cold wall
time with the critical path no implementation can beat: arXiv's pacing plus the
LLM rounds the concurrency limit allows. Prints figures only; the goals are
informational (exit 0 unless the child itself fails).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testkit.arxiv_fake import FakeArxiv, FeedItem
from testkit.llm_fake import FakeLLM, _estimate_tokens, _prompt_text
from testkit.samples import DAY, smart_responder

ROOT = Path(__file__).resolve().parent.parent

CONCURRENCY = 8
MAX_PAPERS = 10
INTERESTS = "video diffusion models, 3D Gaussian splatting, open-vocabulary segmentation"
SUMMARY_RE = re.compile(r"(\d+) papers announced, (\d+) picked, (\d+) LLM calls, "
                        r"(\d+) tokens in / (\d+) out, ([\d.]+) s")

# -- a deterministic day of cs.CV papers -----------------------------------------------------
TASKS = ["image classification", "object detection", "semantic segmentation", "depth estimation",
         "pose estimation", "image restoration", "visual question answering", "person re-identification",
         "optical flow", "point cloud registration", "medical image analysis", "remote sensing change detection",
         "scene text recognition", "action recognition", "image captioning", "anomaly detection"]
METHODS = ["a lightweight convolutional backbone", "a hierarchical vision transformer", "contrastive pretraining",
           "a mixture of experts", "knowledge distillation", "a state space model", "test-time adaptation",
           "masked image modelling", "a graph neural network", "prompt tuning", "self-supervised learning"]
DATASETS = ["ImageNet", "COCO", "ADE20K", "KITTI", "nuScenes", "Cityscapes", "ScanNet", "LVIS", "Kinetics-400"]
ISSUES = ["domain shift", "label noise", "long-tailed distributions", "occlusion", "limited annotations",
          "high computational cost", "poor calibration", "small objects"]
# Papers on the configured interests, so the ranking has something to find.
HOT = {"Video Diffusion Models": ["Long Video Generation", "Camera Control", "Motion Transfer"],
       "3D Gaussian Splatting": ["Dynamic Scenes", "Sparse-View Reconstruction", "City-Scale Rendering"],
       "Open-Vocabulary Segmentation": ["Remote Sensing", "Medical Images", "Video"]}
PREFIXES = ["Rethinking", "Towards", "Revisiting", "Learning", "Scaling", "Improving", "Boosting"]
SENTENCES = ("Existing approaches to {task} struggle with {issue}, which limits their use in practice. | "
             "In this paper we propose a method for {task} based on {method}. | "
             "Our key observation is that {issue} can be reduced by sharing features across scales. | "
             "We introduce a training objective that aligns intermediate representations with {method}. | "
             "The resulting model is simple to implement and adds little overhead at inference time. | "
             "Extensive experiments on {data} and {data2} show consistent gains over strong baselines. | "
             "We further analyse the effect of {issue} and show that our design is robust to it. | "
             "Ablation studies confirm that each component contributes to the final accuracy. | "
             "Compared with prior work, our approach uses fewer parameters and converges faster. | "
             "We also study how the method scales with model size, data size and image resolution. | "
             "Qualitative results show sharper boundaries and fewer artefacts in difficult regions. | "
             "Code and pretrained models will be released to facilitate future research.").split(" | ")
NAMES = ["Wei Zhang", "Maria Garcia", "Yuki Tanaka", "Ahmed Hassan", "Anna Kowalska", "Li Na", "John Smith",
         "Priya Patel", "Lucas Martin", "Sara Rossi", "Min-jun Kim", "Olga Ivanova", "David Cohen"]


def make_papers(count: int, seed: int = 42) -> list[FeedItem]:
    rng = random.Random(seed)
    hot_every = max(1, count // 9)  # ~9 interest-matching papers, spread over the day
    items = []
    for n in range(count):
        task, method, issue = rng.choice(TASKS), rng.choice(METHODS), rng.choice(ISSUES)
        data, data2 = rng.sample(DATASETS, 2)
        if n % hot_every == 3:  # an interest-matching paper
            task = list(HOT)[(n // hot_every) % len(HOT)]
            title = f"{rng.choice(['Efficient', 'Scalable', 'Robust'])} {task} for {rng.choice(HOT[task])}"
        elif rng.random() < 0.5:
            title = f"{rng.choice(PREFIXES)} {task.title()} with {method.removeprefix('a ')}"
        else:
            title = f"{method.removeprefix('a ').capitalize()} for {task} under {issue}"
        words, sentences = [], SENTENCES[:]
        while len(words) < rng.randint(150, 250):  # ~150-250 words
            if not sentences:
                sentences = SENTENCES[:]
            s = sentences.pop(rng.randrange(len(sentences)))
            words += s.format(task=task, method=method, issue=issue, data=data, data2=data2).split()
        items.append(FeedItem(f"2602.{10000 + n:05d}", title=title, abstract=" ".join(words),
                              authors=rng.sample(NAMES, rng.randint(2, 6)), categories=["cs.CV"]))
    return items


# -- helpers -----------------------------------------------------------------------------------
def write_config(tmp: Path, arxiv: FakeArxiv, llm: FakeLLM, interval: float) -> Path:
    path = tmp / "paperbot.toml"
    path.write_text(f"""\
[arxiv]
categories = ["cs.CV"]
rss_url = "{arxiv.url}/rss"
api_url = "{arxiv.url}/api/query"
min_interval_s = {interval}
[digest]
max_papers = {MAX_PAPERS}
interests = "{INTERESTS}"
[llm]
base_url = "{llm.base_url}"
model = "fake-model"
concurrency = {CONCURRENCY}
[storage]
path = "paperbot.db"
""", encoding="utf-8")
    return path


def run_digest(config: Path, out: Path) -> tuple[float, str]:
    """Run the CLI in a fresh interpreter; return (wall seconds, the child's last stderr line)."""
    script = Path(sys.executable).with_name("paperbot")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "paperbot.cli"]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "PAPERBOT_CONFIG")}
    env |= {"OPENAI_API_KEY": "sk-bench-not-a-real-key", "NO_PROXY": "127.0.0.1,localhost"}
    started = time.perf_counter()
    child = subprocess.run([*cmd, "digest", "--config", str(config), "--out", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"paperbot exited {child.returncode}:\n{child.stderr}")
    lines = child.stderr.strip().splitlines()
    return wall, lines[-1] if lines else ""


def db_usage(db: Path) -> list[tuple[str, int, int, int]]:
    """(run_id, calls, tokens in, tokens out) per run in `llm_calls`, oldest first."""
    with sqlite3.connect(db) as con:
        return con.execute("select run_id, count(*), sum(prompt_tokens), sum(completion_tokens) from llm_calls"
                           " group by run_id order by min(id)").fetchall()


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- the benchmark ---------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=300, help="papers in the day's cs.CV feed (default 300)")
    ap.add_argument("--latency", type=float, default=1.0, help="fake LLM latency per call, s (default 1.0)")
    ap.add_argument("--interval", type=float, default=3.0, help="arXiv min_interval_s (default 3, arXiv's rule)")
    args = ap.parse_args()

    with FakeArxiv() as arxiv, FakeLLM() as llm, tempfile.TemporaryDirectory(prefix="paperbot-bench-") as tmpdir:
        tmp = Path(tmpdir)
        arxiv.add_day("cs.CV", DAY, make_papers(args.papers))
        llm.responder, llm.latency_s = smart_responder, args.latency
        config = write_config(tmp, arxiv, llm, args.interval)
        print(f"paperbot digest: {args.papers} papers, LLM latency {args.latency} s, arXiv interval "
              f"{args.interval} s, concurrency {CONCURRENCY}, max_papers {MAX_PAPERS}\n")

        # Cold: empty store.
        cold_wall, cold_line = run_digest(config, tmp / "digest.md")
        cold_reqs, cold_calls, cold_conc = arxiv.requests, llm.calls, llm.max_concurrent
        cold_llm_start = min((r.time for r in llm.requests), default=None)
        # The fake's own usage formula, recomputed from the prompts it received.
        cold_tokens_fake = sum(_estimate_tokens(_prompt_text(c)) for c in cold_calls)
        cold_db = db_usage(tmp / "paperbot.db")
        arxiv.clear_requests()
        llm.clear_requests()

        # Warm: the same day again, everything stored.
        warm_wall, warm_line = run_digest(config, tmp / "digest.md")
        warm_reqs, warm_calls = arxiv.requests, llm.calls
        # A run without LLM calls leaves no rows: warm = any run_id the cold run did not write.
        cold_ids = {r[0] for r in cold_db}
        warm_db = [r for r in db_usage(tmp / "paperbot.db") if r[0] not in cold_ids]

    # The critical path: arXiv's pacing between the cold run's requests, plus the LLM rounds.
    pacing = max(0, len(cold_reqs) - 1) * args.interval
    rounds = math.ceil(len(cold_calls) / CONCURRENCY) * args.latency
    sequential, overlapped = pacing + rounds, max(pacing, rounds)

    def split(reqs) -> str:
        rss = sum(r.path.startswith("/rss/") for r in reqs)
        api = sum(r.path == "/api/query" for r in reqs)
        return f"{len(reqs)} ({rss} RSS, {api} API)"

    def db_fig(rows) -> str:
        return f"{sum(r[1] for r in rows)} calls, {sum(r[2] or 0 for r in rows)} in / {sum(r[3] or 0 for r in rows)} out"

    def line_fig(text: str) -> str:
        m = SUMMARY_RE.search(text)
        return f"{m[3]} calls, {m[4]} in / {m[5]} out, child's own {m[6]} s" if m else f"unparsed: {text!r}"

    gaps = [b.time - a.time for a, b in zip(cold_reqs, cold_reqs[1:])]
    rows = [
        ("COLD wall time", f"{cold_wall:.2f} s"),
        ("  critical path, sequential", f"{sequential:.2f} s  = pacing {pacing:.1f} s + LLM rounds {rounds:.1f} s"),
        ("  critical path, overlapped", f"{overlapped:.2f} s  = max(pacing, LLM rounds)"),
        ("  wall / critical (seq, ovl)", f"{cold_wall / sequential:.2f}x, {cold_wall / overlapped:.2f}x"
         if sequential and overlapped else "n/a"),
        ("  LLM calls (fake)", f"{len(cold_calls)}, max {cold_conc} in flight, {cold_tokens_fake} tokens in"),
        ("  LLM (SQLite llm_calls)", db_fig(cold_db)),
        ("  LLM (child's stderr)", line_fig(cold_line)),
        ("  arXiv requests", split(cold_reqs)),
        ("  first LLM call after RSS", f"{cold_llm_start - cold_reqs[0].time:+.2f} s" if cold_llm_start is not None else "-"),
        ("  arXiv gaps between starts", ", ".join(f"{g:.2f}" for g in gaps) + " s" if gaps else "-"),
        ("WARM wall time", f"{warm_wall:.2f} s"),
        ("  LLM calls (fake)", str(len(warm_calls))),
        ("  LLM (SQLite llm_calls)", db_fig(warm_db)),
        ("  LLM (child's stderr)", line_fig(warm_line)),
        ("  arXiv requests", split(warm_reqs) + "  (RSS only expected)"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")

    print("\nGoals (informational)")
    print(f"  cold within 1.5x of the critical path   {cold_wall:.2f} s vs {1.5 * sequential:.2f} s"
          f"  {mark(cold_wall <= 1.5 * sequential)}")
    print(f"    (tighter: 1.5x the overlapped bound)  {cold_wall:.2f} s vs {1.5 * overlapped:.2f} s"
          f"  {mark(cold_wall <= 1.5 * overlapped)}")
    print(f"  warm under 2 s                          {warm_wall:.2f} s  {mark(warm_wall < 2.0)}")
    print(f"  warm makes 0 LLM calls                  {len(warm_calls)}  {mark(not warm_calls)}")
    print(f"  warm makes only the RSS request         {len(warm_reqs)}"
          f"  {mark(all(r.path.startswith('/rss/') for r in warm_reqs) and len(warm_reqs) == 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
