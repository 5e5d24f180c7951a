"""Stored suggestion lists: what the nightly batch wrote for each organisation.

A list is written and dropped whole. When an organisation's profile changes, its own list
and every list that names it as a partner are dropped in the same transaction, so no list
ever quotes a text its owner has since changed or made confidential; their owners are
answered live, and the next batch rescores them (``stale_lists``).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from data.frames import now_text
from data.slices import id_slices

if TYPE_CHECKING:
    from data.store import Store

Row = tuple[str, float, bytes]  # a stored suggestion: (partner_id, score, Suggestion JSON)


def _touch(conn: sqlite3.Connection) -> None:
    """Count the write, so readers of every list (the KPIs) can tell cheaply that one changed."""
    conn.execute("INSERT INTO meta VALUES ('lists_written', '1') ON CONFLICT(key)"
                 " DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def drop_lists_quoting(conn: sqlite3.Connection, org_id: str, now: str) -> None:
    """Drop the stored list of ``org_id`` and every stored list that names it as a partner,
    inside the caller's transaction, and mark their owners for the next batch."""
    owners = [r[0] for r in conn.execute(
        "SELECT DISTINCT org_id FROM suggestions WHERE partner_id=? OR org_id=?", (org_id, org_id))]
    for part in id_slices(owners):
        conn.execute(f"DELETE FROM suggestions WHERE org_id IN ({', '.join('?' * len(part))})", part)
    conn.executemany("INSERT OR IGNORE INTO stale_lists VALUES (?, ?)", [(o, now) for o in owners])
    if owners:
        _touch(conn)


def write_suggestions(conn: sqlite3.Connection, org_id: str, rows: list[Row],
                      model_version: str | None, now: str) -> None:
    """Replace one stored list inside the caller's transaction."""
    conn.execute("DELETE FROM suggestions WHERE org_id=?", (org_id,))
    conn.executemany("INSERT INTO suggestions VALUES (?,?,?,?,?,?,?)",
                     [(org_id, rank, pid, score, body.decode(), model_version, now)
                      for rank, (pid, score, body) in enumerate(rows, start=1)])
    _touch(conn)


class StoredLists:
    """Stored lists, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def replace(self, org_id: str, rows: list[Row], model_version: str | None) -> None:
        """Replace an organisation's stored list: rows of (partner_id, score, body json)."""
        with self.store.transaction() as conn:
            write_suggestions(conn, org_id, rows, model_version, now_text())

    def of(self, org_ids: list[str]) -> dict[str, list[Row]]:
        """The stored lists of these organisations, best first (empty where there is none)."""
        out: dict[str, list[Row]] = {o: [] for o in org_ids}
        for part in id_slices(org_ids):
            for org, pid, score, body in self.store.read(
                    "SELECT org_id, partner_id, score, body FROM suggestions WHERE org_id IN "
                    f"({', '.join('?' * len(part))}) ORDER BY org_id, rank", part):
                out[org].append((pid, score, body.encode()))
        return out

    def owners(self) -> list[str]:
        """Organisations that have a stored list."""
        return [r[0] for r in self.store.read("SELECT DISTINCT org_id FROM suggestions ORDER BY org_id")]

    def head(self, org_id: str, k: int) -> tuple[list[str], str | None, str | None, list[str]]:
        """The first ``k`` stored bodies with the list's model version, write time and partner
        ids (a list is always written whole)."""
        rows = self.store.read("SELECT body, model_version, created_at, partner_id FROM suggestions"
                               " WHERE org_id=? ORDER BY rank LIMIT ?", (org_id, k))
        if not rows:
            return [], None, None, []
        return [r[0] for r in rows], rows[0][1], rows[0][2], [r[3] for r in rows]
