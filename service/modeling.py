"""Training and evaluation: the work behind `kyoso train` and `kyoso evaluate`.

Training builds queries from the outcome log by quarter (features as of each
quarter's start), holds out the last half-year as the test split and the quarter
before it for early stopping, trains the ranker, and evaluates it beside the
baselines (and the live model) on the test split. Nothing here tunes on the test.
Outcomes dated after now are left out of the split (and said to be). What becomes of a
trained model — registration, promotion, rollback — is ``service.lifecycle``'s.
"""

from __future__ import annotations

import gc
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

import msgspec
import numpy as np
import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer

from data.errors import KyosoError
from data.generations import Generations, TextModel
from data.store import Snapshot, Store, StoreError
from features.ecosystem import EPOCH, Ecosystem
from features.graph import build_graph
from features.pairs import CATEGORICAL, FEATURES, PairContext
from features.text import TextVectors, fit_vectorizer, speaks_today, vectorizer_from, vectorizer_state
from matching.coldstart import choose_cold_weight
from matching.cooling import REPLAY_DAYS
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
from matching.ranker import Ranker, graded_ndcg
from matching.training import build_training_set, newcomer_copies, quarter_windows
from service.shared_vectors import cache_dir, shared_text

TEST_DAYS = 182.0
QUARTER = 91.0
PRIMARY = "ndcg_at_10"
COLD_COPIES = 0.3
MAX_QUERIES = 1500  # per quarter: bounds training time as the ecosystem grows
MAX_UNLABELLED = 150  # candidates without an outcome kept per training query
MIN_TEST_QUERIES = 20  # an evaluation on fewer test queries gives no metric to trust
FUTURE_SKEW_DAYS = 1.0  # outcomes dated later than now + this are left out of the split


class TooFewQueries(KyosoError):
    """The test split holds too few queries for a metric that means anything."""


class TooLittleHistory(StoreError):
    """The outcome log is too short or too thin for a time split or for training."""


def day_of(days: float) -> date:
    """The calendar day (UTC) a day number, days since the epoch, falls on."""
    return (EPOCH + timedelta(days=days)).date()


class Split(msgspec.Struct, frozen=True, kw_only=True):
    first_day: float
    valid_day: float  # training windows end here; validation runs to split_day
    split_day: float  # test queries start here
    last_day: float  # a day after the log's last outcome (windows end before their last day)

    @property
    def last_held_out(self) -> date:
        """The test window's last day: the day of the log's last outcome."""
        return day_of(self.last_day - 1)


class Evaluation(msgspec.Struct, kw_only=True):
    split: Split
    reports: list[SystemReport]
    candidate_recall: float
    train_rows: int = 0
    train_queries: int = 0
    train_seconds: float = 0.0
    model_version: str | None = None
    split_id: str = ""
    warnings: list[str] = []
    promoted: bool = False
    verdict: str | None = None  # why the model was promoted, or why not


@dataclass(frozen=True)
class Prepared:
    eco: Ecosystem
    text: TextVectors
    items: ItemTable
    split: Split
    split_id: str  # the split days and the outcome log it was made from
    warnings: list[str] = field(default_factory=list)


def without_future(snapshot: Snapshot, now: datetime) -> tuple[Snapshot, int]:
    """The snapshot without outcomes dated after ``now`` + the skew, and how many were left out."""
    cutoff = now + timedelta(days=FUTURE_SKEW_DAYS)
    late = snapshot.outcomes.filter(pl.col("at") > cutoff)
    if late.height == 0:
        return snapshot, 0
    return Snapshot(snapshot.organizations, snapshot.items,
                    snapshot.outcomes.filter(pl.col("at") <= cutoff),
                    snapshot.members.filter(~pl.col("seq").is_in(late["seq"].to_list()))), late.height


class SplitSpan(msgspec.Struct, frozen=True, kw_only=True):
    """What a split id says in words: the held-out days and the outcome log it was cut from."""

    test_from: date
    test_to: date  # the last held-out day
    outcomes: int


