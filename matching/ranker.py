"""The learned ranker: LightGBM lambdarank with scikit-learn's fit/predict contract.

A fitted ranker turns into an artefact — LightGBM's own text model plus a manifest
(format, feature names, parameters, data fingerprint, metrics) — and back; writing
it to disk is the data layer's job. Never a pickle.
"""

from __future__ import annotations

import hashlib
from typing import Any

import lightgbm as lgb
import numpy as np

from data.errors import KyosoError
from data.records import ModelManifest as Manifest
from matching.contributions import LeafCredits

FORMAT = "kyoso-ranker/1"
PARALLEL_ROWS = 20_000  # below this, scoring runs on one thread
# The fewest trees a model keeps: validation NDCG on a few hundred queries is noisy enough
# that its first peak (often within ten rounds) is an accident, not the best model.
MIN_TREES = 60


def best_round(ndcg: list[float], floor: int = MIN_TREES) -> int:
    """The number of rounds (1-based) with the best validation NDCG, at least ``floor``
    (or all of them when fewer were trained)."""
    if not ndcg:
        return 0
    floor = min(floor, len(ndcg))
    return floor + int(np.argmax(ndcg[floor - 1:]))


class NotFitted(KyosoError):
    """The ranker was used before ``fit`` or loading."""


class ArtefactMismatch(KyosoError):
    """A saved model does not fit this code (format or feature list differ)."""


def fingerprint(x: np.ndarray, y: np.ndarray, group: np.ndarray) -> str:
    h = hashlib.sha256()
    for part in (x, y, group):
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()[:16]


def query_ndcgs(y: np.ndarray, score: np.ndarray, group: np.ndarray, k: int = 10) -> np.ndarray:
    """NDCG@k of each query with a positive label, gains 2^label - 1 (LightGBM's)."""
    out, start = [], 0
    for size in group:
        labels, s = y[start:start + size], score[start:start + size]
        start += size
        if labels.max(initial=0) <= 0:
            continue
        discount = 1 / np.log2(np.arange(2, min(k, size) + 2))
        dcg = ((2.0 ** labels[np.argsort(-s, kind="stable")[:k]] - 1) * discount).sum()
        ideal = ((2.0 ** np.sort(labels)[::-1][:k] - 1) * discount).sum()
        out.append(dcg / ideal)
    return np.array(out, dtype=np.float64)


