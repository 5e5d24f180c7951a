"""What past declines say about a pair, as of a day: the decline reason as a feature.

A decline for ``nda_terms`` tells that the asker and partners of the other side's NDA
stance did not agree on terms; more pairs like it are likely to fail the same way. A pair
that declined before is weighed down when it comes back after the cooling-off period.
"""

from __future__ import annotations

import numpy as np

from data.records import DECLINE_REASONS, NDA_STANCES
from features.ecosystem import Ecosystem

NDA_TERMS = DECLINE_REASONS.index("nda_terms")
DECLINE_FEATURES = ("nda_declines_a", "nda_declines_b", "pair_declines")


def decline_features(eco: Ecosystem, day: float, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """For pairs (a_i, b_i), from declines dated before ``day``: a's ``nda_terms`` declines
    with partners of b's NDA stance (and b's with a's), and the pair's own declines (log1p)."""
    ev = eco.events
    keep = ev.declined & (ev.day < day)
    ea, eb, reason = ev.a[keep], ev.b[keep], ev.reason[keep]
    stances = len(NDA_STANCES)
    nda = reason == NDA_TERMS
    stance = eco.nda.astype(np.int64)
    if len(a) == 0:
        return {f: np.zeros(0, np.float32) for f in DECLINE_FEATURES}
    out = {}
    keys = np.concatenate([ea[nda] * stances + stance[eb[nda]], eb[nda] * stances + stance[ea[nda]]])
    held, counts = np.unique(keys, return_counts=True)
    out["nda_declines_a"] = _lookup(held, counts, a * stances + stance[b])
    out["nda_declines_b"] = _lookup(held, counts, b * stances + stance[a])
    n = max(eco.n, 1)
    held, counts = np.unique(np.minimum(ea, eb) * n + np.maximum(ea, eb), return_counts=True)
    out["pair_declines"] = _lookup(held, counts, np.minimum(a, b) * n + np.maximum(a, b))
    return out


def _lookup(held: np.ndarray, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """log1p of the count of each key in (sorted, unique) ``held``; 0 where absent."""
    if not len(held):
        return np.zeros(len(keys), np.float32)
    pos = np.minimum(np.searchsorted(held, keys), len(held) - 1)
    return np.log1p(np.where(held[pos] == keys, counts[pos], 0)).astype(np.float32)