_SPLIT_ID = re.compile(r"([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+)@(\d+)n(\d+)")


def split_span(split_id: str) -> SplitSpan | None:
    """The span a split id (as ``prepare`` writes it) names; None for anything else."""
    found = _SPLIT_ID.fullmatch(split_id)
    if found is None:
        return None
    split_day, last = float(found.group(3)), float(found.group(4))
    held_out = Split(first_day=0, valid_day=0, split_day=split_day, last_day=last)
    return SplitSpan(test_from=day_of(split_day), test_to=held_out.last_held_out,
                     outcomes=int(found.group(6)))


def prepare(snapshot: Snapshot, *, now: datetime | None = None) -> Prepared:
    """The time split of the outcome log as it stands ``now`` (default: the clock)."""
    now = now or datetime.now(UTC)
    snapshot, late = without_future(snapshot, now)
    warnings = [f"{late} outcome(s) dated after {now.date().isoformat()} (+{FUTURE_SKEW_DAYS:g}"
                " day) were left out of the split"] if late else []
    indexed = index_snapshot(snapshot.organizations, snapshot.items, snapshot.outcomes,
                             snapshot.members)
    eco = indexed.eco
    if len(eco.events) == 0:
        raise TooLittleHistory("the outcome log is empty: nothing to learn from")
    first, last = float(eco.events.day.min()), float(eco.events.day.max()) + 1
    split_day = last - TEST_DAYS
    valid_day = split_day - QUARTER
    if valid_day - first < QUARTER:
        raise TooLittleHistory("the outcome log spans too little time for a time split (need > 1 year)")
    seqs = snapshot.outcomes["seq"]
    split_id = (f"{first:.3f}/{valid_day:.3f}/{split_day:.3f}/{last:.3f}"
                f"@{seqs.max()}n{seqs.len()}")
    return Prepared(eco, indexed.text, indexed.items,
                    Split(first_day=first, valid_day=valid_day, split_day=split_day, last_day=last),
                    split_id, warnings)


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
        raise TooLittleHistory(f"only {len(train.group)} training queries: too little history to train")
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
    valid_engine = Engine(ctx=ctx, items=prep.items, scorer=ranker, cooling_days=REPLAY_DAYS)
    valid_queries = window_queries(prep.eco, s.valid_day, s.split_day)
    newcomers = newcomer_copies(valid.x, valid.y, valid.group, 1.0, np.random.default_rng(seed))
    ranker.cold_weight_, by_cold_weight = choose_cold_weight(ranker.predict(newcomers[0]), *newcomers)
    ranker.reciprocity_, by_weight = fit_reciprocity(valid_engine, valid_queries)
    info = {"train_rows": len(train), "train_queries": len(train.group),
            "train_engine": "local" if client is None else "dask",
            "valid_ndcg_at_10": round(graded_ndcg(valid.y, ranker.predict(valid.x), valid.group), 4),
            "train_candidate_recall": round(train.candidate_recall, 4),
            "reciprocity_by_weight": {str(w): round(v, 4) for w, v in by_weight.items()},
            "cold_weight_by_weight": {str(w): round(v, 4) for w, v in by_cold_weight.items()},
            "cold_weight_queries": len(newcomers[2]),
            "train_seconds": round(time.perf_counter() - started, 2)}
    return ranker, info


def split_context(prep: Prepared) -> PairContext:
    return PairContext(prep.eco, prep.text, build_graph(prep.eco, prep.split.split_day))


