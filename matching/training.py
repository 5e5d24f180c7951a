"""Training and evaluation queries from the outcome log, with time-correct features.

A query is an asking organisation in a time window; its truth is the partners it
had outcomes with in that window, graded by the furthest stage reached. Features
of every query come from the graph as it stood at the window's start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from features.ecosystem import Ecosystem
from features.graph import build_graph
from features.pairs import FEATURES, PairContext, pair_features
from features.text import TextVectors
from matching.candidates import CandidateConfig, candidates_for

RELEVANT_GRADE = 3  # a meeting or more: the partner was worth introducing


@dataclass(frozen=True)
class Query:
    asker: int
    day: float
    theme: int
    truth: dict[int, int]  # partner index -> graded label

    def relevant(self) -> set[int]:
        return {b for b, g in self.truth.items() if g >= RELEVANT_GRADE}


@dataclass(frozen=True)
class TrainingSet:
    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    candidate_recall: float  # share of relevant partners that retrieval found

    def __len__(self) -> int:
        return len(self.y)


def pair_labels(a: np.ndarray, b: np.ndarray, grade: np.ndarray, declined: np.ndarray) -> pl.DataFrame:
    """Label per (a, b): furthest stage reached; a decline before any meeting is 0."""
    frame = pl.DataFrame({"a": a, "b": b, "grade": grade.astype(np.int32), "declined": declined})
    return frame.group_by("a", "b").agg(
        pl.col("grade").filter(~pl.col("declined")).max().fill_null(0).alias("best"),
        pl.col("declined").any().alias("declined"),
    ).with_columns(
        label=pl.when(pl.col("declined") & (pl.col("best") < RELEVANT_GRADE)).then(0)
        .otherwise(pl.col("best"))
    ).sort("a", "b")


def window_queries(eco: Ecosystem, start: float, end: float, *, label_until: float | None = None,
                   min_relevant: int = 0) -> list[Query]:
    """Queries of askers whose introductions started in [start, end), with graded truth.

    An introduction starts with a ``suggested`` event (or, in logs without that stage,
    with any event). Its label is the furthest stage reached before ``label_until``
    (default ``end``), so no label reads past the cut-off it is used under.
    """
    ev = eco.events
    label_until = end if label_until is None else label_until
    has_suggestions = bool((ev.grade == 1).any())
    starts = (ev.day >= start) & (ev.day < end) & ev.actor
    if has_suggestions:
        starts &= ev.grade == 1
    if not starts.any():
        return []
    started = pl.DataFrame({"a": ev.a[starts], "b": ev.b[starts]}).unique()
    span = (ev.day >= start) & (ev.day < label_until) & ev.actor
    labels = pair_labels(ev.a[span], ev.b[span], ev.grade[span], ev.declined[span]).join(
        started, on=["a", "b"], how="semi")
    themes = pl.DataFrame({"a": ev.a[starts], "theme": ev.theme[starts]}).filter(pl.col("theme") >= 0)
    top_theme = dict(themes.group_by("a").agg(pl.col("theme").mode().first()).iter_rows())
    queries = []
    for (asker,), part in labels.group_by("a", maintain_order=True):
        truth = dict(zip(part["b"].to_list(), part["label"].to_list(), strict=True))
        q = Query(asker=int(asker), day=start, theme=int(top_theme.get(asker, -1)), truth=truth)
        if len(q.relevant()) >= min_relevant:
            queries.append(q)
    return queries


def build_training_set(eco: Ecosystem, text: TextVectors, windows: list[tuple[float, float]], *,
                       label_until: float, config: CandidateConfig = CandidateConfig(),
                       max_queries: int = 4000, seed: int = 0,
                       cold_copies: float = 0.0) -> TrainingSet:
    """Rows of (asker, candidate) features and labels for every query of every window.

    Labels read no event at or after ``label_until`` (the end of the training period).
    ``cold_copies`` adds that share of queries again with the asker's history blanked,
    so the ranker also learns to rank for newcomers (cold start is the normal case).
    """
    rng = np.random.default_rng(seed)
    xs, ys, groups = [], [], []
    found = wanted = 0
    for start, end in windows:
        queries = window_queries(eco, start, end, label_until=label_until)
        if len(queries) > max_queries:
            queries = [queries[i] for i in np.sort(rng.choice(len(queries), max_queries, False))]
        if not queries:
            continue
        ctx = PairContext(eco, text, build_graph(eco, start))
        rows_a, rows_b, rows_y = [], [], []
        for q in queries:
            cands = candidates_for(ctx, q.asker, theme=q.theme, config=config)
            relevant = q.relevant()
            found += len(relevant & set(cands.tolist()))
            wanted += len(relevant)
            # Known partners the retrieval missed still teach the ranker.
            extra = [b for b in q.truth if b not in set(cands.tolist())]
            partners = np.concatenate([cands, np.array(extra, dtype=np.int64)])
            labels = np.array([q.truth.get(int(b), 0) for b in partners], dtype=np.int32)
            if labels.max(initial=0) == labels.min(initial=0):
                continue  # a query with one label teaches a ranker nothing
            rows_a.append(np.full(len(partners), q.asker))
            rows_b.append(partners)
            rows_y.append(labels)
            groups.append(len(partners))
        if rows_a:
            xs.append(pair_features(ctx, np.concatenate(rows_a), np.concatenate(rows_b)))
            ys.append(np.concatenate(rows_y))
    if xs and cold_copies > 0:
        xs, ys, groups = _with_cold_copies(xs, ys, groups, cold_copies, rng)
    if not xs:
        return TrainingSet(np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.int32),
                           np.zeros(0, np.int64), 0.0)
    return TrainingSet(np.concatenate(xs), np.concatenate(ys), np.array(groups, dtype=np.int64),
                       found / max(wanted, 1))


def quarter_windows(first_day: float, last_day: float, days: float = 91.0) -> list[tuple[float, float]]:
    """Consecutive windows of ``days`` from ``first_day`` up to ``last_day``."""
    edges = np.arange(first_day, last_day, days)
    return [(float(s), float(min(s + days, last_day))) for s in edges]


# What a newcomer lacks: every feature that reads the asker's own history.
ASKER_HISTORY = ("repeat", "prior_declines", "common_neighbours", "adamic_adar",
                 "resource_allocation", "two_hop", "ppr", "degree_a", "theme_activity_a")


def _with_cold_copies(xs, ys, groups, share, rng):
    x, y = np.concatenate(xs), np.concatenate(ys)
    ends = np.cumsum(groups)
    starts = ends - np.array(groups)
    pick = np.flatnonzero(rng.random(len(groups)) < share)
    rows = np.concatenate([np.arange(starts[g], ends[g]) for g in pick]) if len(pick) else []
    cold = x[rows].copy()
    cold[:, [FEATURES.index(f) for f in ASKER_HISTORY]] = 0.0
    return [x, cold], [y, y[rows]], list(groups) + [groups[g] for g in pick]
