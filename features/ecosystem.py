"""The ecosystem as arrays: organisations, tag sets and outcome events, indexed 0..n-1.

Built once from snapshot frames; everything downstream works on integer indices.
Pure: takes frames, returns arrays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
import polars as pl

from data.records import DECLINE_REASONS, KINDS, NDA_STANCES, SIZE_BANDS, STAGE_GRADE
from data.taxonomy import DOMAIN_IDS, INDUSTRIES, TAG_IDS, TAGS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Tiers whose text may shape a score; items under an NDA or confidential never do (a score
# every asker sees would carry what only two parties may read).
SCORING_TIERS = ("public", "partner")
TAG_DOMAIN = np.array([DOMAIN_IDS.index(t.domain) for t in TAGS])


def to_days(value: datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH).total_seconds() / 86400.0


def _days(column: pl.Series) -> np.ndarray:
    return column.dt.epoch("us").cast(pl.Float64).to_numpy() / 86400e6


@dataclass(frozen=True)
class Events:
    """Outcome events as pair rows (a group of k members gives k·(k-1)/2 rows)."""

    a: np.ndarray  # int64 index of the first member of the pair (the actor for pairs)
    b: np.ndarray
    day: np.ndarray  # float days since epoch
    grade: np.ndarray  # int8 STAGE_GRADE, declined = 0
    declined: np.ndarray  # bool
    group_size: np.ndarray  # int16 members of the outcome
    theme: np.ndarray  # int32 code into Ecosystem.themes, -1 if none
    seq: np.ndarray  # int64 outcome seq
    actor: np.ndarray  # bool: ``a`` is the outcome's first member (who asked or led)
    reason: np.ndarray  # int8 into DECLINE_REASONS for declines, -1 otherwise

    def before(self, day: float) -> Events:
        return self.where(self.day < day)

    def where(self, keep: np.ndarray) -> Events:
        return Events(**{k: getattr(self, k)[keep] for k in self.__dataclass_fields__})

    def __len__(self) -> int:
        return len(self.a)


@dataclass(frozen=True)
class Participations:
    """One row per (outcome, member) — single-member outcomes too — for activity counts."""

    org: np.ndarray  # int64
    day: np.ndarray  # float days
    grade: np.ndarray  # int8
    lead: np.ndarray  # bool: first member (asker, coordinator)
    theme_row: np.ndarray  # int64 rows of this table, one per (row, theme token)
    theme_code: np.ndarray  # int32 token codes into Ecosystem.themes
    seq: np.ndarray  # int64 outcome seq

    def before(self, day: float) -> Participations:
        return self.where(self.day < day)

    def where(self, keep: np.ndarray) -> Participations:
        rows = np.flatnonzero(keep)
        new_index = np.full(len(self.day), -1, dtype=np.int64)
        new_index[rows] = np.arange(len(rows))
        themed = keep[self.theme_row]
        return Participations(org=self.org[keep], day=self.day[keep], grade=self.grade[keep],
                              lead=self.lead[keep], theme_row=new_index[self.theme_row[themed]],
                              theme_code=self.theme_code[themed], seq=self.seq[keep])


@dataclass(frozen=True)
class Ecosystem:
    ids: np.ndarray  # object array of org ids
    index: dict[str, int]
    names: np.ndarray
    kind: np.ndarray  # int8 into KINDS
    region: np.ndarray  # int32 into regions
    regions: tuple[str, ...]
    lat: np.ndarray  # float64, NaN when unknown
    lon: np.ndarray
    industries: np.ndarray  # bool n × len(INDUSTRIES)
    size: np.ndarray  # float ordinal, NaN when unknown
    nda: np.ndarray  # int8 into NDA_STANCES
    registered: np.ndarray  # float days
    strengths: np.ndarray  # bool n × len(TAG_IDS) (public + partner items)
    needs: np.ndarray
    events: Events
    participations: Participations
    themes: tuple[str, ...]  # theme tokens ("Innovation in SMEs;LEIT" is two)

    # Derived once per ecosystem, on first use. By tag (tags × n, float32): a query sums the
    # rows of its own few tags, contiguous, instead of gathering columns of an n × tags matrix.
    @cached_property
    def strengths_by_tag(self) -> np.ndarray:
        return np.ascontiguousarray(self.strengths.T, dtype=np.float32)

    @cached_property
    def needs_by_tag(self) -> np.ndarray:
        return np.ascontiguousarray(self.needs.T, dtype=np.float32)

    @cached_property
    def domains(self) -> tuple[np.ndarray, np.ndarray]:
        """The domains of each organisation's strengths and of its needs (bool n × domains)."""
        of = np.zeros((len(TAG_DOMAIN), int(TAG_DOMAIN.max()) + 1), dtype=np.float32)
        of[np.arange(len(TAG_DOMAIN)), TAG_DOMAIN] = 1.0
        return (self.strengths @ of) > 0, (self.needs @ of) > 0

    @cached_property
    def need_count(self) -> np.ndarray:
        return np.maximum(self.needs.sum(axis=1), 1).astype(np.float32)

    @cached_property
    def has_tags(self) -> bool:
        return bool(self.strengths.any() or self.needs.any())

    @property
    def n(self) -> int:
        return len(self.ids)

    def codes(self, org_ids: list[str] | np.ndarray) -> np.ndarray:
        """Indices of the given ids; -1 for unknown ones."""
        return np.array([self.index.get(o, -1) for o in org_ids], dtype=np.int64)


