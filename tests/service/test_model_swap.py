"""Promotion and rollback swap the live model under load: no request fails or sees half a model."""

from __future__ import annotations

import threading

import numpy as np

from data.artefacts import checksum, save_model_dir
from data.registry import Registry
from features.pairs import CATEGORICAL, FEATURES
from matching.evaluation import BASELINES
from matching.ranker import Ranker
from service.lifecycle import BASELINE
from service.modeling import prepare
from tests.service.conftest import OFFICE_ORG


def register_random_model(store, models_dir, version: str, seed: int, ndcg: float, **metrics) -> str:
    """A small real model, registered with its checksum (and these training metrics beside its
    NDCG@10); returns its directory."""
    rng = np.random.default_rng(seed)
    x = rng.random((2000, len(FEATURES))).astype(np.float32)
    y = (x[:, seed % len(FEATURES)] * 5).astype(np.int32)
    ranker = Ranker(n_estimators=20, num_threads=1).fit(
        x, y, np.full(100, 20), feature_names=list(FEATURES), categorical=list(CATEGORICAL))
    text, manifest = ranker.to_artefact({"ndcg_at_10": ndcg, **metrics})
    path = save_model_dir(models_dir, version, text, manifest)
    Registry(store).register(version, str(path), manifest.fingerprint, manifest.metrics,
                             checksum(text.encode()))
    return str(path)


def seed_evaluations(store, scores: dict[str, float], baseline: float = 0.1) -> str:
    """Store evaluations on the store's current split, as a training run would have."""
    split_id = prepare(store.snapshot()).split_id
    registry = Registry(store)
    for system, ndcg in {**scores, **{BASELINE + b: baseline for b in BASELINES}}.items():
        registry.record_evaluation(split_id, system, ndcg, 100, {})
    return split_id


def test_promote_and_rollback_under_concurrent_requests(api, tmp_path):
    store = api.client.app.state.store
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.30)
    register_random_model(store, tmp_path / "m", "v-b", 2, 0.35)
    assert api.call("POST", "/v1/models/v-a/promote", json={"force": True}).status_code == 200
    seen, failures = set(), []
    stop = threading.Event()

    def ask():
        while not stop.is_set():
            r = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?k=5", who="office")
            if r.status_code != 200 or len(r.json()["suggestions"]) != 5:
                failures.append(r.text)
            else:
                seen.add(r.json()["model_version"])

    workers = [threading.Thread(target=ask) for _ in range(4)]
    for w in workers:
        w.start()
    for _ in range(6):
        assert api.call("POST", "/v1/models/v-b/promote", json={"force": True}).status_code == 200
        assert api.call("POST", "/v1/models/rollback").status_code == 200
    stop.set()
    for w in workers:
        w.join()
    assert not failures
    assert seen <= {"v-a", "v-b"} and seen


def test_a_worse_model_needs_force(api, tmp_path):
    store = api.client.app.state.store
    register_random_model(store, tmp_path / "m", "v-good", 1, 0.40)
    register_random_model(store, tmp_path / "m", "v-worse", 2, 0.20)
    seed_evaluations(store, {"v-good": 0.40, "v-worse": 0.20})
    ok = api.call("POST", "/v1/models/v-good/promote", json={})
    assert ok.status_code == 200 and "above the best baseline" in ok.json()["verdict"]
    r = api.call("POST", "/v1/models/v-worse/promote", json={})
    assert r.status_code == 409 and r.json()["code"] == "worse_model"
    assert "below the live model v-good's 0.4000" in r.json()["message"]
    assert store.live_model_version() == "v-good"
    assert api.call("POST", "/v1/models/v-worse/promote", json={"force": True}).status_code == 200
    assert api.call("GET", "/ready", who=None).json()["model_version"] == "v-worse"
    history = api.call("GET", "/v1/models/history").json()["history"]
    assert [h["version"] for h in history] == ["v-good", "v-worse"]
    assert history[-1]["actor"].endswith("(admin)") and "forced" in history[-1]["reason"]
