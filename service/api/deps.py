"""Dependencies handed to handlers: the store, the live engine, jobs, and visibility helpers."""

from __future__ import annotations

import msgspec
from litestar import Request
from litestar.di import NamedDependency

from data.introductions import Introductions
from data.records import Organization
from data.store import Store
from service.api.auth import Principal
from service.api.state import Jobs
from service.live import LiveEngine


def store(request: Request) -> Store:
    return request.app.state.store


def live(request: Request) -> LiveEngine:
    return request.app.state.live


def jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def partners_of(store: Store, principal: Principal) -> set[str]:
    """Organisations with which the caller's organisation has a mutually accepted introduction."""
    return Introductions(store).partners_of(principal.org) if principal.org else set()


def visible_organization(org: Organization, principal: Principal, partners: set[str]) -> Organization:
    """The organisation as this caller may see it (staged disclosure)."""
    if principal.role == "admin" or principal.org == org.id:
        return org
    tiers = {"public", "partner"} if org.id in partners else {"public"}
    return msgspec.structs.replace(
        org, strengths=tuple(i for i in org.strengths if i.tier in tiers),
        needs=tuple(i for i in org.needs if i.tier in tiers))


def partner_count(org: Organization) -> int:
    """Partner-tier items among an organisation's (shown) strengths and needs."""
    return sum(i.tier == "partner" for i in (*org.strengths, *org.needs))


def log_partner_items(store: Store, principal: Principal, quoted: dict[str, int], route: str) -> None:
    """Record every disclosure of partner-tier items to an office (owner → count)."""
    if principal.role != "office" or principal.org is None:
        return
    shown = {owner: count for owner, count in quoted.items() if owner != principal.org and count}
    if shown:
        Introductions(store).log_disclosures(principal.org, shown, route)


# Handler parameters marked as injected dependencies (not query parameters).
StoreDep = NamedDependency[Store]
LiveDep = NamedDependency[LiveEngine]
JobsDep = NamedDependency[Jobs]
Caller = NamedDependency[Principal]
