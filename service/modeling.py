"""Training, evaluation and the live model: the jobs behind `kyoso train` and `kyoso evaluate`.

Training builds queries from the outcome log by quarter (features as of each
quarter's start), holds out the last half-year as the test split and the quarter
before it for early stopping, trains the ranker, and evaluates it beside the
baselines (and the live model) on the test split. Nothing here tunes on the test.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from data.artefacts import load_model_dir, save_model_dir
from data.generations import Generations, TextModel
from data.store import Snapshot, Store, StoreError
from features.ecosystem import Ecosystem
from features.graph import build_graph
from features.pairs import CATEGORICAL, FEATURES, PairContext
from features.text import TextVectors, fit_vectorizer, vectorizer_from, vectorizer_state
from matching.engine import Engine, Scorer, index_snapshot
from matching.evaluation import (
    BASELINES,
    EngineSystem,
    SystemReport,
    candidate_recall,
    evaluate,
    fit_reciprocity,
)
from matching.explain import ItemTable
from matching.queries import window_queries
from matching.ranker import ArtefactMismatch, Ranker, graded_ndcg
from matching.training import build_training_set, quarter_windows

TEST_DAYS = 182.0
QUARTER = 91.0
PRIMARY = "ndcg_at_10"
COLD_COPIES = 0.3
MAX_QUERIES = 1500  # per quarter: bounds training time as the ecosystem grows
MAX_UNLABELLED = 150  # candidates without an outcome kept per training query


class Split(msgspec.Struct, frozen=True, kw_only=True):
    first_day: float
    valid_day: float  # training windows end here; validation runs to split_day
    split_day: float  # test queries start here
    last_day: float


class Evaluation(msgspec.Struct, kw_only=True):
    split: Split
    reports: list[SystemReport]
    candidate_recall: float
    train_rows: int = 0
    train_queries: int = 0
    train_seconds: float = 0.0
    model_version: str | None = None


@dataclass(frozen=True)
class Prepared:
    eco: Ecosystem
    text: TextVectors
    items: ItemTable
    split: Split


def prepare(snapshot: Snapshot) -> Prepared:
    indexed = index_snapshot(snapshot.organizations, snapshot.items, snapshot.outcomes,
                             snapshot.members)
    eco = indexed.eco
    if len(eco.events) == 0:
        raise StoreError("the outcome log is empty: nothing to learn from")
    first, last = float(eco.events.day.min()), float(eco.events.day.max()) + 1
    split_day = last - TEST_DAYS
    valid_day = split_day - QUARTER
    if valid_day - first < QUARTER:
        raise StoreError("the outcome log spans too little time for a time split (need > 1 year)")
    return Prepared(eco, indexed.text, indexed.items,
                    Split(first_day=first, valid_day=valid_day, split_day=split_day, last_day=last))


def train_ranker(prep: Prepared, *, seed: int = 0, max_queries: int = MAX_QUERIES,
                 client=None) -> tuple[Ranker, dict]:
    """Train on the quarters before validation; with a Dask ``client``, on its cluster."""
    s = prep.split
    started = time.perf_counter()
    train = build_training_set(prep.eco, prep.text, quarter_windows(s.first_day, s.valid_day),
                               label_until=s.valid_day, max_queries=max_queries, seed=seed,
                               cold_copies=COLD_COPIES, max_unlabelled=MAX_UNLABELLED)
    valid = build_training_set(prep.eco, prep.text, [(s.valid_day, s.split_day)],
                               label_until=s.split_day, max_queries=max_queries, seed=seed)
    if len(train.group) < 10:
        raise StoreError(f"only {len(train.group)} training queries: too little history to train")
    if client is None:
        ranker = Ranker(seed=seed).fit(
            train.x, train.y, train.group, feature_names=list(FEATURES),
            categorical=list(CATEGORICAL), valid=(valid.x, valid.y, valid.group) if len(valid.group)
            else None)
    else:
        from service.dask_engine import fit_on_dask

        ranker = fit_on_dask(client, Ranker(seed=seed), train, valid, feature_names=list(FEATURES),
                             categorical=list(CATEGORICAL))
    ctx = PairContext(prep.eco, prep.text, build_graph(prep.eco, s.valid_day))
    ranker.reciprocity_, by_weight = fit_reciprocity(
        Engine(ctx=ctx, items=prep.items, scorer=ranker),
        window_queries(prep.eco, s.valid_day, s.split_day))
    info = {"train_rows": len(train), "train_queries": len(train.group),
            "train_engine": "local" if client is None else "dask",
            "valid_ndcg_at_10": round(graded_ndcg(valid.y, ranker.predict(valid.x), valid.group), 4),
            "train_candidate_recall": round(train.candidate_recall, 4),
            "reciprocity_by_weight": {str(w): round(v, 4) for w, v in by_weight.items()},
            "train_seconds": round(time.perf_counter() - started, 2)}
    return ranker, info


def split_context(prep: Prepared) -> PairContext:
    return PairContext(prep.eco, prep.text, build_graph(prep.eco, prep.split.split_day))


def evaluate_scorers(prep: Prepared, scorers: dict[str, Scorer]) -> tuple[list[SystemReport], float]:
    """Every scorer as the engine, beside the baselines, on the test split."""
    ctx = split_context(prep)
    queries = window_queries(prep.eco, prep.split.split_day, prep.split.last_day)
    systems = {}
    for name, scorer in scorers.items():
        engine = Engine(ctx=ctx, items=prep.items, scorer=scorer)
        systems[name] = EngineSystem(lambda a, theme, e=engine: e.rank(a, theme=theme).partners)
    systems.update(BASELINES)
    return evaluate(systems, ctx, queries), candidate_recall(ctx, queries)


def _metric(reports: list[SystemReport], name: str) -> float:
    return next(getattr(r.all, PRIMARY) for r in reports if r.name == name)


def load_ranker(path: str | Path) -> Ranker:
    text, manifest = load_model_dir(path)
    return Ranker.from_artefact(text, manifest, FEATURES)


def live_ranker(store: Store) -> Ranker | None:
    version = store.live_model_version()
    return load_ranker(store.model(version).path) if version else None


def train_job(store: Store, models_dir: str, *, seed: int = 0, promote: str = "if-better",
              log=print, client=None) -> Evaluation:
    """Train, evaluate beside the live model and baselines, register, and promote by the rule.

    promote: "if-better" (default: only when the primary metric is at least the live
    model's on the same split), "force", or "never".
    """
    log("reading the store ...")
    prep = prepare(store.snapshot())
    log(f"training on {prep.eco.n:,} organisations, {len(prep.eco.events):,} event pairs ...")
    ranker, info = train_ranker(prep, seed=seed, client=client)
    scorers: dict[str, Scorer] = {"kyoso (new)": ranker}
    try:
        live = live_ranker(store)
    except ArtefactMismatch as exc:
        log(f"the live model cannot run on this version ({exc}); comparing with baselines only")
        live = None
    if live is not None:
        scorers["kyoso (live)"] = live
    log("evaluating on the held-out half-year ...")
    reports, recall = evaluate_scorers(prep, scorers)
    version = datetime.now(UTC).strftime("v%Y%m%d-%H%M%S-%f")
    metrics: dict[str, Any] = {**info, "candidate_recall": round(recall, 4),
                               **{k: round(v, 4) for k, v in
                                  msgspec.structs.asdict(reports[0].all).items()},
                               "cold_start_" + PRIMARY: round(reports[0].cold_start.ndcg_at_10, 4)}
    model_text, manifest = ranker.to_artefact(metrics)
    path = save_model_dir(models_dir, version, model_text, manifest)
    store.register_model(version, str(path.resolve()), manifest.fingerprint, manifest.metrics)
    better = live is None or _metric(reports, "kyoso (new)") >= _metric(reports, "kyoso (live)")
    if promote == "force" or (promote == "if-better" and better):
        store.set_live_model(version)
        log(f"model {version} is live")
    elif promote == "if-better":
        log(f"model {version} registered but NOT promoted: {PRIMARY} below the live model's")
    else:
        log(f"model {version} registered (not promoted)")
    return Evaluation(split=prep.split, reports=reports, candidate_recall=recall,
                      train_rows=info["train_rows"], train_queries=info["train_queries"],
                      train_seconds=info["train_seconds"], model_version=version)


def evaluate_job(store: Store, version: str | None = None) -> Evaluation:
    """Evaluate a registered model (default: the live one) beside the baselines."""
    version = version or store.live_model_version()
    if version is None:
        raise StoreError("no model to evaluate: run `kyoso train` first")
    prep = prepare(store.snapshot())
    reports, recall = evaluate_scorers(prep, {f"kyoso ({version})": load_ranker(
        store.model(version).path)})
    return Evaluation(split=prep.split, reports=reports, candidate_recall=recall,
                      model_version=version)


LIVE = "live"


def shared_vectorizer(store: Store, snapshot: Snapshot) -> TfidfVectorizer | None:
    """The text vectoriser every process that serves from this store uses: the store's, or
    one learned from this snapshot and stored when it has none yet. Two processes that index
    the same organisations with it build the same vectors, however long each has run."""
    generations = Generations(store)
    model = generations.text_model()
    if model is None:
        fitted = fit_vectorizer(snapshot.items)
        if fitted is None:  # too little text to learn from
            return None
        model = generations.save_text_model(TextModel(snapshot.generation, *vectorizer_state(fitted)))
    return vectorizer_from(model.terms, model.idf)


def reindex(store: Store) -> TextModel:
    """Learn the text vectoriser anew from today's texts (new terms become known), store it,
    and ask every serving process to rebuild with it."""
    snapshot = store.snapshot()
    fitted = fit_vectorizer(snapshot.items)
    if fitted is None:
        raise StoreError("too little text to learn a vectoriser from")
    return Generations(store).reindex(*vectorizer_state(fitted))


def serving_engine(store: Store, *, day: float | None = None) -> tuple[Engine, int, str | None]:
    """The engine this store serves now, the generation it stands at and its model version
    (None: the heuristic scorer, before any model is live)."""
    snap = store.snapshot()
    version = store.live_model_version()
    ranker = load_ranker(store.model(version).path) if version else None
    engine = Engine.build(snap.organizations, snap.items, snap.outcomes, snap.members, day=day,
                          scorer=ranker, vectorizer=shared_vectorizer(store, snap))
    keep_out_of_collector()
    return engine, snap.generation, version


def engine_from_store(store: Store, *, day: float | None = None,
                      version: str | None = LIVE) -> Engine:
    """Today's graph with a model: the live one by default (the heuristic before there is
    one), a registered version by name, or the heuristic for None."""
    if version == LIVE:
        return serving_engine(store, day=day)[0]
    snap = store.snapshot()
    ranker = load_ranker(store.model(version).path) if version else None
    engine = Engine.build(snap.organizations, snap.items, snap.outcomes, snap.members, day=day,
                          scorer=ranker, vectorizer=shared_vectorizer(store, snap))
    keep_out_of_collector()
    return engine


def keep_out_of_collector() -> None:
    """Move every object alive now out of the cyclic collector's reach.

    An engine's millions of objects live as long as the process serves or scores with it;
    full collections walking them stalled single requests for tens of milliseconds.
    """
    gc.collect()
    gc.freeze()


def mean_metric(reports: list[SystemReport], metric: str = PRIMARY) -> dict[str, float]:
    return {r.name: float(np.round(getattr(r.all, metric), 4)) for r in reports}
