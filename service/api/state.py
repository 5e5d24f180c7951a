"""Training jobs the app runs in the background (the serving engine is service.live's)."""

from __future__ import annotations

import secrets
import threading
import traceback
from datetime import UTC, datetime

from data.store import Store
from service import lifecycle
from service.api.types import TrainJob
from service.live import LiveEngine
from service.settings import Settings


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Jobs:
    """Training jobs, one at a time, on a background thread with its own connection."""

    def __init__(self, settings: Settings, live: LiveEngine) -> None:
        self.settings = settings
        self.live = live
        self.jobs: dict[str, TrainJob] = {}
        self._running: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, actor: str) -> TrainJob:
        with self._lock:
            if self._running is not None and self._running.is_alive():
                raise JobBusy("a training job is already running")
            job = TrainJob(id="job-" + secrets.token_hex(6), status="queued")
            self.jobs[job.id] = job
            self._running = threading.Thread(target=self._run, args=(job.id, actor), daemon=True)
            self._running.start()
            return job

    def _run(self, job_id: str, actor: str) -> None:
        self.jobs[job_id] = TrainJob(id=job_id, status="running", started_at=_now())
        try:
            with Store(self.settings.db) as store:
                ev = lifecycle.train(store, self.settings.models_dir, actor=actor,
                                     log_line=lambda _m: None)
            if ev.promoted:
                self.live.sync_now()  # this process serves it now; the others within a poll
            report = ev.reports[0].all
            self.jobs[job_id] = TrainJob(
                id=job_id, status="done", started_at=self.jobs[job_id].started_at,
                finished_at=_now(), version=ev.model_version,
                metrics={"ndcg_at_10": report.ndcg_at_10, "recall_at_50": report.recall_at_50,
                         "mrr": report.mrr, "queries": report.queries, "promoted": ev.promoted,
                         "verdict": ev.verdict, "warnings": ev.warnings})
        except Exception as exc:  # the job reports its own failure; the API stays up
            self.jobs[job_id] = TrainJob(
                id=job_id, status="failed", started_at=self.jobs[job_id].started_at,
                finished_at=_now(), error=f"{type(exc).__name__}: {exc}")
            traceback.print_exc()

    def join(self, timeout: float | None = None) -> None:
        if self._running is not None:
            self._running.join(timeout)


class JobBusy(Exception):
    pass
