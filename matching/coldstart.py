"""Cold start: an asker with no history leans on text and tag fit beside the model.

For an asker with no tie in the graph the ranker's history features are all empty, and a
model trained mostly on askers with history ranks its candidates less surely than their
plain two-way fit does. Its two-way score is then a weighted geometric mean of the model's
and of that fit (both 0–1); the weight is chosen on the validation split's newcomers
(``matching.evaluation.fit_cold_weight``) and stored with the model.
"""

from __future__ import annotations

import numpy as np

from features.pairs import FEATURES

COLD_WEIGHT = 0.5  # weight of the two-way fit in a newcomer's score, before a model chose one
COLD_WEIGHTS = (0.0, 0.25, 0.5, 0.75)  # the candidates a model chooses from on validation
_FIT = [FEATURES.index(f) for f in ("text_fit_ab", "text_fit_ba", "tag_cov_ab", "tag_cov_ba")]


def two_way_fit(x_forward: np.ndarray) -> np.ndarray:
    """Mean of the text fit and tag coverage both ways, 0–1, from the forward features."""
    return np.clip(np.nan_to_num(x_forward[:, _FIT]).mean(axis=1), 0.0, 1.0)


def cold_blend(score: np.ndarray, x_forward: np.ndarray, weight: float = COLD_WEIGHT) -> np.ndarray:
    """A newcomer's two-way score: the model's and the fit's, weighted geometrically."""
    fit = two_way_fit(x_forward)
    return np.exp((1 - weight) * np.log(np.maximum(score, 1e-12))
                  + weight * np.log(np.maximum(fit, 1e-12)))
