"""Cold start: an asker with no history leans on text and tag fit beside the model.

For an asker with no tie in the graph the ranker's history features are all empty, and a
model trained mostly on askers with history ranks its candidates less surely than their
plain two-way fit does. Its two-way score is then a weighted geometric mean of the model's
and of that fit (both 0–1). The weight is chosen on the validation queries as newcomers
would ask them (``choose_cold_weight``: real newcomers, and every other asker with its
history blanked — a quarter holds only a handful of real newcomers, too few to choose on),
kept at an even blend unless validation clearly asks otherwise, and stored with the model.
"""

from __future__ import annotations

import numpy as np

from features.pairs import FEATURES
from matching.queries import RELEVANT_GRADE
from matching.ranker import query_ndcgs
from matching.reciprocity import squash

COLD_WEIGHT = 0.5  # weight of the two-way fit in a newcomer's score, before a model chose one
COLD_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)  # the candidates a model chooses from on validation
_TEXT = [FEATURES.index(f) for f in ("text_fit_ab", "text_fit_ba")]
_TAGS = [FEATURES.index(f) for f in ("tag_cov_ab", "tag_cov_ba")]


def two_way_fit(x_forward: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Mean of the text fit and tag coverage both ways, 0–1, from the forward features.

    Each direction's text fit is taken relative to the best of its query's candidates
    (``group``: the row count of each query; None: one query). Cosines between texts
    written by different people stay small, so raw they would count for little beside the
    tags' 0–1 shares: a partner whose text answers a need its tags miss would lose to any
    partner with the tag.
    """
    x = np.nan_to_num(np.asarray(x_forward, dtype=np.float64))
    text = x[:, _TEXT]
    sizes = np.asarray([len(x)] if group is None else group, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    best = np.maximum.reduceat(text, starts, axis=0) if len(x) else text
    text = text / np.maximum(np.repeat(best, sizes, axis=0), 1e-9)
    return np.clip(np.column_stack([text, x[:, _TAGS]]).mean(axis=1), 0.0, 1.0)


def cold_blend(score: np.ndarray, x_forward: np.ndarray, weight: float = COLD_WEIGHT,
               group: np.ndarray | None = None) -> np.ndarray:
    """A newcomer's score: the model's (0–1) and the fit's, weighted geometrically."""
    fit = two_way_fit(x_forward, group)
    return np.exp((1 - weight) * np.log(np.maximum(score, 1e-12))
                  + weight * np.log(np.maximum(fit, 1e-12)))


def choose_cold_weight(raw: np.ndarray, x: np.ndarray, y: np.ndarray, group: np.ndarray,
                       ) -> tuple[float, dict[float, float]]:
    """The weight for newcomers, from their validation queries (NDCG@10, a meeting or more
    counts, as in the evaluation): ``raw`` is the ranker's score of rows ``x`` grouped by
    query, ``y`` their graded labels.

    Of the weights within one standard error of the best, the one nearest the even blend
    (``COLD_WEIGHT``): on a couple of hundred queries they cannot be told apart, so the
    weight moves from the even blend only as far as validation clearly asks.
    """
    if not len(group):
        return COLD_WEIGHT, {}
    relevant = (y >= RELEVANT_GRADE).astype(np.int32)
    per_query = {w: query_ndcgs(relevant, cold_blend(squash(raw), x, w, group), group)
                 for w in COLD_WEIGHTS}
    scores = {w: float(v.mean()) if len(v) else 0.0 for w, v in per_query.items()}
    best = max(COLD_WEIGHTS, key=lambda w: (scores[w], -abs(w - COLD_WEIGHT)))
    values = per_query[best]
    error = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    close = [w for w in COLD_WEIGHTS if scores[w] >= scores[best] - error]
    return min(close, key=lambda w: (abs(w - COLD_WEIGHT), -w)), scores
