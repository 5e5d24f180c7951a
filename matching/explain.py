"""Explanations as data: matched need ↔ strength items, a graph path, the factors.

Only items the viewer may see are ever quoted; an item it may not see is left out
entirely (not even its tag).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data.records import STAGE_GRADE, Factor, GraphPath, Lang, NeedMatch
from data.taxonomy import TAG_IDS
from features.ecosystem import Ecosystem
from features.graph import Graph
from features.text import TextVectors
from matching.factor_labels import factor_label
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
    # Organisations whose items changed since the build: their own small table (same fields).
    changed: dict[int, ItemTable] = field(default_factory=dict)

    @classmethod
    def build(cls, items: pl.DataFrame, index: dict[str, int]) -> ItemTable:
        return cls._of(items.with_row_index("row").with_columns(
            idx=pl.col("org_id").replace_strict(index, default=-1, return_dtype=pl.Int64)), len(index))

    @classmethod
    def _of(cls, frame: pl.DataFrame, n: int) -> ItemTable:
        """From items with their organisation index (``idx``) and vector row (``row``)."""
        frame = frame.with_columns(
            tag_idx=pl.col("tag").replace_strict({t: i for i, t in enumerate(TAG_IDS)}, default=-1,
                                                 return_dtype=pl.Int64),
        ).filter((pl.col("idx") >= 0) & (pl.col("tag_idx") >= 0)).sort("idx", "side", "pos")
        idx = frame["idx"].to_numpy()
        start = np.searchsorted(idx, np.arange(n + 1))
        return cls(start=start, side=(frame["side"] == "strength").to_numpy(),
                   tag=frame["tag_idx"].to_numpy(), tier=frame["tier"].to_numpy().astype(object),
                   text=frame["text"].to_numpy().astype(object), row=frame["row"].to_numpy())

    def with_organizations(self, orgs: np.ndarray, items: pl.DataFrame) -> ItemTable:
        """These organisations' items replaced by ``items`` (columns ``org``: index, ``row``:
        vector row, besides the item's own)."""
        frame = items.with_columns(idx=pl.col("org").cast(pl.Int64))
        changed = dict(self.changed)
        for org in orgs.tolist():
            changed[int(org)] = ItemTable._of(frame.filter(pl.col("idx") == org).with_columns(
                idx=pl.lit(0, dtype=pl.Int64)), 1)
        return dataclasses.replace(self, changed=changed)

    def visible(self, org: int, viewer: Viewer, *, strengths: bool) -> list[tuple[int, str, int, str]]:
        """(tag, text, row, tier) of the items of ``org`` on one side that ``viewer`` may see."""
        table, at = (self.changed[org], 0) if org in self.changed else (self, org)
        lo, hi = table.start[at], table.start[at + 1]
        return [(int(table.tag[i]), str(table.text[i]), int(table.row[i]), str(table.tier[i]))
                for i in range(lo, hi)
                if table.side[i] == strengths and viewer.can_see(org, str(table.tier[i]))]

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
    cos = _cosines(text, needs, [strengths])[0]
    return _best_pairs(eco, needs, strengths, cos, need_org, strength_org, top, min_similarity)


def need_matches_both_ways(eco: Ecosystem, text: TextVectors, items: ItemTable, viewer: Viewer,
                           a: int, partners: list[int], *, top: int = 3,
                           min_similarity: float = 0.2) -> list[list[NeedMatch]]:
    """For each partner b: ``a``'s needs met by b's strengths, then b's needs met by ``a``'s.

    The same as two ``need_matches`` calls per partner, with two products for the lot.
    """
    a_needs = items.visible(a, viewer, strengths=False)
    a_strengths = items.visible(a, viewer, strengths=True)
    p_strengths = [items.visible(b, viewer, strengths=True) for b in partners]
    p_needs = [items.visible(b, viewer, strengths=False) for b in partners]
    forward = _cosines(text, a_needs, p_strengths)
    backward = _cosines(text, a_strengths, p_needs)
    return [_best_pairs(eco, a_needs, p_strengths[i], forward[i], a, b, top, min_similarity)
            + _best_pairs(eco, p_needs[i], a_strengths, backward[i].T, b, a, top, min_similarity)
            for i, b in enumerate(partners)]


