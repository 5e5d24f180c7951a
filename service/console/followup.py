"""An office's follow-up pages: its pipeline, its digest and its KPIs with charts; the
ecosystem's KPIs and exposure for analysts. The API's handler functions answer them."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from data.store import Store
from service.api.auth import Principal
from service.api.deps import KpisDep
from service.api.followup import FollowUp
from service.api.kpis import kpi_view
from service.api.matching_routes import BATCH_LANG
from service.console.charts import kpi_charts
from service.console.office import own_org, store_names
from service.console.render import Problem, attempt, lang_of, page
from service.settings import Settings

User = NamedDependency[Principal]
StoreDep = NamedDependency[Store]
SettingsDep = NamedDependency[Settings]


def window(request: Request) -> tuple[tuple[date | None, date | None], Problem | None]:
    """The ``from`` and ``to`` fields of a KPI form, or a problem naming the one at fault."""
    days: list[date | None] = []
    for name in ("from", "to"):
        raw = (request.query_params.get(name) or "").strip()
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            return (None, None), Problem(422, "bad_date", field=name)
    return (days[0], days[1]), None


class FollowUpPages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/pipeline", sync_to_thread=True)
    def pipeline(self, request: Request, user: User, store: StoreDep, settings: SettingsDep) -> Template:
        org_id = own_org(user)
        found = FollowUp.get_pipeline.fn(None, org_id=org_id, principal=user, store=store,
                                         settings=settings, on=None)
        names = store_names(store, {e.partner for e in found.introductions})
        return page(request, "pipeline.html", pipeline=found, names=names)

    @get("/digest", sync_to_thread=True)
    def digest(self, request: Request, user: User, store: StoreDep, settings: SettingsDep) -> Template:
        org_id = own_org(user)
        found = FollowUp.get_digest.fn(None, org_id=org_id, principal=user, store=store,
                                       settings=settings, on=None)
        names = store_names(store, {a.requester for a in found.awaiting_answer}
                            | {s.partner for s in found.stalled} | {c.partner for c in found.next_contacts})
        return page(request, "digest.html", digest=found, names=names, batch_lang=BATCH_LANG)

    @get("/kpis", sync_to_thread=True)
    def kpis(self, request: Request, user: User, store: StoreDep, kpis: KpisDep) -> Template:
        """The latest report at once; while a newer one is computed the report part asks
        again every few seconds and swaps itself (``kpi_report.html``)."""
        (start, end), problem = window(request)
        view = None
        if problem is None:
            org = user.org if user.role == "office" else None
            view, problem = attempt(lambda: kpi_view(user, store, kpis, org, start, end))
        found = view.kpis if view else None
        part = request.headers.get("hx-request") == "true"
        return page(request, "kpi_report.html" if part else "kpis.html", view=view, kpis=found,
                    problem=problem, charts=kpi_charts(found, lang_of(request)) if found else [],
                    start=request.query_params.get("from") or "", end=request.query_params.get("to") or "")
