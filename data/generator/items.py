"""Strength and need items: one per tag bit, in Japanese or English, with a disclosure tier."""

from __future__ import annotations

import numpy as np
import polars as pl

from data import frames as F
from data import texts as T
from data.generator.shares import choice, pick
from data.records import TIERS
from data.taxonomy import TAGS


def mask_rows(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(org index, tag index) of every set bit."""
    bits = ((mask[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    return np.nonzero(bits)


def items(rng, orgs: pl.DataFrame, strength_mask, need_mask) -> pl.DataFrame:
    parts = []
    japanese = orgs["_japanese"].to_numpy()
    for side, mask, templates_en, templates_ja, tiers in (
        # Shares by tier (public, partner, nda, confidential); nda and confidential split what
        # was once confidential alone, so the public and partner draws stay as they were.
        ("strength", strength_mask, T.STRENGTH_EN, T.STRENGTH_JA, [0.7, 0.2, 0.05, 0.05]),
        ("need", need_mask, T.NEED_EN, T.NEED_JA, [0.55, 0.3, 0.08, 0.07]),
    ):
        org, tag = mask_rows(mask)
        m = len(org)
        ja = japanese[org] ^ (rng.random(m) < 0.1)  # some items in the other language
        term_k = rng.integers(0, 3, m)
        tpl = rng.integers(0, 1000, m)
        ctx = rng.integers(0, 1000, m)
        terms_en = pl.Series([t.terms_en[k] for t in TAGS for k in range(3)])
        terms_ja = pl.Series([t.terms_ja[k] for t in TAGS for k in range(3)])
        term_idx = pl.Series(tag * 3 + term_k)
        frame = pl.DataFrame({
            "org_id": orgs["id"][pl.Series(org)],
            "side": pl.Series([side]).repeat_by(m).explode() if m else pl.Series([], dtype=pl.String),
            "tag": pl.Series([t.id for t in TAGS])[pl.Series(tag)],
            "tier": pl.Series(list(TIERS))[pl.Series(choice(rng, tiers, m))],
            "ja": ja,
            "t_en": terms_en[term_idx], "t_ja": terms_ja[term_idx],
            "pe": pick(tuple(p for p, _ in templates_en), tpl),
            "se": pick(tuple(s for _, s in templates_en), tpl),
            "pj": pick(tuple(p for p, _ in templates_ja), tpl),
            "sj": pick(tuple(s for _, s in templates_ja), tpl),
            "ce": pick(T.CONTEXT_EN, ctx), "cj": pick(T.CONTEXT_JA, ctx),
        })
        text = pl.when(pl.col("ja")).then(
            pl.col("pj") + pl.col("t_ja") + pl.col("sj") + pl.col("cj")).otherwise(
            pl.col("pe") + _capitalise(pl.col("t_en"), pl.col("pe")) + pl.col("se") + pl.col("ce"))
        parts.append(frame.select("org_id", "side", "tag", "tier", text.alias("text")))
    items = pl.concat(parts).with_columns(
        pl.int_range(pl.len()).over("org_id", "side").cast(pl.Int32).alias("pos"))
    return items.select(list(F.ITEM_SCHEMA)).sort("org_id", "side", "pos")


def _capitalise(term: pl.Expr, prefix: pl.Expr) -> pl.Expr:
    """Capitalise the term when it starts the sentence."""
    return pl.when(prefix == "").then(term.str.slice(0, 1).str.to_uppercase() + term.str.slice(1)
                                      ).otherwise(term)
