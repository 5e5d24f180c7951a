"""Queries with their truth, built from the outcome log: who asked, as of when, who fitted.

Three shapes: introductions that started in a window (the bundled ecosystem), a
consortium lead asking for its project's members, and an organisation asking for
partners it had never worked with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from features.ecosystem import Ecosystem
from features.graph import Graph

RELEVANT_GRADE = 3  # a meeting or more: the partner was worth introducing


@dataclass(frozen=True)
class Query:
    asker: int
    day: float
    theme: int
    truth: dict[int, int]  # partner index -> graded label

    def relevant(self) -> set[int]:
        return {b for b, g in self.truth.items() if g >= RELEVANT_GRADE}


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


def top_theme(graph: Graph, a: int) -> int:
    """The theme token an organisation has been most active in (-1 if none)."""
    row = graph.theme_activity[a]
    return int(row.indices[np.argmax(row.data)]) if row.nnz else -1


def consortium_queries(eco: Ecosystem, graph: Graph, start: float, end: float) -> list[Query]:
    """One query per group outcome started in [start, end): its lead asks for the members.

    Truth: the other members already known on the query day (``graph.day``).
    """
    ev = eco.events
    sel = (ev.day >= start) & (ev.day < end) & ev.actor
    known = eco.registered < graph.day
    frame = pl.DataFrame({"seq": ev.seq[sel], "a": ev.a[sel], "b": ev.b[sel],
                          "theme": ev.theme[sel]}).filter(pl.Series(known[ev.b[sel]]))
    frame = frame.filter(pl.Series(known[frame["a"].to_numpy()]))
    queries = []
    for (_seq,), part in frame.group_by("seq", maintain_order=True):
        asker = int(part["a"][0])
        queries.append(Query(asker=asker, day=graph.day, theme=int(part["theme"][0]),
                             truth=dict.fromkeys(part["b"].to_list(), 5)))
    return queries


def partner_queries(eco: Ecosystem, graph: Graph, start: float, end: float) -> list[Query]:
    """One query per organisation known on the query day that gained new partners in
    [start, end); truth: those partners (known too, and never tied before)."""
    ev = eco.events
    sel = (ev.day >= start) & (ev.day < end) & ~ev.declined & (ev.grade >= RELEVANT_GRADE)
    a = np.concatenate([ev.a[sel], ev.b[sel]])
    b = np.concatenate([ev.b[sel], ev.a[sel]])
    known = eco.registered < graph.day
    keep = known[a] & known[b] & (np.asarray(graph.binary[a, b]).ravel() == 0)
    frame = pl.DataFrame({"a": a[keep], "b": b[keep]}).unique().sort("a", "b")
    return [Query(asker=int(asker), day=graph.day, theme=top_theme(graph, int(asker)),
                  truth=dict.fromkeys(part["b"].to_list(), 5))
            for (asker,), part in frame.group_by("a", maintain_order=True)]