def evaluate_scorers(prep: Prepared, scorers: dict[str, Scorer]) -> tuple[list[SystemReport], float]:
    """Every scorer as the engine, beside the baselines, on the test split.

    Raises:
        TooFewQueries: the split holds fewer than MIN_TEST_QUERIES queries.
    """
    ctx = split_context(prep)
    queries = window_queries(prep.eco, prep.split.split_day, prep.split.last_day)
    asked = sum(1 for q in queries if q.relevant())
    if asked < MIN_TEST_QUERIES:
        raise TooFewQueries(
            f"the test split ({day_of(prep.split.split_day)} to {prep.split.last_held_out}) holds"
            f" {asked} queries, fewer than the {MIN_TEST_QUERIES} an evaluation needs; nothing"
            " was registered or promoted")
    systems = {}
    for name, scorer in scorers.items():
        engine = Engine(ctx=ctx, items=prep.items, scorer=scorer, cooling_days=REPLAY_DAYS)
        systems[name] = EngineSystem(lambda a, theme, e=engine: e.rank(a, theme=theme).partners)
    systems.update(BASELINES)
    return evaluate(systems, ctx, queries), candidate_recall(ctx, queries)


def evaluate_job(store: Store, version: str | None = None) -> Evaluation:
    """Evaluate a registered model (default: the live one) beside the baselines."""
    from data.registry import Registry
    from service.verify import verified_ranker

    registry = Registry(store)
    version = version or registry.live()
    if version is None:
        raise StoreError("no model to evaluate: run `kyoso train` first")
    ranker = verified_ranker(registry, version)
    prep = prepare(store.snapshot())
    reports, recall = evaluate_scorers(prep, {f"kyoso ({version})": ranker})
    return Evaluation(split=prep.split, reports=reports, candidate_recall=recall,
                      model_version=version, split_id=prep.split_id, warnings=prep.warnings)


LIVE = "live"


def shared_vectorizer(store: Store, snapshot: Snapshot) -> TfidfVectorizer | None:
    """The text vectoriser every process that serves from this store uses: the store's, or
    one learned from this snapshot and stored when it has none yet. Two processes that index
    the same organisations with it build the same vectors, however long each has run."""
    generations = Generations(store)
    model = generations.text_model()
    if model is not None and not speaks_today(model.terms):
        model = reindex(store)  # every serving process then rebuilds with it
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


def serving_engine(store: Store, *, day: float | None = None
                   ) -> tuple[Engine, int, str | None, str | None]:
    """The engine this store serves now, the generation it stands at, its model version
    (None: the heuristic scorer) and why that is not the live one, if it is not (a damaged
    live artefact falls back: ``service.lifecycle.servable_model``)."""
    from service.lifecycle import servable_model

    model = servable_model(store)
    snap = store.snapshot()
    return (build_engine(store, model.ranker, day=day, snapshot=snap, shared=True), snap.generation,
            model.version, model.note)


def engine_from_store(store: Store, *, day: float | None = None,
                      version: str | None = LIVE) -> Engine:
    """Today's graph with a model: the servable live one by default (see
    ``service.lifecycle.servable_model``; the heuristic before there is one), a registered
    version by name, or the heuristic for None."""
    from data.registry import Registry
    from service.lifecycle import servable_model
    from service.verify import verified_ranker

    if version == LIVE:
        ranker = servable_model(store).ranker
    else:
        ranker = verified_ranker(Registry(store), version) if version else None
    return build_engine(store, ranker, day=day)


def build_engine(store: Store, ranker: Ranker | None, *, day: float | None = None,
                 snapshot: Snapshot | None = None, shared: bool = False) -> Engine:
    """Today's graph from the store (or this snapshot of it) with this ranker (None: the
    heuristic scorer), indexed with the store's shared vectoriser. ``shared``: map the text
    vectors every serving process of the store shares (``service.shared_vectors``)."""
    snap = snapshot or store.snapshot()
    vectorizer = shared_vectorizer(store, snap)
    vectors = None
    if shared:
        text_model = Generations(store).text_model()
        key = f"g{snap.generation}-v{text_model.generation if text_model else 0}"
        vectors = partial(shared_text, cache_dir(store.path), key, vectorizer)
    engine = Engine.build(snap.organizations, snap.items, snap.outcomes, snap.members, day=day,
                          scorer=ranker, vectorizer=vectorizer, vectors=vectors)
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
