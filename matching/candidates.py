"""Candidate retrieval: a few hundred organisations per query, before any model runs.

Sources: text fit both ways, tag coverage both ways, the graph neighbourhood (repeat
partners, Adamic–Adar, resource allocation, 2-hop, personalised PageRank), activity in
the query's theme, a similar theme profile (nearby first), recent and overall activity,
and the best of every kind so no kind is shut out. Each source ranks organisations;
reciprocal-rank fusion merges them, so an organisation several sources agree on
comes first and no single source's scale dominates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.pairs import PairContext, asker_rows
from features.text import fit_rows

GRAPH_SOURCES = ("repeat", "adamic_adar", "resource_allocation", "two_hop", "ppr")


@dataclass(frozen=True)
class CandidateConfig:
    limit: int = 400  # candidates handed to the ranker
    depth: int = 400  # how far down each source is read
    per_kind: int = 5  # the best of every kind joins whatever the fusion says
    fusion_k: float = 60.0  # reciprocal-rank fusion constant


def text_fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way text fit of ``a`` against everyone."""
    ab, ba = fit_rows(ctx.text, a)
    return ab + ba


def tag_fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way tag coverage of ``a`` against everyone."""
    eco = ctx.eco
    if not eco.has_tags:  # e.g. outside datasets without profiles
        return np.zeros(eco.n, dtype=np.float32)
    # Sums over the asker's few tags: the same values as a product over every tag, at a
    # fraction of the cost.
    forward = eco.strengths_f[:, np.flatnonzero(eco.needs[a])].sum(axis=1) / eco.need_count[a]
    return forward + eco.needs_f[:, np.flatnonzero(eco.strengths[a])].sum(axis=1) / eco.need_count


def fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way text and tag fit of ``a`` against everyone (retrieval score)."""
    return text_fit_scores(ctx, a) + tag_fit_scores(ctx, a)


def _top(scores: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    """The best ``k`` allowed organisations with a positive score, best first."""
    s = np.where(allowed & (scores > 0), scores, -np.inf)
    k = min(k, int(np.isfinite(s).sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    idx = np.argpartition(-s, k - 1)[:k]
    return idx[np.argsort(-s[idx], kind="stable")]


def _top_sparse(row, k: int, allowed: np.ndarray) -> np.ndarray:
    """The best ``k`` allowed entries of a sparse row, looking only at its non-zeros."""
    idx, val = row.indices, row.data
    keep = allowed[idx] & (val > 0)
    idx, val = idx[keep], val[keep]
    if len(idx) > k:
        part = np.argpartition(-val, k - 1)[:k]
        idx, val = idx[part], val[part]
    return idx[np.argsort(-val, kind="stable")]


def source_scores(ctx: PairContext, a: int, theme: int, rows: dict) -> list:
    """Each source's scores: a dense array over everyone, or a sparse row (graph sources).
    ``rows``: the asker's ``asker_rows``."""
    eco, graph = ctx.eco, ctx.graph
    sources: list = [rows["text_fit_ab"] + rows["text_fit_ba"], tag_fit_scores(ctx, a)]
    sources += [rows[name].tocsr() for name in GRAPH_SOURCES]
    if 0 <= theme < graph.theme_activity.shape[1]:
        sources.append(graph.theme_activity[:, theme].T.tocsr())
    if graph.theme_profile[a].nnz:  # a newcomer has no theme profile to be like
        profile = (graph.theme_profile @ graph.theme_profile[a].T).toarray().ravel()
        sources.append(profile * (1 + graph.activity) * (1 + (eco.region == eco.region[a])))
    sources += [graph.activity + 0.5 * graph.degree, graph.recent]
    return sources


def candidates_for(ctx: PairContext, a: int, *, theme: int = -1, allowed: np.ndarray | None = None,
                   config: CandidateConfig = CandidateConfig(), rows: dict | None = None) -> np.ndarray:
    """Indices of candidate partners for ``a``, best first (never ``a``, never someone not
    yet registered). ``rows``: the asker's ``asker_rows``, when already computed."""
    eco, graph = ctx.eco, ctx.graph
    ok = eco.registered <= graph.day
    if allowed is not None:
        ok &= allowed
    ok = ok.copy()
    ok[a] = False
    rows = rows if rows is not None else asker_rows(ctx, a)
    fused = np.zeros(eco.n)
    for scores in source_scores(ctx, a, theme, rows):
        if isinstance(scores, np.ndarray):
            top = _top(scores, config.depth, ok)
        else:
            top = _top_sparse(scores, config.depth, ok)
        fused[top] += 1.0 / (config.fusion_k + np.arange(len(top)))
    ranked = np.flatnonzero(fused > 0)
    ranked = ranked[np.argsort(-fused[ranked], kind="stable")]
    picked = ranked[: config.limit]
    # The best few of every kind the fusion found, even below the cut.
    kinds = eco.kind[ranked]
    extra = [ranked[kinds == k][: config.per_kind] for k in np.unique(kinds)]
    merged = np.concatenate([picked, *extra])
    _, first = np.unique(merged, return_index=True)
    return merged[np.sort(first)]
