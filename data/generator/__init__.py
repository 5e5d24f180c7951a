"""A deterministic synthetic ecosystem: organisations plus years of outcome history.

Everything is vectorised over organisations and events (numpy + polars), so a
million organisations take minutes. Outcomes come from a hidden model that the
engine never sees: two-way complementarity of needs and strengths, kind-pair
affinity, distance, trust from earlier success, NDA friction and popularity skew.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from data import frames as F
from data.generator.history import history
from data.generator.items import items as make_items
from data.generator.organizations import organizations

END = datetime(2026, 10, 1, tzinfo=UTC)


def generate(n_orgs: int = 2000, seed: int = 7, years: int = 4, end: datetime = END,
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Make (organizations, items, outcomes, members) frames; same seed, same frames."""
    if n_orgs < 10:
        raise ValueError("an ecosystem needs at least 10 organisations")
    if not 1 <= years <= 10:
        raise ValueError("years must be between 1 and 10")
    rng = np.random.default_rng(seed)
    orgs, strength_mask, need_mask, latent = organizations(rng, n_orgs, years, end)
    items = make_items(rng, orgs, strength_mask, need_mask)
    outcomes, members = history(rng, orgs, strength_mask, need_mask, latent, years, end, seed)
    return orgs, items, outcomes, members


def public_frame(orgs: pl.DataFrame) -> pl.DataFrame:
    """Drop the generator's private helper columns."""
    return orgs.select(list(F.ORG_SCHEMA))


__all__ = ["END", "generate", "public_frame"]
