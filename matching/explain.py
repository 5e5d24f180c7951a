"""Explanations as data: matched need ↔ strength items, a graph path, the factors.

Only items the viewer may see are ever quoted; an item it may not see is left out
entirely (not even its tag).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from data.records import Factor, GraphPath, NeedMatch
from data.taxonomy import TAG_IDS
from features.ecosystem import Ecosystem
from features.graph import Graph
from features.text import TextVectors
from matching.visibility import Viewer


@dataclass(frozen=True)
class ItemTable:
    """Every organisation's items, sorted by organisation index, for quoting."""

    start: np.ndarray  # offsets into the arrays below, length n + 1
    side: np.ndarray  # True = strength
    tag: np.ndarray  # int index into TAG_IDS
    tier: np.ndarray  # object
    text: np.ndarray  # object
    row: np.ndarray  # row of the item in the items frame (and in ``TextVectors.items``)

    @classmethod
    def build(cls, items: pl.DataFrame, index: dict[str, int]) -> ItemTable:
        frame = items.with_row_index("row").with_columns(
            idx=pl.col("org_id").replace_strict(index, default=-1, return_dtype=pl.Int64),
            tag_idx=pl.col("tag").replace_strict({t: i for i, t in enumerate(TAG_IDS)}, default=-1,
                                                 return_dtype=pl.Int64),
        ).filter((pl.col("idx") >= 0) & (pl.col("tag_idx") >= 0)).sort("idx", "side", "pos")
        idx = frame["idx"].to_numpy()
        start = np.searchsorted(idx, np.arange(len(index) + 1))
        return cls(start=start, side=(frame["side"] == "strength").to_numpy(),
                   tag=frame["tag_idx"].to_numpy(), tier=frame["tier"].to_numpy().astype(object),
                   text=frame["text"].to_numpy().astype(object), row=frame["row"].to_numpy())

    def visible(self, org: int, viewer: Viewer, *, strengths: bool) -> list[tuple[int, str, int, str]]:
        """(tag, text, row, tier) of the items of ``org`` on one side that ``viewer`` may see."""
        lo, hi = self.start[org], self.start[org + 1]
        return [(int(self.tag[i]), str(self.text[i]), int(self.row[i]), str(self.tier[i]))
                for i in range(lo, hi)
                if self.side[i] == strengths and viewer.can_see(org, str(self.tier[i]))]

    def visible_tags(self, org: int, viewer: Viewer, *, strengths: bool) -> np.ndarray:
        out = np.zeros(len(TAG_IDS), dtype=bool)
        for tag, *_ in self.visible(org, viewer, strengths=strengths):
            out[tag] = True
        return out


def need_matches(eco: Ecosystem, text: TextVectors, items: ItemTable, viewer: Viewer,
                 need_org: int, strength_org: int, *, top: int = 3,
                 min_similarity: float = 0.2) -> list[NeedMatch]:
    """The best pairs of a visible need of ``need_org`` and a visible strength of ``strength_org``."""
    needs = items.visible(need_org, viewer, strengths=False)
    strengths = items.visible(strength_org, viewer, strengths=True)
    if not needs or not strengths:
        return []
    cos = (text.items[[n[2] for n in needs]] @ text.items[[s[2] for s in strengths]].T).toarray()
    same_tag = np.array([[n[0] == s[0] for s in strengths] for n in needs], dtype=float)
    sim = 0.5 * same_tag + 0.5 * cos
    pairs = []
    for flat in np.argsort(-sim, axis=None, kind="stable"):
        i, j = divmod(int(flat), len(strengths))
        if sim[i, j] < min_similarity or len(pairs) >= top:
            break
        pairs.append(NeedMatch(
            need_org=str(eco.ids[need_org]), need_tag=TAG_IDS[needs[i][0]], need_text=needs[i][1],
            strength_org=str(eco.ids[strength_org]), strength_tag=TAG_IDS[strengths[j][0]],
            strength_text=strengths[j][1], similarity=round(float(sim[i, j]), 4),
            need_tier=needs[i][3], strength_tier=strengths[j][3]))
    return pairs


def graph_path(eco: Ecosystem, graph: Graph, a: int, b: int) -> GraphPath | None:
    """A direct tie, or the strongest common partner ("both worked with X")."""
    if graph.binary[a, b]:
        return GraphPath(nodes=(str(eco.ids[a]), str(eco.ids[b])),
                         description=f"{eco.names[a]} and {eco.names[b]} have worked together before")
    wa, wb = graph.weight[a], graph.weight[b]
    common = wa.minimum(wb)
    if common.nnz == 0:
        return None
    x = int(common.indices[np.argmax(common.data)])
    return GraphPath(nodes=(str(eco.ids[a]), str(eco.ids[x]), str(eco.ids[b])),
                     description=f"both worked with {eco.names[x]}")


def top_factors(names: tuple[str, ...], values: np.ndarray, contributions: np.ndarray,
                top: int = 5) -> list[Factor]:
    """The features that moved the score most (the last contribution is the bias)."""
    contrib = contributions[: len(names)]
    order = np.argsort(-np.abs(contrib), kind="stable")[:top]
    return [Factor(name=names[i],
                   value=round(float(values[i]), 4) if np.isfinite(values[i]) else None,
                   contribution=round(float(contrib[i]), 4)) for i in order if contrib[i] != 0]
