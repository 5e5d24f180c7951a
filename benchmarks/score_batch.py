"""The nightly batch at scale: new registrants against a large ecosystem, beside the floor.

Usage: python benchmarks/score_batch.py [--orgs 100000 1000000] [--registrants 10000]
                                        [--engine local|dask]

For each size (each in its own process, so peak memory is its own): generates the
ecosystem plus the registrants (registered a day after everyone, with no history:
cold start), stores it in a temporary SQLite store with a ranker trained on a small
ecosystem as the live model, and runs `kyoso score-batch`'s job (k = 20). In the same
run it times the floor: numpy/scipy brute-force two-way text fit of the same
registrants against every organisation on the same TF-IDF vectors, top-20 each.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
from bench_setup import small_ranker

from data.artefacts import checksum, save_model_dir
from data.frames import format_ts
from data.generator import generate, public_frame
from data.registry import Registry
from data.store import Store
from service.batch import run_batch
from service.modeling import engine_from_store

K = 20


def registrant_frames(n: int, registrants: int, seed: int = 11):
    """An ecosystem of ``n`` plus ``registrants`` newcomers without history."""
    orgs, items, outcomes, members = generate(n + registrants, seed=seed)
    orgs = public_frame(orgs)
    rng = np.random.default_rng(seed)
    new = set(rng.choice(orgs["id"].to_numpy(), registrants, replace=False).tolist())
    drop = members.filter(pl.col("org_id").is_in(new))["seq"].unique()
    outcomes = outcomes.filter(~pl.col("seq").is_in(drop))
    members = members.filter(~pl.col("seq").is_in(drop))
    day = orgs["registered_at"].max() + timedelta(days=1)
    orgs = orgs.with_columns(registered_at=pl.when(pl.col("id").is_in(new)).then(pl.lit(day))
                             .otherwise(pl.col("registered_at")))
    return (orgs, items, outcomes, members), day


def floor_seconds(engine, ids: list[str]) -> float:
    """Brute-force top-k of the registrants by two-way text fit over all organisations."""
    text = engine.ctx.text
    rows = np.array([engine.eco.index[o] for o in ids])
    block = max(1, 50_000_000 // engine.eco.n)  # dense score rows held at once (~200 MB)
    start = time.perf_counter()
    for lo in range(0, len(rows), block):
        part = rows[lo:lo + block]
        scores = (text.needs.rows(part) @ text.strengths.base_t).toarray()
        scores += (text.strengths.rows(part) @ text.needs.base_t).toarray()
        scores[np.arange(len(part)), part] = -np.inf
        top = np.argpartition(-scores, K, axis=1)[:, :K]
        np.take_along_axis(scores, top, axis=1).argsort(axis=1)
    return time.perf_counter() - start


def one(n: int, registrants: int, engine_kind: str) -> dict:
    ranker = small_ranker()
    t = time.perf_counter()
    frames, day = registrant_frames(n, registrants)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "k.db") as store:
        store.load_frames(*frames)
        del frames  # the store holds them now; the engine reads its own snapshot
        text, manifest = ranker.to_artefact()
        path = save_model_dir(Path(tmp) / "models", "bench", text, manifest)
        registry = Registry(store)
        registry.register("bench", str(path), manifest.fingerprint, manifest.metrics, checksum(text.encode()))
        registry.switch("bench", "promote", "benchmark", "benchmark set-up")
        prepared = time.perf_counter() - t
        t = time.perf_counter()
        engine = engine_from_store(store)
        built = time.perf_counter() - t
        runner_kwargs = {}
        if engine_kind == "dask":
            from distributed import Client, LocalCluster

            from service.dask_engine import dask_runner
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
            runner_kwargs["runner"] = dask_runner(Client(cluster))
        summary = run_batch(store, since=day, k=K, chunk_size=200, engine=engine, log=lambda _m: None,
                            **runner_kwargs)
        ids = [r[0] for r in store.read("SELECT id FROM organizations WHERE registered_at >= ?",
                                        (format_ts(day),))]
        floor = floor_seconds(engine, ids)
    return {"orgs": n, "registrants": registrants, "engine": engine_kind,
            "prepare_s": round(prepared, 1), "engine_build_s": round(built, 1),
            "batch_s": summary.seconds, "scored": summary.scored, "skipped": summary.skipped,
            "placements": summary.inserted, "rate": round(summary.scored / summary.seconds, 1),
            "floor_s": round(floor, 1), "ratio": round(summary.seconds / floor, 1),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.orgs[0], args.registrants, args.engine)), flush=True)
        return
    results = []
    for n in args.orgs:
        out = subprocess.run([sys.executable, __file__, "--one", "--orgs", str(n), "--registrants",
                              str(args.registrants), "--engine", args.engine],
                             capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    print("| organisations | registrants | engine | engine build s | batch s | registrants/s "
          "| placements | floor s | ratio | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['orgs']:,} | {r['registrants']:,} | {r['engine']} | {r['engine_build_s']} | "
              f"{r['batch_s']} | {r['rate']} | {r['placements']:,} | {r['floor_s']} | "
              f"{r['ratio']}x | {r['peak_mib']:,} |")


if __name__ == "__main__":
    main()
