"""Digests a nightly run wrote for offices: one JSON body per organisation and run.

Delivery (mail) stays outside Kyoso: a mailer reads the run's digests and sends them.
"""

from __future__ import annotations

from data.frames import now_text
from data.store import Store


class Digests:
    def __init__(self, store: Store) -> None:
        self.store = store

    def write(self, run_id: str, on_date: str, bodies: dict[str, bytes]) -> None:
        """Store a run's digests (organisation → JSON body) in one transaction; a run written
        again replaces its own."""
        now = now_text()
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM digests WHERE run_id=?", (run_id,))
            conn.executemany("INSERT INTO digests VALUES (?,?,?,?,?)",
                             [(run_id, org, on_date, body.decode(), now)
                              for org, body in sorted(bodies.items())])

    def of_run(self, run_id: str, org_id: str | None = None) -> list[tuple[str, str]]:
        """(organisation, JSON body) of a run's digests, by organisation."""
        where, args = ("run_id=? AND org_id=?", (run_id, org_id)) if org_id else ("run_id=?", (run_id,))
        return [(r[0], r[1]) for r in self.store.read(
            f"SELECT org_id, body FROM digests WHERE {where} ORDER BY org_id", args)]

    def has_run(self, run_id: str) -> bool:
        """Whether the run has written its digests (any)."""
        return bool(self.store.read("SELECT 1 FROM digests WHERE run_id=? LIMIT 1", (run_id,)))

    def last_run(self) -> str | None:
        """The latest run that wrote digests."""
        rows = self.store.read("SELECT run_id FROM digests ORDER BY created_at DESC LIMIT 1")
        return rows[0][0] if rows else None
