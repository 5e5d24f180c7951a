"""Model versions: list, train (a background job), promote, roll back — analysts and admins."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from data.store import Store
from service.api.deps import Caller, JobsDep, LiveDep, StoreDep
from service.api.errors import UnknownJob, WorseModel
from service.api.types import ModelInfo, ModelList, Promote, TrainJob
from service.modeling import PRIMARY, load_ranker


def model_list(store: Store) -> ModelList:
    return ModelList(live=store.live_model_version(), models=[
        ModelInfo(version=m.version, live=m.live, created_at=m.created_at, metrics=m.metrics)
        for m in store.models()])


class Models(Controller):
    path = "/v1/models"
    tags = ["models"]

    @get("/", sync_to_thread=False)
    def list_models(self, principal: Caller, store: StoreDep) -> ModelList:
        principal.require("admin", "analyst")
        return model_list(store)

    @post("/train", sync_to_thread=False, status_code=202)
    def train(self, principal: Caller, jobs: JobsDep) -> TrainJob:
        """Start training a new version; it is promoted only if it evaluates at least as well."""
        principal.require("admin", "analyst")
        return jobs.start()

    @get("/jobs/{job_id:str}", sync_to_thread=False)
    def job(self, job_id: FromPath[str], principal: Caller, jobs: JobsDep) -> TrainJob:
        principal.require("admin", "analyst")
        if job_id not in jobs.jobs:
            raise UnknownJob(job_id)
        return jobs.jobs[job_id]

    @post("/{version:str}/promote", sync_to_thread=True, status_code=200)
    def promote(self, version: FromPath[str], data: JSONBody[Promote], principal: Caller, store: StoreDep,
                live: LiveDep) -> ModelList:
        """Make a version live, swapping it in without a restart. A version that evaluated
        worse than the live one needs ``force``."""
        principal.require("admin", "analyst")
        target = store.model(version)
        current = store.live_model_version()
        if current and current != version and not data.force:
            ours = target.metrics.get(PRIMARY, 0.0)
            theirs = store.model(current).metrics.get(PRIMARY, 0.0)
            if ours < theirs:
                raise WorseModel(f"{version} has {PRIMARY} {ours} < live {current}'s {theirs};"
                                 " pass force to promote anyway")
        load_ranker(target.path)  # loads and checks it before anything is switched
        store.set_live_model(version)
        live.sync_now()  # this process serves it now; every other one within its poll
        return model_list(store)

    @post("/rollback", sync_to_thread=True, status_code=200)
    def rollback(self, principal: Caller, store: StoreDep, live: LiveDep) -> ModelList:
        """Return to the version that was live before the last switch."""
        principal.require("admin", "analyst")
        load_ranker(store.model(store.previous_live_model_version()).path)
        store.rollback_live_model()
        live.sync_now()
        return model_list(store)
