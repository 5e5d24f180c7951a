"""The collaboration graph as it stood on a given day, and link scores on it.

Only events strictly before the day are used, so a feature computed for a pair at
time t cannot see what happened after t. Link scores are sparse-matrix row products
(networkx's own link prediction is 7-10x slower at 100k nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from data.records import DECLINE_REASONS, NDA_STANCES
from features.ecosystem import Ecosystem

# How much an event at each grade says the pair is tied (declined=0 ... contract/launched=5).
TIE_WEIGHT = np.array([0.0, 0.0, 0.1, 0.4, 0.7, 1.0], dtype=np.float64)
HALF_LIFE_DAYS = 730.0
PPR_RESTART = 0.3


@dataclass(frozen=True)
class Graph:
    day: float
    weight: sp.csr_matrix  # n × n symmetric, recency-decayed tie strength
    binary: sp.csr_matrix  # n × n 0/1 ties
    declines: sp.csr_matrix  # n × n declines between the pair
    degree: np.ndarray  # distinct partners
    strength: np.ndarray  # weighted degree (row sums of ``weight``)
    activity: np.ndarray  # recency-decayed outcomes taken part in (any stage)
    recent: np.ndarray  # outcomes taken part in during the last year
    success: np.ndarray  # contracts or launches so far
    leads: np.ndarray  # recency-decayed successful outcomes led (coordinator, asker)
    theme_activity: sp.csr_matrix  # n × themes, decayed outcomes per theme
    theme_profile: sp.csr_matrix  # the same rows L2-normalised: what an organisation works on
    # A pair's history, read by row: the furthest step reached (grade + 1; absent: never
    # introduced), the day of the last step when it was a decline, and each organisation's
    # ``nda_terms`` declines with partners of each NDA stance (n × stances).
    furthest: sp.csr_matrix
    last_decline: sp.csr_matrix
    nda_declines: np.ndarray

    @property
    def n(self) -> int:
        return self.weight.shape[0]

    @cached_property
    def by_theme(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Theme activity and theme profiles transposed (themes × n): a theme's or a query
        profile's organisations are then one row, not a column of every row."""
        return self.theme_activity.T.tocsr(), self.theme_profile.T.tocsr()

    @cached_property
    def most_active(self) -> tuple[np.ndarray, np.ndarray]:
        """Organisations with any activity, most active first (decayed activity plus half the
        partners; ties by index), and those active in the last year, most active first."""
        return _ranked(self.activity + 0.5 * self.degree), _ranked(self.recent)

    @cached_property
    def link_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per organisation, once per graph: its Adamic–Adar and resource-allocation weight
        as a common neighbour, and the share of its ties one step of a walk takes (1/strength)."""
        deg, strength = self.degree, self.strength
        return (_adamic_adar_weights(deg), np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0),
                np.divide(1.0, strength, out=np.zeros_like(strength), where=strength > 0))


def build_graph(eco: Ecosystem, day: float, half_life: float = HALF_LIFE_DAYS) -> Graph:
    ev = eco.events.before(day)
    n = eco.n
    decay = np.power(0.5, (day - ev.day) / half_life) if len(ev) else np.empty(0)
    tie = TIE_WEIGHT[ev.grade] * decay / np.sqrt(np.maximum(ev.group_size - 1, 1))
    tie = np.where(ev.declined, 0.0, tie)
    both_a = np.concatenate([ev.a, ev.b])
    both_b = np.concatenate([ev.b, ev.a])
    weight = sp.csr_matrix((np.concatenate([tie, tie]), (both_a, both_b)), shape=(n, n))
    weight.eliminate_zeros()
    binary = weight.copy()
    binary.data[:] = 1.0
    dec = ev.declined.astype(np.float64)
    declines = sp.csr_matrix((np.concatenate([dec, dec]), (both_a, both_b)), shape=(n, n))
    declines.eliminate_zeros()
    degree = np.diff(binary.indptr).astype(np.float64)
    part = eco.participations.before(day)
    p_decay = np.power(0.5, (day - part.day) / half_life) if len(part.day) else np.empty(0)
    activity = np.bincount(part.org, weights=p_decay, minlength=n)
    recent = np.bincount(part.org[part.day >= day - 365], minlength=n).astype(np.float64)
    won = part.grade >= 5
    success = np.bincount(part.org[won], minlength=n).astype(np.float64)
    leads = np.bincount(part.org[won & part.lead], weights=p_decay[won & part.lead], minlength=n)
    theme_activity = sp.csr_matrix(
        (p_decay[part.theme_row], (part.org[part.theme_row], part.theme_code)),
        shape=(n, max(len(eco.themes), 1)))
    theme_activity = theme_activity.tocsr()
    norm = np.sqrt(np.asarray(theme_activity.multiply(theme_activity).sum(axis=1)).ravel())
    theme_profile = (sp.diags(np.divide(1.0, norm, out=np.zeros(n), where=norm > 0))
                     @ theme_activity).tocsr()
    row_sum = np.asarray(weight.sum(axis=1)).ravel()
    return Graph(day=day, weight=weight, binary=binary, declines=declines, degree=degree,
                 strength=row_sum,
                 activity=activity, recent=recent, success=success, leads=leads,
                 theme_activity=theme_activity, theme_profile=theme_profile,
                 **_histories(eco, ev, both_a, both_b))


def _histories(eco: Ecosystem, ev, both_a: np.ndarray, both_b: np.ndarray) -> dict:
    """The per-pair history fields of a Graph, from the events before its day."""
    n = eco.n
    key = both_a * n + both_b
    grade = np.concatenate([ev.grade, ev.grade]).astype(np.float64) + 1
    day = np.concatenate([ev.day, ev.day])
    declined = np.concatenate([ev.declined, ev.declined])
    order = np.lexsort((day, key))
    keys, start = np.unique(key[order], return_index=True)
    end = np.append(start[1:], len(order)) - 1
    furthest = np.maximum.reduceat(grade[order], start) if len(order) else np.empty(0)
    last = order[end] if len(order) else np.empty(0, dtype=np.int64)
    last_day = np.where(declined[last], day[last], 0.0) if len(order) else np.empty(0)
    rows, cols = keys // n, keys % n
    stances = len(NDA_STANCES)
    nda_declines = np.zeros((n, stances))
    nda = ev.declined & (ev.reason == DECLINE_REASONS.index("nda_terms"))
    stance = eco.nda.astype(np.int64)
    np.add.at(nda_declines, (ev.a[nda], stance[ev.b[nda]]), 1.0)
    np.add.at(nda_declines, (ev.b[nda], stance[ev.a[nda]]), 1.0)
    last_decline = sp.csr_matrix((last_day, (rows, cols)), shape=(n, n))
    last_decline.eliminate_zeros()
    return {"furthest": sp.csr_matrix((furthest, (rows, cols)), shape=(n, n)),
            "last_decline": last_decline, "nda_declines": nda_declines}


def _ranked(scores: np.ndarray) -> np.ndarray:
    """Indices with a positive score, highest first, ties by index."""
    idx = np.flatnonzero(scores > 0)
    return idx[np.lexsort((idx, -scores[idx]))]


def serving_day(eco: Ecosystem) -> float:
    """The day a serving graph stands on: the midnight (UTC) after the latest event or
    registration. A function of the data alone, so every process that holds the same data
    stands on the same day; it moves once a day, not with every write."""
    last = max(eco.events.day.max(initial=0.0), eco.registered.max(initial=0.0))
    return float(np.floor(last)) + 1.0


def grown(graph: Graph, n: int) -> Graph:
    """The graph with empty rows (and columns) for organisations added since it was built."""
    extra = n - graph.n
    if extra <= 0:
        return graph

    def pad(m: sp.csr_matrix, square: bool = True) -> sp.csr_matrix:
        indptr = np.concatenate([m.indptr, np.full(extra, m.indptr[-1], dtype=m.indptr.dtype)])
        return sp.csr_matrix((m.data, m.indices, indptr), shape=(n, n if square else m.shape[1]))

    zeros = np.zeros(extra)
    return Graph(day=graph.day, weight=pad(graph.weight), binary=pad(graph.binary),
                 declines=pad(graph.declines), degree=np.concatenate([graph.degree, zeros]),
                 strength=np.concatenate([graph.strength, zeros]),
                 activity=np.concatenate([graph.activity, zeros]),
                 recent=np.concatenate([graph.recent, zeros]),
                 success=np.concatenate([graph.success, zeros]),
                 leads=np.concatenate([graph.leads, zeros]),
                 theme_activity=pad(graph.theme_activity, square=False),
                 theme_profile=pad(graph.theme_profile, square=False),
                 furthest=pad(graph.furthest), last_decline=pad(graph.last_decline),
                 nda_declines=np.vstack([graph.nda_declines, np.zeros((extra, graph.nda_declines.shape[1]))]))


LINK_FEATURES = ("repeat", "prior_declines", "common_neighbours", "adamic_adar",
                 "resource_allocation", "two_hop", "ppr")


def _adamic_adar_weights(deg: np.ndarray) -> np.ndarray:
    return np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=np.zeros_like(deg), where=deg > 1)


def adamic_adar_rows(graph: Graph, queries: np.ndarray) -> sp.csr_matrix:
    return _stacked(graph.binary[queries], [graph.link_weights[0]]) @ graph.binary


def _stacked(rows: sp.csr_matrix, weights: list[np.ndarray | None]) -> sp.csr_matrix:
    """``rows`` repeated once per weight, each copy's entries scaled by the weight of their
    column (None: as they are), stacked into one matrix (a product walks them in one go)."""
    data = [rows.data if w is None else rows.data * w[rows.indices] for w in weights]
    nnz = rows.indptr[-1]
    indptr = np.concatenate([rows.indptr[:-1] + i * nnz for i in range(len(weights))]
                            + [[len(weights) * nnz]])
    return sp.csr_matrix((np.concatenate(data), np.tile(rows.indices, len(weights)), indptr),
                         shape=(len(weights) * rows.shape[0], rows.shape[1]))


def _scaled_rows(rows: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """Each row multiplied by its own factor (what ``diags(scale) @ rows`` gives, without the
    product's set-up, which costs more than the scaling for a query's few rows)."""
    data = rows.data * np.repeat(scale, np.diff(rows.indptr))
    return sp.csr_matrix((data, rows.indices, rows.indptr), shape=rows.shape)


def _take_rows(matrix: sp.csr_matrix, q: np.ndarray) -> sp.csr_matrix:
    """``matrix[q]``; one query's row read by its slice of the arrays (fancy indexing sets up
    a general gather, most of the cost for a single row)."""
    if len(q) != 1:
        return matrix[q]
    lo, hi = matrix.indptr[q[0]], matrix.indptr[q[0] + 1]
    return sp.csr_matrix((matrix.data[lo:hi], matrix.indices[lo:hi], np.array([0, hi - lo])),
                         shape=(1, matrix.shape[1]))


def query_rows(graph: Graph, queries: np.ndarray) -> dict[str, sp.csr_matrix]:
    """Link scores from each query organisation to every organisation (one sparse row each)."""
    q = np.asarray(queries, dtype=np.int64)
    m = len(q)
    binary_q, weight_q = _take_rows(graph.binary, q), _take_rows(graph.weight, q)
    aa_w, ra_w, leave_w = graph.link_weights
    # Two products instead of five: common neighbours, Adamic–Adar and resource allocation
    # all walk the binary graph from the query's neighbours, each weighting them its own
    # way; two hops and the walk's second step both walk the weighted graph (a step of the
    # walk is a weighted hop divided by the strength of the node it leaves).
    by_binary = _stacked(binary_q, [None, aa_w, ra_w]) @ graph.binary
    by_weight = _stacked(weight_q, [None, leave_w]) @ graph.weight
    step1 = _scaled_rows(weight_q, leave_w[q])  # a walk's first step: ties shared out by strength
    alpha = PPR_RESTART
    # Personalised PageRank truncated after two steps: a third would reach most of a dense
    # collaboration graph (8 of 13 ms per query on CORDIS) for a term weighted only 0.1.
    ppr = (alpha * (1 - alpha)) * step1 + (alpha * (1 - alpha) ** 2) * _scaled_rows(
        by_weight[m:], leave_w[q])
    return {
        "repeat": weight_q,
        "prior_declines": _take_rows(graph.declines, q),
        "common_neighbours": by_binary[:m],
        "adamic_adar": by_binary[m:2 * m],
        "resource_allocation": by_binary[2 * m:],
        "two_hop": by_weight[:m],
        "ppr": ppr.tocsr(),
    }


def reverse_links(graph: Graph, forward: dict[str, np.ndarray], a: np.ndarray,
                  b: np.ndarray) -> dict[str, np.ndarray]:
    """Link scores of (b → a) from those of (a → b), with no new graph walk.

    All are symmetric except personalised PageRank, and on an undirected graph that
    one obeys d_a·π_a(b) = d_b·π_b(a) (d = weighted degree), term by term of the walk.
    """
    out = dict(forward)
    ratio = np.divide(graph.strength[a], graph.strength[b], out=np.zeros(len(a)),
                      where=graph.strength[b] > 0)
    out["ppr"] = (forward["ppr"] * ratio).astype(np.float32)
    return out


def gather(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows_i, cols_i] for every i, as a dense float32 vector."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(matrix[rows, cols]).ravel().astype(np.float32)
