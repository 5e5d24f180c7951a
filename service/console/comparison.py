"""The models page's comparison: every version and every baseline on one split, as the
promotion rule compares them, for the chart and the table alike."""

from __future__ import annotations

import msgspec

from data.registry import Registry
from data.store import Store
from matching.evaluation import BASELINES
from service.lifecycle import BASELINE
from service.modeling import split_span


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One system's figures: a model version, or a baseline (by its name)."""

    name: str
    baseline: bool = False
    live: bool = False
    ndcg: float | None = None
    recall: float | None = None
    mrr: float | None = None
    split_id: str | None = None  # the split the figures are on


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    split_id: str | None  # the newest version's split, where the rule judges
    rows: list[Row]

    def elsewhere(self) -> list[Row]:
        """The versions never evaluated on the common split: their own split's figures."""
        return [r for r in self.rows if r.split_id != self.split_id]


def comparison(store: Store) -> Comparison:
    """Each version evaluated on the newest version's split, and the baselines there; a version
    never evaluated there keeps the figures of its own training split (and says which)."""
    registry = Registry(store)
    models = registry.models()
    split = next((m.metrics.get("split_id") for m in reversed(models) if m.metrics.get("split_id")), None)
    rows = []
    for m in models:
        found = registry.evaluation(split, m.version) if split else None
        figures = found.metrics if found else m.metrics
        rows.append(Row(name=m.version, live=m.live, ndcg=found.ndcg if found else figures.get("ndcg_at_10"),
                        recall=figures.get("recall_at_50"), mrr=figures.get("mrr"),
                        split_id=split if found else m.metrics.get("split_id")))
    for b in BASELINES if split else ():
        base = registry.evaluation(split, BASELINE + b)
        if base is not None:
            rows.append(Row(name=b, baseline=True, ndcg=base.ndcg, recall=base.metrics.get("recall_at_50"),
                            mrr=base.metrics.get("mrr"), split_id=split))
    return Comparison(split_id=split, rows=rows)


def split_words(split_id: str | None, t: dict[str, str]) -> str:
    """A split in words: its held-out days and the size of the log it was cut from."""
    span = split_span(split_id) if split_id else None
    if span is None:
        return t["split_unknown"]
    return t["split_days"].format(start=span.test_from, end=span.test_to, n=f"{span.outcomes:,}")


def row_label(row: Row, t: dict[str, str], split_id: str | None) -> str:
    """A row's name for the chart and the table: baselines and the live version said so, and a
    mark on figures from another split."""
    if row.baseline:
        name = t["baseline_named"].format(name=t.get(f"baseline.{row.name}", row.name))
    else:
        name = row.name + (t["live_mark"] if row.live else "")
    return name + ("*" if row.split_id != split_id else "")
