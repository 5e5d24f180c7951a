"""KPIs of the follow-up: the funnel, answers, declines, suggestions acted on, stalls, exposure."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from data.errors import UnknownOrganization
from data.store import Store
from matching.kpis import Kpis
from service.api.auth import Principal
from service.api.deps import Caller, KpisDep, StoreDep
from service.api.errors import blame
from service.api.types import ErrorBody
from service.kpis import KpiService, KpiView

From = Annotated[date | None, QueryParameter(name="from",
                                             description="first day (default: a year before to)")]
To = Annotated[date | None, QueryParameter(name="to", description="last day (default: today)")]


class KpiRoutes(Controller):
    tags = ["introductions and outcomes"]

    @get("/v1/kpis", sync_to_thread=True,
         responses={404: ResponseSpec(ErrorBody, description="Unknown organisation in org")})
    def ecosystem_kpis(self, principal: Caller, store: StoreDep, kpis: KpisDep,
                       org: Annotated[str | None, QueryParameter(max_length=64)] = None,
                       start: From = None, end: To = None) -> Kpis:
        """KPIs of the whole ecosystem, or of one organisation (``org``), over a date range
        (admins and analysts). The store as it is at the request: the kept report while
        nothing it reads has changed, else one computed then (seconds at scale)."""
        principal.require("admin", "analyst")
        with blame("org", UnknownOrganization):
            return kpis.exact(store, org, start, end)

    @get("/v1/organizations/{org_id:str}/kpis", sync_to_thread=True)
    def organization_kpis(self, org_id: FromPath[str], principal: Caller, store: StoreDep,
                          kpis: KpisDep, start: From = None, end: To = None) -> Kpis:
        """KPIs of one organisation over a date range (its office; admins and analysts any),
        kept and computed as those of the ecosystem."""
        principal.acts_for(org_id, "org_id")
        with blame("org_id", UnknownOrganization):
            return kpis.exact(store, org_id, start, end)


def kpi_view(principal: Principal, store: Store, kpis: KpiService, org: str | None,
             start: date | None, end: date | None) -> KpiView:
    """The latest report a page shows at once, under the routes' rules: the ecosystem's for
    admins and analysts, an organisation's for its office too."""
    if org is None:
        principal.require("admin", "analyst")
    else:
        principal.acts_for(org, "org_id")
    with blame("org_id", UnknownOrganization):
        return kpis.view(store, org, start, end)
