"""A newcomer's list leans on two-way fit as much as validation says it should."""

from __future__ import annotations

import numpy as np

from features.pairs import FEATURES
from matching.coldstart import COLD_WEIGHT, COLD_WEIGHTS, choose_cold_weight, two_way_fit

COL = {f: FEATURES.index(f) for f in FEATURES}


def _rows(text_ab, text_ba, tag_ab, tag_ba) -> np.ndarray:
    x = np.zeros((len(text_ab), len(FEATURES)), dtype=np.float32)
    for name, values in (("text_fit_ab", text_ab), ("text_fit_ba", text_ba), ("tag_cov_ab", tag_ab),
                         ("tag_cov_ba", tag_ba)):
        x[:, COL[name]] = values
    return x


def test_a_partner_whose_text_answers_both_ways_beats_one_with_only_the_tags():
    # Cosines between texts by different writers stay small; the best of the query counts as 1.
    x = _rows([0.07, 0.03], [0.32, 0.16], [1.0, 1.0], [0.5, 1.0])
    fit = two_way_fit(x)
    assert fit[0] > fit[1]
    assert np.allclose(two_way_fit(_rows([0.7, 0.3], [0.64, 0.32], [1.0, 1.0], [0.5, 1.0])), fit)


def test_text_fit_is_relative_to_each_querys_own_candidates():
    x = _rows([0.1, 0.05, 0.8, 0.4], [0.1, 0.05, 0.8, 0.4], [0, 0, 0, 0], [0, 0, 0, 0])
    grouped = two_way_fit(x, np.array([2, 2]))
    assert np.allclose(grouped, [0.5, 0.25, 0.5, 0.25])


def test_the_weight_follows_what_ranks_newcomers_best_on_validation():
    # Two queries of three candidates; the relevant one (label 3) is the best fit of each.
    x = _rows([0.9, 0.1, 0.2, 0.8, 0.1, 0.3], [0.9, 0.1, 0.2, 0.8, 0.1, 0.3], [1, 0, 0, 1, 0, 0],
              [1, 0, 0, 1, 0, 0])
    y = np.array([3, 0, 0, 3, 0, 0])
    group = np.array([3, 3])
    model_wrong = np.array([-2.0, 2.0, 1.0, -2.0, 2.0, 1.0])
    best, scores = choose_cold_weight(model_wrong, x, y, group)
    assert set(scores) == set(COLD_WEIGHTS) and scores[0.0] < scores[best] == 1.0
    assert best > COLD_WEIGHT
    model_right = np.array([1.0, -1.0, -1.0, 1.0, -1.0, -1.0])
    fit_wrong = _rows([0.1, 0.9, 0.8, 0.1, 0.9, 0.8], [0.1, 0.9, 0.8, 0.1, 0.9, 0.8], [0, 1, 1, 0, 1, 1],
                      [0, 1, 1, 0, 1, 1])
    best, scores = choose_cold_weight(model_right, fit_wrong, y, group)
    assert best < COLD_WEIGHT and scores[1.0] < scores[best] == 1.0


def test_a_gain_within_validation_noise_keeps_the_even_blend():
    # 20 queries every weight ranks right, 19 every weight ranks wrong, and one that only the
    # model gets right: a gain of one query in forty, well inside the noise of forty.
    right = ([0.9, 0.1], [0.9, 0.1], [1, 0], [1, 0], [1.0, -1.0], [3, 0])
    wrong = ([0.9, 0.1], [0.9, 0.1], [1, 0], [1, 0], [1.0, -1.0], [0, 3])
    model_only = ([0.1, 0.9], [0.1, 0.9], [0, 1], [0, 1], [1.0, -1.0], [3, 0])
    queries = [right] * 20 + [wrong] * 19 + [model_only]
    x = _rows(*(np.concatenate([q[i] for q in queries]) for i in range(4)))
    raw = np.concatenate([q[4] for q in queries])
    y = np.concatenate([q[5] for q in queries])
    best, scores = choose_cold_weight(raw, x, y, np.full(len(queries), 2))
    assert scores[0.0] > scores[COLD_WEIGHT]  # the model alone is ahead, by one query
    assert best == COLD_WEIGHT
