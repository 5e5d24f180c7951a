"""`kyoso benchmark cordis` and `kyoso benchmark score`: the real-data benchmark.

The run sees only data from before the earliest ``as_of`` of the queries. Kyoso
trains one ranker per kind of query (consortium: a lead asks for its project's
members; partner: an organisation asks for new partners) on queries built the same
way from the years before, each with features as of its own day, early-stopped on
the last of those years and refitted on all of them. Baselines run through the
same pipeline: same ecosystem, same exclusions, same output.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from data import cordis
from features.ecosystem import to_days
from features.graph import adamic_adar_rows, build_graph
from features.pairs import CATEGORICAL, FEATURES, PairContext
from matching.candidates import CandidateConfig
from matching.engine import Engine, Filters
from matching.evaluation import (
    DEPTH,
    VALIDATION_QUERIES,
    fit_reciprocity,
    ndcg_at,
    rank_all,
    recall_at,
    reciprocal_rank,
)
from matching.queries import Query, consortium_queries, partner_queries, top_theme
from matching.ranker import Ranker
from matching.training import TrainingSet, concat_sets, training_rows
from service.progress import Progress

SYSTEMS = ("kyoso", "popularity", "theme_popularity", "repeat", "adamic_adar")
QUERY_COLUMNS = {"query_id": pl.String, "org_id": pl.String, "as_of": pl.Date, "theme": pl.String,
                 "new_only": pl.Boolean}
TRAIN_YEARS = 3
MAX_TRAIN_QUERIES = 3000  # per kind and year: bounds the run's time
# Real consortia are found deeper in the graph than synthetic partners: a wider net.
CANDIDATES = CandidateConfig(limit=1000, depth=1000)
MAX_UNLABELLED = 300


class BenchmarkInputError(ValueError):
    """A queries, truth or predictions file is not in the expected format."""


def read_queries(path: str | Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    missing = [c for c in QUERY_COLUMNS if c not in frame.columns]
    if missing:
        raise BenchmarkInputError(f"{path}: missing column(s) {', '.join(missing)}")
    try:
        return frame.select([pl.col(c).cast(t) for c, t in QUERY_COLUMNS.items()])
    except pl.exceptions.PolarsError as exc:
        raise BenchmarkInputError(f"{path}: {exc}") from exc


# The ecosystem as of the earliest as_of: an engine (its scorer is replaced per system).
Prepared = Engine


def prepare(data_dir: str | Path, as_of: datetime) -> Prepared:
    orgs, *rest = cordis.benchmark_frames(*cordis.read_tables(data_dir), before=as_of)
    return Engine.build(orgs.sort("id"), *rest, day=to_days(as_of))


# --- training -------------------------------------------------------------------------------


def _sample(queries: list[Query], rng: np.random.Generator) -> list[Query]:
    if len(queries) <= MAX_TRAIN_QUERIES:
        return queries
    return [queries[i] for i in np.sort(rng.choice(len(queries), MAX_TRAIN_QUERIES, False))]


def training_sets(prep: Prepared, day: float, log):
    """Per kind, one training set per earlier year, features as of that year's start; and the
    latest year's context and queries, for choosing the reciprocity weight."""
    rng = np.random.default_rng(0)
    sets: dict[str, list[TrainingSet]] = {"consortium": [], "partner": []}
    latest: dict[str, tuple[PairContext, list[Query]]] = {}
    for back in range(TRAIN_YEARS, 0, -1):
        start = day - 365.25 * back
        ctx = PairContext(prep.eco, prep.ctx.text, build_graph(prep.eco, start))
        for kind, build, new_only in (("consortium", consortium_queries, False),
                                      ("partner", partner_queries, True)):
            queries = _sample(build(prep.eco, ctx.graph, start, start + 365.25), rng)
            made = training_rows(ctx, queries, new_only=new_only, config=CANDIDATES,
                                 max_unlabelled=MAX_UNLABELLED)
            latest[kind] = (ctx, queries)
            log(f"  training queries {kind} as of year -{back}: {len(made.group):,} "
                f"({len(made):,} rows, candidate recall {made.candidate_recall:.3f})")
            sets[kind].append(made)
    return sets, latest


