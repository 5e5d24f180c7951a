"""Organisations: kinds, regions, capability and need tags as bit masks, names, industries."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from data import frames as F
from data import texts as T
from data.generator.shares import (
    COMPLEMENT,
    DOMAIN_INDUSTRIES,
    FOREIGN_SHARE,
    FOUNDED,
    KIND_DOMAIN,
    KIND_SHARE,
    NDA_MIX,
    PREF_WEIGHT,
    SIZE_MIX,
    by_kind,
    choice,
    pick,
)
from data.records import COLLABORATION_MODES, KINDS, NDA_STANCES, SIZE_BANDS
from data.taxonomy import DOMAIN_IDS, FOREIGN_REGIONS, INDUSTRIES, PREFECTURES, TAGS


def organizations(rng, n: int, years: int, end: datetime):
    kind = choice(rng, KIND_SHARE, n)
    foreign = rng.random(n) < FOREIGN_SHARE
    kind[foreign & (kind == KINDS.index("municipality"))] = KINDS.index("company")
    muni = kind == KINDS.index("municipality")
    pref = choice(rng, PREF_WEIGHT, n)
    pref[muni] = choice(rng, np.sqrt(PREF_WEIGHT), int(muni.sum()))  # towns are everywhere
    region_idx = np.where(foreign, len(PREFECTURES) + rng.integers(0, len(FOREIGN_REGIONS), n), pref)
    regions = PREFECTURES + FOREIGN_REGIONS
    lat = np.array([r.lat for r in regions])[region_idx] + rng.normal(0, 0.2, n)
    lon = np.array([r.lon for r in regions])[region_idx] + rng.normal(0, 0.2, n)

    domain = by_kind(rng, kind, KIND_DOMAIN)
    domain2 = np.where(rng.random(n) < 0.35, rng.integers(0, len(DOMAIN_IDS), n), domain)
    strength_mask = _tag_masks(rng, domain, domain2, rng.integers(2, 5, n), kind, strengths=True)
    comp_domain = np.array([
        [DOMAIN_IDS.index(c) for c in COMPLEMENT[d]] + [DOMAIN_IDS.index(COMPLEMENT[d][0])]
        * (5 - len(COMPLEMENT[d])) for d in DOMAIN_IDS])
    need_dom = comp_domain[domain, rng.integers(0, 5, n)]
    need_dom2 = comp_domain[domain, rng.integers(0, 5, n)]
    need_mask = _tag_masks(rng, need_dom, need_dom2, rng.integers(1, 4, n), kind, strengths=False)
    need_mask &= ~strength_mask  # nobody needs what it already has
    empty = need_mask == 0
    need_mask[empty] = _one_tag(rng, strength_mask[empty])

    # Activity: a heavy tail of hubs (the popularity skew), bigger for large organisations.
    size = by_kind(rng, kind, SIZE_MIX)
    activity = rng.pareto(1.6, n) + 0.3 + 0.25 * size
    lo_hi = np.array([FOUNDED[k] for k in KINDS])[kind]
    founded = (lo_hi[:, 0] + rng.random(n) * (lo_hi[:, 1] - lo_hi[:, 0])).astype(np.int32)
    nda = by_kind(rng, kind, NDA_MIX)
    span = (years + 1) * 365.0
    # Most registered before the history starts; a trickle keeps arriving until the end.
    days_before_end = np.where(rng.random(n) < 0.6, span - rng.random(n) * 200,
                               rng.random(n) ** 1.3 * span)
    registered = pl.Series(
        [end], dtype=F.TS).repeat_by(n).explode() - pl.Series(
        (days_before_end * 86400e6).astype(np.int64)).cast(pl.Duration("us"))

    japanese = ~foreign & (rng.random(n) < 0.8)
    names = _names(rng, kind, domain, region_idx, japanese, n)
    industry = _industries(rng, kind, domain, domain2, n)
    modes = _modes(rng, n)
    orgs = pl.DataFrame({
        "id": "org-" + pl.Series(np.arange(n)).cast(pl.String).str.zfill(7),
        "name": names,
        "kind": pl.Series(KINDS)[pl.Series(kind)],
        "region": pl.Series([r.code for r in regions])[pl.Series(region_idx)],
        "industries": industry,
        "lat": np.round(lat, 4), "lon": np.round(lon, 4),
        "size_band": pl.Series(SIZE_BANDS)[pl.Series(size)],
        "founded": founded,
        "modes": modes,
        "nda": pl.Series(NDA_STANCES)[pl.Series(nda)],
        "registered_at": registered,
        "_japanese": japanese,
    })
    latent = {"kind": kind, "nda": nda, "lat": lat, "lon": lon, "activity": activity,
              "registered_days": span - days_before_end, "region": region_idx}
    return orgs, strength_mask, need_mask, latent


TAG_DOMAIN = np.array([DOMAIN_IDS.index(t.domain) for t in TAGS])


DOMAIN_TAGS = [np.flatnonzero(d == TAG_DOMAIN) for d in range(len(DOMAIN_IDS))]


KIND_TAGS = {  # what a kind typically brings (strengths) and asks for (needs)
    (True, "university"): ("ed.research", "ed.internship", "ed.ittalent"),
    (True, "research_institute"): ("ed.research",),
    (True, "municipality"): ("pub.testbed", "pub.community", "pub.egov"),
    (True, "npo"): ("pub.community", "tr.culture"),
    (False, "municipality"): ("pub.community", "hl.eldercare", "mob.lowspeed", "pub.disaster",
                              "pub.egov", "ed.ittalent"),
    (False, "startup"): ("fin.investment", "pub.testbed", "ed.internship"),
    (False, "company"): ("ed.research", "ed.ittalent"),
    (False, "university"): ("fin.investment", "pub.testbed"),
}


def _one_tag(rng, exclude: np.ndarray) -> np.ndarray:
    tags = rng.integers(0, len(TAGS), len(exclude)).astype(np.uint64)
    out = np.uint64(1) << tags
    clash = (out & exclude) != 0
    out[clash] = np.uint64(1) << ((tags[clash] + np.uint64(1)) % np.uint64(len(TAGS)))
    return out


def _tag_masks(rng, domain, domain2, count, kind, *, strengths: bool) -> np.ndarray:
    n = len(domain)
    mask = np.zeros(n, dtype=np.uint64)
    for slot in range(int(count.max())):
        active = count > slot
        src = np.where(rng.random(n) < 0.7, domain, domain2)
        lens = np.array([len(DOMAIN_TAGS[d]) for d in range(len(DOMAIN_IDS))])
        offs = (rng.random(n) * lens[src]).astype(int)
        flat = np.concatenate(DOMAIN_TAGS)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        tag = flat[starts[src] + offs]
        mask[active] |= np.uint64(1) << tag[active].astype(np.uint64)
    # Kind-typical capabilities and asks (a university offers research, a town a testbed).
    for k, name in enumerate(KINDS):
        tags = KIND_TAGS.get((strengths, name))
        if not tags:
            continue
        rows = np.flatnonzero((kind == k) & (rng.random(n) < 0.6))
        pick = np.array([TAGS.index(next(t for t in TAGS if t.id == tid)) for tid in tags])
        chosen = pick[rng.integers(0, len(pick), len(rows))]
        mask[rows] |= np.uint64(1) << chosen.astype(np.uint64)
    return mask


def _names(rng, kind, domain, region_idx, japanese, n) -> pl.Series:
    regions = PREFECTURES + FOREIGN_REGIONS
    r_en = pl.Series([r.en for r in regions])[pl.Series(region_idx)]
    r_ja = pl.Series([r.ja.rstrip("都府県") if r.ja != "北海道" else r.ja for r in regions])[
        pl.Series(region_idx)]
    a, b, c = (rng.integers(0, 1000, n) for _ in range(3))
    dom_en = pl.Series([T.DOMAIN_WORD_EN[d] for d in DOMAIN_IDS])[pl.Series(domain)]
    dom_ja = pl.Series([T.DOMAIN_WORD_JA[d] for d in DOMAIN_IDS])[pl.Series(domain)]
    frame = pl.DataFrame({
        "kind": pl.Series(KINDS)[pl.Series(kind)], "ja": japanese, "r_en": r_en, "r_ja": r_ja,
        "p_en": pick(T.COMPANY_PREFIX_EN, a), "p_ja": pick(T.COMPANY_PREFIX_JA, a),
        "d_en": dom_en, "d_ja": dom_ja,
        "cs_en": pick(T.COMPANY_SUFFIX_EN, b), "cs_ja": pick(T.COMPANY_SUFFIX_JA, b),
        "st": pick(T.STARTUP_NAME, a), "st2": pick(T.STARTUP_NAME, b // 7),
        "u_en": pick(T.UNIVERSITY_EN, b), "u_ja": pick(T.UNIVERSITY_JA, b),
        "i_en": pick(T.INSTITUTE_EN, b), "i_ja": pick(T.INSTITUTE_JA, b),
        "c_en": pick(T.CITY_EN, c), "c_ja": pick(T.CITY_JA, c),
        "cx_en": pick(T.CITY_SUFFIX_EN, b), "cx_ja": pick(T.CITY_SUFFIX_JA, b),
        "n_en": pick(T.NPO_EN, b), "n_ja": pick(T.NPO_JA, b),
    })
    k, ja, col = pl.col("kind"), pl.col("ja"), pl.col
    name = (
        pl.when(k == "company").then(pl.when(ja).then(col("p_ja") + col("d_ja") + col("cs_ja"))
                                     .otherwise(col("p_en") + " " + col("d_en") + col("cs_en")))
        .when(k == "startup").then(pl.when(ja).then("株式会社" + col("st") + col("st2").str.to_lowercase())
                                   .otherwise(col("st") + col("st2").str.to_lowercase() + " Inc."))
        .when(k == "university").then(pl.when(ja).then(col("r_ja") + col("c_ja") + col("u_ja"))
                                      .otherwise(col("r_en") + " " + col("c_en") + col("u_en")))
        .when(k == "research_institute").then(pl.when(ja).then(col("r_ja") + col("i_ja"))
                                              .otherwise(col("r_en") + col("i_en")))
        .when(k == "municipality").then(pl.when(ja).then(col("r_ja") + col("c_ja") + col("cx_ja"))
                                        .otherwise(col("r_en") + " " + col("c_en") + col("cx_en")))
        .otherwise(pl.when(ja).then(col("r_ja") + col("n_ja")).otherwise(col("r_en") + col("n_en")))
    )
    return frame.select(name.alias("name")).to_series()


def _industries(rng, kind, domain, domain2, n) -> pl.Series:
    table = [DOMAIN_INDUSTRIES[d] for d in DOMAIN_IDS]
    first = np.array([INDUSTRIES.index(t[0]) for t in table])[domain]
    second = np.array([INDUSTRIES.index(t[-1]) for t in table])[domain2]
    two = (rng.random(n) < 0.4) & (first != second)
    special = {"university": "education", "research_institute": "research",
               "municipality": "government", "npo": "education"}
    for name, ind in special.items():
        first[kind == KINDS.index(name)] = INDUSTRIES.index(ind)
    frame = pl.DataFrame({"a": pl.Series(INDUSTRIES)[pl.Series(first)],
                          "b": pl.Series(INDUSTRIES)[pl.Series(second)], "two": two})
    return frame.select(pl.when(pl.col("two")).then(pl.concat_list("a", "b"))
                        .otherwise(pl.concat_list("a")).alias("industries")).to_series()


def _modes(rng, n) -> pl.Series:
    picks = rng.random((n, len(COLLABORATION_MODES))) < 0.25
    picks[np.arange(n), rng.integers(0, len(COLLABORATION_MODES), n)] = True  # at least one
    rows, cols = np.nonzero(picks)
    frame = pl.DataFrame({"row": rows, "mode": pl.Series(COLLABORATION_MODES)[pl.Series(cols)]})
    return frame.group_by("row", maintain_order=True).agg("mode").sort("row")["mode"]
