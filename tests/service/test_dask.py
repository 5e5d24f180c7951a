"""The Dask engine against a local cluster of two worker processes on 127.0.0.1."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from data.store import Snapshot, Store
from service.batch import run_batch
from service.cli import main
from service.dask_engine import _query_aligned_chunks, dask_runner
from service.modeling import evaluate_scorers, prepare, train_ranker
from tests.service.conftest import make_store
from tests.service.test_batch import quiet, stored

SINCE = datetime(2025, 6, 1, tzinfo=UTC)
# Distributed LightGBM bins each feature on one worker's share of the rows, so the model is
# not bit-identical to a local one; its validation NDCG@10 may be at most this much lower.
# On this small fixture local training alone moves that figure by about as much from one
# seed to the next; a broken distributed fit (queries split, rows misaligned) falls far below.
NDCG_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    # Port 0: another cluster on the machine may hold the default HTTP port (8787), and the
    # warning distributed gives then fails a run that treats warnings as errors.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    from distributed import Client

    with Client(cluster) as c:
        yield c


def test_partitions_hold_whole_queries():
    group = [3, 5, 2, 8, 1, 1, 4]
    rows, groups = _query_aligned_chunks(group, 3)
    assert sum(rows) == sum(group) and sum(groups) == len(group)
    start = 0
    for r, g in zip(rows, groups, strict=True):
        assert r == sum(group[start:start + g]) and g > 0
        start += g


def test_dask_batch_stores_the_same_lists_as_a_local_run(client, tmp_path):
    make_store(str(tmp_path / "local.db"), n=300)
    shutil.copy(tmp_path / "local.db", tmp_path / "dask.db")
    with Store(tmp_path / "local.db") as local, Store(tmp_path / "dask.db") as remote:
        a = run_batch(local, since=SINCE, k=10, chunk_size=8, log=quiet, progress=False)
        b = run_batch(remote, since=SINCE, k=10, chunk_size=8, runner=dask_runner(client), log=quiet,
                      progress=False)
        assert a.scored == b.scored > 20 and a.inserted == b.inserted
        assert stored(local) == stored(remote)


def test_cli_runs_the_batch_on_a_scheduler_by_address(cluster, tmp_path, capsys):
    db = str(tmp_path / "k.db")
    make_store(db, n=200)
    assert main(["--db", db, "score-batch", "--since", "2026-01-01", "--engine", "dask",
                 "--scheduler", cluster.scheduler_address]) == 0
    assert "scored" in capsys.readouterr().out


def test_training_on_dask_gives_a_model_of_equal_quality(client, small_eco):
    prep = prepare(Snapshot(*small_eco))
    local, local_info = train_ranker(prep)
    remote, info = train_ranker(prep, client=client)
    assert info["train_engine"] == "dask"
    # Quality is compared on the validation quarter's hundreds of queries: the fixture's
    # test half-year holds too few for a tolerance this tight to be above its noise.
    assert info["valid_ndcg_at_10"] >= local_info["valid_ndcg_at_10"] - NDCG_TOLERANCE, (
        info["valid_ndcg_at_10"], local_info["valid_ndcg_at_10"])
    reports, _ = evaluate_scorers(prep, {"dask": remote})
    ndcg = {r.name: r.all.ndcg_at_10 for r in reports}
    assert ndcg["dask"] > max(ndcg["popularity"], ndcg["adamic-adar"]), ndcg
