"""The shares, weights and affinities the synthetic ecosystem is drawn from, and the draws."""

from __future__ import annotations

import numpy as np
import polars as pl

from data.records import KINDS
from data.taxonomy import TAGS

assert len(TAGS) <= 64, "tag sets are uint64 bit masks"


KIND_SHARE = np.array([0.38, 0.25, 0.08, 0.06, 0.13, 0.10])  # order of KINDS


# Rough population weights: where organisations are.
PREF_WEIGHT = np.array([
    5.1, 1.2, 1.2, 2.3, .95, 1.04, 1.8, 2.85, 1.9, 1.9, 7.3, 6.3, 14, 9.2, 2.15, 1.02, 1.12, .76,
    .8, 2.0, 1.96, 3.6, 7.5, 1.75, 1.41, 2.55, 8.8, 5.4, 1.3, .92, .55, .66, 1.86, 2.77, 1.33, .71,
    .94, 1.31, .68, 5.1, .8, 1.3, 1.72, 1.11, 1.06, 1.57, 1.47])


FOREIGN_SHARE = 0.07


DOMAIN_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "ai_data": ("software", "internet"), "manufacturing": ("machinery", "electronics"),
    "mobility": ("automotive", "transport"), "energy": ("energy", "utilities"),
    "health": ("healthcare", "pharma"), "food_agri": ("food", "agriculture", "beverage"),
    "tourism": ("tourism", "retail"), "education": ("education",),
    "materials": ("materials", "chemicals"), "iot": ("electronics", "telecom"),
    "finance": ("finance", "insurance"), "public": ("government",),
    "housing": ("construction", "real_estate"),
}


# Which domains an organisation whose strengths lie in a domain tends to need.
COMPLEMENT: dict[str, tuple[str, ...]] = {
    "ai_data": ("manufacturing", "health", "public", "finance"),
    "manufacturing": ("ai_data", "iot", "materials", "education"),
    "mobility": ("ai_data", "energy", "public", "finance"),
    "energy": ("iot", "housing", "materials", "finance"),
    "health": ("ai_data", "iot", "education"),
    "food_agri": ("iot", "ai_data", "mobility", "materials"),
    "tourism": ("ai_data", "mobility", "finance", "public"),
    "education": ("ai_data", "public", "finance"),
    "materials": ("manufacturing", "food_agri", "education"),
    "iot": ("ai_data", "housing", "manufacturing"),
    "finance": ("ai_data", "public", "mobility"),
    "public": ("mobility", "health", "ai_data", "tourism", "education"),
    "housing": ("iot", "energy", "materials"),
}


# Home domains by kind (weights over DOMAIN_IDS order).
KIND_DOMAIN = {
    "company": [1.2, 1.6, 1.0, 1.0, .8, 1.0, .6, .3, 1.0, 1.0, .8, .2, .9],
    "startup": [2.5, .6, 1.0, .7, 1.0, .8, .6, .6, .6, 1.2, .9, .5, .3],
    "university": [1.5, 1.0, .8, .8, 1.2, .7, .4, 2.0, 1.0, .8, .2, .3, .3],
    "research_institute": [1.2, 1.5, .6, 1.0, 1.0, .8, .2, .5, 1.4, 1.0, .1, .3, .3],
    "municipality": [.1, .1, .3, .3, .3, .4, .8, .3, .1, .1, .1, 3.0, .3],
    "npo": [.2, .1, .2, .2, .8, .5, 1.0, 1.2, .1, .1, .2, 2.0, .3],
}


# Hidden affinity of kind pairs (symmetric; KINDS order).
KIND_AFFINITY = np.array([
    # co    st    un    ri    mu    npo
    [0.0, 0.5, 0.6, 0.4, 0.2, -0.2],
    [0.5, -0.3, 0.3, 0.2, 0.6, 0.0],
    [0.6, 0.3, -0.1, 0.2, 0.5, 0.2],
    [0.4, 0.2, 0.2, -0.3, 0.3, -0.2],
    [0.2, 0.6, 0.5, 0.3, -0.4, 0.4],
    [-0.2, 0.0, 0.2, -0.2, 0.4, -0.4],
])


NDA_MIX = {  # open, mutual_nda, strict
    "company": [.15, .55, .30], "startup": [.45, .45, .10], "university": [.40, .50, .10],
    "research_institute": [.25, .55, .20], "municipality": [.60, .35, .05], "npo": [.70, .28, .02],
}


SIZE_MIX = {  # micro, small, medium, large, enterprise
    "company": [.05, .25, .35, .25, .10], "startup": [.55, .40, .05, 0, 0],
    "university": [0, .10, .40, .40, .10], "research_institute": [.05, .30, .45, .20, 0],
    "municipality": [0, .30, .45, .20, .05], "npo": [.50, .40, .10, 0, 0],
}


FOUNDED = {"company": (1900, 2018), "startup": (2012, 2026), "university": (1877, 2010),
           "research_institute": (1920, 2015), "municipality": (1889, 2006), "npo": (1998, 2025)}


def choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def by_kind(rng: np.random.Generator, kind: np.ndarray, weights: dict[str, list[float]]) -> np.ndarray:
    """Draw one category per organisation from its kind's weights."""
    out = np.empty(len(kind), dtype=np.int64)
    for k in np.unique(kind):
        rows = np.flatnonzero(kind == k)
        out[rows] = choice(rng, weights[KINDS[k]], len(rows))
    return out


def pick(words: tuple[str, ...], idx: np.ndarray) -> pl.Series:
    return pl.Series(words)[pl.Series(idx % len(words))]
