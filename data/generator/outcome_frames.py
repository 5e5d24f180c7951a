"""The funnel walks as outcome and member frames: one outcome per stage reached, declines
with their reason, themes of contracts, and some contracts grown into consortia."""

from __future__ import annotations

import numpy as np
import polars as pl

from data import frames as F
from data.records import DECLINE_REASONS, KINDS
from data.taxonomy import TAGS
from data.themes import THEMES

STAGE_STEPS = ("contacted", "meeting", "poc", "contract", "launched")


def event_frames(rng, events, orgs, strength_mask, kind, start, end, seed):
    rows_a, rows_b, rows_stage, rows_t, rows_reason = [], [], [], [], []
    stages = ("suggested",) + STAGE_STEPS
    for (a, b, reached, declined, times, reason), _ in events:
        for level in range(len(stages)):
            sel = reached >= level
            rows_a.append(a[sel]), rows_b.append(b[sel])
            rows_stage.append(np.full(sel.sum(), level)), rows_t.append(times[sel, level])
            rows_reason.append(np.full(sel.sum(), -1))
        sel = declined
        rows_a.append(a[sel]), rows_b.append(b[sel])
        rows_stage.append(np.full(sel.sum(), len(stages)))
        rows_t.append(times[sel, np.minimum(reached[sel] + 1, len(stages) - 1)] + 2)
        rows_reason.append(reason[sel])
    a, b = np.concatenate(rows_a), np.concatenate(rows_b)
    stage, t = np.concatenate(rows_stage), np.concatenate(rows_t)
    reason = np.concatenate(rows_reason)
    all_stages = stages + ("declined",)
    # The theme a contract was about: the catalogue theme the pair's strengths cover best.
    caps = np.array([sum(1 << TAGS.index(next(x for x in TAGS if x.id == c))
                         for c in th.capabilities) for th in THEMES], dtype=np.uint64)
    joint = strength_mask[a] | strength_mask[b]
    theme_score = np.bitwise_count(joint[:, None] & caps[None, :])
    theme_idx = np.argmax(theme_score, axis=1)
    with_theme = (stage >= 4) & (stage < len(stages)) & (theme_score.max(axis=1) >= 2)

    # Some contracts grow into consortia with a local town: a group outcome of three.
    contracts = np.flatnonzero(stage == 4)
    grow = contracts[rng.random(len(contracts)) < 0.12]
    towns = np.flatnonzero(kind == KINDS.index("municipality"))
    extra = towns[rng.integers(0, len(towns), len(grow))] if len(towns) else np.empty(0, int)
    keep = (extra != a[grow]) & (extra != b[grow])
    grow, extra = grow[keep], extra[keep]

    order = np.argsort(t, kind="stable")
    n_pair = len(a)
    at = pl.Series([start], dtype=F.TS).repeat_by(n_pair).explode() + pl.Series(
        (t * 86400e6).astype(np.int64)).cast(pl.Duration("us"))
    frame = pl.DataFrame({
        "a": a, "b": b, "stage": pl.Series(all_stages)[pl.Series(stage)], "at": at,
        "reason": pl.Series(DECLINE_REASONS + ("",))[pl.Series(reason)].replace("", None),
        "theme": pl.Series([th.id for th in THEMES])[pl.Series(theme_idx)],
        "with_theme": with_theme,
        "c": np.full(n_pair, -1),
    })[order].with_columns(
        theme=pl.when("with_theme").then("theme").otherwise(None)).drop("with_theme")
    group = pl.DataFrame({
        "a": a[grow], "b": b[grow], "stage": "contract", "at": at[pl.Series(grow)],
        "reason": pl.Series([None] * len(grow), dtype=pl.String),
        "theme": pl.Series([th.id for th in THEMES])[pl.Series(theme_idx[grow])],
        "c": extra,
    }) if len(grow) else frame.clear()
    frame = pl.concat([frame, group.select(frame.columns).cast(frame.schema)])
    # Steps that would fall after the end have not happened yet.
    frame = frame.filter(pl.col("at") <= end).sort("at", maintain_order=True)
    frame = frame.with_row_index("seq", offset=1).with_columns(pl.col("seq").cast(pl.Int64))
    ids = orgs["id"]
    outcomes = frame.select(
        "seq",
        pl.format("gen-{}-{}", pl.lit(seed), pl.col("seq")).alias("key"),
        "stage", "at", "reason",
        pl.lit(None, dtype=pl.String).alias("suggestion_id"),
        "theme",
    )
    members = pl.concat([
        frame.select("seq", pl.lit(0, pl.Int32).alias("pos"), pl.col("a").alias("idx")),
        frame.select("seq", pl.lit(1, pl.Int32).alias("pos"), pl.col("b").alias("idx")),
        frame.filter(pl.col("c") >= 0).select("seq", pl.lit(2, pl.Int32).alias("pos"),
                                              pl.col("c").alias("idx")),
    ])
    members = members.with_columns(org_id=ids[members["idx"]]).select("seq", "pos", "org_id")
    return outcomes.cast(F.OUTCOME_SCHEMA), members.sort("seq", "pos").cast(F.MEMBER_SCHEMA)
