"""Features of (asker, partner) pairs, vectorised over many pairs at once.

Directional features read "a's needs against b's strengths" (``_ab``) and the
reverse (``_ba``); scoring b → a is the same call with the roles swapped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from data.records import KINDS, NDA_STANCES
from data.taxonomy import TAG_IDS
from data.themes import THEMES
from features.declines import DECLINE_FEATURES, decline_features
from features.ecosystem import Ecosystem
from features.graph import LINK_FEATURES, Graph, gather, query_rows, reverse_links
from features.text import TextVectors, asker_text, retrieval_rows, row_cosine

FEATURES: tuple[str, ...] = (
    "text_fit_ab", "text_fit_ba", "text_sim_strengths", "text_sim_needs",
    "tag_cov_ab", "tag_cov_ba", "domain_cov_ab", "domain_cov_ba", "tag_overlap",
    "theme_fit", "theme_activity_b", "theme_activity_a", "theme_profile_sim",
    *LINK_FEATURES,
    "degree_a", "degree_b", "activity_b", "recent_b", "success_b", "leads_b", "age_b_days",
    "kind_a", "kind_b", "kind_pair", "same_region", "distance_km", "industry_distance",
    "size_gap", "nda_friction", "nda_pair", *DECLINE_FEATURES,
)
CATEGORICAL: tuple[str, ...] = ("kind_a", "kind_b", "kind_pair", "nda_pair")
# Symmetric under swapping a and b (checked by the tests). Personalised PageRank is not:
# a walk from a hub reaches b less often than a walk from b reaches the hub.
SYMMETRIC: tuple[str, ...] = (
    "text_sim_strengths", "text_sim_needs", "tag_overlap", "theme_fit", "theme_profile_sim",
    *(f for f in LINK_FEATURES if f != "ppr"), "same_region", "distance_km", "industry_distance",
    "size_gap", "nda_friction", "pair_declines",
)
# Directional features that trade places when a and b swap.
SWAPPED: tuple[tuple[str, str], ...] = (
    ("text_fit_ab", "text_fit_ba"), ("tag_cov_ab", "tag_cov_ba"), ("domain_cov_ab", "domain_cov_ba"),
    ("theme_activity_a", "theme_activity_b"), ("nda_declines_a", "nda_declines_b"),
)
TEXT_FIT = ("text_fit_ab", "text_fit_ba")

# Each catalogue theme's capabilities and the needs it answers, as theme × tag masks
# (rows in catalogue order; THEME_ROW finds a theme's row).
THEME_CAPABILITIES = np.zeros((len(THEMES), len(TAG_IDS)), dtype=bool)
THEME_ANSWERS = np.zeros((len(THEMES), len(TAG_IDS)), dtype=bool)
THEME_ROW = {theme.id: i for i, theme in enumerate(THEMES)}
for _i, _t in enumerate(THEMES):
    THEME_CAPABILITIES[_i, [TAG_IDS.index(c) for c in _t.capabilities]] = True
    THEME_ANSWERS[_i, [TAG_IDS.index(c) for c in _t.answers]] = True
STRICT, OPEN = NDA_STANCES.index("strict"), NDA_STANCES.index("open")


@dataclass(frozen=True)
class PairContext:
    """What pair features are computed from: the ecosystem, its texts, the graph as of a day."""

    eco: Ecosystem
    text: TextVectors
    graph: Graph


def _coverage(need: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Share of each row's needs that the paired row's strengths cover."""
    hit = (need & strength).sum(axis=1)
    return (hit / np.maximum(need.sum(axis=1), 1)).astype(np.float32)


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return (2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).astype(np.float32)


_CAPS_SHARE = np.ascontiguousarray(
    (THEME_CAPABILITIES / THEME_CAPABILITIES.sum(axis=1, keepdims=True)).T, dtype=np.float32)
_ANSWERED_BY = np.ascontiguousarray(THEME_ANSWERS.T, dtype=np.float32)


def theme_fit(strengths: np.ndarray, needs: np.ndarray) -> np.ndarray:
    """Per row × theme: share of the theme's capabilities covered, if it answers a need."""
    cover = strengths.astype(np.float32) @ _CAPS_SHARE
    answers = (needs.astype(np.float32) @ _ANSWERED_BY) > 0
    return cover * (0.5 + 0.5 * answers)


