"""KPI reports as computed, each kept with the state of the store it was computed from.

A report is worth serving again while its inputs have not changed: the inputs are read in
a few index look-ups (the change log's generation for organisations and outcomes, the
introductions and their events, a count of stored-list writes), so every worker can tell
whether the report it holds is current without recomputing it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import msgspec

from data.frames import format_ts

if TYPE_CHECKING:
    from data.store import Store

KEEP_DAYS = 30  # reports nobody asked for again in this long are dropped
KEEP_MOST = 1000  # and beyond this many, the oldest (each range asked for is one report)


class Report(msgspec.Struct, frozen=True):
    key: str
    inputs: str
    as_of: str  # when its inputs were read
    body: bytes  # the report's JSON


class KpiReports:
    """Stored KPI reports, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def inputs(self) -> str:
        """The state of everything a KPI report reads, as one comparable string."""
        row = self.store.read(
            "SELECT (SELECT coalesce(max(seq), 0) FROM changes),"
            " (SELECT coalesce(max(seq), 0) FROM introduction_events),"
            " (SELECT count(*) FROM introductions),"
            " (SELECT coalesce(max(decided_at), '') FROM introductions),"
            " (SELECT coalesce(max(value), '0') FROM meta WHERE key='lists_written')")[0]
        return "/".join(str(v) for v in row)

    def get(self, key: str) -> Report | None:
        rows = self.store.read("SELECT key, inputs, as_of, body FROM kpi_reports WHERE key=?", (key,))
        return Report(rows[0][0], rows[0][1], rows[0][2], bytes(rows[0][3])) if rows else None

    def put(self, key: str, inputs: str, as_of: str, body: bytes) -> Report:
        """Keep a report, unless one whose inputs were read later is kept already."""
        old = format_ts(datetime.now(UTC) - timedelta(days=KEEP_DAYS))
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO kpi_reports VALUES (?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                         " inputs=excluded.inputs, as_of=excluded.as_of, body=excluded.body"
                         " WHERE kpi_reports.as_of <= excluded.as_of", (key, inputs, as_of, body))
            conn.execute("DELETE FROM kpi_reports WHERE as_of < ? OR key IN (SELECT key FROM kpi_reports"
                         " ORDER BY as_of DESC LIMIT -1 OFFSET ?)", (old, KEEP_MOST))
        found = self.get(key)
        assert found is not None
        return found