def fit_ranker(prep: Prepared, sets: list[TrainingSet], validation: tuple[PairContext, list[Query]],
               new_only: bool) -> tuple[Ranker, dict]:
    """Early-stop and choose the reciprocity weight on the latest year, then refit on all
    years with that many trees."""
    *earlier, latest = sets
    train = concat_sets(earlier)
    probe = Ranker().fit(train.x, train.y, train.group, feature_names=list(FEATURES),
                         categorical=list(CATEGORICAL), valid=(latest.x, latest.y, latest.group))
    best = int(probe.metrics_["best_iteration"])
    ctx, queries = validation
    weight, by_weight = fit_reciprocity(
        Engine(ctx=ctx, items=prep.items, scorer=probe, candidates=CANDIDATES), queries,
        new_only=new_only)
    full = concat_sets(sets)
    ranker = Ranker(n_estimators=max(best, 10), early_stopping_rounds=0).fit(
        full.x, full.y, full.group, feature_names=list(FEATURES), categorical=list(CATEGORICAL))
    ranker.reciprocity_ = weight
    return ranker, {"trees": max(best, 10), "reciprocity": weight,
                    "valid_ndcg_at_10_by_weight": {str(w): round(v, 4) for w, v in by_weight.items()},
                    "valid_ndcg_at_10_baselines": validation_baselines(prep, ctx, queries, new_only)}


def validation_baselines(prep: Prepared, ctx: PairContext, queries: list[Query],
                         new_only: bool) -> dict[str, float]:
    """NDCG@10 of the baselines on the validation queries the model's weight is chosen on,
    so the run shows where the model stands before the test."""
    engine = Engine(ctx=ctx, items=prep.items)
    asked = [q for q in queries if q.relevant()][:VALIDATION_QUERIES]
    out = {}
    for name in ("repeat", "adamic_adar"):
        rank = baseline(name, engine, DEPTH)
        out[name] = round(float(np.mean([ndcg_at(rank(q.asker, q.theme, new_only)[0], q.relevant())
                                         for q in asked])) if asked else 0.0, 4)
    return out


# --- systems --------------------------------------------------------------------------------


Ranking = Callable[[int, int, bool], tuple[np.ndarray, np.ndarray]]


def baseline(name: str, prep: Prepared, k: int) -> Ranking:
    g = prep.ctx.graph
    popular = g.activity + 1e-3 * g.degree
    popular = popular / (popular.max() + 1)

    def rank(a: int, theme: int, new_only: bool):
        if name == "popularity":
            scores = popular
        elif name == "theme_popularity":
            col = g.theme_activity[:, theme].toarray().ravel() if theme >= 0 else 0.0
            scores = col + popular
        elif name == "repeat":
            scores = g.weight[a].toarray().ravel() * 1e3 + popular
        else:  # adamic_adar
            scores = adamic_adar_rows(g, np.array([a])).toarray().ravel() * 1e3 + popular
        return rank_all(prep.ctx, a, scores, k=k, new_only=new_only)

    return rank


def kyoso(prep: Prepared, rankers: dict[str, Ranker], k: int) -> Ranking:
    engines = {kind: Engine(ctx=prep.ctx, items=prep.items, scorer=r, candidates=CANDIDATES)
               for kind, r in rankers.items()}

    def rank(a: int, theme: int, new_only: bool):
        ranked = engines["partner" if new_only else "consortium"].rank(
            a, filters=Filters(new_only=new_only), theme=theme)
        return ranked.partners[:k], ranked.score[:k]

    return rank


# --- the command ----------------------------------------------------------------------------


