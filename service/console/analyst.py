"""An analyst's pages: the model registry beside the live model and the baselines, training
jobs, promote and roll back behind a confirmation, with the promotion rule's verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from data.registry import Registry
from data.store import Store
from data.training_jobs import GOING, TrainingJobs
from service.api.auth import Principal
from service.api.models import Models
from service.api.state import Jobs
from service.api.types import ModelList, Promote, TrainJob
from service.console.charts import metric_bars
from service.console.comparison import comparison, row_label, split_words
from service.console.i18n import words
from service.console.render import Problem, attempt, lang_of, page
from service.console.session import console_user, flash, take_flash
from service.live import LiveEngine

User = NamedDependency[Principal]
Form = NamedDependency[dict[str, Any]]
StoreDep = NamedDependency[Store]
LiveDep = NamedDependency[LiveEngine]
JobsDep = NamedDependency[Jobs]


def recent_jobs(store: Store, job: Any = None) -> dict[str, Any]:
    """The newest training jobs for the table, and whether one of them (or ``job``) is still
    to finish."""
    recent = [TrainJob(**j) for j in TrainingJobs(store).recent(5)]
    active = any(j.status in GOING for j in recent) or (job is not None and job.status in GOING)
    return {"recent": recent, "going": GOING, "active": active}


async def analyst_user(request: Request) -> Principal:
    """The signed-in key, refused (403) unless it may act on models: before any form is acted
    on, so a refused POST changes nothing and answers 403, not a redirect to a refusal."""
    user = await console_user(request)
    user.require("admin", "analyst")
    return user


def ticked(form: dict, name: str) -> bool:
    """Whether a checkbox was ticked: the value a ticked box sends, not any value at all."""
    return str(form.get(name) or "").strip().lower() in ("1", "on", "true", "yes")


class AnalystPages(Controller):
    path = "/console/models"
    include_in_schema = False
    dependencies = {"user": Provide(analyst_user)}

    def _page(self, request: Request, user: Principal, store: Store, *, verdict: str | None = None,
              problem: Problem | None = None, job: Any = None, status: int | None = None) -> Template:
        compared = comparison(store)
        t = words(lang_of(request))
        labels = {r.name: row_label(r, t, compared.split_id) for r in compared.rows}
        history = Registry(store).history()
        return page(request, "models.html", status=status, verdict=verdict, problem=problem, job=job,
                    compared=compared, labels=labels,
                    split=(t["figures_on"].format(split=split_words(compared.split_id, t))
                           if compared.split_id else t["no_figures"]),
                    elsewhere=[(labels[r.name], t["own_split"].format(split=split_words(r.split_id, t)))
                               for r in compared.elsewhere()],
                    chart=metric_bars([(labels[r.name], r.ndcg) for r in compared.rows], t["ndcg_chart"],
                                      lang_of(request)),
                    history=history[-10:][::-1], **recent_jobs(store, job))

    @get("/", sync_to_thread=True)
    def registry(self, request: Request, user: User, store: StoreDep, jobs: JobsDep) -> Template:
        job_id = request.query_params.get("job")
        job = Models.job.fn(None, job_id=job_id, principal=user, jobs=jobs) if job_id else None
        done = take_flash(request)  # what a promotion or rollback just did
        problem = msgspec.convert(done["problem"], Problem) if done.get("problem") else None
        return self._page(request, user, store, job=job, verdict=done.get("verdict"), problem=problem,
                          status=200)

    @get("/jobs", sync_to_thread=True)
    def jobs(self, request: Request, user: User, store: StoreDep, jobs: JobsDep) -> Template:
        """The training jobs' table alone, with the status line of the job just started
        (``job``): htmx swaps it in every two seconds while a job is queued or running, and
        stops once none is."""
        job_id = request.query_params.get("job")
        job = Models.job.fn(None, job_id=job_id, principal=user, jobs=jobs) if job_id else None
        return page(request, "jobs.html", polled=request.headers.get("hx-request") == "true", job=job,
                    **recent_jobs(store, job))

    @post("/train", sync_to_thread=True)
    def train(self, request: Request, user: User, form: Form, jobs: JobsDep) -> Redirect:
        job, problem = attempt(lambda: Models.train.fn(None, principal=user, jobs=jobs))
        if problem:
            flash(request, problem=msgspec.to_builtins(problem))
            return Redirect("/console/models", status_code=303)
        return Redirect(f"/console/models?job={job.id}", status_code=303)

    @post("/{version:str}/promote", sync_to_thread=True)
    def promote(self, request: Request, version: FromPath[str], user: User, form: Form, store: StoreDep,
                live: LiveDep) -> Template | Redirect:
        if not ticked(form, "confirm"):
            return self._page(request, user, store, problem=Problem(422, "confirm", field="confirm"))
        return self._done(request, lambda: Models.promote.fn(
            None, version=version, data=Promote(force=ticked(form, "force")), principal=user,
            store=store, live=live))

    @post("/rollback", sync_to_thread=True)
    def rollback(self, request: Request, user: User, form: Form, store: StoreDep,
                 live: LiveDep) -> Template | Redirect:
        if not ticked(form, "confirm"):
            return self._page(request, user, store, problem=Problem(422, "confirm", field="confirm"))
        return self._done(request, lambda: Models.rollback.fn(None, principal=user, store=store,
                                                              live=live))

    @staticmethod
    def _done(request: Request, step: Callable[[], ModelList]) -> Redirect:
        """Take a lifecycle step, keep its verdict (or its refusal) for the page, and send the
        browser there: a reload of that page asks for nothing again."""
        listing, problem = attempt(step)
        if problem:
            flash(request, problem=msgspec.to_builtins(problem))
        else:
            flash(request, verdict=listing.verdict if listing else None)
        return Redirect("/console/models", status_code=303)
