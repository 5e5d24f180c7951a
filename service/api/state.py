"""What the app holds while it runs: the store, the serving engine and training jobs.

The engine is replaced whole (one reference assignment), so a request sees either the
old engine or the new one, never a half-loaded model.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import traceback
from datetime import UTC, datetime

from data.registry import Registry
from data.store import Store
from matching.engine import Engine
from service import lifecycle
from service.api.types import TrainJob
from service.modeling import build_engine
from service.settings import Settings
from service.verify import verified_ranker


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LiveEngine:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.version: str | None = None
        self.fallback: str | None = None  # why a fallback is served instead of the promoted model
        self.engine: Engine = self._build()

    def _build(self) -> Engine:
        served = lifecycle.servable_model(self._store)
        self.version, self.fallback = served.version, served.note
        return build_engine(self._store, served.ranker)

    def refresh(self) -> Engine:
        """Rebuild from the store (new or changed organisations, new outcomes)."""
        with self._lock:
            self.engine = self._build()
            return self.engine

    def knows(self, org_id: str) -> bool:
        return org_id in self.engine.eco.index

    def use_model(self, version: str) -> None:
        """Swap in another model version; the ecosystem stays as it is."""
        ranker = verified_ranker(Registry(self._store).model(version))  # checked before the swap
        with self._lock:
            self.engine = dataclasses.replace(self.engine, scorer=ranker)
            self.version, self.fallback = version, None


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
                self.live.use_model(ev.model_version)
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
