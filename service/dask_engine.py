"""Running the nightly batch and training on an existing Dask cluster.

Scoring: the engine is sent once to every worker; chunks of registrants go out as
tasks running the same pure ``score_chunk`` as a local run, and come back in order,
so the driver writes exactly what a local run would. Training: LightGBM's own Dask
ranker, with the data split at query boundaries so every partition holds whole
queries; the iteration count is chosen on the validation quarter, as early stopping
does locally.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterator
from itertools import islice

import numpy as np

from data.errors import KyosoError
from matching.batch import Scored, score_chunk
from matching.engine import Engine
from matching.ranker import Ranker
from matching.training import TrainingSet

CONNECT_TIMEOUT = "20s"


class ClusterUnavailable(KyosoError):
    """The Dask scheduler could not be reached."""


def connect(address: str):
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def _workers(client) -> int:
    return max(1, len(client.scheduler_info()["workers"]))


def dask_runner(client, per_worker: int = 2):
    """A chunk runner on the cluster, with a bounded number of chunks in flight."""

    def run(engine: Engine, chunks: list[list[str]], k: int) -> Iterator[list[Scored]]:
        if not chunks:
            return
        remote = client.scatter(engine, broadcast=True, hash=False)
        todo = iter(chunks)
        pending = deque(client.submit(score_chunk, remote, ids, k, pure=False)
                        for ids in islice(todo, per_worker * _workers(client)))
        while pending:
            result = pending.popleft().result()
            for ids in islice(todo, 1):
                pending.append(client.submit(score_chunk, remote, ids, k, pure=False))
            yield result

    return run


def _query_aligned_chunks(group: np.ndarray, parts: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Row and group counts per partition, cutting only between queries."""
    ends = np.cumsum(group)
    targets = ends[-1] * np.arange(1, parts) / parts
    cuts = np.unique(np.searchsorted(ends, targets, side="left") + 1)
    cuts = cuts[(cuts > 0) & (cuts < len(group))]
    bounds = np.concatenate([[0], cuts, [len(group)]])
    group_counts = tuple(int(c) for c in np.diff(bounds))
    row_ends = np.concatenate([[0], ends[bounds[1:] - 1]])
    return tuple(int(r) for r in np.diff(row_ends)), group_counts


def fit_on_dask(client, ranker: Ranker, train: TrainingSet, valid: TrainingSet | None, *,
                feature_names: list[str], categorical: list[str]) -> Ranker:
    import dask.array as da
    import lightgbm as lgb

    rows, groups = _query_aligned_chunks(train.group, 2 * _workers(client))

    def scattered(values: np.ndarray, sizes: tuple[int, ...]) -> da.Array:
        # Sent to the workers once, not embedded in every task graph.
        parts = np.split(values, np.cumsum(sizes)[:-1])
        futures = client.scatter(parts)
        return da.concatenate([da.from_delayed(f, p.shape, dtype=p.dtype)
                               for f, p in zip(futures, parts, strict=True)])

    x = scattered(np.asarray(train.x, dtype=np.float32), rows)
    y = scattered(np.asarray(train.y, dtype=np.int32), rows)
    g = scattered(np.asarray(train.group, dtype=np.int64), groups)
    model = lgb.DaskLGBMRanker(
        client=client, objective="lambdarank", n_estimators=ranker.n_estimators,
        learning_rate=ranker.learning_rate, num_leaves=ranker.num_leaves,
        min_child_samples=ranker.min_child_samples, colsample_bytree=ranker.feature_fraction,
        random_state=ranker.seed, deterministic=True, lambdarank_truncation_level=20,
        verbosity=-1)
    cats = [c for c in categorical if c in feature_names]
    with warnings.catch_warnings():
        # Dask sets each worker's threads itself and says so about the estimator's default.
        warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
        model.fit(x, y, group=g, feature_name=list(feature_names), categorical_feature=cats)
    return ranker.adopt(model.booster_, train.x, train.y, train.group, feature_names=feature_names,
                        categorical=cats,
                        valid=(valid.x, valid.y, valid.group) if valid is not None and len(valid.group)
                        else None)
