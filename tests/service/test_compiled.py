"""Compiled trees: served only when they score exactly as LightGBM does, never fatal."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest

import service.compiled as compiled
from data.registry import Registry
from data.store import Store
from matching.ranker import Ranker
from service.live import LiveEngine
from service.modeling import reindex
from tests.matching.test_ranker import NAMES, known_case
from tests.service.conftest import make_store
from tests.service.test_model_swap import register_random_model


@pytest.fixture
def ranker() -> Ranker:
    x, y, group = known_case()
    return Ranker(n_estimators=60, num_threads=1).fit(x, y, group, feature_names=NAMES,
                                                       categorical=["kind"])


def rows(seed: int = 5, n: int = 3000) -> np.ndarray:
    x = np.random.default_rng(seed).random((n, 3)).astype(np.float32)
    x[:, 2] = np.floor(x[:, 2] * 4)  # a category the training never saw, too
    x[::50, 1] = np.nan  # missing values take the trees' default branch
    return x


def test_compiled_trees_score_every_row_as_lightgbm_does(ranker):
    x = rows()
    by_lightgbm = ranker.predict(x)
    assert compiled.compile_ranker(ranker, lambda: x[:500])
    assert ranker.compiled_ is not None
    assert np.allclose(ranker.predict(x), by_lightgbm, rtol=0, atol=1e-9)
    copy = pickle.loads(pickle.dumps(ranker))  # e.g. sent to a Dask worker
    assert copy.compiled_ is None
    assert np.array_equal(copy.predict(x), by_lightgbm)


class Wrong:
    def predict(self, x, n_jobs=1):
        return np.zeros(len(x)) + 0.5


def test_trees_that_disagree_or_fail_to_compile_leave_lightgbm_scoring(ranker, monkeypatch, caplog):
    x = rows()
    by_lightgbm = ranker.predict(x)
    monkeypatch.setattr(compiled, "compiled_forest", lambda r: Wrong())
    assert not compiled.compile_ranker(ranker, lambda: x[:500])
    assert "differ from LightGBM" in caplog.text

    def broken(r):
        raise RuntimeError("LLVM failed")

    monkeypatch.setattr(compiled, "compiled_forest", broken)
    assert not compiled.compile_ranker(ranker, lambda: x[:500])
    assert "LLVM failed" in caplog.text
    assert ranker.compiled_ is None
    assert np.array_equal(ranker.predict(x), by_lightgbm)


def test_a_serving_process_compiles_the_live_model_and_lists_stay_the_same(api, tmp_path):
    store = api.client.app.state.store
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.30)
    before = api.call("GET", "/v1/organizations/org-0000001/suggestions?k=5&fresh=true")
    assert api.call("POST", "/v1/models/v-a/promote", json={"force": True}).status_code == 200
    live = api.client.app.state.live
    lightgbm = api.call("GET", "/v1/organizations/org-0000001/suggestions?k=5&fresh=true").json()
    assert lightgbm["model_version"] == "v-a" != before.json()["model_version"]
    deadline = time.monotonic() + 120
    while not api.call("GET", "/ready").json()["compiled"]:
        assert time.monotonic() < deadline, "the live model was not compiled"
        time.sleep(0.2)
    assert live.served.engine.scorer.compiled_ is not None
    now = api.call("GET", "/v1/organizations/org-0000001/suggestions?k=5&fresh=true").json()
    assert now["suggestions"] == lightgbm["suggestions"]


def test_a_full_build_serving_the_same_model_keeps_its_ranker_and_compiled_trees(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db)
    with Store(db) as store:
        register_random_model(store, tmp_path / "m", "v-a", 1, 0.30)
        Registry(store).switch("v-a", "promote", "test", "a model to serve")
    live = LiveEngine(db, follow=False)
    try:
        ranker = live.served.engine.scorer
        deadline = time.monotonic() + 120
        while ranker.compiled_ is None:
            assert time.monotonic() < deadline, "the served model was not compiled"
            time.sleep(0.1)
        with Store(db) as store:
            model = reindex(store)
        live.sync()  # meets the reindex: a full build starts
        live._rebuilding.join(timeout=120)
        live.sync()
        assert live.served.generation == model.generation and live.served.model_version == "v-a"
        assert live.served.engine.scorer is ranker and live.served.compiled
    finally:
        live.close()
