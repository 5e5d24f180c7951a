from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from features.ecosystem import build_ecosystem
from features.graph import PPR_RESTART, build_graph, query_rows


def test_link_rows_equal_their_definitions(small_eco):
    """The query's link rows come from two stacked products; each must equal its formula."""
    eco = build_ecosystem(*small_eco)
    graph = build_graph(eco, float(eco.events.day.max()) + 1)
    q = np.argsort(-graph.degree)[:5]  # hubs: the most paths to get wrong
    b, w = graph.binary, graph.weight
    t = sp.diags(np.divide(1.0, graph.strength, out=np.zeros(graph.n), where=graph.strength > 0)) @ w
    deg = graph.degree
    aa = np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=np.zeros_like(deg), where=deg > 1)
    ra = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    alpha = PPR_RESTART
    want = {
        "repeat": w[q], "prior_declines": graph.declines[q],
        "common_neighbours": b[q] @ b, "adamic_adar": b[q] @ sp.diags(aa) @ b,
        "resource_allocation": b[q] @ sp.diags(ra) @ b, "two_hop": w[q] @ w,
        "ppr": alpha * (1 - alpha) * t[q] + alpha * (1 - alpha) ** 2 * (t[q] @ t),
    }
    got = query_rows(graph, q)
    assert set(got) == set(want)
    for name, matrix in want.items():
        assert abs(got[name] - matrix).max() < 1e-12, name
        assert matrix.nnz > 0, name
