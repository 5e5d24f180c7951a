"""Two-way scores: a match must be wanted from both sides."""

from __future__ import annotations

import numpy as np


def squash(score: np.ndarray) -> np.ndarray:
    """Map a ranker score to (0, 1) so both directions are on one scale."""
    return 1.0 / (1.0 + np.exp(-np.asarray(score, dtype=np.float64)))


def reciprocal_score(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Harmonic mean of the two directions: high only when both are high."""
    f, b = squash(forward), squash(backward)
    return 2 * f * b / np.maximum(f + b, 1e-12)