def pair_features(ctx: PairContext, a: np.ndarray, b: np.ndarray, theme: int | np.ndarray = -1,
                  given: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Feature matrix (len(a) × len(FEATURES), float32) for pairs (a_i → b_i).

    ``theme``: the query's theme token code, one for all pairs or one per pair (-1: none).
    ``given`` passes columns already at hand (``asker_given``, ``reverse_given``); they are
    not computed again.
    """
    eco, text, graph = ctx.eco, ctx.text, ctx.graph
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    m = len(a)
    cols: dict[str, np.ndarray] = dict(given or {})

    def want(*names: str) -> bool:
        return any(name not in cols for name in names)

    if m and want(*TEXT_FIT, "text_sim_strengths", "text_sim_needs") and (a == a[0]).all():
        cols.update(asker_text(text, int(a[0]), b))
    if want(*TEXT_FIT):
        cols["text_fit_ab"] = row_cosine(text.needs, text.strengths, a, b)
        cols["text_fit_ba"] = row_cosine(text.needs, text.strengths, b, a)
    if want("text_sim_strengths", "text_sim_needs"):
        cols["text_sim_strengths"] = row_cosine(text.strengths, text.strengths, a, b)
        cols["text_sim_needs"] = row_cosine(text.needs, text.needs, a, b)
    sa, sb, na, nb = eco.strengths[a], eco.strengths[b], eco.needs[a], eco.needs[b]
    if want("tag_cov_ab", "tag_cov_ba", "domain_cov_ab", "domain_cov_ba"):
        cols["tag_cov_ab"] = _coverage(na, sb)
        cols["tag_cov_ba"] = _coverage(nb, sa)
        s_dom, n_dom = eco.domains
        cols["domain_cov_ab"] = _coverage(n_dom[a], s_dom[b])
        cols["domain_cov_ba"] = _coverage(n_dom[b], s_dom[a])
    if want("tag_overlap", "theme_fit"):
        union = (sa | sb).sum(axis=1)
        cols["tag_overlap"] = ((sa & sb).sum(axis=1) / np.maximum(union, 1)).astype(np.float32)
        cols["theme_fit"] = theme_fit(sa | sb, na | nb).max(axis=1) if m else np.zeros(0, np.float32)
    if want("theme_activity_a", "theme_activity_b"):
        themes = np.broadcast_to(np.asarray(theme, dtype=np.int64), (m,))
        known = (themes >= 0) & (themes < graph.theme_activity.shape[1])
        cols["theme_activity_b"] = np.zeros(m, np.float32)
        cols["theme_activity_a"] = np.zeros(m, np.float32)
        if known.any():
            cols["theme_activity_b"][known] = gather(graph.theme_activity, b[known], themes[known])
            cols["theme_activity_a"][known] = gather(graph.theme_activity, a[known], themes[known])
    if want("theme_profile_sim"):
        cols["theme_profile_sim"] = row_cosine(graph.theme_profile, graph.theme_profile, a, b)
    if want(*LINK_FEATURES):
        cols.update(link_features(graph, a, b))
    cols["degree_a"] = graph.degree[a].astype(np.float32)
    cols["degree_b"] = graph.degree[b].astype(np.float32)
    cols["activity_b"] = graph.activity[b].astype(np.float32)
    cols["recent_b"] = graph.recent[b].astype(np.float32)
    cols["success_b"] = graph.success[b].astype(np.float32)
    cols["leads_b"] = graph.leads[b].astype(np.float32)
    cols["age_b_days"] = np.maximum(graph.day - eco.registered[b], 0).astype(np.float32)
    # An unknown kind (-1, outside datasets) is a category of its own, not a missing value.
    ka = np.where(eco.kind[a] < 0, len(KINDS), eco.kind[a]).astype(np.int32)
    kb = np.where(eco.kind[b] < 0, len(KINDS), eco.kind[b]).astype(np.int32)
    cols["kind_a"], cols["kind_b"] = ka.astype(np.float32), kb.astype(np.float32)
    cols["kind_pair"] = (ka * (len(KINDS) + 1) + kb).astype(np.float32)
    cols["same_region"] = (eco.region[a] == eco.region[b]).astype(np.float32)
    cols["distance_km"] = _haversine_km(eco.lat[a], eco.lon[a], eco.lat[b], eco.lon[b])
    ia, ib = eco.industries[a], eco.industries[b]
    inter, uni = (ia & ib).sum(axis=1), (ia | ib).sum(axis=1)
    cols["industry_distance"] = np.where(uni > 0, 1 - inter / np.maximum(uni, 1), np.nan).astype(
        np.float32)
    cols["size_gap"] = np.abs(eco.size[a] - eco.size[b]).astype(np.float32)
    da, db = eco.nda[a], eco.nda[b]
    cols["nda_friction"] = (((da == STRICT) & (db == OPEN)) | ((da == OPEN) & (db == STRICT))).astype(
        np.float32)
    lo, hi = np.minimum(da, db).astype(np.int32), np.maximum(da, db).astype(np.int32)
    cols["nda_pair"] = (lo * len(NDA_STANCES) + hi).astype(np.float32)
    if want(*DECLINE_FEATURES):
        cols.update(decline_features(eco, graph, a, b))
    return np.column_stack([cols[f] for f in FEATURES]) if m else np.zeros((0, len(FEATURES)),
                                                                           np.float32)


def asker_rows(ctx: PairContext, a: int) -> dict:
    """What one asker's query reads of everyone: its graph link rows (sparse) and its two-way
    text fit over the specific terms (dense, ``retrieval_rows``). Retrieval ranks from them and
    the asker's link features are gathered from them, so neither computes them twice."""
    rows: dict = query_rows(ctx.graph, np.array([a]))
    rows["text_ab"], rows["text_ba"] = retrieval_rows(ctx.text, a)
    rows["theme_profile_sim"] = (ctx.graph.theme_profile[a] @ ctx.graph.by_theme[1]).tocsr()
    return rows


def asker_given(graph: Graph, rows: dict, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Columns of (a → b) read from the single asker's ``asker_rows``."""
    return {**link_features(graph, a, b, rows=rows),
            "theme_profile_sim": _row_values(rows["theme_profile_sim"], b)}


def reverse_given(graph: Graph, forward: np.ndarray, a: np.ndarray, b: np.ndarray,
                  ) -> dict[str, np.ndarray]:
    """Columns of (b → a) that follow from the features of (a → b) with no new computation:
    the symmetric ones, the directional pairs swapped, and personalised PageRank reversed."""
    col = {f: forward[:, i] for i, f in enumerate(FEATURES)}
    out = {f: col[f] for f in SYMMETRIC}
    for left, right in SWAPPED:
        out[left], out[right] = col[right], col[left]
    out.update(reverse_links(graph, {f: col[f] for f in LINK_FEATURES}, a, b))
    return out


def _row_values(row: sp.spmatrix, cols: np.ndarray) -> np.ndarray:
    """The values of a one-row sparse matrix at ``cols`` (float32), without densifying it."""
    row = row.tocsr()
    row.sum_duplicates()  # sorted, unique indices
    at = np.searchsorted(row.indices, cols)
    found = at < len(row.indices)
    found[found] = row.indices[at[found]] == cols[found]
    out = np.zeros(len(cols), dtype=np.float32)
    out[found] = row.data[at[found]]
    return out


def link_features(graph: Graph, a: np.ndarray, b: np.ndarray,
                  rows: dict | None = None) -> dict[str, np.ndarray]:
    """Graph link scores for pairs, computing each asker's rows once.

    ``rows``: ``query_rows`` (or ``asker_rows``) of the single asker in ``a``, when at hand.
    """
    if len(a) == 0:
        return {f: np.zeros(0, np.float32) for f in LINK_FEATURES}
    if rows is not None:
        return {name: _row_values(rows[name], b) for name in LINK_FEATURES}
    queries, row_of = np.unique(a, return_inverse=True)
    out = {f: np.zeros(len(a), np.float32) for f in LINK_FEATURES}
    block = 512  # bounds the memory of the multi-step rows
    for start in range(0, len(queries), block):
        chunk = queries[start:start + block]
        rows = query_rows(graph, chunk)
        sel = np.flatnonzero((row_of >= start) & (row_of < start + block))
        for name, matrix in rows.items():
            out[name][sel] = gather(matrix.tocsr(), row_of[sel] - start, b[sel])
    return out
