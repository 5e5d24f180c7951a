"""Varied lists that still show the strongest matches."""

from __future__ import annotations

import numpy as np

from matching.diversity import REACH, diversify


def _pool(n: int, same_kind: bool = True):
    kind = np.zeros(n, dtype=np.int64) if same_kind else np.arange(n) % 3
    industries = np.zeros((n, 4), dtype=bool)
    industries[:, 0] = True
    return kind, industries


def test_a_list_is_drawn_from_the_strongest_twice_k_only():
    n, k = 40, 5
    kind, industries = _pool(n)
    kind[REACH * k:] = 1 + np.arange(n - REACH * k)  # far down: every one of a new kind
    industries[REACH * k:] = False
    scores = np.linspace(1.0, 0.5, n)
    picked = diversify(np.arange(n), scores, kind, industries, k)
    assert len(picked) == k and picked.max() < REACH * k


def test_a_weak_tail_of_candidates_does_not_change_the_list():
    k = 5
    kind = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7])
    industries = np.zeros((12, 4), dtype=bool)
    industries[:5, 0] = industries[5:, 1] = True
    scores = np.array([1.0, 0.95, 0.9, 0.85, 0.8, 0.6, 0.58, 0.56, 0.54, 0.52, 0.01, 0.01])
    # The last two were retrieved but are hopeless: never shown, they must not weigh on the rest.
    without_tail = diversify(np.arange(10), scores[:10], kind, industries, k)
    with_tail = diversify(np.arange(12), scores, kind, industries, k)
    assert with_tail.tolist() == without_tail.tolist()


def test_variety_reorders_near_ties_but_keeps_a_clearly_stronger_match():
    kind = np.array([0, 0, 1, 0, 2, 0, 0, 0, 0, 0])
    _, industries = _pool(10)
    scores = np.array([1.0, 0.99, 0.985, 0.98, 0.975, 0.5, 0.4, 0.3, 0.2, 0.1])
    picked = diversify(np.arange(10), scores, kind, industries, 3).tolist()
    assert picked[0] == 0 and {2, 4} <= set(picked)  # the other kinds move up among near ties
