"""Training and evaluation queries from the outcome log, with time-correct features.

Features of every query come from the graph as it stood on the query's day; labels
never read past the cut-off they are used under.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.ecosystem import Ecosystem
from features.graph import build_graph
from features.pairs import FEATURES, PairContext, asker_given, asker_rows, pair_features
from features.text import TextVectors
from matching.candidates import CandidateConfig, candidates_for
from matching.queries import Query, window_queries


@dataclass(frozen=True)
class TrainingSet:
    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    candidate_recall: float  # share of relevant partners that retrieval found

    def __len__(self) -> int:
        return len(self.y)


def training_rows(ctx: PairContext, queries: list[Query], *, new_only: bool = False,
                  config: CandidateConfig = CandidateConfig(), max_unlabelled: int | None = None,
                  seed: int = 0) -> TrainingSet:
    """(asker, candidate) features and labels for queries that share one as-of day.

    ``max_unlabelled`` keeps at most that many candidates with no outcome per query (a
    random sample); every candidate with a known outcome stays. Known partners that
    retrieval missed are left out: the ranker only ever sees retrieved candidates, and
    far-off positives taught it to trust popularity over the graph, which cost it much of
    its validation NDCG on real consortia.
    """
    rng = np.random.default_rng(seed)
    xs_a, xs_b, themes, ys, groups, given = [], [], [], [], [], []
    found = wanted = 0
    for q in queries:
        allowed = None
        if new_only:
            allowed = np.ones(ctx.eco.n, dtype=bool)
            allowed[ctx.graph.binary[q.asker].indices] = False
        rows = asker_rows(ctx, q.asker)
        cands = candidates_for(ctx, q.asker, theme=q.theme, config=config, allowed=allowed,
                               rows=rows)
        relevant = q.relevant()
        known = set(cands.tolist())
        found += len(relevant & known)
        wanted += len(relevant)
        if max_unlabelled is not None:
            unlabelled = np.array([b not in q.truth for b in cands.tolist()], dtype=bool)
            if unlabelled.sum() > max_unlabelled:
                drop = rng.choice(np.flatnonzero(unlabelled), unlabelled.sum() - max_unlabelled,
                                  replace=False)
                cands = np.delete(cands, drop)
        labels = np.array([q.truth.get(int(b), 0) for b in cands], dtype=np.int32)
        if labels.max(initial=0) == labels.min(initial=0):
            continue  # a query with one label teaches a ranker nothing
        xs_a.append(np.full(len(cands), q.asker))
        xs_b.append(cands)
        given.append(asker_given(ctx.graph, rows, xs_a[-1], cands))
        themes.append(np.full(len(cands), q.theme))
        ys.append(labels)
        groups.append(len(cands))
    if not groups:
        return TrainingSet(np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.int32),
                           np.zeros(0, np.int64), found / max(wanted, 1))
    joined = {name: np.concatenate([part[name] for part in given]) for name in given[0]}
    x = pair_features(ctx, np.concatenate(xs_a), np.concatenate(xs_b), np.concatenate(themes),
                      given=joined)
    return TrainingSet(x, np.concatenate(ys), np.array(groups, dtype=np.int64),
                       found / max(wanted, 1))


def concat_sets(sets: list[TrainingSet]) -> TrainingSet:
    sets = [s for s in sets if len(s.group)]
    if not sets:
        return TrainingSet(np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.int32),
                           np.zeros(0, np.int64), 0.0)
    return TrainingSet(np.concatenate([s.x for s in sets]), np.concatenate([s.y for s in sets]),
                       np.concatenate([s.group for s in sets]),
                       float(np.mean([s.candidate_recall for s in sets])))


def build_training_set(eco: Ecosystem, text: TextVectors, windows: list[tuple[float, float]], *,
                       label_until: float, config: CandidateConfig = CandidateConfig(),
                       max_queries: int = 4000, seed: int = 0, cold_copies: float = 0.0,
                       max_unlabelled: int | None = None) -> TrainingSet:
    """Rows of (asker, candidate) features and labels for every query of every window.

    Labels read no event at or after ``label_until`` (the end of the training period).
    ``cold_copies`` adds that share of queries again with the asker's history blanked,
    so the ranker also learns to rank for newcomers (cold start is the normal case).
    """
    rng = np.random.default_rng(seed)
    sets = []
    for start, end in windows:
        queries = window_queries(eco, start, end, label_until=label_until)
        if len(queries) > max_queries:
            queries = [queries[i] for i in np.sort(rng.choice(len(queries), max_queries, False))]
        if queries:
            sets.append(training_rows(PairContext(eco, text, build_graph(eco, start)), queries,
                                      config=config, max_unlabelled=max_unlabelled, seed=seed))
    out = concat_sets(sets)
    if cold_copies > 0 and len(out.group):
        x, y, group = _with_cold_copies(out.x, out.y, out.group, cold_copies, rng)
        out = TrainingSet(x, y, group, out.candidate_recall)
    return out


def quarter_windows(first_day: float, last_day: float, days: float = 91.0) -> list[tuple[float, float]]:
    """Consecutive windows of ``days`` from ``first_day`` up to ``last_day``."""
    edges = np.arange(first_day, last_day, days)
    return [(float(s), float(min(s + days, last_day))) for s in edges]


# What a newcomer lacks: every feature that reads the asker's own history.
ASKER_HISTORY = ("repeat", "prior_declines", "common_neighbours", "adamic_adar",
                 "resource_allocation", "two_hop", "ppr", "degree_a", "theme_activity_a",
                 "theme_profile_sim", "nda_declines_a", "pair_declines")


def newcomer_copies(x: np.ndarray, y: np.ndarray, groups: np.ndarray, share: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Copies of a ``share`` of the queries as a newcomer would ask them: the asker's history
    blanked and its earlier partners gone (a newcomer has none to find again). A newcomer's
    own query is copied as it is."""
    ends = np.cumsum(groups)
    starts = ends - groups
    repeat = x[:, FEATURES.index("repeat")]
    parts = []
    for g in np.flatnonzero(rng.random(len(groups)) < share):
        rows = np.arange(starts[g], ends[g])
        rows = rows[repeat[rows] == 0]
        if len(rows) > 1 and y[rows].max() > y[rows].min():
            parts.append(rows)
    if not parts:
        return x[:0], y[:0], np.zeros(0, dtype=np.int64)
    rows = np.concatenate(parts)
    cold = x[rows].copy()
    cold[:, [FEATURES.index(f) for f in ASKER_HISTORY]] = 0.0
    return cold, y[rows], np.array([len(p) for p in parts], dtype=np.int64)


def _with_cold_copies(x, y, groups, share, rng):
    """The rows with ``newcomer_copies`` of a ``share`` of their queries added."""
    cx, cy, cg = newcomer_copies(x, y, groups, share, rng)
    return np.concatenate([x, cx]), np.concatenate([y, cy]), np.concatenate([groups, cg])