# Per-organisation arrays of an Ecosystem, in the order ``_org_columns`` returns them.
ORG_ARRAYS = ("ids", "names", "kind", "region", "lat", "lon", "industries", "size", "nda", "registered",
              "strengths", "needs")


def _org_columns(orgs: pl.DataFrame, items: pl.DataFrame, region_code: dict[str, int]) -> dict:
    """The per-organisation arrays of ``orgs`` (rows in frame order); regions by ``region_code``."""
    ids = orgs["id"].to_numpy().astype(object)
    local = {o: i for i, o in enumerate(ids)}
    industries = np.zeros((len(ids), len(INDUSTRIES)), dtype=bool)
    exploded = orgs.select(pl.int_range(pl.len()).alias("row"), "industries").explode("industries")
    exploded = exploded.filter(pl.col("industries").is_not_null())
    if exploded.height:
        cols = exploded["industries"].replace_strict(
            {s: i for i, s in enumerate(INDUSTRIES)}, default=None).to_numpy()
        ok = ~np.isnan(cols.astype(float))
        industries[exploded["row"].to_numpy()[ok], cols[ok].astype(int)] = True
    size = orgs["size_band"].replace_strict(
        {s: float(i) for i, s in enumerate(SIZE_BANDS)}, default=None, return_dtype=pl.Float64)
    return {
        "ids": ids, "names": orgs["name"].to_numpy().astype(object),
        # -1: kind unknown (possible in outside datasets, never in the store).
        "kind": orgs["kind"].replace_strict({k: i for i, k in enumerate(KINDS)}, default=-1,
                                            return_dtype=pl.Int8).to_numpy(),
        "region": np.array([region_code[r] for r in orgs["region"].to_list()], dtype=np.int32),
        "lat": orgs["lat"].fill_null(np.nan).to_numpy().astype(np.float64),
        "lon": orgs["lon"].fill_null(np.nan).to_numpy().astype(np.float64),
        "industries": industries,
        "size": size.fill_null(np.nan).to_numpy(),
        "nda": orgs["nda"].replace_strict({s: i for i, s in enumerate(NDA_STANCES)},
                                          return_dtype=pl.Int8).to_numpy(),
        "registered": _days(orgs["registered_at"]),
        "strengths": _tag_matrix(items, local, "strength"),
        "needs": _tag_matrix(items, local, "need"),
    }


