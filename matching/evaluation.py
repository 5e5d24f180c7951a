"""Time-split evaluation: ranking metrics, the baselines every report shows, a cold-start slice.

A system is a function (context, query) → ranked partner indices, best first. All
systems answer the same queries, as of the same day, against the same truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import msgspec
import numpy as np

from features.graph import adamic_adar_rows
from features.pairs import PairContext
from matching.candidates import candidates_for, fit_scores
from matching.diversity import similarity
from matching.queries import Query

System = Callable[[PairContext, Query], np.ndarray]
DEPTH = 100
VALIDATION_QUERIES = 500  # validation queries a weight is chosen on


def ndcg_at(ranked: np.ndarray, relevant: set[int], k: int = 10) -> float:
    """NDCG with binary gains."""
    if not relevant:
        return 0.0
    gains = np.array([1.0 if p in relevant else 0.0 for p in ranked[:k]])
    dcg = float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())
    ideal = float((1.0 / np.log2(np.arange(2, min(len(relevant), k) + 2))).sum())
    return dcg / ideal


def recall_at(ranked: np.ndarray, relevant: set[int], k: int = 50) -> float:
    """Hits in the top k over min(|truth|, k)."""
    if not relevant:
        return 0.0
    hits = sum(1 for p in ranked[:k] if p in relevant)
    return hits / min(len(relevant), k)


def reciprocal_rank(ranked: np.ndarray, relevant: set[int], k: int = DEPTH) -> float:
    for i, p in enumerate(ranked[:k]):
        if p in relevant:
            return 1.0 / (i + 1)
    return 0.0


class Metrics(msgspec.Struct, kw_only=True):
    queries: int
    ndcg_at_10: float
    recall_at_50: float
    mrr: float
    coverage: float  # share of the catalogue that appears in some top-10
    diversity: float  # mean pairwise dissimilarity (kind, industry) within top-10 lists


class SystemReport(msgspec.Struct, kw_only=True):
    name: str
    all: Metrics
    cold_start: Metrics


def _metrics(lists: list[np.ndarray], queries: list[Query], ctx: PairContext) -> Metrics:
    if not queries:
        return Metrics(queries=0, ndcg_at_10=0, recall_at_50=0, mrr=0, coverage=0, diversity=0)
    eco = ctx.eco
    rel = [q.relevant() for q in queries]
    shown = set()
    dissim = []
    for ranked in lists:
        top = ranked[:10]
        shown.update(int(p) for p in top)
        if len(top) > 1:
            sims = [similarity(eco.kind, eco.industries, int(top[i]), top[i + 1:]).mean()
                    for i in range(len(top) - 1)]
            dissim.append(1 - float(np.mean(sims)))
    return Metrics(
        queries=len(queries),
        ndcg_at_10=float(np.mean([ndcg_at(r, t) for r, t in zip(lists, rel, strict=True)])),
        recall_at_50=float(np.mean([recall_at(r, t) for r, t in zip(lists, rel, strict=True)])),
        mrr=float(np.mean([reciprocal_rank(r, t) for r, t in zip(lists, rel, strict=True)])),
        coverage=len(shown) / eco.n,
        diversity=float(np.mean(dissim)) if dissim else 0.0,
    )


def is_cold(ctx: PairContext, q: Query) -> bool:
    """No tie in the graph as of the query day: the asker has no history to lean on."""
    return ctx.graph.degree[q.asker] == 0


def evaluate(systems: dict[str, System], ctx: PairContext, queries: Iterable[Query]) -> list[SystemReport]:
    queries = [q for q in queries if q.relevant()]
    cold = [is_cold(ctx, q) for q in queries]
    reports = []
    for name, system in systems.items():
        lists = [system(ctx, q) for q in queries]
        cold_lists = [r for r, c in zip(lists, cold, strict=True) if c]
        cold_q = [q for q, c in zip(queries, cold, strict=True) if c]
        reports.append(SystemReport(name=name, all=_metrics(lists, queries, ctx),
                                    cold_start=_metrics(cold_lists, cold_q, ctx)))
    return reports


def candidate_recall(ctx: PairContext, queries: Iterable[Query], **kwargs) -> float:
    """Share of relevant partners that retrieval hands to the ranker."""
    found = wanted = 0
    for q in queries:
        rel = q.relevant()
        if rel:
            got = set(candidates_for(ctx, q.asker, theme=q.theme, **kwargs).tolist())
            found += len(rel & got)
            wanted += len(rel)
    return found / max(wanted, 1)


# --- baselines: every organisation known as of the day is ranked ------------------------------


def rank_all(ctx: PairContext, asker: int, scores: np.ndarray, *, k: int = DEPTH,
             new_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` of everyone known as of the graph's day by ``scores`` (never the asker;
    with ``new_only`` never an earlier partner): indices and their scores, best first."""
    ok = ctx.eco.registered <= ctx.graph.day
    ok[asker] = False
    if new_only:
        ok[ctx.graph.binary[asker].indices] = False
    s = np.where(ok, scores, -np.inf)
    k = min(k, int(ok.sum()))
    top = np.argpartition(-s, k - 1)[:k] if k else np.empty(0, dtype=np.int64)
    top = top[np.argsort(-s[top], kind="stable")]
    return top, s[top]


def _ranked(ctx: PairContext, q: Query, scores: np.ndarray) -> np.ndarray:
    return rank_all(ctx, q.asker, scores)[0]


def _popularity(ctx: PairContext) -> np.ndarray:
    g = ctx.graph
    return g.degree + 0.1 * g.activity + 1e-6 * g.success


def popularity(ctx: PairContext, q: Query) -> np.ndarray:
    return _ranked(ctx, q, _popularity(ctx))


def repeat_partners(ctx: PairContext, q: Query) -> np.ndarray:
    row = ctx.graph.weight[q.asker].toarray().ravel()
    pop = _popularity(ctx)
    return _ranked(ctx, q, row * 1e6 + pop / (pop.max() + 1))


def adamic_adar(ctx: PairContext, q: Query) -> np.ndarray:
    row = adamic_adar_rows(ctx.graph, np.array([q.asker])).toarray().ravel()
    pop = _popularity(ctx)
    return _ranked(ctx, q, row * 1e6 + pop / (pop.max() + 1))


def text_similarity(ctx: PairContext, q: Query) -> np.ndarray:
    return _ranked(ctx, q, fit_scores(ctx, q.asker) + 1e-9)


BASELINES: dict[str, System] = {
    "popularity": popularity,
    "repeat partners": repeat_partners,
    "adamic-adar": adamic_adar,
    "text similarity": text_similarity,
}


@dataclass(frozen=True)
class EngineSystem:
    """The engine as a system: candidates, two-way learned score (no diversity re-rank)."""

    rank: Callable[[int, int], np.ndarray]

    def __call__(self, ctx: PairContext, q: Query) -> np.ndarray:
        return self.rank(q.asker, q.theme)[:DEPTH]


def fit_reciprocity(engine, queries: list[Query], *, new_only: bool = False,
                    limit: int = VALIDATION_QUERIES) -> tuple[float, dict[float, float]]:
    """Choose the backward weight on validation queries (an engine built as of their day)."""
    from matching.engine import Filters
    from matching.reciprocity import choose_weight

    def rows():
        for q in [q for q in queries if q.relevant()][:limit]:
            r = engine.rank(q.asker, filters=Filters(new_only=new_only), theme=q.theme)
            yield r.partners, r.forward, r.backward, q.relevant()

    return choose_weight(rows(), ndcg_at)
