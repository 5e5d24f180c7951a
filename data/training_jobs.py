"""Training jobs in the store, so every worker that shares it answers for every job.

One job runs at a time across all processes. A job left running by a process that has
since ended (on this machine) is marked failed when the next one is asked for.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

import msgspec

from data.errors import KyosoError
from data.frames import now_text
from data.store import Store

_COLUMNS = ("id", "status", "started_at", "finished_at", "version", "error", "metrics")
GOING: tuple[str, ...] = ("queued", "running")  # a job in these states is still to finish


class JobBusy(KyosoError):
    """Another training job is queued or running."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TrainingJobs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self, actor: str) -> dict[str, Any]:
        """A new queued job for this process to run, unless another is queued or running."""
        host, now = socket.gethostname(), now_text()
        with self.store.transaction() as conn:
            for job_id, pid, job_host in conn.execute(
                    "SELECT id, pid, host FROM training_jobs WHERE status IN (?, ?)", GOING).fetchall():
                if job_host == host and not _alive(pid):
                    conn.execute("UPDATE training_jobs SET status='failed', finished_at=?, error=?"
                                 " WHERE id=?", (now, "interrupted: the process running it ended",
                                                 job_id))
                else:
                    raise JobBusy(f"a training job is already running: {job_id}")
            job_id = "job-" + secrets.token_hex(6)
            conn.execute("INSERT INTO training_jobs (id, status, actor, pid, host, created_at)"
                         " VALUES (?, 'queued', ?, ?, ?, ?)", (job_id, actor, os.getpid(), host, now))
        return self.get(job_id)

    def running(self, job_id: str) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE training_jobs SET status='running', started_at=? WHERE id=?",
                         (now_text(), job_id))

    def finish(self, job_id: str, *, version: str | None = None, error: str | None = None,
               metrics: dict[str, Any] | None = None) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE training_jobs SET status=?, finished_at=?, version=?, error=?,"
                         " metrics=? WHERE id=?",
                         ("failed" if error else "done", now_text(), version, error,
                          msgspec.json.encode(metrics or {}).decode(), job_id))

    def get(self, job_id: str) -> dict[str, Any] | None:
        rows = self.store.read(f"SELECT {', '.join(_COLUMNS)} FROM training_jobs WHERE id=?",
                               (job_id,))
        if not rows:
            return None
        job = dict(zip(_COLUMNS, rows[0], strict=True))
        job["metrics"] = msgspec.json.decode(job["metrics"]) if job["metrics"] else {}
        return job

    def recent(self, limit: int = 10) -> list[dict[str, Any]]:
        """The newest jobs first (the console lists them with their status)."""
        rows = self.store.read("SELECT id FROM training_jobs ORDER BY rowid DESC LIMIT ?", (limit,))
        return [job for (job_id,) in rows if (job := self.get(job_id)) is not None]
