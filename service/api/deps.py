"""Dependencies handed to handlers: the store, the live engine, jobs, and the caller's viewer."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency

from data.store import Store
from matching.visibility import Viewer
from service.api.auth import Principal
from service.api.state import Jobs
from service.disclosure import viewer_for
from service.kpis import KpiService
from service.live import LiveEngine


def store(request: Request) -> Store:
    return request.app.state.store


def live(request: Request) -> LiveEngine:
    return request.app.state.live


def jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def kpis(request: Request) -> KpiService:
    return request.app.state.kpis


def viewer_of(store: Store, principal: Principal) -> Viewer:
    """The disclosure rule's view of this caller: admins see all; an office sees what its
    organisation may; analysts see public items only."""
    return viewer_for(store, principal.org if principal.role == "office" else None,
                      sees_all=principal.role == "admin")


# Handler parameters marked as injected dependencies (not query parameters).
StoreDep = NamedDependency[Store]
LiveDep = NamedDependency[LiveEngine]
JobsDep = NamedDependency[Jobs]
KpisDep = NamedDependency[KpiService]
Caller = NamedDependency[Principal]
