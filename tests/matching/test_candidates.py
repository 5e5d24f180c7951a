from __future__ import annotations

import numpy as np

from matching.candidates import _top, _top_ranked


def test_an_order_fixed_in_advance_picks_what_ranking_the_scores_would(engine):
    """The most active organisations are ranked once per graph; a query's pick from that
    order, with its own filters, is the pick ranking the scores for it would give."""
    graph = engine.ctx.graph
    activity = graph.activity + 0.5 * graph.degree
    rng = np.random.default_rng(0)
    for share in (1.0, 0.9, 0.3, 0.02):
        allowed = rng.random(engine.eco.n) < share
        for k in (5, 40, 400):
            np.testing.assert_array_equal(_top_ranked(graph.most_active[0], k, allowed),
                                          _top(activity, k, allowed))
            np.testing.assert_array_equal(_top_ranked(graph.most_active[1], k, allowed),
                                          _top(graph.recent, k, allowed))
