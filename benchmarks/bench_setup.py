"""Shared set-up for the benchmarks: a ranker trained on a small generated ecosystem.

The features are the same at any scale, so a model trained on 2,000 organisations
scores a large ecosystem the way a trained production model would (in cost).
"""

from __future__ import annotations

import time

from data.generator import generate, public_frame
from data.store import Snapshot
from matching.ranker import Ranker
from service.modeling import prepare, train_ranker


def small_ranker(orgs: int = 2000, seed: int = 7) -> Ranker:
    t = time.perf_counter()
    small = generate(orgs, seed=seed)
    ranker, info = train_ranker(prepare(Snapshot(public_frame(small[0]), *small[1:])))
    print(f"ranker trained on {orgs:,} organisations in {time.perf_counter() - t:.1f}s "
          f"({info['train_queries']} queries)", flush=True)
    return ranker
