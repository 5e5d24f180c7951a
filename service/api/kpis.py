"""KPIs of the follow-up: the funnel, answers, declines, suggestions acted on, stalls, exposure."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from data.errors import UnknownOrganization
from matching.kpis import Kpis
from service.api.deps import Caller, StoreDep
from service.api.errors import blame
from service.api.types import ErrorBody
from service.kpis import kpis
from service.settings import Settings

From = Annotated[date | None, QueryParameter(name="from",
                                             description="first day (default: a year before to)")]
To = Annotated[date | None, QueryParameter(name="to", description="last day (default: today)")]


class KpiRoutes(Controller):
    tags = ["introductions and outcomes"]

    @get("/v1/kpis", sync_to_thread=True,
         responses={404: ResponseSpec(ErrorBody, description="Unknown organisation in org")})
    def ecosystem_kpis(self, principal: Caller, store: StoreDep, settings: NamedDependency[Settings],
                       org: Annotated[str | None, QueryParameter(max_length=64)] = None,
                       start: From = None, end: To = None) -> Kpis:
        """KPIs of the whole ecosystem, or of one organisation (``org``), over a date range
        (admins and analysts)."""
        principal.require("admin", "analyst")
        with blame("org", UnknownOrganization):
            return kpis(store, org, start, end, settings.stall_rules)

    @get("/v1/organizations/{org_id:str}/kpis", sync_to_thread=True)
    def organization_kpis(self, org_id: FromPath[str], principal: Caller, store: StoreDep,
                          settings: NamedDependency[Settings], start: From = None,
                          end: To = None) -> Kpis:
        """KPIs of one organisation over a date range (its office; admins and analysts any)."""
        principal.acts_for(org_id, "org_id")
        with blame("org_id", UnknownOrganization):
            return kpis(store, org_id, start, end, settings.stall_rules)
