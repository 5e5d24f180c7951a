"""Model versions: list, train (a background job), promote, roll back — analysts and admins.

Every decision is ``service.lifecycle``'s; these handlers pass who is asking.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from data.registry import Registry
from data.store import Store
from service import lifecycle
from service.api.auth import Principal
from service.api.deps import Caller, JobsDep, LiveDep, StoreDep
from service.api.errors import UnknownJob
from service.api.types import ModelHistory, ModelInfo, ModelList, Promote, TrainJob


def model_list(store: Store, verdict: str | None = None) -> ModelList:
    registry = Registry(store)
    return ModelList(live=registry.live(), verdict=verdict, models=[
        ModelInfo(version=m.version, live=m.live, created_at=m.created_at, metrics=m.metrics)
        for m in registry.models()])


def actor(principal: Principal) -> str:
    """Who did a lifecycle step, as the history and the log record it."""
    return f"key {principal.key.id} ({principal.role})"


class Models(Controller):
    path = "/v1/models"
    tags = ["models"]

    @get("/", sync_to_thread=True)
    def list_models(self, principal: Caller, store: StoreDep) -> ModelList:
        principal.require("admin", "analyst")
        return model_list(store)

    @get("/history", sync_to_thread=True)
    def history(self, principal: Caller, store: StoreDep) -> ModelHistory:
        """Every promotion, rollback and fallback, oldest first, with who and when."""
        principal.require("admin", "analyst")
        return ModelHistory(history=Registry(store).history())

    @post("/train", sync_to_thread=True, status_code=202)
    def train(self, principal: Caller, jobs: JobsDep) -> TrainJob:
        """Start training a new version; it is promoted only if the promotion rule says so."""
        principal.require("admin", "analyst")
        return jobs.start(actor(principal))

    @get("/jobs/{job_id:str}", sync_to_thread=True)
    def job(self, job_id: FromPath[str], principal: Caller, jobs: JobsDep) -> TrainJob:
        principal.require("admin", "analyst")
        job = jobs.get(job_id)
        if job is None:
            raise UnknownJob(job_id)
        return job

    @post("/{version:str}/promote", sync_to_thread=True, status_code=200)
    def promote(self, version: FromPath[str], data: JSONBody[Promote], principal: Caller,
                store: StoreDep, live: LiveDep) -> ModelList:
        """Make a version live without a restart, once its artefact checks out and it beats
        the live model and the baselines on the current split (or with ``force``)."""
        principal.require("admin", "analyst")
        verdict = lifecycle.promote(store, version, force=data.force, actor=actor(principal))
        live.sync_now()  # this process serves it now; the others within a poll
        return model_list(store, verdict.reason)

    @post("/rollback", sync_to_thread=True, status_code=200)
    def rollback(self, principal: Caller, store: StoreDep, live: LiveDep) -> ModelList:
        """Return to the version before the live one in the promotion history."""
        principal.require("admin", "analyst")
        version = lifecycle.rollback(store, actor=actor(principal))
        live.sync_now()  # this process serves it now; the others within a poll
        return model_list(store, f"rolled back to {version}")
