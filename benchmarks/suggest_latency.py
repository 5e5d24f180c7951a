"""In-process latency of one suggestion list at scale (candidates, two-way model, reasons).

Usage: python benchmarks/suggest_latency.py [--orgs 100000] [--queries 200]

Trains a ranker on a small generated ecosystem (same features at any scale), builds
the engine over a large one in memory and times `Engine.suggest` for random askers, with
the trees scored by LightGBM and then compiled (``service.compiled``, as a server does),
then the three steps of a list apart (retrieval, scoring both ways, diversity and
reasons), then lists per second when 1, 2 or 4 threads of one process compute them side by
side (why a serving process computes one at a time). In the same run it times the floor:
numpy brute-force top-10 by dot product over the same number of organisations (float32,
dim 64). Last, the size of the engine's text vectors.
"""

from __future__ import annotations

import os

# As `kyoso serve` runs: one request on one thread; BLAS's own threads would only contend.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import resource
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from bench_setup import small_ranker

from data.generator import generate, public_frame
from features.pairs import asker_rows
from matching.candidates import candidates_for
from matching.engine import Engine, Filters
from service.compiled import compile_ranker, probe_rows
from service.modeling import keep_out_of_collector


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def steps(engine: Engine, askers: np.ndarray) -> dict[str, float]:
    """Median ms of each step of `Engine.suggest`, run one after the other per asker."""
    times: dict[str, list[float]] = {"retrieval": [], "scoring": [], "diversity and reasons": []}
    for a in askers:
        t0 = time.perf_counter()
        rows = asker_rows(engine.ctx, a)
        cands = candidates_for(engine.ctx, a, allowed=engine.allowed(a, Filters()),
                               config=engine.candidates, rows=rows)
        t1 = time.perf_counter()
        ranked = engine.score_pairs(a, cands, rows=rows)
        t2 = time.perf_counter()
        engine.suggestions_from(a, ranked, k=10)
        t3 = time.perf_counter()
        for name, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            times[name].append(dt)
    return {name: percentile(values, 50) for name, values in times.items()}


def list_times(engine: Engine, askers: np.ndarray) -> list[float]:
    times = []
    for a in askers:
        start = time.perf_counter()
        engine.suggest(str(engine.eco.ids[a]), k=10)
        times.append(time.perf_counter() - start)
    return times


def lists_per_second(engine: Engine, askers: np.ndarray, threads: int) -> float:
    ids = [str(engine.eco.ids[a]) for a in askers]
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda org_id: engine.suggest(org_id, k=10), ids))
    return len(ids) / (time.perf_counter() - start)


def part_sizes(engine: Engine) -> dict[str, float]:
    """MiB of the engine's text vectors (side vectors row-wise and transposed; one per item)."""
    text = engine.ctx.text
    return {f"text.{name}": getattr(text, name).nbytes() / 2**20 for name in ("strengths", "needs", "items")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    ranker = small_ranker()

    t = time.perf_counter()
    orgs, items, outcomes, members = generate(args.orgs, seed=7)
    engine = Engine.build(public_frame(orgs), items, outcomes, members, scorer=ranker)
    keep_out_of_collector()  # as the API and the batch do with their engine
    print(f"engine over {args.orgs:,} organisations built in {time.perf_counter() - t:.1f}s")

    rng = np.random.default_rng(0)
    askers = rng.choice(engine.eco.n, args.queries, replace=False)
    engine.suggest(str(engine.eco.ids[askers[0]]), k=10)  # warm-up
    by_lightgbm = list_times(engine, askers)
    lightgbm_steps = steps(engine, askers)
    t = time.perf_counter()
    if not compile_ranker(ranker, lambda: probe_rows(engine)):
        raise SystemExit("the ranker's trees did not compile to LightGBM's scores")
    print(f"ranker compiled in {time.perf_counter() - t:.1f}s (as a serving process does)")
    times = list_times(engine, askers)

    vectors = rng.standard_normal((args.orgs, 64), dtype=np.float32)
    floor = []
    for a in askers:
        start = time.perf_counter()
        scores = vectors @ vectors[a]
        top = np.argpartition(-scores, 10)[:10]
        top[np.argsort(-scores[top])]
        floor.append(time.perf_counter() - start)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| organisations | queries | trees scored by | suggest p50 ms | p99 ms | floor p50 ms | "
          "ratio p50 | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, values in (("LightGBM", by_lightgbm), ("compiled (served)", times)):
        print(f"| {args.orgs:,} | {args.queries} | {name} | {percentile(values, 50):.1f} | "
              f"{percentile(values, 99):.1f} | {percentile(floor, 50):.2f} | "
              f"{percentile(values, 50) / percentile(floor, 50):.0f}x | {peak:,.0f} |")
    print()
    print("| step of a list | p50 ms, LightGBM | p50 ms, compiled |")
    print("|---|---|---|")
    for (name, before), after in zip(lightgbm_steps.items(), steps(engine, askers).values(), strict=True):
        print(f"| {name} | {before:.1f} | {after:.1f} |")
    print()
    print("| threads computing lists side by side | lists/s |")
    print("|---|---|")
    for threads in (1, 2, 4):
        print(f"| {threads} | {lists_per_second(engine, askers, threads):.1f} |")
    print()
    print("| engine part | MiB |")
    print("|---|---|")
    for name, mib in part_sizes(engine).items():
        print(f"| {name} | {mib:,.0f} |")


if __name__ == "__main__":
    main()
