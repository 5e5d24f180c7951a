"""Cooling off: a pair whose last step was a decline is not suggested again for a while.

The period is ``COOLING_OFF_DAYS`` (180 days, about two quarters: long enough for a
budget year or a team to change, short enough that a good match comes back), configurable
per engine (``Engine.cooling_days``; 0 turns it off). Any later step of the pair (a new
contact, a meeting) ends the cooling off. After it, the pair may come back, weighed by
the ranker's decline features (``features.declines``).
"""

from __future__ import annotations

import numpy as np

from features.graph import Graph

COOLING_OFF_DAYS = 180.0
# The time-split evaluation replays the outcome log, whose offices had no cooling-off (in
# the bundled ecosystem a declined pair is often introduced again and then meets): it ranks
# with the period off, so the ranker is judged on what happened.
REPLAY_DAYS = 0.0


def cooling_off(graph: Graph, a: int, days: float = COOLING_OFF_DAYS) -> np.ndarray:
    """Partners of ``a`` whose last step with it, before the graph's day, was a decline less
    than ``days`` ago."""
    if days <= 0:
        return np.empty(0, dtype=np.int64)
    row = graph.last_decline
    lo, hi = row.indptr[a], row.indptr[a + 1]
    return row.indices[lo:hi][row.data[lo:hi] >= graph.day - days].astype(np.int64)
