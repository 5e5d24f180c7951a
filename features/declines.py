"""What past declines say about a pair, as of a day: the decline reason as a feature.

A decline for ``nda_terms`` tells that the asker and partners of the other side's NDA
stance did not agree on terms; more pairs like it are likely to fail the same way. A pair
that declined before is weighed down when it comes back after the cooling-off period.
"""

from __future__ import annotations

import numpy as np

from features.ecosystem import Ecosystem
from features.graph import Graph, gather

DECLINE_FEATURES = ("nda_declines_a", "nda_declines_b", "pair_declines")


def decline_features(eco: Ecosystem, graph: Graph, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """For pairs (a_i, b_i), from declines before the graph's day: a's ``nda_terms`` declines
    with partners of b's NDA stance (and b's with a's), and the pair's own declines (log1p)."""
    if len(a) == 0:
        return {f: np.zeros(0, np.float32) for f in DECLINE_FEATURES}
    stance = eco.nda.astype(np.int64)
    return {"nda_declines_a": np.log1p(graph.nda_declines[a, stance[b]]).astype(np.float32),
            "nda_declines_b": np.log1p(graph.nda_declines[b, stance[a]]).astype(np.float32),
            "pair_declines": np.log1p(gather(graph.declines, a, b)).astype(np.float32)}
