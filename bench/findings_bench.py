"""Precision and recall of the Key Findings picker (bot.findings), measured three ways.

    python -m bench.findings_bench [--errors] [--days DIR]   (from the repository root)

Labelled data: the 10 papers of the seed digest (tests/data/seed_key_findings.json)
and 40 hand-labelled real abstracts (tests/data/heldout_key_findings.json, labelled
by a written guideline before any picker ran on them; see its "note"), split into a
20-paper dev half and a 20-paper test half. The calibration set is seed + dev: the
cue weights and threshold (bot.findings.CALIBRATION) are the best-F1 point of a small
grid on it (testkit.findings_eval). The test half is never fitted on.

Prints, micro-averaged (each labelled sentence weighs the same):
1. in-sample: the shipped calibration on the seed, dev and test;
2. leave-one-paper-out over the calibration set: for each of its 30 papers the grid
   is refitted on the other 29 and scored on that paper; shown for all 30, for the 10
   seed papers, and for a seed-only variant (fit on the other 9 seed papers), plus how
   many distinct calibrations the folds chose;
3. held-out: the test half, scored with the shipped calibration and with the
   seed-only fit;
4. cue ablation: leave-one-out and test with each cue held at weight 0;
5. if --days (default: the nearest ../shared/data/arxiv_days) exists, picks per paper and papers
   with no pick over every real day there (no labels: how much it says, not whether
   it is right).
--errors lists every missed and extra sentence of the seed and dev sets. Exit 0.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import statistics
from pathlib import Path

from bot.findings import CALIBRATION, CUE_NAMES, key_findings
from testkit.findings_eval import (Counts, calibration_set, fit, leave_one_out, load_heldout,
                               load_seed, picker, score)

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data/arxiv_days next to the checkout (or next to the folder of worktrees)
DAYS = next((d / "shared" / "data" / "arxiv_days" for d in ROOT.parents
             if (d / "shared" / "data" / "arxiv_days").is_dir()), ROOT.parent / "shared")


def _row(label: str, counts: Counts) -> None:
    print(f"  {label:<44} {counts}")


def _folds(fits: list) -> str:
    common = collections.Counter(str(dict(f.weights)) + f" t={f.threshold}" for f in fits)
    return f"{len(common)} distinct fit(s); most common {common.most_common(1)[0][1]}/{len(fits)}"


def in_sample(seed: list, dev: list, test: list) -> None:
    fitted = fit(seed + dev)
    print(f"shipped calibration {dict(CALIBRATION.weights)} threshold={CALIBRATION.threshold}")
    print(f"fit on seed+dev now {dict(fitted.weights)} threshold={fitted.threshold}"
          f"{'' if fitted == CALIBRATION else '   <- DIFFERS: update CALIBRATION'}")
    print("\n1. in-sample (shipped calibration)")
    for label, papers in (("seed (10 papers)", seed), ("dev (20)", dev), ("seed+dev (30)", seed + dev)):
        _row(label, score(papers))


def loo(seed: list, dev: list) -> None:
    print("\n2. leave-one-paper-out (grid refitted without the paper scored)")
    total, fits = leave_one_out(seed + dev)
    _row("calibration set, 30 folds", total)
    print(f"  {'':<44} {_folds(fits)}")
    _row("  of which the 10 seed papers", leave_one_out(seed + dev, range(10))[0])
    _row("  of which the 20 dev papers", leave_one_out(seed + dev, range(10, 30))[0])
    total, fits = leave_one_out(seed)
    _row("seed only (fit on the other 9 seed papers)", total)
    print(f"  {'':<44} {_folds(fits)}")


def held_out(seed: list, test: list) -> None:
    print("\n3. held-out test half (20 papers, never fitted on)")
    _row("shipped calibration", score(test))
    seed_fit = fit(seed)
    _row("fit on the seed alone", score(test, picker(seed_fit)))
    print(f"  {'':<44} (that fit: {dict(seed_fit.weights)} threshold={seed_fit.threshold})")


def ablation(seed: list, dev: list, test: list) -> None:
    print("\n4. cue ablation (the cue held at 0, the rest refitted)")
    for cue in CUE_NAMES:
        total, _ = leave_one_out(seed + dev, without=[cue])
        cal = fit(seed + dev, without=[cue])
        print(f"  without {cue:<14} LOO {total}   test {score(test, picker(cal))}")


def real_days(days: Path) -> None:
    files = sorted(days.glob("*.json.gz"))
    if not files:
        print(f"\n5. real days: skipped, no {days}/*.json.gz")
        return
    counts = [len(key_findings(p["summary"]))
              for f in files for p in json.load(gzip.open(f, "rt"))]
    print(f"\n5. real days ({len(files)} files, {len(counts)} abstracts, no labels)")
    print(f"  picks per paper: mean {statistics.mean(counts):.2f}, "
          f"median {statistics.median(counts)}, none picked {counts.count(0)} "
          f"({counts.count(0) / len(counts):.1%}), at the cap of 5: {counts.count(5)}")


def errors(papers: list) -> None:
    for paper in papers:
        pred, gold = set(key_findings(paper["abstract"])), set(paper["key_findings"])
        for s in sorted(gold - pred):
            print(f"  {paper['id']} MISS  {s[:110]}")
        for s in sorted(pred - gold):
            print(f"  {paper['id']} EXTRA {s[:110]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list misses and extras (seed, dev)")
    ap.add_argument("--days", type=Path, default=DAYS, help="folder of real arXiv days")
    args = ap.parse_args()
    seed, dev, test = load_seed(), load_heldout("dev"), load_heldout("test")
    assert calibration_set() == seed + dev
    in_sample(seed, dev, test)
    loo(seed, dev)
    held_out(seed, test)
    ablation(seed, dev, test)
    real_days(args.days)
    if args.errors:
        print("\nerrors, seed and dev (the test half is not listed, to keep it unseen)")
        errors(seed + dev)


if __name__ == "__main__":
    main()