def build_ecosystem(organizations: pl.DataFrame, items: pl.DataFrame, outcomes: pl.DataFrame,
                    members: pl.DataFrame) -> Ecosystem:
    """Organisations take indices in frame order (the store's is registration order, so an
    ecosystem grown by ``with_organizations`` indexes them as a fresh build would)."""
    orgs = organizations
    regions = tuple(sorted(orgs["region"].unique().to_list()))
    columns = _org_columns(orgs, items, {r: i for i, r in enumerate(regions)})
    index = {o: i for i, o in enumerate(columns["ids"])}
    return Ecosystem(index=index, regions=regions, **columns, **_events(outcomes, members, index))


def with_organizations(eco: Ecosystem, organizations: pl.DataFrame,
                       items: pl.DataFrame) -> tuple[Ecosystem, np.ndarray]:
    """The ecosystem with these organisations' rows replaced (known ids) or added after the
    others in frame order; returns it and their indices. Known indices never move."""
    orgs = organizations
    regions = eco.regions + tuple(sorted(set(orgs["region"].to_list()) - set(eco.regions)))
    columns = _org_columns(orgs, items, {r: i for i, r in enumerate(regions)})
    index = dict(eco.index)
    idx = np.empty(orgs.height, dtype=np.int64)
    for i, org_id in enumerate(columns["ids"]):
        idx[i] = index.setdefault(org_id, len(index))
    n = len(index)
    arrays = {}
    for name in ORG_ARRAYS:
        old = getattr(eco, name)
        grown = np.zeros((n, *old.shape[1:]), dtype=old.dtype) if n > len(old) else old.copy()
        grown[: len(old)] = old
        grown[idx] = columns[name]
        arrays[name] = grown
    return dataclasses.replace(eco, index=index, regions=regions, **arrays), idx


def with_outcomes(eco: Ecosystem, outcomes: pl.DataFrame, members: pl.DataFrame) -> Ecosystem:
    """The ecosystem with these outcome events added to those it holds."""
    new = _events(outcomes, members, eco.index, known_themes=eco.themes)
    ev, part = new["events"], new["participations"]
    events = Events(**{k: np.concatenate([getattr(eco.events, k), getattr(ev, k)])
                       for k in Events.__dataclass_fields__})
    old = eco.participations
    participations = Participations(
        org=np.concatenate([old.org, part.org]), day=np.concatenate([old.day, part.day]),
        grade=np.concatenate([old.grade, part.grade]), lead=np.concatenate([old.lead, part.lead]),
        theme_row=np.concatenate([old.theme_row, part.theme_row + len(old.org)]),
        theme_code=np.concatenate([old.theme_code, part.theme_code]),
        seq=np.concatenate([old.seq, part.seq]))
    return dataclasses.replace(eco, events=events, participations=participations, themes=new["themes"])


def without_outcomes(eco: Ecosystem, seqs: list[int] | np.ndarray) -> Ecosystem:
    """The ecosystem without the events of these outcomes (e.g. retracted ones)."""
    seqs = np.asarray(seqs, dtype=np.int64)
    return dataclasses.replace(
        eco, events=eco.events.where(~np.isin(eco.events.seq, seqs)),
        participations=eco.participations.where(~np.isin(eco.participations.seq, seqs)))


def _tag_matrix(items: pl.DataFrame, index: dict[str, int], side: str) -> np.ndarray:
    out = np.zeros((len(index), len(TAG_IDS)), dtype=bool)
    rows = items.filter((pl.col("side") == side) & pl.col("tier").is_in(SCORING_TIERS))
    if rows.height:
        org = np.array([index.get(o, -1) for o in rows["org_id"].to_list()])
        tag = rows["tag"].replace_strict({t: i for i, t in enumerate(TAG_IDS)},
                                         return_dtype=pl.Int64).to_numpy()
        keep = org >= 0
        out[org[keep], tag[keep]] = True
    return out


THEME_SEPARATOR = ";"


