"""Nightly batch runs: which registrants a run covers, and its progress by chunk.

A chunk's stored lists, its skipped registrants and the run's progress are written in
one transaction, so a run killed at any point resumes after its last finished chunk.
"""

from __future__ import annotations

import msgspec

from data.frames import now_text
from data.slices import id_slices
from data.store import Store
from data.stored_lists import Row, write_suggestions


class BatchRun(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    since: str | None  # None: every organisation
    since_inclusive: bool
    until: str  # the latest registration the run covers
    model_version: str | None
    k: int
    chunk_size: int
    total: int
    chunks_done: int = 0
    scored: int = 0
    skipped: int = 0
    inserted: int = 0
    status: str = "running"
    started_at: str
    finished_at: str | None = None


_COLUMNS = tuple(BatchRun.__struct_fields__)


class BatchRuns:
    """Batch runs and their progress, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _one(self, where: str, args: tuple = ()) -> BatchRun | None:
        rows = self.store.read(f"SELECT {', '.join(_COLUMNS)} FROM batch_runs {where}", args)
        if not rows:
            return None
        values = dict(zip(_COLUMNS, rows[0], strict=True))
        values["since_inclusive"] = bool(values["since_inclusive"])
        return BatchRun(**values)

    def get(self, run_id: str) -> BatchRun | None:
        return self._one("WHERE id=?", (run_id,))

    def last_done(self) -> BatchRun | None:
        return self._one("WHERE status='done' ORDER BY finished_at DESC, rowid DESC LIMIT 1")

    def unfinished(self) -> BatchRun | None:
        return self._one("WHERE status='running' ORDER BY started_at DESC, rowid DESC LIMIT 1")

    def start(self, run: BatchRun, extras: list[str] = ()) -> None:
        """Record a new run; ``extras``: organisations it rescores besides its registrants."""
        with self.store.transaction() as conn:
            conn.execute(f"INSERT INTO batch_runs({', '.join(_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(_COLUMNS))})",
                         [getattr(run, c) for c in _COLUMNS])
            conn.executemany("INSERT INTO batch_extras VALUES (?, ?)", [(run.id, o) for o in extras])

    def set_total(self, run_id: str, total: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE batch_runs SET total=? WHERE id=?", (total, run_id))

    def stale(self) -> tuple[list[str], str | None]:
        """Organisations whose stored list was dropped because a partner changed (or they did),
        and the latest such drop."""
        rows = self.store.read("SELECT org_id, since FROM stale_lists ORDER BY org_id")
        return [r[0] for r in rows], max((r[1] for r in rows), default=None)

    def latest_registration(self) -> str | None:
        return self.store.read("SELECT MAX(registered_at) FROM organizations")[0][0]

    def newcomers(self, run: BatchRun) -> list[str]:
        """The organisations registered in the run's window (registration, then id)."""
        where, args = "registered_at <= ?", [run.until]
        if run.since is not None:
            where += " AND registered_at " + (">= ?" if run.since_inclusive else "> ?")
            args.append(run.since)
        return [r[0] for r in self.store.read(
            f"SELECT id FROM organizations WHERE {where} ORDER BY registered_at, id", args)]

    def registrants(self, run: BatchRun) -> list[str]:
        """The run's organisations in a fixed order: its window's newcomers, then the stale
        lists it was started to refresh."""
        window = self.newcomers(run)
        # Then the stale lists the run was started to refresh (those still registered).
        extras = [r[0] for r in self.store.read(
            "SELECT e.org_id FROM batch_extras e JOIN organizations o ON o.id = e.org_id"
            " WHERE e.run_id=? ORDER BY e.org_id", (run.id,))]
        seen = set(window)
        return window + [o for o in extras if o not in seen]

    def floors(self, org_ids: list[str]) -> dict[str, tuple[int, float]]:
        """(length, lowest score) of the stored lists of those organisations that have one."""
        out = {}
        for part in id_slices(org_ids):
            for org, n, low in self.store.read(
                    "SELECT org_id, COUNT(*), MIN(score) FROM suggestions WHERE org_id IN "
                    f"({', '.join('?' * len(part))}) GROUP BY org_id", part):
                out[org] = (n, low)
        return out

    def commit_chunk(self, run: BatchRun, chunk: int, lists: dict[str, list[Row]],
                     skips: dict[str, str], scored: int, inserted: int) -> bool:
        """Write one finished chunk; False (and nothing written) if it was written before."""
        now = now_text()
        with self.store.transaction() as conn:
            done = conn.execute("SELECT chunks_done FROM batch_runs WHERE id=?", (run.id,)).fetchone()
            if done is None or done[0] != chunk:
                return False
            for org_id, rows in lists.items():
                write_suggestions(conn, org_id, rows, run.model_version, now)
            conn.executemany("DELETE FROM stale_lists WHERE org_id=? AND since <= ?",
                             [(org_id, run.started_at) for org_id in lists])
            conn.executemany("INSERT OR REPLACE INTO batch_skips VALUES (?,?,?)",
                             [(run.id, org, reason) for org, reason in skips.items()])
            conn.execute("UPDATE batch_runs SET chunks_done=chunks_done+1, scored=scored+?, "
                         "skipped=skipped+?, inserted=inserted+? WHERE id=?",
                         (scored, len(skips), inserted, run.id))
        return True

    def finish(self, run_id: str) -> BatchRun:
        with self.store.transaction() as conn:
            conn.execute("UPDATE batch_runs SET status='done', finished_at=? WHERE id=?",
                         (now_text(), run_id))
        run = self.get(run_id)
        assert run is not None
        return run

    def skips(self, run_id: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.store.read(
            "SELECT org_id, reason FROM batch_skips WHERE run_id=? ORDER BY org_id", (run_id,))]