def run_cordis(data_dir: str, queries_path: str, out_path: str, *, system: str = "kyoso",
               k: int = 100, log=print) -> dict:
    if system not in SYSTEMS:
        raise BenchmarkInputError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    if not 1 <= k <= 1000:
        raise BenchmarkInputError("k must be between 1 and 1000")
    started = time.perf_counter()
    queries = read_queries(queries_path)
    if queries.height == 0:
        raise BenchmarkInputError(f"{queries_path}: no queries")
    as_of = datetime.combine(queries["as_of"].min(), datetime.min.time(), tzinfo=UTC)
    log(f"{queries.height:,} queries; using only data from before {as_of.date()}")
    prep = prepare(data_dir, as_of)
    day = to_days(as_of)
    log(f"ecosystem: {prep.eco.n:,} organisations, {len(prep.eco.events):,} pair events")
    stats: dict = {"system": system, "queries": queries.height}
    if system == "kyoso":
        sets, latest = training_sets(prep, day, log)
        rankers = {}
        for kind in ("consortium", "partner"):
            rankers[kind], info = fit_ranker(prep, sets[kind], latest[kind], kind == "partner")
            stats[f"{kind}_model"] = info
            log(f"  {kind} ranker: {info}")
        rank = kyoso(prep, rankers, k)
    else:
        rank = baseline(system, prep, k)

    theme_code = {t: i for i, t in enumerate(prep.eco.themes)}
    rows_q, rows_o, rows_r, rows_s = [], [], [], []
    unknown = 0
    progress = Progress(queries.height, f"ranking ({system})")
    for done, (qid, org_id, _as_of, theme, new_only) in enumerate(queries.iter_rows(), start=1):
        a = prep.eco.index.get(org_id, -1)
        if a < 0:
            unknown += 1
        else:
            code = theme_code.get(theme, -1) if theme else top_theme(prep.ctx.graph, a)
            partners, scores = rank(a, code, bool(new_only))
            rows_q += [qid] * len(partners)
            rows_o += [str(prep.eco.ids[p]) for p in partners]
            rows_r += list(range(1, len(partners) + 1))
            rows_s += [float(s) for s in scores]
        progress.update(done)
    out = pl.DataFrame({"query_id": rows_q, "org_id": rows_o, "rank": rows_r, "score": rows_s},
                       schema={"query_id": pl.String, "org_id": pl.String, "rank": pl.Int32,
                               "score": pl.Float64})
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    out.write_parquet(out_path)
    stats.update(unknown_askers=unknown, rows=out.height,
                 seconds=round(time.perf_counter() - started, 1))
    log(f"wrote {out.height:,} rows to {out_path} in {stats['seconds']}s "
        f"({unknown} queries for organisations the data does not know: empty answers)")
    return stats


# --- scoring --------------------------------------------------------------------------------


def score(queries_path: str, truth_path: str, predictions_path: str) -> dict[str, dict[str, float]]:
    """NDCG@10, recall@50 and MRR per kind of query, as the data README defines them."""
    per_query = score_queries(queries_path, truth_path, predictions_path)
    return summarise(per_query)


def summarise(per_query: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Average per-query metrics by kind (consortium = new_only false, partner = true)."""
    results = {}
    for kind, new_only in (("consortium", False), ("partner", True)):
        part = per_query.filter(pl.col("new_only") == new_only)
        results[kind] = {"queries": part.height, **{
            m: float(part[m].mean()) if part.height else 0.0 for m in ("ndcg@10", "recall@50", "mrr")}}
    return results


def score_queries(queries_path: str, truth_path: str, predictions_path: str) -> pl.DataFrame:
    """One row per query: query_id, org_id, new_only and its three metrics (no answer = 0)."""
    queries = read_queries(queries_path)
    truth = pl.read_parquet(truth_path)
    predictions = pl.read_parquet(predictions_path)
    for frame, cols, path in ((truth, ("query_id", "org_id"), truth_path),
                              (predictions, ("query_id", "org_id", "rank"), predictions_path)):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise BenchmarkInputError(f"{path}: missing column(s) {', '.join(missing)}")
    truth_of = {q: set(p["org_id"].to_list()) for (q,), p in truth.group_by("query_id")}
    ranked_of = {q: np.array(p.sort("rank")["org_id"].to_list(), dtype=object)
                 for (q,), p in predictions.group_by("query_id")}
    rows = []
    for qid, asker, new_only in queries.select("query_id", "org_id", "new_only").iter_rows():
        rel = truth_of.get(qid, set()) - {asker}
        ranked = ranked_of.get(qid, np.array([], dtype=object))
        ranked = ranked[ranked != asker]
        rows.append((qid, asker, new_only, ndcg_at(ranked, rel, 10), recall_at(ranked, rel, 50),
                     reciprocal_rank(ranked, rel, 100)))
    return pl.DataFrame(rows, schema={"query_id": pl.String, "org_id": pl.String,
                                      "new_only": pl.Boolean, "ndcg@10": pl.Float64,
                                      "recall@50": pl.Float64, "mrr": pl.Float64}, orient="row")