def _events(outcomes: pl.DataFrame, members: pl.DataFrame, index: dict[str, int],
            known_themes: tuple[str, ...] = ()) -> dict:
    """Pair rows and participations of outcome events; theme tokens keep the codes of
    ``known_themes`` and new ones follow them, sorted."""
    tokens = outcomes.select(pl.col("theme").str.split(THEME_SEPARATOR)).explode("theme")
    seen = {t.strip() for t in tokens["theme"].drop_nulls().unique().to_list()}
    themes = known_themes + tuple(sorted(seen - set(known_themes)))
    theme_code = {t: i for i, t in enumerate(themes)}
    m = members.with_columns(idx=pl.col("org_id").replace_strict(index, default=-1,
                                                                 return_dtype=pl.Int64))
    m = m.filter(pl.col("idx") >= 0)
    sizes = m.group_by("seq").agg(pl.len().alias("size"))
    left = m.rename({"idx": "a", "pos": "pa"}).select("seq", "pa", "a")
    right = m.rename({"idx": "b", "pos": "pb"}).select("seq", "pb", "b")
    pairs = left.join(right, on="seq").filter(pl.col("pa") < pl.col("pb"))
    # Positions may skip members unknown to the index: the lowest remaining one leads.
    lead = m.group_by("seq").agg(pl.col("pos").min().alias("lead"))
    pairs = pairs.join(lead, on="seq").with_columns(pa=pl.col("pa") - pl.col("lead")).drop("lead")
    grades = {k: v for k, v in STAGE_GRADE.items()}
    ev = outcomes.select(
        "seq", "at", "theme",
        pl.col("reason").replace_strict({r: i for i, r in enumerate(DECLINE_REASONS)}, default=-1,
                                        return_dtype=pl.Int8).fill_null(-1).alias("reason_code"),
        pl.col("stage").replace_strict(grades, return_dtype=pl.Int8).alias("grade"),
        (pl.col("stage") == "declined").alias("declined"),
    )
    rows = pairs.join(ev, on="seq").join(sizes, on="seq").sort("at", "seq", "pa", "pb")
    first_token = rows["theme"].str.split(THEME_SEPARATOR).list.first().str.strip_chars()
    theme = first_token.replace_strict(theme_code, default=-1, return_dtype=pl.Int32)
    events = Events(
        a=rows["a"].to_numpy().astype(np.int64), b=rows["b"].to_numpy().astype(np.int64),
        day=_days(rows["at"]) if rows.height else np.empty(0),
        grade=rows["grade"].to_numpy().astype(np.int8),
        declined=rows["declined"].to_numpy().astype(bool),
        group_size=rows["size"].to_numpy().astype(np.int16),
        theme=theme.to_numpy().astype(np.int32),
        seq=rows["seq"].to_numpy().astype(np.int64),
        actor=(rows["pa"] == 0).to_numpy().astype(bool),
        reason=rows["reason_code"].to_numpy().astype(np.int8),
    )
    return {"events": events, "themes": themes,
            "participations": _participations(ev, m, lead, theme_code)}


def _participations(ev: pl.DataFrame, m: pl.DataFrame, lead: pl.DataFrame,
                    theme_code: dict[str, int]) -> Participations:
    rows = m.join(ev, on="seq").join(lead, on="seq").sort("at", "seq", "pos")
    tokens = rows.select(pl.int_range(pl.len()).alias("row"),
                         pl.col("theme").str.split(THEME_SEPARATOR)).explode("theme")
    tokens = tokens.with_columns(code=pl.col("theme").str.strip_chars().replace_strict(
        theme_code, default=-1, return_dtype=pl.Int32)).filter(pl.col("code") >= 0)
    return Participations(
        org=rows["idx"].to_numpy().astype(np.int64),
        day=_days(rows["at"]) if rows.height else np.empty(0),
        grade=rows["grade"].to_numpy().astype(np.int8),
        lead=(rows["pos"] == rows["lead"]).to_numpy().astype(bool),
        theme_row=tokens["row"].to_numpy().astype(np.int64),
        theme_code=tokens["code"].to_numpy().astype(np.int32),
        seq=rows["seq"].to_numpy().astype(np.int64),
    )
