"""A deterministic synthetic ecosystem: organisations plus years of outcome history.

Everything is vectorised over organisations and events (numpy + polars), so a
million organisations take minutes. Outcomes come from a hidden model that the
engine never sees: two-way complementarity of needs and strengths, kind-pair
affinity, distance, trust from earlier success, NDA friction and popularity skew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from data import frames as F
from data import texts as T
from data.records import COLLABORATION_MODES, DECLINE_REASONS, KINDS, NDA_STANCES, SIZE_BANDS, TIERS
from data.taxonomy import DOMAIN_IDS, FOREIGN_REGIONS, INDUSTRIES, PREFECTURES, TAGS
from data.themes import THEMES

END = datetime(2026, 10, 1, tzinfo=UTC)
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
STAGE_STEPS = ("contacted", "meeting", "poc", "contract", "launched")
STEP_OFFSET = np.array([0.3, -0.3, -1.5, -2.4, -1.6])  # harder each step down the funnel


def _choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _by_kind(rng: np.random.Generator, kind: np.ndarray, weights: dict[str, list[float]]) -> np.ndarray:
    """Draw one category per organisation from its kind's weights."""
    out = np.empty(len(kind), dtype=np.int64)
    for k in np.unique(kind):
        rows = np.flatnonzero(kind == k)
        out[rows] = _choice(rng, weights[KINDS[k]], len(rows))
    return out


def _pick(words: tuple[str, ...], idx: np.ndarray) -> pl.Series:
    return pl.Series(words)[pl.Series(idx % len(words))]


