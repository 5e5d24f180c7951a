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

from features.ecosystem import Ecosystem
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
    forward = eco.strengths_by_tag[np.flatnonzero(eco.needs[a])].sum(axis=0) / eco.need_count[a]
    return forward + eco.needs_by_tag[np.flatnonzero(eco.strengths[a])].sum(axis=0) / eco.need_count


def fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way text and tag fit of ``a`` against everyone (retrieval score)."""
    return text_fit_scores(ctx, a) + tag_fit_scores(ctx, a)


def _best(idx: np.ndarray, val: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` entries of ``idx`` with the highest ``val``, best first (ties by index)."""
    if len(idx) > k:
        kth = -np.partition(-val, k - 1)[k - 1]
        above = np.flatnonzero(val > kth)
        tied = np.flatnonzero(val == kth)
        tied = tied[np.argsort(idx[tied], kind="stable")][: k - len(above)]
        keep = np.concatenate([above, tied])
        idx, val = idx[keep], val[keep]
    return idx[np.lexsort((idx, -val))]


def _top(scores: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    """The best ``k`` allowed organisations with a positive score, best first."""
    idx = np.flatnonzero(scores > 0)
    idx = idx[allowed[idx]]
    return _best(idx, scores[idx], k)


def _top_sparse(row, k: int, allowed: np.ndarray) -> np.ndarray:
    """The best ``k`` allowed entries of a sparse row, looking only at its non-zeros."""
    idx, val = row.indices, row.data
    keep = allowed[idx] & (val > 0)
    return _best(idx[keep], val[keep], k)


def _top_ranked(order: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    """The first ``k`` allowed organisations of an order fixed in advance."""
    head = order[: 2 * k]
    head = head[allowed[head]]
    if len(head) >= k or len(order) <= 2 * k:
        return head[:k]
    return order[allowed[order]][:k]


def source_scores(ctx: PairContext, a: int, theme: int, rows: dict) -> list:
    """Each source's scores: a dense array over everyone, a sparse row, or an order fixed in
    advance (a tuple). ``rows``: the asker's ``asker_rows``."""
    eco, graph = ctx.eco, ctx.graph
    sources: list = [rows["text_ab"] + rows["text_ba"], tag_fit_scores(ctx, a)]
    sources += [rows[name].tocsr() for name in GRAPH_SOURCES]
    by_theme = graph.by_theme[0]
    if 0 <= theme < by_theme.shape[0]:
        sources.append(by_theme[theme])
    if rows["theme_profile_sim"].nnz:  # a newcomer has no theme profile to be like
        like = rows["theme_profile_sim"].copy()
        near = like.indices
        like.data = like.data * (1 + graph.activity[near]) * (1 + (eco.region[near] == eco.region[a]))
        sources.append(like)
    sources += [(order,) for order in graph.most_active]
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
        if isinstance(scores, tuple):
            top = _top_ranked(scores[0], config.depth, ok)
        elif isinstance(scores, np.ndarray):
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


def covering(eco: Ecosystem, ok: np.ndarray, tags: np.ndarray, limit: int) -> np.ndarray:
    """Up to ``limit`` organisations among ``ok`` whose strengths cover the most of ``tags``
    (a bool mask over the tags; at least one covered), most first."""
    count = eco.strengths[:, tags].sum(axis=1)
    found = np.flatnonzero(ok & (count > 0))
    return found[np.argsort(-count[found], kind="stable")][:limit]
