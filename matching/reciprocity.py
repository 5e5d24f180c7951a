"""Two-way scores: a match must be wanted from both sides.

The two directions are combined as a weighted geometric mean of their squashed
scores: with weight w on the backward direction, a match the other side does not
want (backward → 0) scores → 0 whatever the forward score, for any w > 0. How much
the other side's view should count is learned: w is chosen on the validation split
(never the test) and stored with the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

WEIGHTS = (0.5, 0.35, 0.2, 0.1)  # candidates for w; 0.5 is the symmetric two-way score
DEFAULT_WEIGHT = 0.5


def squash(score: np.ndarray) -> np.ndarray:
    """Map a ranker score to (0, 1) so both directions are on one scale."""
    return 1.0 / (1.0 + np.exp(-np.asarray(score, dtype=np.float64)))


def reciprocal_score(forward: np.ndarray, backward: np.ndarray, weight: float = DEFAULT_WEIGHT,
                     ) -> np.ndarray:
    """Weighted geometric mean of the two directions: low when either side is low."""
    if not 0 < weight <= 0.5:
        raise ValueError("the backward weight must be in (0, 0.5]")
    f, b = squash(forward), squash(backward)
    return np.exp((1 - weight) * np.log(f) + weight * np.log(b))


def choose_weight(ranked: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, set]],
                  metric: Callable[[np.ndarray, set], float]) -> tuple[float, dict[float, float]]:
    """The weight that ranks validation queries best: (partners, forward, backward, truth)."""
    rows = list(ranked)
    scores = {}
    for w in WEIGHTS:
        values = [metric(p[np.argsort(-reciprocal_score(f, b, w), kind="stable")], truth)
                  for p, f, b, truth in rows]
        scores[w] = float(np.mean(values)) if values else 0.0
    best = max(WEIGHTS, key=lambda w: (scores[w], w))  # ties go to the more two-way weight
    return best, scores