def generate(n_orgs: int = 2000, seed: int = 7, years: int = 4, end: datetime = END,
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Make (organizations, items, outcomes, members) frames; same seed, same frames."""
    if n_orgs < 10:
        raise ValueError("an ecosystem needs at least 10 organisations")
    if not 1 <= years <= 10:
        raise ValueError("years must be between 1 and 10")
    rng = np.random.default_rng(seed)
    orgs, strength_mask, need_mask, latent = _organizations(rng, n_orgs, years, end)
    items = _items(rng, orgs, strength_mask, need_mask)
    outcomes, members = _history(rng, orgs, strength_mask, need_mask, latent, years, end, seed)
    return orgs, items, outcomes, members


# --- organisations -----------------------------------------------------------------------


def _organizations(rng, n: int, years: int, end: datetime):
    kind = _choice(rng, KIND_SHARE, n)
    foreign = rng.random(n) < FOREIGN_SHARE
    kind[foreign & (kind == KINDS.index("municipality"))] = KINDS.index("company")
    muni = kind == KINDS.index("municipality")
    pref = _choice(rng, PREF_WEIGHT, n)
    pref[muni] = _choice(rng, np.sqrt(PREF_WEIGHT), int(muni.sum()))  # towns are everywhere
    region_idx = np.where(foreign, len(PREFECTURES) + rng.integers(0, len(FOREIGN_REGIONS), n), pref)
    regions = PREFECTURES + FOREIGN_REGIONS
    lat = np.array([r.lat for r in regions])[region_idx] + rng.normal(0, 0.2, n)
    lon = np.array([r.lon for r in regions])[region_idx] + rng.normal(0, 0.2, n)

    domain = _by_kind(rng, kind, KIND_DOMAIN)
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
    size = _by_kind(rng, kind, SIZE_MIX)
    activity = rng.pareto(1.6, n) + 0.3 + 0.25 * size
    lo_hi = np.array([FOUNDED[k] for k in KINDS])[kind]
    founded = (lo_hi[:, 0] + rng.random(n) * (lo_hi[:, 1] - lo_hi[:, 0])).astype(np.int32)
    nda = _by_kind(rng, kind, NDA_MIX)
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
        "p_en": _pick(T.COMPANY_PREFIX_EN, a), "p_ja": _pick(T.COMPANY_PREFIX_JA, a),
        "d_en": dom_en, "d_ja": dom_ja,
        "cs_en": _pick(T.COMPANY_SUFFIX_EN, b), "cs_ja": _pick(T.COMPANY_SUFFIX_JA, b),
        "st": _pick(T.STARTUP_NAME, a), "st2": _pick(T.STARTUP_NAME, b // 7),
        "u_en": _pick(T.UNIVERSITY_EN, b), "u_ja": _pick(T.UNIVERSITY_JA, b),
        "i_en": _pick(T.INSTITUTE_EN, b), "i_ja": _pick(T.INSTITUTE_JA, b),
        "c_en": _pick(T.CITY_EN, c), "c_ja": _pick(T.CITY_JA, c),
        "cx_en": _pick(T.CITY_SUFFIX_EN, b), "cx_ja": _pick(T.CITY_SUFFIX_JA, b),
        "n_en": _pick(T.NPO_EN, b), "n_ja": _pick(T.NPO_JA, b),
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


# --- items -------------------------------------------------------------------------------


def _mask_rows(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(org index, tag index) of every set bit."""
    bits = ((mask[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    return np.nonzero(bits)


def _items(rng, orgs: pl.DataFrame, strength_mask, need_mask) -> pl.DataFrame:
    parts = []
    japanese = orgs["_japanese"].to_numpy()
    for side, mask, templates_en, templates_ja, tiers in (
        # Shares by tier (public, partner, nda, confidential); nda and confidential split what
        # was once confidential alone, so the public and partner draws stay as they were.
        ("strength", strength_mask, T.STRENGTH_EN, T.STRENGTH_JA, [0.7, 0.2, 0.05, 0.05]),
        ("need", need_mask, T.NEED_EN, T.NEED_JA, [0.55, 0.3, 0.08, 0.07]),
    ):
        org, tag = _mask_rows(mask)
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
            "tier": pl.Series(list(TIERS))[pl.Series(_choice(rng, tiers, m))],
            "ja": ja,
            "t_en": terms_en[term_idx], "t_ja": terms_ja[term_idx],
            "pe": _pick(tuple(p for p, _ in templates_en), tpl),
            "se": _pick(tuple(s for _, s in templates_en), tpl),
            "pj": _pick(tuple(p for p, _ in templates_ja), tpl),
            "sj": _pick(tuple(s for _, s in templates_ja), tpl),
            "ce": _pick(T.CONTEXT_EN, ctx), "cj": _pick(T.CONTEXT_JA, ctx),
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


# --- history -------------------------------------------------------------------------------


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.float64)


SEARCH_WIDTH = 8  # candidates an office weighs before it asks for an introduction


@dataclass(frozen=True)
class _World:
    """What the hidden model of outcomes reads (never seen by the engine)."""

    strengths: np.ndarray
    needs: np.ndarray
    kind: np.ndarray
    nda: np.ndarray
    lat: np.ndarray  # radians
    lon: np.ndarray

    def utility(self, a, b, trusted: np.ndarray, success: np.ndarray, n: int):
        """Hidden utility of pairs (before noise): two-way fit, kinds, distance, trust, NDA."""
        cov_ab = _popcount(self.needs[a] & self.strengths[b]) / np.maximum(_popcount(self.needs[a]), 1)
        cov_ba = _popcount(self.needs[b] & self.strengths[a]) / np.maximum(_popcount(self.needs[b]), 1)
        lat, lon = self.lat, self.lon
        dist = 6371 * np.arccos(np.clip(
            np.sin(lat[a]) * np.sin(lat[b]) + np.cos(lat[a]) * np.cos(lat[b]) * np.cos(lon[a] - lon[b]),
            -1, 1))
        trust = np.isin(np.minimum(a, b) * n + np.maximum(a, b), trusted)
        friction = (((self.nda[a] == 2) & (self.nda[b] == 0))
                    | ((self.nda[a] == 0) & (self.nda[b] == 2)))
        value = (2.6 * np.sqrt(cov_ab * cov_ba) + 0.9 * np.maximum(cov_ab, cov_ba)
                 + KIND_AFFINITY[self.kind[a], self.kind[b]] - 0.35 * np.minimum(dist / 500, 3)
                 + 1.0 * trust + 0.25 * np.log1p(success[b]) - 1.0 * friction - 1.7)
        return value, cov_ab, friction, dist


def _history(rng, orgs, strength_mask, need_mask, latent, years: int, end: datetime, seed: int):
    n = orgs.height
    activity = latent["activity"]
    world = _World(strengths=strength_mask, needs=need_mask, kind=latent["kind"], nda=latent["nda"],
                   lat=np.radians(latent["lat"]), lon=np.radians(latent["lon"]))
    periods = years * 4
    start = end - timedelta(days=years * 365)
    reg_day = latent["registered_days"] - 365.0  # days since history start
    search = _Search(strength_mask, need_mask, n)

    success = np.zeros(n)  # earlier contracts per organisation (reputation)
    trusted: np.ndarray = np.empty(0, dtype=np.int64)  # pair keys with an earlier contract
    events = []
    for p in range(periods):
        day0 = p * 365.0 / 4
        live = reg_day <= day0 + 45
        # Newcomers are eager: they ask for introductions more in their first half-year.
        eager = 1 + 2.0 * ((day0 - reg_day >= -45) & (day0 - reg_day < 180))
        weight = activity * live * eager
        m = max(1, int(0.3 * live.sum()))
        a = _choice(rng, weight, m)
        # Offices search with intent: each weighs a few candidates (found through its needs
        # or by reputation) and asks for the one that seems to fit best.
        cands = search.draw(rng, a, weight, SEARCH_WIDTH)
        flat_a = np.repeat(a, SEARCH_WIDTH)
        flat_b = cands.ravel()
        usable = (flat_b >= 0) & (flat_b != flat_a) & live[np.maximum(flat_b, 0)]
        value = world.utility(flat_a, np.maximum(flat_b, 0), trusted, success, n)[0]
        seen = np.where(usable, value + rng.gumbel(0, 1.0, len(value)), -np.inf).reshape(m, -1)
        b = cands[np.arange(m), np.argmax(seen, axis=1)]
        ok = np.isfinite(seen.max(axis=1))
        # Now and then an earlier successful pair works together again.
        repeat = (rng.random(m) < 0.08) & (len(trusted) > 0)
        if repeat.any():
            pick = trusted[rng.integers(0, len(trusted), int(repeat.sum()))]
            a[repeat], b[repeat] = pick // n, pick % n
            ok[repeat] = True
        a, b = a[ok], b[ok]
        value, cov_ab, friction, dist = world.utility(a, b, trusted, success, n)
        utility = value + rng.normal(0, 0.6, len(a))
        t0 = day0 + rng.random(len(a)) * 91
        events.append(_funnel(rng, a, b, utility, t0, cov_ab, friction, dist))
        contract = events[-1][1]
        won = (np.minimum(a, b) * n + np.maximum(a, b))[contract]
        success += np.bincount(a[contract], minlength=n) + np.bincount(b[contract], minlength=n)
        trusted = np.union1d(trusted, won)
    return _event_frames(rng, events, orgs, strength_mask, world.kind, start, end, seed)


class _Search:
    """Where offices find candidates: holders of a needed capability, or reputation."""

    def __init__(self, strength_mask: np.ndarray, need_mask: np.ndarray, n: int) -> None:
        org_idx, tag_idx = _mask_rows(strength_mask)
        order = np.argsort(tag_idx, kind="stable")
        self.bucket_orgs, bucket_tags = org_idx[order], tag_idx[order]
        self.bucket_start = np.searchsorted(bucket_tags, np.arange(len(TAGS)))
        self.bucket_len = np.searchsorted(bucket_tags, np.arange(len(TAGS)), side="right") - (
            self.bucket_start)
        need_org, self.need_tag = _mask_rows(need_mask)
        self.need_start = np.searchsorted(need_org, np.arange(n))
        self.need_count = np.bincount(need_org, minlength=n)

    def draw(self, rng, a: np.ndarray, weight: np.ndarray, width: int) -> np.ndarray:
        """``width`` candidates per asker (-1 where a need has no holder): 60% by need."""
        flat_a = np.repeat(a, width)
        out = np.empty(len(flat_a), dtype=np.int64)
        by_need = rng.random(len(flat_a)) < 0.6
        asker = flat_a[by_need]
        k = self.need_start[asker] + (rng.random(len(asker)) * self.need_count[asker]).astype(int)
        t = self.need_tag[k]
        pos = self.bucket_start[t] + (rng.random(len(t)) * np.maximum(self.bucket_len[t], 1)).astype(int)
        found = self.bucket_orgs[np.minimum(pos, len(self.bucket_orgs) - 1)]
        out[by_need] = np.where(self.bucket_len[t] > 0, found, -1)
        out[~by_need] = _choice(rng, weight ** 1.2 + 1e-9, int((~by_need).sum()))
        return out.reshape(len(a), width)


def _funnel(rng, a, b, utility, t0, cov_ab, friction, dist):
    """Walk each suggestion down the funnel; returns event rows and who reached contract."""
    m = len(a)
    reached = np.zeros(m, dtype=np.int64)  # 0 = suggested, i = STAGE_STEPS[i-1]
    alive = np.ones(m, dtype=bool)
    declined = np.zeros(m, dtype=bool)
    for step, offset in enumerate(STEP_OFFSET):
        p = 1 / (1 + np.exp(-(utility + offset)))
        passed = alive & (rng.random(m) < p)
        failed = alive & ~passed
        # A suggestion nobody answers stays "suggested"; later failures are declines.
        declined |= failed & ((step > 0) | (rng.random(m) < 0.45))
        reached[passed] = step + 1
        alive = passed
    gaps = rng.exponential(25, (m, len(STAGE_STEPS) + 1)) + 3
    times = t0[:, None] + np.cumsum(np.concatenate([np.zeros((m, 1)), gaps[:, :-1]], 1), 1)
    reason = np.where(friction, DECLINE_REASONS.index("nda_terms"),
                      np.where(dist > 800, DECLINE_REASONS.index("distance"),
                               np.where(cov_ab < 0.2, DECLINE_REASONS.index("no_fit"),
                                        rng.choice([1, 2, 4, 7], m))))
    contract = reached >= 4
    return (a, b, reached, declined, times, reason), contract


def _event_frames(rng, events, orgs, strength_mask, kind, start, end, seed):
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


def public_frame(orgs: pl.DataFrame) -> pl.DataFrame:
    """Drop the generator's private helper columns."""
    return orgs.select(list(F.ORG_SCHEMA))
