"""Training at scale: time and peak memory to learn from one million labelled rows.

Usage: python benchmarks/train_rows.py [--orgs 110000] [--rows 1000000] [--engine local|dask]

Generates an ecosystem whose outcome log holds about a million events (110,000
organisations give ~1.0M), builds training rows from it the way `kyoso train` does
(queries by quarter, features as of each quarter's start, graded labels; 200 unlabelled
candidates per query instead of 150, for enough rows from this log), keeps the
first queries that make up ``--rows`` rows, and fits the LightGBM ranker on them
(300 rounds, no early stopping, so the figure does not depend on when it stops).
Feature building and fitting are timed apart.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from data.generator import generate, public_frame
from data.store import Snapshot
from features.pairs import CATEGORICAL, FEATURES
from matching.ranker import Ranker
from matching.training import TrainingSet, build_training_set, quarter_windows
from service.modeling import prepare


def first_rows(train: TrainingSet, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ends = np.cumsum(train.group)
    queries = int(np.searchsorted(ends, rows, side="left")) + 1
    n = int(ends[min(queries, len(ends)) - 1])
    return train.x[:n], train.y[:n], train.group[:queries]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=110_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--unlabelled", type=int, default=200,
                        help="candidates without an outcome kept per query (`kyoso train`: 150)")
    args = parser.parse_args()

    t = time.perf_counter()
    frames = generate(args.orgs, seed=7)
    prep = prepare(Snapshot(public_frame(frames[0]), *frames[1:]))
    print(f"{args.orgs:,} organisations, {len(np.unique(prep.eco.events.seq)):,} outcome events, "
          f"prepared in {time.perf_counter() - t:.1f}s", flush=True)

    s = prep.split
    windows = quarter_windows(s.first_day, s.valid_day)
    # Enough queries per quarter for the rows wanted even where quarters are thin.
    per_quarter = int(args.rows / args.unlabelled / len(windows) * 3) + 1
    t = time.perf_counter()
    train = build_training_set(prep.eco, prep.text, windows, label_until=s.valid_day,
                               max_queries=per_quarter, max_unlabelled=args.unlabelled)
    built = time.perf_counter() - t
    x, y, group = first_rows(train, args.rows)
    print(f"built {len(train):,} rows ({len(train.group):,} queries) in {built:.1f}s; "
          f"fitting on {len(x):,} rows of {len(group):,} queries", flush=True)

    ranker = Ranker()
    t = time.perf_counter()
    if args.engine == "dask":
        from distributed import Client, LocalCluster

        from service.dask_engine import fit_on_dask
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            fit_on_dask(client, ranker, TrainingSet(x=x, y=y, group=group, candidate_recall=0.0),
                        None, feature_names=list(FEATURES), categorical=list(CATEGORICAL))
    else:
        ranker.fit(x, y, group, feature_names=list(FEATURES), categorical=list(CATEGORICAL))
    fitted = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| rows | queries | engine | features s | fit s (300 rounds) | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    print(f"| {len(x):,} | {len(group):,} | {args.engine} | {built:.1f} | {fitted:.1f} | {peak:,.0f} |")


if __name__ == "__main__":
    main()
