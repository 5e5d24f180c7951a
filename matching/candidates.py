"""Candidate retrieval: a few hundred organisations per query, before any model runs.

Sources: text fit both ways, tag coverage both ways, the graph neighbourhood (repeat
partners, 2-hop, personalised PageRank), organisations active in the query's theme
or popular overall, and a few of every kind so no kind is shut out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.graph import query_rows
from features.pairs import PairContext


@dataclass(frozen=True)
class CandidateConfig:
    text_k: int = 120
    tag_k: int = 80
    graph_k: int = 120
    popular_k: int = 40
    per_kind_k: int = 8
    limit: int = 400


def _top(scores: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
    s = np.where(allowed, scores, -np.inf)
    k = min(k, int(allowed.sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    idx = np.argpartition(-s, k - 1)[:k]
    idx = idx[np.isfinite(s[idx]) & (s[idx] > 0)]
    return idx[np.argsort(-s[idx], kind="stable")]


def text_fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way text fit of ``a`` against everyone."""
    text = ctx.text
    if text.strengths.shape[1] <= 1:
        return np.zeros(ctx.eco.n, dtype=np.float32)
    return ((text.needs[a] @ text.strengths_t).toarray().ravel()
            + (text.strengths[a] @ text.needs_t).toarray().ravel())


def tag_fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way tag coverage of ``a`` against everyone."""
    eco = ctx.eco
    return (eco.strengths_f @ eco.needs_f[a]) / eco.need_count[a] + (
        eco.needs_f @ eco.strengths_f[a]) / eco.need_count


def fit_scores(ctx: PairContext, a: int) -> np.ndarray:
    """Two-way text and tag fit of ``a`` against everyone (retrieval score)."""
    return text_fit_scores(ctx, a) + tag_fit_scores(ctx, a)


def candidates_for(ctx: PairContext, a: int, *, theme: int = -1, allowed: np.ndarray | None = None,
                   config: CandidateConfig = CandidateConfig(), rows: dict | None = None) -> np.ndarray:
    """Indices of candidate partners for ``a`` (never ``a``, never someone not yet registered).

    ``rows``: the asker's ``query_rows``, when already computed.
    """
    eco, graph = ctx.eco, ctx.graph
    ok = eco.registered <= graph.day
    if allowed is not None:
        ok &= allowed
    ok = ok.copy()
    ok[a] = False
    tags = tag_fit_scores(ctx, a)
    text_tag = text_fit_scores(ctx, a) + tags
    picks = [_top(text_tag, config.text_k, ok), _top(tags, config.tag_k, ok)]
    rows = rows if rows is not None else query_rows(graph, np.array([a]))
    for name in ("repeat", "adamic_adar", "two_hop", "ppr"):
        picks.append(_top(rows[name].toarray().ravel(), config.graph_k // 2, ok))
    if 0 <= theme < graph.theme_activity.shape[1]:
        picks.append(_top(graph.theme_activity[:, theme].toarray().ravel(), config.popular_k, ok))
    picks.append(_top(graph.activity + 0.5 * graph.degree, config.popular_k, ok))
    for k in np.unique(eco.kind):
        picks.append(_top(text_tag + 1e-3, config.per_kind_k, ok & (eco.kind == k)))
    # Interleave the sources by rank, so a cut at ``limit`` keeps the best of each.
    merged = np.concatenate(picks)
    rank = np.concatenate([np.arange(len(p)) for p in picks])
    merged = merged[np.argsort(rank, kind="stable")]
    _, first = np.unique(merged, return_index=True)
    return merged[np.sort(first)][: config.limit]
