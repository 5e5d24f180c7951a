"""Loader for CORDIS-format tables (EU research consortia) into snapshot frames.

Each multi-member project becomes a group outcome at stage ``contract`` dated at its
start, with the programme part as its theme. Rows that cannot be used are counted
by reason in the returned report, never dropped silently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import polars as pl

from data import frames as F

FILES = ("organisations.parquet", "participations.parquet", "projects.parquet")
ACTIVITY_KIND = {"PRC": "company", "HES": "university", "REC": "research_institute",
                 "PUB": "municipality", "OTH": "npo"}
# CORDIS uses EL and UK where ISO 3166 says GR and GB.
COUNTRY_FIX = {"EL": "GR", "UK": "GB"}
# FP7 projects (2007-2013) carry no start date here: date them at the programme's midpoint.
FP7_DATE = datetime(2010, 1, 1, tzinfo=UTC)
ORDER_FIRST = {"coordinator": 0}

# Kind from legal form or wording of the name, for FP7 organisations without an activity type.
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("university", r"UNIVERSI|HOCHSCHULE|POLITECNIC|POLYTECHN|COLLEGE|ECOLE|SCHOOL|"
                   r"UNIWERSYTET|YLIOPISTO|HOGESCHOOL|FACULT"),
    ("research_institute", r"INSTITUT|RESEARCH|FORSCHUNG|LABORATO|CENTRE|CENTER|CENTRO|"
                           r"FRAUNHOFER|CNRS|CONSIGLIO NAZIONALE|FUNDACION|TNO\b|VTT\b|SINTEF"),
    ("municipality", r"MINIST|MUNICIPAL|\bCITY\b|COMMUNE|GEMEENTE|COMUNE|AYUNTAMIENTO|"
                     r"\bREGION|COUNCIL|AUTHORITY|AGENCY|AGENCIA|AGENZIA|GOVERNMENT|STADT"),
    ("npo", r"ASSOCIA|FEDERA|FOUNDATION|STIFTUNG|VEREIN|\bUNIE\b|ONLUS|SOCIETY|NETWORK|"
            r"\bEV\b|E\.V\.|CHAMBER|UNION"),
    ("company", r"\bGMBH\b|\bLTD\b|LIMITED|\bS\.?A\.?$|\bS\.?L\.?$|\bSRL\b|S\.R\.L|\bSARL\b|\bSAS\b|"
                r"\bAB\b|\bOY\b|\bAS\b|\bA/S\b|\bBV\b|B\.V\.|\bNV\b|\bSPA\b|S\.P\.A|\bAG\b|\bINC\b|"
                r"\bPLC\b|\bKFT\b|\bSP Z O O\b|\bLDA\b|\bOOD\b|\bSE\b|\bKG\b|\bCORP|COMPANY|\bLLC\b"),
)


class ImportReport(msgspec.Struct, kw_only=True):
    organisations_read: int = 0
    organisations_imported: int = 0
    kind_from_activity: int = 0
    kind_from_name: int = 0
    names_unknown: int = 0
    skipped_organisations: dict[str, int] = {}
    projects_read: int = 0
    group_outcomes: int = 0
    fp7_dated_nominally: int = 0
    skipped_projects: dict[str, int] = {}
    participations_read: int = 0
    participations_imported: int = 0
    skipped_participations: dict[str, int] = {}


def read_tables(directory: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Read (organisations, participations, projects); a clear error names a missing file."""
    root = Path(directory)
    missing = [f for f in FILES if not (root / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{root}: missing {', '.join(missing)} (CORDIS format expected)")
    return tuple(pl.read_parquet(root / f) for f in FILES)  # type: ignore[return-value]


def infer_kind(name: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for kind, pattern in reversed(NAME_RULES):  # first rule wins: build from the last one
        expr = pl.when(name.str.to_uppercase().str.contains(pattern)).then(pl.lit(kind)).otherwise(expr)
    return expr


def to_frames(
    organisations: pl.DataFrame, participations: pl.DataFrame, projects: pl.DataFrame,
    *, skip_ids: set[str] | frozenset[str] = frozenset(), skip_keys: set[str] | frozenset[str] = frozenset(),
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, ImportReport]:
    """Map CORDIS tables to (organizations, items, outcomes, members) and a report."""
    report = ImportReport(organisations_read=organisations.height, projects_read=projects.height,
                          participations_read=participations.height)
    orgs = organisations.with_columns(
        kind_activity=pl.col("activity_type").replace_strict(ACTIVITY_KIND, default=None),
        kind_name=infer_kind(pl.col("name").fill_null("")),
        country=pl.col("country").replace(COUNTRY_FIX),
    ).with_columns(kind=pl.coalesce("kind_activity", "kind_name"))
    no_kind = pl.lit("no activity type, kind not inferable from name")
    reasons = (pl.when(pl.col("kind").is_null()).then(no_kind)
               .when(~pl.col("country").fill_null("").str.contains(r"^[A-Z]{2}$"))
               .then(pl.lit("no valid country"))
               .when(pl.col("org_id").is_in(list(skip_ids))).then(pl.lit("already in the store")))
    orgs = orgs.with_columns(skip=reasons)
    report.skipped_organisations = _counts(orgs.filter(pl.col("skip").is_not_null()), "skip")
    kept = orgs.filter(pl.col("skip").is_null())
    usable = orgs.filter(pl.col("skip").is_null() | (pl.col("skip") == "already in the store"))
    report.kind_from_activity = kept["kind_activity"].is_not_null().sum()
    report.kind_from_name = kept.height - report.kind_from_activity
    report.names_unknown = kept["name"].is_null().sum()

    parts = participations.join(_dated(projects), on="project_id", how="left")
    part_reason = (pl.when(pl.col("at").is_null()).then(pl.lit("project not in projects table"))
                   .when(~pl.col("org_id").is_in(usable["org_id"].implode()))
                   .then(pl.lit("organisation skipped")))
    parts = parts.with_columns(skip=part_reason)
    report.skipped_participations = _counts(parts.filter(pl.col("skip").is_not_null()), "skip")
    parts = parts.filter(pl.col("skip").is_null())
    unique = parts.unique(["project_id", "org_id"], keep="first", maintain_order=True)
    if unique.height < parts.height:
        report.skipped_participations["duplicate of another participation"] = parts.height - unique.height
    parts = unique.drop("skip")

    organizations = _organizations(kept.rename({"country": "region"}), parts, FP7_DATE)
    report.organisations_imported = organizations.height

    sizes = parts.group_by("project_id").agg(pl.len().alias("n"))
    proj_reason = (pl.when(pl.col("n") < 2).then(pl.lit("fewer than two usable members"))
                   .when(("cordis:" + pl.col("project_id")).is_in(list(skip_keys)))
                   .then(pl.lit("already in the store")))
    sizes = sizes.with_columns(skip=proj_reason)
    no_members = projects.height - sizes.height
    report.skipped_projects = _counts(sizes.filter(pl.col("skip").is_not_null()), "skip")
    if no_members:
        report.skipped_projects["no usable participation"] = no_members
    for reason, rows in _counts(parts.join(sizes.filter(pl.col("skip").is_not_null()),
                                           on="project_id"), "skip").items():
        report.skipped_participations[f"project: {reason}"] = rows
    groups = parts.join(sizes.filter(pl.col("skip").is_null()), on="project_id")
    report.participations_imported = groups.height
    outcomes, members, nominal = _group_outcomes(groups)
    report.group_outcomes = outcomes.height
    report.fp7_dated_nominally = nominal
    return organizations, F.empty(F.ITEM_SCHEMA), outcomes, members, report


def _dated(projects: pl.DataFrame) -> pl.DataFrame:
    """Each project's date (FP7: nominal), whether that date is nominal, and its theme."""
    return projects.select(
        "project_id",
        pl.coalesce(pl.col("start_date").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
                    pl.lit(FP7_DATE, dtype=F.TS)).alias("at"),
        pl.col("start_date").is_null().alias("nominal"),
        pl.col("programme_part").str.slice(0, 64).alias("theme"),
    )


def _group_outcomes(parts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """One `contract` outcome per project, the coordinator first among its members.

    Returns (outcomes, members, how many are dated nominally).
    """
    parts = parts.with_columns(
        first=pl.col("role").replace_strict(ORDER_FIRST, default=1, return_dtype=pl.Int8)
    ).sort("project_id", "first", "org_id")
    head = parts.group_by("project_id", maintain_order=True).agg(
        pl.col("at").first(), pl.col("nominal").first(), pl.col("theme").first()
    ).sort("at", "project_id").with_row_index("seq", offset=1)
    outcomes = head.select(
        "seq", ("cordis:" + pl.col("project_id")).alias("key"), pl.lit("contract").alias("stage"),
        "at", pl.lit(None, dtype=pl.String).alias("reason"),
        pl.lit(None, dtype=pl.String).alias("suggestion_id"), "theme",
    ).cast(F.OUTCOME_SCHEMA)
    members = parts.join(head.select("project_id", "seq"), on="project_id").select(
        "seq", pl.int_range(pl.len()).over("seq").alias("pos"), "org_id").cast(F.MEMBER_SCHEMA)
    return outcomes, members, int(head["nominal"].sum())


def _organizations(orgs: pl.DataFrame, parts: pl.DataFrame, unseen: datetime) -> pl.DataFrame:
    """Organisation frame; registered at its first project (``unseen`` if it has none)."""
    first_seen = parts.group_by("org_id").agg(pl.col("at").min().alias("registered_at"))
    return orgs.join(first_seen, on="org_id", how="left").select(
        pl.col("org_id").alias("id"),
        pl.coalesce("name", "short_name", "org_id").str.slice(0, 200).alias("name"),
        "kind", "region", pl.lit([], dtype=pl.List(pl.String)).alias("industries"),
        pl.lit(None, dtype=pl.Float64).alias("lat"), pl.lit(None, dtype=pl.Float64).alias("lon"),
        pl.lit(None, dtype=pl.String).alias("size_band"), pl.lit(None, dtype=pl.Int32).alias("founded"),
        pl.lit([], dtype=pl.List(pl.String)).alias("modes"), pl.lit("mutual_nda").alias("nda"),
        pl.col("registered_at").fill_null(pl.lit(unseen, dtype=F.TS)),
    ).cast(F.ORG_SCHEMA)


def _counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    return {k: int(v) for k, v in frame.group_by(column).len().iter_rows()}


def benchmark_frames(
    organisations: pl.DataFrame, participations: pl.DataFrame, projects: pl.DataFrame,
    *, before: datetime,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Snapshot frames of everything that started before ``before``, for benchmarking.

    Unlike the store import, nothing the truth may name is dropped: organisations of
    unknown kind keep a null kind, and single-member projects stay (they show activity).
    """
    orgs = organisations.with_columns(
        kind=pl.coalesce(pl.col("activity_type").replace_strict(ACTIVITY_KIND, default=None),
                         infer_kind(pl.col("name").fill_null(""))),
        region=pl.col("country").replace(COUNTRY_FIX).fill_null("ZZ"),
    )
    dated = _dated(projects).filter(pl.col("at") < before)
    parts = participations.join(dated, on="project_id").unique(["project_id", "org_id"],
                                                               keep="first", maintain_order=True)
    outcomes, members, _ = _group_outcomes(parts)
    # Never seen before the cut-off: not yet part of the ecosystem.
    organizations = _organizations(orgs, parts, before + timedelta(days=1))
    return organizations, F.empty(F.ITEM_SCHEMA), outcomes, members
