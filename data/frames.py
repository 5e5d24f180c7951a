"""Column names and schemas of the snapshot frames shared by store, generator, features.

A snapshot is four polars frames: organisations, their items, outcome events and
outcome members. Every module that reads or writes them uses these names.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

TS = pl.Datetime("us", "UTC")
# Fixed-width text timestamps sort correctly inside SQLite.
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
TS_FORMAT_POLARS = "%Y-%m-%dT%H:%M:%S%.6fZ"

ORG_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "name": pl.String(),
    "kind": pl.String(),
    "region": pl.String(),
    "industries": pl.List(pl.String()),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "size_band": pl.String(),
    "founded": pl.Int32(),
    "modes": pl.List(pl.String()),
    "nda": pl.String(),
    "registered_at": TS,
}
ITEM_SCHEMA: dict[str, pl.DataType] = {
    "org_id": pl.String(),
    "side": pl.String(),  # "strength" | "need"
    "pos": pl.Int32(),
    "tag": pl.String(),
    "tier": pl.String(),
    "text": pl.String(),
}
OUTCOME_SCHEMA: dict[str, pl.DataType] = {
    "seq": pl.Int64(),
    "key": pl.String(),
    "stage": pl.String(),
    "at": TS,
    "reason": pl.String(),
    "suggestion_id": pl.String(),
    "theme": pl.String(),
}
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "seq": pl.Int64(),
    "pos": pl.Int32(),
    "org_id": pl.String(),
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def format_ts(value: datetime) -> str:
    """UTC text form of a timestamp; naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # strftime does not pad years below 1000 on every platform: pad it ourselves.
    return f"{value.year:04d}" + value.strftime(TS_FORMAT[2:])


def now_text() -> str:
    """Now, in the text form the store keeps timestamps in."""
    return format_ts(datetime.now(UTC))


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, TS_FORMAT).replace(tzinfo=UTC)


def ts_to_text(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone("UTC").dt.strftime(TS_FORMAT_POLARS)


def text_to_ts(column: str) -> pl.Expr:
    return pl.col(column).str.strptime(TS, TS_FORMAT_POLARS)