def _cosines(text: TextVectors, left: list, right_groups: list[list]) -> list[np.ndarray]:
    """Cosines of the ``left`` items against each group of items: one block per group."""
    sizes = [len(group) for group in right_groups]
    if not left or not sum(sizes):
        return [np.zeros((len(left), size)) for size in sizes]
    right = [item[2] for group in right_groups for item in group]
    block = (text.items.rows([item[2] for item in left]) @ text.items.rows(right).T).toarray()
    return np.split(block, np.cumsum(sizes)[:-1], axis=1)


def _best_pairs(eco: Ecosystem, needs: list, strengths: list, cos: np.ndarray, need_org: int,
                strength_org: int, top: int, min_similarity: float) -> list[NeedMatch]:
    if not needs or not strengths:
        return []
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


WORKED = STAGE_GRADE["poc"]  # the grade from which a pair has worked together
_STAGE_BY_GRADE = {0: "declined", 1: "suggested", 2: "contacted", 3: "meeting", 4: "poc",
                   5: "contract"}


def _furthest(eco: Ecosystem, graph: Graph, orgs: list[int]) -> dict[tuple[int, int], tuple[int, bool]]:
    """(org, other) → (furthest grade reached, whether a decline was among its steps) for every
    pair of ``orgs`` with a history before the graph's day (read from the graph's rows)."""
    out: dict[tuple[int, int], tuple[int, bool]] = {}
    f, d = graph.furthest, graph.declines
    for org in set(orgs):
        lo, hi = f.indptr[org], f.indptr[org + 1]
        declined = set(d.indices[d.indptr[org]:d.indptr[org + 1]].tolist())
        for other, grade in zip(f.indices[lo:hi].tolist(), f.data[lo:hi].tolist(), strict=True):
            out[(org, other)] = (int(grade) - 1, other in declined)
    return out


def graph_paths(eco: Ecosystem, graph: Graph, a: int, partners: list[int]) -> list[GraphPath | None]:
    """For each partner: a pair that worked together (PoC or further), a common partner both
    worked with, or an earlier introduction that went no further (said as such)."""
    reached = _furthest(eco, graph, [a, *partners])
    worked = {}
    for (org, other), (grade, _) in reached.items():
        if grade >= WORKED:
            worked.setdefault(org, set()).add(other)
    out: list[GraphPath | None] = []
    na = eco.names[a]
    for b in partners:
        nb = eco.names[b]
        ids = (str(eco.ids[a]), str(eco.ids[b]))
        grade, declined = reached.get((a, b), (-1, False))
        if grade >= WORKED:
            out.append(GraphPath(nodes=ids, relation="worked_together",
                                 description=f"{na} and {nb} have worked together before",
                                 description_ja=f"{na}と{nb}は過去に共創の実績があります"))
            continue
        common = sorted(worked.get(a, set()) & worked.get(b, set()) - {a, b})
        if common:
            x = max(common, key=lambda c: (graph.degree[c], -c))
            out.append(GraphPath(nodes=(ids[0], str(eco.ids[x]), ids[1]), relation="common_partner",
                                 description=f"both worked with {eco.names[x]}",
                                 description_ja=f"両者とも{eco.names[x]}との共創実績があります"))
            continue
        if grade >= 0:
            stage = "declined" if declined else _STAGE_BY_GRADE[grade]
            out.append(GraphPath(nodes=ids, relation="introduced", stage=stage,
                                 description=f"{na} and {nb} were introduced before "
                                             f"(furthest step: {stage})",
                                 description_ja=f"{na}と{nb}は以前に紹介済みです（最終段階：{_JA_STAGE[stage]}）"))
            continue
        out.append(None)
    return out


_JA_STAGE = {"declined": "辞退", "suggested": "提案", "contacted": "連絡", "meeting": "面談",
             "poc": "PoC", "contract": "契約", "launched": "事業化"}


def top_factors(names: tuple[str, ...], values: np.ndarray, contributions: np.ndarray,
                top: int = 5, lang: Lang = "en") -> list[Factor]:
    """The features that moved the score most (the last contribution is the bias), each
    with its label in ``lang``."""
    contrib = contributions[: len(names)]
    order = np.argsort(-np.abs(contrib), kind="stable")[:top]
    return [Factor(name=names[i],
                   value=round(float(values[i]), 4) if np.isfinite(values[i]) else None,
                   contribution=round(float(contrib[i]), 4), label=factor_label(names[i], lang))
            for i in order if contrib[i] != 0]
