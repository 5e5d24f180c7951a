"""Re-ranking for varied lists: MMR over kind and industry, and an exposure cap for hubs."""

from __future__ import annotations

from collections import Counter

import numpy as np

REACH = 2  # a list of k is drawn from the 2k strongest: variety never shows a weak match


def similarity(kind: np.ndarray, industries: np.ndarray, i: int, others: np.ndarray) -> np.ndarray:
    """How alike candidate ``i`` is to each of ``others``: same kind and shared industries."""
    same_kind = (kind[others] == kind[i]).astype(float)
    inter = (industries[others] & industries[i]).sum(axis=1)
    union = (industries[others] | industries[i]).sum(axis=1)
    jaccard = np.divide(inter, union, out=np.zeros(len(others)), where=union > 0)
    return 0.5 * same_kind + 0.5 * jaccard


def diversify(items: np.ndarray, scores: np.ndarray, kind: np.ndarray, industries: np.ndarray, k: int,
              *, lam: float = 0.8, exposure: Counter | None = None,
              cap: int | None = None, reach: int = REACH) -> np.ndarray:
    """Pick ``k`` of ``items`` by maximal marginal relevance; skip those at the exposure cap.

    Args:
        items: candidate indices, any order; scores: their relevance.
        lam: weight of relevance against similarity to what is already picked (1 = no MMR).
        exposure, cap: how many lists each candidate is already in, and the most allowed.
        reach: MMR picks among the ``reach * k`` strongest (of those under the cap).
    """
    order = np.argsort(-scores, kind="stable")
    items, scores = items[order], scores[order]
    if exposure is not None and cap is not None:
        keep = np.array([exposure[int(i)] < cap for i in items], dtype=bool)
        items, scores = items[keep], scores[keep]
    if len(items) == 0:
        return items
    pool = min(len(items), reach * k)
    # Relevance is scaled over that pool: how far down the weakest retrieved candidate
    # (never shown) lies must not set what a step of relevance is worth against variety.
    top = scores[:pool]
    span = top.max() - top.min()
    rel = (top - top.min()) / span if span > 0 else np.ones(pool)
    chosen: list[int] = []
    best_sim = np.zeros(pool)
    left = np.ones(pool, dtype=bool)
    for _ in range(min(k, pool)):
        gain = np.where(left, lam * rel - (1 - lam) * best_sim, -np.inf)
        pick = int(np.argmax(gain))
        chosen.append(pick)
        left[pick] = False
        best_sim = np.maximum(best_sim, similarity(kind, industries, int(items[pick]), items[:pool]))
    picked = items[chosen]
    if exposure is not None:
        exposure.update(int(i) for i in picked)
    return picked