def graded_ndcg(y: np.ndarray, score: np.ndarray, group: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k with gains 2^label - 1 (LightGBM's), over queries with a positive label."""
    out = query_ndcgs(y, score, group, k)
    return float(out.mean()) if len(out) else 0.0


class _StopAfterFloor:
    """Early stopping that never stops before ``MIN_TREES`` rounds: stops once validation
    NDCG has not improved on its best since ``MIN_TREES`` for ``patience`` rounds."""

    order = 30

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best, self.best_at = -np.inf, 0

    def __call__(self, env) -> None:
        done = env.iteration + 1
        score = env.evaluation_result_list[0][2]
        if done >= MIN_TREES and score > self.best:
            self.best, self.best_at = score, done
        if done >= MIN_TREES and done - self.best_at >= self.patience:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list)


class Ranker:
    """Ranks candidates of each query; graded labels (0..5) per (query, candidate)."""

    # The same trees as machine code, when a serving process has compiled them (``model_text``
    # is what a compiler reads); ``predict`` then uses them instead of LightGBM's walk.
    compiled_ = None

    def __init__(self, *, n_estimators: int = 300, learning_rate: float = 0.05,
                 num_leaves: int = 31, min_child_samples: int = 20, feature_fraction: float = 0.9,
                 seed: int = 0, num_threads: int = 2, early_stopping_rounds: int = 30) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.seed = seed
        self.num_threads = num_threads
        self.early_stopping_rounds = early_stopping_rounds

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("n_estimators", "learning_rate", "num_leaves",
                                              "min_child_samples", "feature_fraction", "seed",
                                              "num_threads", "early_stopping_rounds")}

    def _lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "lambdarank", "metric": "ndcg", "eval_at": [10],
            "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples, "feature_fraction": self.feature_fraction,
            "bagging_seed": self.seed, "feature_fraction_seed": self.seed, "seed": self.seed,
            "deterministic": True, "num_threads": self.num_threads, "verbosity": -1,
            "lambdarank_truncation_level": 20,
        }

    def fit(self, x: np.ndarray, y: np.ndarray, group: np.ndarray, *, feature_names: list[str],
            categorical: list[str] = (), valid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
            ) -> Ranker:
        """Learn from rows grouped by query (``group`` holds each query's row count)."""
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int32)
        group = np.asarray(group, dtype=np.int64)
        if x.ndim != 2 or x.shape[1] != len(feature_names):
            raise ValueError(f"x has {x.shape[-1]} columns for {len(feature_names)} feature names")
        if len(y) != len(x) or group.sum() != len(x):
            raise ValueError("labels and groups must cover every row of x")
        if y.min(initial=0) < 0 or y.max(initial=0) > 30:
            raise ValueError("labels must be graded 0..30")
        params = self._lgb_params()
        cats = [c for c in categorical if c in feature_names]
        train = lgb.Dataset(x, y, group=group, feature_name=list(feature_names),
                            categorical_feature=cats, free_raw_data=False)
        sets, callbacks, history = [], [], {}
        if valid is not None:
            sets = [lgb.Dataset(valid[0], valid[1], group=valid[2], reference=train)]
            callbacks = [lgb.record_evaluation(history), _StopAfterFloor(self.early_stopping_rounds)]
        booster = lgb.train(params, train, num_boost_round=self.n_estimators, valid_sets=sets,
                            callbacks=callbacks)
        best = booster.current_iteration()
        if history:
            best = best_round(next(iter(history.values()))["ndcg@10"])
        return self._adopt(booster, best, feature_names, cats, fingerprint(x, y, group))

    def adopt(self, booster: lgb.Booster, x: np.ndarray, y: np.ndarray, group: np.ndarray, *,
              feature_names: list[str], categorical: list[str] = (),
              valid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Ranker:
        """Take a booster trained elsewhere (e.g. on a Dask cluster) on ``x, y, group``.

        With ``valid``, the iteration count is chosen there by NDCG@10 after every round —
        what early stopping does in ``fit`` (the best is often within the first ten rounds).
        Each tree's scores are added to the last round's, so the rounds cost one prediction.
        """
        best = booster.current_iteration()
        if valid is not None and best > 0:
            score = np.zeros(len(valid[1]))
            ndcg = []
            for r in range(best):
                score += booster.predict(valid[0], start_iteration=r, num_iteration=1, raw_score=True)
                ndcg.append(graded_ndcg(valid[1], score, valid[2]))
            best = best_round(ndcg)
        return self._adopt(booster, best, feature_names,
                           [c for c in categorical if c in feature_names],
                           fingerprint(np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.int32),
                                       np.asarray(group, dtype=np.int64)))

    def _adopt(self, booster: lgb.Booster, best_iteration: int, feature_names: list[str],
               categorical: list[str], data_fingerprint: str) -> Ranker:
        self.booster_ = booster
        self.feature_names_ = list(feature_names)
        self.categorical_ = list(categorical)
        self.fingerprint_ = data_fingerprint
        self.metrics_: dict[str, Any] = {"best_iteration": best_iteration}
        self.credits_ = LeafCredits.of(booster, best_iteration)
        return self

    def _require_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFitted("the ranker is not fitted; train or load a model first")

    def _check(self, x: np.ndarray) -> np.ndarray:
        self._require_fitted()
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names_):
            raise ValueError(f"expected {len(self.feature_names_)} features, got {x.shape[-1]}")
        return x

    def _threads(self, rows: int) -> int:
        # One request's few hundred rows run faster on one thread than on a pool that has
        # to wake up (and each worker process has a core of its own); large batches use the pool.
        return self.num_threads if rows >= PARALLEL_ROWS else 1

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = self._check(x)
        if len(x) == 0:
            return np.zeros(0)
        if self.compiled_ is not None:
            return self.compiled_.predict(x.astype(np.float64), n_jobs=self._threads(len(x)))
        return self.booster_.predict(x, num_iteration=self.metrics_["best_iteration"],
                                     num_threads=self._threads(len(x)))

    def model_text(self) -> str:
        """LightGBM's text of the trees ``predict`` uses (what a compiler of them reads)."""
        self._require_fitted()
        return self.booster_.model_to_string(num_iteration=self.metrics_["best_iteration"])

    def __getstate__(self) -> dict[str, Any]:
        # Compiled trees are code in this process's memory: a copy elsewhere scores with LightGBM.
        return {k: v for k, v in self.__dict__.items() if k != "compiled_"}

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature contributions, credited along each tree's path (``LeafCredits``);
        the last column is the bias, and each row adds up to its score."""
        x = self._check(x)
        if len(x) == 0:
            return np.zeros((0, len(self.feature_names_) + 1))
        leaves = self.booster_.predict(x, num_iteration=self.metrics_["best_iteration"],
                                       pred_leaf=True, num_threads=self._threads(len(x)))
        return self.credits_.of_leaves(leaves)

    # --- artefact ----------------------------------------------------------------------------

    def to_artefact(self, metrics: dict[str, Any] | None = None) -> tuple[str, Manifest]:
        self._require_fitted()
        manifest = Manifest(format=FORMAT, features=self.feature_names_, categorical=self.categorical_,
                            params=self.get_params(), fingerprint=self.fingerprint_,
                            metrics={**self.metrics_, **(metrics or {}),
                                     **({"reciprocity": self.reciprocity_}
                                        if hasattr(self, "reciprocity_") else {}),
                                     **({"cold_weight": self.cold_weight_}
                                        if hasattr(self, "cold_weight_") else {})},
                            lightgbm=lgb.__version__)
        return self.model_text(), manifest

    @classmethod
    def from_artefact(cls, model_text: str, manifest: Manifest,
                      expected_features: list[str] | tuple[str, ...]) -> Ranker:
        if manifest.format != FORMAT:
            raise ArtefactMismatch(f"model format {manifest.format!r}, this code reads {FORMAT!r}")
        if list(manifest.features) != list(expected_features):
            missing = sorted(set(expected_features) - set(manifest.features))
            extra = sorted(set(manifest.features) - set(expected_features))
            raise ArtefactMismatch(f"model features differ from this code's: missing {missing}, "
                                   f"unknown {extra}")
        ranker = cls(**manifest.params)
        ranker.booster_ = lgb.Booster(model_str=model_text)
        ranker.feature_names_ = list(manifest.features)
        ranker.categorical_ = list(manifest.categorical)
        ranker.fingerprint_ = manifest.fingerprint
        ranker.metrics_ = {**manifest.metrics, "best_iteration": ranker.booster_.current_iteration()}
        ranker.credits_ = LeafCredits.of(ranker.booster_, ranker.metrics_["best_iteration"])
        if "reciprocity" in manifest.metrics:
            ranker.reciprocity_ = float(manifest.metrics["reciprocity"])
        if "cold_weight" in manifest.metrics:
            ranker.cold_weight_ = float(manifest.metrics["cold_weight"])
        return ranker
