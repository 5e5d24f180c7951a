"""Training jobs the app runs in the background (the serving engine is service.live's).

A job is a row of the store (``data.training_jobs``), so any worker answers for it; the
worker that accepted it runs it on a thread with its own connection.
"""

from __future__ import annotations

import threading
import traceback

from data.store import Store
from data.training_jobs import TrainingJobs
from service import lifecycle
from service.api.types import TrainJob
from service.live import LiveEngine
from service.settings import Settings


class Jobs:
    def __init__(self, settings: Settings, live: LiveEngine, store: Store) -> None:
        self.settings = settings
        self.live = live
        self.table = TrainingJobs(store)
        self._running: threading.Thread | None = None

    def start(self, actor: str) -> TrainJob:
        job = self.table.start(actor)
        self._running = threading.Thread(target=self._run, args=(job["id"], actor), daemon=True)
        self._running.start()
        return TrainJob(**job)

    def get(self, job_id: str) -> TrainJob | None:
        job = self.table.get(job_id)
        return None if job is None else TrainJob(**job)

    def _run(self, job_id: str, actor: str) -> None:
        with Store(self.settings.db) as store:
            jobs = TrainingJobs(store)
            jobs.running(job_id)
            try:
                ev = lifecycle.train(store, self.settings.models_dir, actor=actor,
                                     log_line=lambda _m: None)
            except Exception as exc:  # the job reports its own failure; the API stays up
                jobs.finish(job_id, error=f"{type(exc).__name__}: {exc}")
                traceback.print_exc()
                return
            report = ev.reports[0].all
            jobs.finish(job_id, version=ev.model_version, metrics={
                "ndcg_at_10": report.ndcg_at_10, "recall_at_50": report.recall_at_50,
                "mrr": report.mrr, "queries": report.queries, "promoted": ev.promoted,
                "verdict": ev.verdict, "warnings": ev.warnings})
        if ev.promoted:
            self.live.sync_now()  # this process serves it now; the others within a poll

    def join(self, timeout: float | None = None) -> None:
        if self._running is not None:
            self._running.join(timeout)
