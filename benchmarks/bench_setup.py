"""Shared set-up for the benchmarks: a ranker trained on a small generated ecosystem.

The features are the same at any scale, so a model trained on 2,000 organisations
scores a large ecosystem the way a trained production model would (in cost).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from data.artefacts import checksum, save_model_dir
from data.generator import generate, public_frame
from data.registry import Registry
from data.store import Snapshot, Store
from matching.ranker import Ranker
from service.modeling import prepare, train_ranker


def small_ranker(orgs: int = 2000, seed: int = 7) -> Ranker:
    t = time.perf_counter()
    small = generate(orgs, seed=seed)
    ranker, info = train_ranker(prepare(Snapshot(public_frame(small[0]), *small[1:])))
    print(f"ranker trained on {orgs:,} organisations in {time.perf_counter() - t:.1f}s "
          f"({info['train_queries']} queries)", flush=True)
    return ranker


def generated_store(orgs: int, db: Path) -> None:
    """A store of ``orgs`` organisations made by `kyoso generate`, as a user makes one."""
    subprocess.run([sys.executable, "-m", "service.cli", "generate", "--orgs", str(orgs)],
                   env={**os.environ, "KYOSO_DB": str(db)}, check=True, capture_output=True)


def serving_store(orgs: int, directory: Path, version: str = "v-bench") -> tuple[dict, str, list[str]]:
    """A store of ``orgs`` generated organisations with a small ranker live and an analyst key.

    Returns the environment that points `kyoso` at it, the key, and every organisation id in
    registration order.
    """
    db, models = directory / "k.db", directory / "models"
    env = {**os.environ, "KYOSO_DB": str(db), "KYOSO_MODELS_DIR": str(models)}
    generated_store(orgs, db)
    register_ranker(db, models, version, small_ranker(), live=True)
    with Store(db) as store:
        _, key = store.create_api_key("analyst")
        ids = [r[0] for r in store.read("SELECT id FROM organizations ORDER BY registered_at, id")]
    return env, key, ids


def register_ranker(db: Path, models: Path, version: str, ranker: Ranker, *, live: bool) -> None:
    text, manifest = ranker.to_artefact()
    with Store(db) as store:
        path = save_model_dir(models, version, text, manifest)
        registry = Registry(store)
        registry.register(version, str(path), manifest.fingerprint, manifest.metrics,
                          checksum(text.encode()))
        if live:
            registry.switch(version, "promote", "benchmark", "benchmark set-up")
